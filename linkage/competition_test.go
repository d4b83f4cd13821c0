package linkage

import (
	"context"
	"math"
	"testing"

	"github.com/homeward-project/homeward/linkage/synth"
)

// Two located records that are different children compete for a report:
// the weaker pair loses log2(1 + odds of the stronger); a record listed
// twice does not compete with itself.
func TestCompetitionBetweenDifferentChildrenNotDuplicates(t *testing.T) {
	header := []string{"id", "given_name", "family_name", "patronymic", "sex", "birth_date", "birth_place"}
	left := &Dataset{Header: header, Rows: [][]string{
		{"r1", "Олена", "Шевчук", "Петрівна", "f", "02.10.2016", "Маріуполь"},
	}}
	right := &Dataset{Header: header, Rows: [][]string{
		{"l1", "Елена", "Шевчук", "Петровна", "f", "2016-10-02", "Мариуполь"},
		{"l2", "Олена", "Шевчук", "Іванівна", "f", "2016", "Херсон"},           // another Olena Shevchuk born in 2016
		{"l3", "Olena", "Shevchuk", "Petrivna", "f", "02.10.2016", "Mariupol"}, // l1 listed again
		{"l4", "Марія", "Коваль", "Іванівна", "f", "2015-01-01", "Херсон"},
	}}
	m := trainedPersonModel(t, 5)
	m.Prior, m.PriorFixed = 1e-4, true
	lk, err := NewLinker(m, left, right)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lk.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	priorW := lk.priorWeight()
	pairs := []Pair{}
	for r := range 3 {
		var rest []float64
		rest = lk.restMax(0, rest)
		w := lk.score(0, r, math.Inf(-1), rest, nil)
		pairs = append(pairs, Pair{Left: 0, Right: r, Weight: w, Probability: probability(priorW, w)})
	}
	sortPairs(pairs)
	before := map[int]float64{}
	for _, p := range pairs {
		before[p.Right] = p.Weight
	}
	if lk.duplicate(lk.right, 0, 2, priorW) < 0.5 || lk.duplicate(lk.right, 0, 1, priorW) > 0.5 {
		t.Fatalf("duplicate probabilities: l1/l3 %.3f, l1/l2 %.3f", lk.duplicate(lk.right, 0, 2, priorW), lk.duplicate(lk.right, 0, 1, priorW))
	}
	lk.addCompetition(pairs, priorW)
	after := map[int]Pair{}
	for _, p := range pairs {
		after[p.Right] = p
	}
	weak := after[1]
	if weak.Competitor == nil || weak.Weight >= before[1]-1 {
		t.Fatalf("the namesake's pair kept %.2f of %.2f bits (competitor %+v)", weak.Weight, before[1], weak.Competitor)
	}
	// It loses to both l1 and l3, whose odds add, each discounted by the
	// chance it is a duplicate of l2 (nil).
	eff := func(r, other int) float64 {
		o, d := math.Exp2(priorW+before[other]), lk.duplicate(lk.right, r, other, priorW)
		return (1 - d) * o / (1 + d*o)
	}
	want := before[1] - math.Log2(1+eff(1, 0)+eff(1, 2))
	if math.Abs(weak.Weight-want) > 1e-9 {
		t.Errorf("namesake's weight %.4f, want %.4f", weak.Weight, want)
	}
	// l1 and l3 lose to the namesake only, not to each other.
	for _, r := range []int{0, 2} {
		fromNamesake := math.Log2(1 + eff(r, 1))
		if lost := before[r] - after[r].Weight; math.Abs(lost-fromNamesake) > 0.01 {
			t.Errorf("record l%d lost %.3f bits, %.3f of them to the namesake", r+1, lost, fromNamesake)
		}
	}
	lk.dedupe = true
	if lk.exclusive() {
		t.Error("competition applies when deduplicating one file")
	}
}

// trainedPersonModel is the person model with m and u trained on a small
// synthetic corpus, for tests that link a few hand-written records.
func trainedPersonModel(t *testing.T, seed uint64) *Model {
	t.Helper()
	c := synth.Generate(synth.Config{Reports: 300, Located: 3000, Seed: seed})
	lk, err := NewLinker(PersonModel(), &Dataset{Header: synth.Header, Rows: c.Reports}, &Dataset{Header: synth.Header, Rows: c.Located})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lk.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	return lk.Model().Clone()
}

// A pair's probability does not depend on the threshold asked for: sibling
// evidence, rivalry and competition look at the same pairs whatever it is.
func TestProbabilityDoesNotDependOnTheThreshold(t *testing.T) {
	c := synth.Generate(synth.Config{Reports: 500, Located: 5000, Seed: 12})
	lk, err := NewLinker(PersonModel(), &Dataset{Header: synth.Header, Rows: c.Reports}, &Dataset{Header: synth.Header, Rows: c.Located})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lk.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	low, _, err := lk.Pairs(context.Background(), 0.001)
	if err != nil {
		t.Fatal(err)
	}
	high, _, err := lk.Pairs(context.Background(), 0.5)
	if err != nil {
		t.Fatal(err)
	}
	at := map[[2]int]float64{}
	for _, p := range low {
		at[[2]int{p.Left, p.Right}] = p.Probability
	}
	n := 0
	for _, p := range low {
		if p.Probability >= 0.5 {
			n++
		}
	}
	if n != len(high) {
		t.Errorf("%d pairs at 0.5 or more from the low threshold, %d from 0.5", n, len(high))
	}
	for _, p := range high {
		q, ok := at[[2]int{p.Left, p.Right}]
		if !ok || math.Abs(q-p.Probability) > 1e-9 {
			t.Fatalf("pair %s ↔ %s: %.6f at threshold 0.5, %.6f (found %v) at 0.001", lk.LeftID(p.Left), lk.RightID(p.Right), p.Probability, q, ok)
		}
	}
}
