package linkage

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// knownModelData draws two datasets from a known Fellegi–Sunter model: n
// records a side, the first matches of them the same people; each field
// agrees among matches with probability m[i], and takes one of k[i] values
// uniformly, so that random pairs agree with probability 1/k[i].
func knownModelData(seed uint64, n, matches int, m []float64, k []int) (*Dataset, *Dataset) {
	rng := rand.New(rand.NewPCG(seed, 1))
	header := []string{"id"}
	for i := range m {
		header = append(header, fmt.Sprintf("f%d", i))
	}
	left := &Dataset{Header: header}
	right := &Dataset{Header: header}
	for r := 0; r < n; r++ {
		a := []string{"L" + strconv.Itoa(r)}
		b := []string{"R" + strconv.Itoa(r)}
		for i := range m {
			x := rng.IntN(k[i])
			a = append(a, strconv.Itoa(x))
			y := rng.IntN(k[i])
			if r < matches {
				if rng.Float64() < m[i] {
					y = x
				} else {
					y = (x + 1 + rng.IntN(k[i]-1)) % k[i]
				}
			}
			b = append(b, strconv.Itoa(y))
		}
		left.Rows = append(left.Rows, a)
		right.Rows = append(right.Rows, b)
	}
	return left, right
}

func knownModel(n int) *Model {
	m := &Model{IDColumn: "id", Blocking: []BlockingRule{{Name: "all", Parts: []BlockPart{{Field: "id", Key: BlockAll}}}}}
	for i := 0; i < n; i++ {
		m.Comparisons = append(m.Comparisons, Comparison{Kind: KindExact, Field: fmt.Sprintf("f%d", i), Levels: []Level{
			{Label: "agree", When: WhenExact}, {Label: "disagree", When: WhenElse}}})
	}
	return m
}

func TestEMRecoversKnownMAndU(t *testing.T) {
	mTrue := []float64{0.9, 0.8, 0.95, 0.7}
	k := []int{10, 20, 5, 30}
	const n, matches = 800, 400
	left, right := knownModelData(11, n, matches, mTrue, k)
	lk, err := NewLinker(knownModel(len(mTrue)), left, right)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := lk.Train(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range lk.Model().Comparisons {
		gotM, gotU := c.Levels[0].M, c.Levels[0].U
		if math.Abs(gotM-mTrue[i]) > 0.05 {
			t.Errorf("%s: m = %.3f, want %.3f ± 0.05", c.Field, gotM, mTrue[i])
		}
		if wantU := 1 / float64(k[i]); math.Abs(gotU-wantU) > 0.01 {
			t.Errorf("%s: u = %.4f, want %.4f ± 0.01", c.Field, gotU, wantU)
		}
	}
	wantPrior := float64(matches) / (n * n)
	if r := rep.Prior / wantPrior; r < 0.8 || r > 1.25 {
		t.Errorf("prior %.3g, want %.3g within 25%%", rep.Prior, wantPrior)
	}
}

func TestEMStaysSensibleOnSmallData(t *testing.T) {
	left, right := knownModelData(5, 12, 4, []float64{0.9, 0.9}, []int{3, 4})
	lk, err := NewLinker(knownModel(2), left, right)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lk.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, c := range lk.Model().Comparisons {
		for _, l := range c.Levels {
			if math.IsNaN(l.M) || math.IsNaN(l.U) || l.M <= 0 || l.M >= 1 || l.U <= 0 || l.U >= 1 {
				t.Errorf("%s %s: m %.3g u %.3g, want both in (0,1)", c.Field, l.Label, l.M, l.U)
			}
		}
		if c.Levels[0].Weight() <= c.Levels[1].Weight() {
			t.Errorf("%s: agreement weighs %.2f, not more than disagreement %.2f", c.Field, c.Levels[0].Weight(), c.Levels[1].Weight())
		}
	}
}

func TestTrainingKeepsFixedLevels(t *testing.T) {
	left, right := knownModelData(3, 200, 100, []float64{0.9, 0.8}, []int{10, 10})
	m := knownModel(2)
	m.Comparisons[0].Levels[0] = Level{Label: "agree", When: WhenExact, M: 0.5, U: 0.3, Fixed: true}
	lk, err := NewLinker(m, left, right)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lk.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	if l := lk.Model().Comparisons[0].Levels[0]; l.M != 0.5 || l.U != 0.3 {
		t.Errorf("fixed level trained to m %.3f u %.3f, want 0.5 and 0.3", l.M, l.U)
	}
	if m.Comparisons[1].Levels[0].M != 0 {
		t.Error("training changed the caller's model; it must train a copy")
	}
}

func TestTrainedModelOnlyReestimatesPrior(t *testing.T) {
	left, right := knownModelData(9, 300, 150, []float64{0.9, 0.8, 0.9}, []int{10, 10, 10})
	lk, err := NewLinker(knownModel(3), left, right)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lk.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	trained := lk.Model()
	// The same people in a smaller pair of files: fewer pairs, so a larger prior.
	l2 := &Dataset{Header: left.Header, Rows: left.Rows[:100]}
	r2 := &Dataset{Header: right.Header, Rows: right.Rows[:100]}
	lk2, err := NewLinker(trained, l2, r2)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := lk2.Train(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.RandomPairs != 0 {
		t.Errorf("a trained model estimated u again from %d random pairs", rep.RandomPairs)
	}
	if got := lk2.Model().Comparisons[0].Levels[0].M; got != trained.Comparisons[0].Levels[0].M {
		t.Errorf("m changed from %.4f to %.4f", trained.Comparisons[0].Levels[0].M, got)
	}
	if rep.Prior <= trained.Prior {
		t.Errorf("prior %.3g on 100×100 not above %.3g on 300×300", rep.Prior, trained.Prior)
	}
}

// Each report has at most one match among its candidates. When the located
// list holds look-alikes (three of the four fields agree, the fourth never
// does), plain EM takes many of them for matches and learns that the
// fourth field seldom agrees among matches; EM that knows a report matches
// once shares each report's evidence among its candidates, and comes close
// (a true match whose fourth field disagrees looks like its look-alikes and
// shares its mass with them, so m comes out a little high).
func TestExclusiveEMIsNotFooledByLookAlikes(t *testing.T) {
	mTrue := []float64{0.9, 0.9, 0.9, 0.9}
	k := []int{8, 8, 8, 50}
	const n = 300
	left, right := knownModelData(21, n, n, mTrue, k)
	rng := rand.New(rand.NewPCG(22, 2))
	for r := range n {
		for range 3 {
			row := []string{"X" + strconv.Itoa(len(right.Rows))}
			for i := range mTrue {
				v := left.Rows[r][i+1]
				if i == 3 || rng.Float64() > mTrue[i] {
					x, _ := strconv.Atoi(v)
					v = strconv.Itoa((x + 1 + rng.IntN(k[i]-1)) % k[i])
				}
				row = append(row, v)
			}
			right.Rows = append(right.Rows, row)
		}
	}
	fourth := func(exclusive bool) float64 {
		m := knownModel(len(mTrue))
		m.Exclusive = exclusive
		lk, err := NewLinker(m, left, right)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := lk.Train(context.Background()); err != nil {
			t.Fatal(err)
		}
		return lk.Model().Comparisons[3].Levels[0].M
	}
	plain, exclusive := fourth(false), fourth(true)
	t.Logf("m of the fourth field: plain EM %.3f, exclusive EM %.3f, true %.2f", plain, exclusive, mTrue[3])
	if math.Abs(exclusive-mTrue[3]) > 0.1 {
		t.Errorf("exclusive EM: m = %.3f, want %.2f ± 0.1", exclusive, mTrue[3])
	}
	if math.Abs(exclusive-mTrue[3]) >= math.Abs(plain-mTrue[3]) {
		t.Errorf("exclusive EM (%.3f) is no closer to %.2f than plain EM (%.3f)", exclusive, mTrue[3], plain)
	}
}
