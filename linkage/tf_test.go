package linkage

import (
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
