package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/homeward-project/homeward"
)

// BenchmarkSaveCandidates10k saves 10,000 new candidates (2,000 cases each
// against five located records) in one call, as the background matcher
// does after an import, then saves them again unchanged, which must cost
// reads only. Run with:
// go test ./store -run '^$' -bench SaveCandidates -benchtime 1x
func BenchmarkSaveCandidates10k(b *testing.B) {
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) { benchmarkSaveCandidates(b, backend) })
	}
}

func benchmarkSaveCandidates(b *testing.B, backend string) {
	const nCases, perCase = 2000, 5
	for b.Loop() {
		b.StopTimer()
		db := openTestDB(b, backend)
		ctx := homeward.NewContextWithActor(context.Background(), homeward.SystemActor())
		org := &homeward.Org{Name: "Bench", Kind: homeward.OrgAgency}
		if err := NewOrgService(db).CreateOrg(ctx, org); err != nil {
			b.Fatal(err)
		}
		cs := make([]*homeward.Case, nCases)
		ls := make([]*homeward.LocatedRecord, nCases)
		for i := range cs {
			cs[i] = &homeward.Case{OrgID: org.ID, GivenName: fmt.Sprintf("Ім'я%d", i), ImportKey: fmt.Sprint(i)}
			ls[i] = &homeward.LocatedRecord{OrgID: org.ID, GivenName: fmt.Sprintf("Имя%d", i), ImportKey: fmt.Sprint(i)}
		}
		if _, _, err := NewCaseService(db).ImportCases(ctx, cs, nil); err != nil {
			b.Fatal(err)
		}
		if _, _, err := NewLocatedService(db).ImportLocated(ctx, ls, nil); err != nil {
			b.Fatal(err)
		}
		ms := make([]homeward.Match, 0, nCases*perCase)
		for i, c := range cs {
			for k := range perCase {
				m := candidate(c.ID, ls[(i+k)%nCases].ID, 0.5+float64(k)/20, "c", "l")
				ms = append(ms, m)
			}
		}
		svc := NewMatchService(db)
		b.StartTimer()
		created, _, err := svc.SaveCandidates(ctx, ms)
		if err != nil || created != len(ms) {
			b.Fatalf("created %d of %d: %v", created, len(ms), err)
		}
		if _, updated, err := svc.SaveCandidates(ctx, ms); err != nil || updated != 0 {
			b.Fatalf("unchanged re-save updated %d: %v", updated, err)
		}
	}
	b.ReportMetric(nCases*perCase, "candidates/op")
}
