package linkage_test

import (
	"context"
	"fmt"
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

// The built-in model, trained on the input with no tuning to the corpus,
// links 2,000 reports to 20,000 located records across scripts, pair by
// pair (no one-to-one assignment), on several corpus seeds.
func TestSyntheticCorpusLinksWithBuiltInModel(t *testing.T) {
	for _, seed := range []uint64{7, 8, 9} {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			t.Parallel()
			c := synth.Generate(synth.Config{Reports: 2000, Located: 20000, Seed: seed})
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
			raw := truth.Evaluate(lk.Scored(pairs), 0.5)
			one := truth.Evaluate(lk.Scored(linkage.OneToOne(pairs)), 0.5)
			pc, candidates := lk.Completeness(truth)
			t.Logf("train: %d random pairs, %d EM pairs, prior %.3g", rep.RandomPairs, rep.EMPairs, rep.Prior)
			t.Logf("blocking: %+v", brep)
			t.Logf("pairwise at 0.5: %+v", raw)
			t.Logf("one-to-one at 0.5: %+v", one)
			t.Logf("pairs completeness %.4f over %d candidate pairs", pc, candidates)
			// The issue asks for 0.95; sibling evidence and competition
			// brought every seed from 7 to 12 to 0.969 or more, and the
			// test keeps them there.
			if raw.F1 < 0.965 {
				t.Errorf("pairwise F1 at 0.5 = %.4f, want ≥ 0.965", raw.F1)
			}
			if one.F1 < raw.F1 {
				t.Errorf("one-to-one F1 at 0.5 = %.4f, below pairwise %.4f", one.F1, raw.F1)
			}
			// What blocking still misses are children whose surname was
			// replaced and whose birth date or given name was altered as
			// well, or who share nothing but a given name.
			if pc < 0.995 {
				t.Errorf("pairs completeness %.4f, want ≥ 0.995", pc)
			}
		})
	}
}
