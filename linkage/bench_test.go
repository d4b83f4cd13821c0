package linkage_test

import (
	"context"
	"testing"

	"github.com/homeward-project/homeward/linkage"
	"github.com/homeward-project/homeward/linkage/synth"
)

// BenchmarkPairs scores 2,000 reports against 20,000 located records with a
// trained built-in model (blocking, comparisons, pruning; not training).
func BenchmarkPairs(b *testing.B) {
	c := synth.Generate(synth.Config{Reports: 2000, Located: 20000, Seed: 1})
	reports, located, _ := corpusDatasets(c)
	lk, err := linkage.NewLinker(linkage.PersonModel(), reports, located)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := lk.Train(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := lk.Pairs(context.Background(), 0.5); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIndexQuery asks an index of 20,000 located records about one
// report at a time (cmd/linkbench -suite index does it at a million).
func BenchmarkIndexQuery(b *testing.B) {
	c := synth.Generate(synth.Config{Reports: 2000, Located: 20000, Seed: 1})
	reports, located, _ := corpusDatasets(c)
	lk, err := linkage.NewLinker(linkage.PersonModel(), reports, located)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := lk.Train(context.Background()); err != nil {
		b.Fatal(err)
	}
	ix, err := linkage.NewIndex(lk.Model(), located)
	if err != nil {
		b.Fatal(err)
	}
	queries := make([]map[string]string, len(c.Reports))
	for i, r := range c.Reports {
		queries[i] = map[string]string{}
		for j, h := range synth.Header {
			queries[i][h] = r[j]
		}
	}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := ix.Query(queries[i%len(queries)], 10, 0.01); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
