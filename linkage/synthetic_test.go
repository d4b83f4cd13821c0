package linkage_test

import (
	"context"
	"testing"

	"github.com/homeward-project/homeward/linkage"
	"github.com/homeward-project/homeward/linkage/synth"
)

func corpusDatasets(c *synth.Corpus) (reports, located *linkage.Dataset, truth *linkage.Truth) {
	reports = &linkage.Dataset{Header: synth.Header, Rows: c.Reports}
	located = &linkage.Dataset{Header: synth.Header, Rows: c.Located}
	truth = &linkage.Truth{Pairs: map[linkage.IDPair]bool{}}
	for _, p := range c.Truth {
		truth.Pairs[linkage.IDPair{Left: p[0], Right: p[1]}] = true
	}
	return
}

// The built-in model, trained on the input with no tuning to this corpus,
// links 2,000 reports to 20,000 located records across scripts.
func TestSyntheticCorpusLinksWithBuiltInModel(t *testing.T) {
	c := synth.Generate(synth.Config{Reports: 2000, Located: 20000, Seed: 42})
	reports, located, truth := corpusDatasets(c)
	lk, err := linkage.NewLinker(linkage.PersonModel(), reports, located)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := lk.Train(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pairs, brep, err := lk.Pairs(context.Background(), 0.5)
	if err != nil {
		t.Fatal(err)
	}
	m := truth.Evaluate(lk.Scored(pairs), 0.5)
	pc, _ := lk.Completeness(truth)
	t.Logf("train %+v", rep)
	t.Logf("blocking %+v", brep)
	t.Logf("at 0.5: %+v; pairs completeness %.4f", m, pc)
	if m.F1 < 0.95 {
		t.Errorf("F1 at 0.5 = %.4f, want ≥ 0.95", m.F1)
	}
	if pc < 0.995 {
		t.Errorf("pairs completeness %.4f, want ≥ 0.995", pc)
	}
}
