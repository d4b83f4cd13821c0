package matching

import (
	"testing"

	"github.com/homeward-project/homeward/linkage"
	"github.com/homeward-project/homeward/linkage/synth"
)

// BenchmarkMatchOneCase is one background match of a report against an
// organisation's 100,000 located records: the index query, and the
// explanation in words of each candidate found.
func BenchmarkMatchOneCase(b *testing.B) {
	c := synth.Generate(synth.Config{Reports: 1000, Located: 100_000, Seed: 5})
	def, err := DefaultModel()
	if err != nil {
		b.Fatal(err)
	}
	st := &orgState{model: def, share: defaultShare, cases: map[int64]*caseRec{}, located: map[int64]*locRec{}}
	d := &linkage.Dataset{Header: header}
	for i, row := range c.Located {
		var v values
		copy(v[:], row[1:7])
		st.located[int64(i+1)] = &locRec{id: int64(i + 1), vals: v}
		d.Rows = append(d.Rows, v.row(int64(i+1)))
	}
	qs := make([]values, len(c.Reports))
	for i, row := range c.Reports {
		copy(qs[i][:], row[1:7])
	}
	ix, err := linkage.NewIndex(st.indexModel(), d)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	found := 0
	for i := 0; b.Loop(); i++ {
		q := &qs[i%len(qs)]
		cs, err := ix.Query(q.query(), 10, 0.2)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range cs {
			found += len(evidence(def, f.Evidence, q, &st.located[int64(f.Row+1)].vals))
		}
	}
	b.ReportMetric(float64(found)/float64(b.N), "evidence/op")
}
