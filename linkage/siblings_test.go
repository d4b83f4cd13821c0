package linkage

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/homeward-project/homeward/linkage/synth"
)

// Sibling evidence lifts true pairs that the records alone leave below one
// half (a replaced surname, a missing date), and hardly ever a child's
// unreported brother or sister, who shares the family but not the name or
// the year.
func TestSiblingEvidenceLiftsTruePairsNotSiblings(t *testing.T) {
	c := synth.Generate(synth.Config{Reports: 2000, Located: 20000, Seed: 10})
	left := &Dataset{Header: synth.Header, Rows: c.Reports}
	right := &Dataset{Header: synth.Header, Rows: c.Located}
	truth := map[[2]string]bool{}
	for _, p := range c.Truth {
		truth[p] = true
	}
	lk, err := NewLinker(PersonModel(), left, right)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lk.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	pairs, brep, err := lk.Pairs(context.Background(), 0.5)
	if err != nil {
		t.Fatal(err)
	}
	est := lk.SiblingEstimate()
	t.Logf("sibling estimate %+v, %d pairs found through siblings only", est, brep.SiblingFound)
	if est.Fixed || est.Within <= 0 || est.Within >= 1 || est.NoMatch > 0 || est.Supported > est.Applicable || est.Supported == 0 {
		t.Fatalf("implausible estimate %+v", est)
	}
	var liftedTrue, liftedFalse int
	explained := false
	for _, p := range pairs {
		if p.Sibling == nil || p.Sibling.Weight == 0 {
			continue
		}
		if p.Sibling.Weight < 0 {
			t.Fatalf("sibling evidence %g is negative", p.Sibling.Weight)
		}
		odds := math.Log2(p.Probability / (1 - p.Probability))
		if odds-p.Sibling.Weight >= 0 {
			continue // above one half on its own
		}
		if truth[[2]string{lk.LeftID(p.Left), lk.RightID(p.Right)}] {
			liftedTrue++
		} else {
			liftedFalse++
		}
		if explained {
			continue
		}
		explained = true
		sum := 0.0
		var line string
		for _, c := range lk.Explain(p) {
			sum += c.Weight
			if c.Comparison == "siblings" && c.Level == "a sibling matches too" {
				line = c.Detail
				if c.Weight != p.Sibling.Weight {
					t.Errorf("explanation gives the sibling %g, the pair %g", c.Weight, p.Sibling.Weight)
				}
			}
		}
		if want := lk.LeftID(p.Sibling.Left) + " ↔ " + lk.RightID(p.Sibling.Right); line != want {
			t.Errorf("sibling named as %q, want %q", line, want)
		}
		if math.Abs(sum-p.Weight) > 1e-6 {
			t.Errorf("explanation sums to %.4f, the pair weighs %.4f", sum, p.Weight)
		}
	}
	t.Logf("lifted over one half by a sibling: %d true pairs, %d others", liftedTrue, liftedFalse)
	if liftedTrue < 10 {
		t.Errorf("sibling evidence lifted %d true pairs, want at least 10", liftedTrue)
	}
	if liftedFalse*5 > liftedTrue {
		t.Errorf("sibling evidence lifted %d wrong pairs against %d true ones", liftedFalse, liftedTrue)
	}
}

// A model may fix the weight of family identity; then nothing is estimated,
// and a supported pair gains what it exceeds the family-shared comparisons
// by.
func TestFixedSiblingWeight(t *testing.T) {
	c := synth.Generate(synth.Config{Reports: 300, Located: 3000, Seed: 4})
	m := PersonModel()
	m.SiblingWeight, m.SiblingAbsentWeight = 6, -1
	lk, err := NewLinker(m, &Dataset{Header: synth.Header, Rows: c.Reports}, &Dataset{Header: synth.Header, Rows: c.Located})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lk.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	pairs, _, err := lk.Pairs(context.Background(), 0.01)
	if err != nil {
		t.Fatal(err)
	}
	est := lk.SiblingEstimate()
	if !est.Fixed || est.Family != 6 || est.NoMatch != -1 {
		t.Fatalf("estimate %+v, want the model's weights", est)
	}
	var supported, absent int
	for _, p := range pairs {
		if p.Sibling != nil {
			supported++
			want := max(0, 6-lk.sharedWeight(p.Left, p.Right)-lk.pairBlockingWeight(p.Left, p.Right))
			if math.Abs(p.Sibling.Weight-want) > 1e-9 {
				t.Errorf("sibling evidence %g, want %g", p.Sibling.Weight, want)
			}
		}
		if p.NoSibling != 0 {
			absent++
			if p.NoSibling != -1 {
				t.Errorf("no-sibling weight %g, want -1", p.NoSibling)
			}
		}
	}
	if supported == 0 || absent == 0 {
		t.Errorf("%d supported and %d unsupported pairs: the corpus has both", supported, absent)
	}
	bad := PersonModel()
	bad.SiblingAbsentWeight = 2
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "sibling_absent_weight") {
		t.Errorf("a positive sibling_absent_weight gave %v", err)
	}
}

// The within-family prior is recovered from pairs drawn from a known
// mixture.
func TestWithinFamilyPriorRecoversTheShareOfMatches(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, share := range []float64{0.2, 0.5, 0.8} {
		var child []float64
		for range 4000 {
			if rng.Float64() < share {
				child = append(child, 6+rng.NormFloat64()*2)
			} else {
				child = append(child, -6+rng.NormFloat64()*2)
			}
		}
		if got := withinFamilyPrior(child); math.Abs(got-share) > 0.03 {
			t.Errorf("share %.2f estimated as %.3f", share, got)
		}
	}
	if got := withinFamilyPrior(nil); got != 0.5 {
		t.Errorf("no pairs: %.3f, want the prior's 0.5", got)
	}
}

// Two siblings matched to two siblings, nothing else: each pair supports
// the other, and no pair needs scoring again.
func TestSiblingEvidenceOnTwoMatchedSiblings(t *testing.T) {
	m := trainedPersonModel(t, 8)
	m.Prior, m.PriorFixed = 1e-4, true
	left := &Dataset{Header: synth.Header, Rows: [][]string{
		{"r1", "Олена", "Шевчук", "Петрівна", "f", "02.10.2016", "Маріуполь", "F1"},
		{"r2", "Іван", "Шевчук", "Петрович", "m", "15.03.2013", "Маріуполь", "F1"},
	}}
	right := &Dataset{Header: synth.Header, Rows: [][]string{
		{"l1", "Елена", "Шевчук", "Петровна", "f", "2016-10-02", "Мариуполь", "G1"},
		{"l2", "Иван", "Шевчук", "Петрович", "m", "2013-03-15", "Мариуполь", "G1"},
	}}
	lk, err := NewLinker(m, left, right)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lk.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	pairs, _, err := lk.Pairs(context.Background(), 0.5)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("estimate %+v", lk.SiblingEstimate())
	if len(pairs) != 2 {
		t.Fatalf("%d pairs, want the two siblings' own", len(pairs))
	}
	for _, p := range pairs {
		if p.Left != p.Right || p.Sibling == nil {
			t.Errorf("pair %s ↔ %s: sibling %+v", lk.LeftID(p.Left), lk.RightID(p.Right), p.Sibling)
		}
	}
}
