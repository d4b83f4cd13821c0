package linkage

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func readDataset(t testing.TB, path string) *Dataset {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := ReadCSV(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return d
}

func readModel(t testing.TB, name string) *Model {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "testdata", "models", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := ReadModel(f)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// runBenchmark trains on the data, scores every candidate pair with any
// probability, and reports F1 at 0.5, the best F1 and pairs completeness.
func runBenchmark(t *testing.T, m *Model, left, right *Dataset, truth *Truth) (at05, best Metrics, completeness float64) {
	t.Helper()
	lk, err := NewLinker(m, left, right)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := lk.Train(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pairs, brep, err := lk.Pairs(context.Background(), 0.01)
	if err != nil {
		t.Fatal(err)
	}
	scored := lk.Scored(pairs)
	at05 = truth.Evaluate(scored, 0.5)
	best = truth.BestThreshold(scored)
	completeness, _ = lk.Completeness(truth)
	t.Logf("train %+v", rep)
	t.Logf("blocking %+v", brep)
	t.Logf("at 0.5: %+v", at05)
	t.Logf("best:   %+v", best)
	t.Logf("pairs completeness %.4f", completeness)
	return
}

func TestFEBRL4LinksAtTarget(t *testing.T) {
	a := readDataset(t, "testdata/febrl/dataset4a.csv")
	b := readDataset(t, "testdata/febrl/dataset4b.csv")
	truth := FEBRL4Truth(a.Column("rec_id"), b.Column("rec_id"))
	at05, _, pc := runBenchmark(t, readModel(t, "febrl.json"), a, b, truth)
	if at05.F1 < 0.999 {
		t.Errorf("F1 at 0.5 = %.4f, want ≥ 0.999", at05.F1)
	}
	if pc < 0.995 {
		t.Errorf("pairs completeness %.4f, want ≥ 0.995", pc)
	}
}

func TestFEBRL3DedupesAtTarget(t *testing.T) {
	d := readDataset(t, "testdata/febrl/dataset3.csv")
	truth := FEBRLDedupeTruth(d.Column("rec_id"))
	at05, _, pc := runBenchmark(t, readModel(t, "febrl.json"), d, nil, truth)
	if at05.F1 < 0.995 {
		t.Errorf("F1 at 0.5 = %.4f, want ≥ 0.995", at05.F1)
	}
	if pc < 0.995 {
		t.Errorf("pairs completeness %.4f, want ≥ 0.995", pc)
	}
}

func TestFake1000DedupesAtTarget(t *testing.T) {
	d := readDataset(t, "testdata/fake_1000.csv")
	truth := ClusterTruth(d.Column("unique_id"), d.Column("cluster"))
	// The model must not see the answer.
	c := d.column("cluster")
	for i := range d.Rows {
		d.Rows[i][c] = ""
	}
	at05, best, pc := runBenchmark(t, readModel(t, "fake_1000.json"), d, nil, truth)
	if at05.F1 < 0.85 {
		t.Errorf("F1 at 0.5 = %.4f, want ≥ 0.85", at05.F1)
	}
	if best.F1 < 0.87 {
		t.Errorf("best F1 = %.4f, want ≥ 0.87", best.F1)
	}
	if pc < 0.995 {
		t.Errorf("pairs completeness %.4f, want ≥ 0.995", pc)
	}
}
