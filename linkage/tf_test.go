package linkage

import (
	"math"
	"strings"
	"testing"
)

// A misspelt rare surname weighs more than a misspelt common one: the
// typo level's u scales with the name's frequency (tf_relative).
func TestMisspeltRareSurnameWeighsMore(t *testing.T) {
	m := trainedPersonModel(t, 6)
	header := []string{"id", "given_name", "family_name"}
	left := &Dataset{Header: header, Rows: [][]string{{"r1", "Іван", "Шевченко"}, {"r2", "Іван", "Бубликюк"}}}
	right := &Dataset{Header: header, Rows: [][]string{{"l1", "Іван", "Шевченкр"}, {"l2", "Іван", "Бубликюу"}}}
	for i := range 3000 {
		right.Rows = append(right.Rows, []string{"p" + strings.Repeat("x", i%7) + string(rune('a'+i%26)), "Петро", "Шевченко"})
	}
	lk, err := NewLinker(m, left, right)
	if err != nil {
		t.Fatal(err)
	}
	family := func(l, r int) (string, float64) {
		for _, c := range lk.Explain(Pair{Left: l, Right: r}) {
			if c.Comparison == "family name" {
				return c.Level, c.Weight
			}
		}
		t.Fatal("no family name contribution")
		return "", 0
	}
	lc, common := family(0, 0)
	lr, rare := family(1, 1)
	if lc != "phonetic or typo" || lr != "phonetic or typo" {
		t.Fatalf("levels %q and %q, want both phonetic or typo", lc, lr)
	}
	t.Logf("misspelt common surname %+.2f bits, rare %+.2f", common, rare)
	if rare < common+3 {
		t.Errorf("a misspelt rare surname weighs %.2f, a misspelt common one %.2f", rare, common)
	}
}

// One swap of given and family names shows in both name comparisons: the
// given name's level carries its chance among matches, and the family
// name's (conditional) weighs only how rare the agreement is.
func TestSwappedNamesCountTheSwapOnce(t *testing.T) {
	m := trainedPersonModel(t, 9)
	header := []string{"id", "given_name", "family_name"}
	left := &Dataset{Header: header, Rows: [][]string{{"r1", "Олена", "Бубликюк"}}}
	right := &Dataset{Header: header, Rows: [][]string{{"l1", "Бубликюк", "Олена"}}}
	lk, err := NewLinker(m, left, right)
	if err != nil {
		t.Fatal(err)
	}
	var k *comparator
	for _, c := range lk.comps {
		if c.c.Field == FieldFamilyName {
			k = c
		}
	}
	a, b, sa, sb := lk.refs(k, 0, 0)
	lv := k.level(a, b, sa, sb, nil)
	if k.c.Levels[lv].Label != "given and family names swapped" || !k.c.Levels[lv].Conditional {
		t.Fatalf("family name level %q (conditional %v)", k.c.Levels[lv].Label, k.c.Levels[lv].Conditional)
	}
	u := max(k.freq(a), k.freq(b), k.tfMinU) * k.tfScale[lv]
	got := k.levelWeight(lv, a, b)
	if want := math.Log2(1 / u); math.Abs(got-want) > 1e-9 {
		t.Errorf("family name swapped weighs %.3f, want log2(1/u) = %.3f", got, want)
	}
	if m := k.c.Levels[lv].M; got <= math.Log2(m/u) {
		t.Errorf("the swap's chance (m %.3g) is counted again: %.3f", m, got)
	}
}
