package names

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzNames: no input makes any function panic or loop, scores stay in
// [0,1], and Compare is symmetric and gives Identical for equal input.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"Олександр Білий", "Schewtschenko", "Мар'яна", "Ковальська-Петренко", "Ščukino",
		"\xff\xfe", "ʼʼʼ", "- - -", "Ё", "ch", "ія", "e\u0301\u0301", strings.Repeat("щ", 100), "Chevtchenko Iouri"} {
		f.Add(s, "Олександр")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		n := Normalize(a)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) is not UTF-8", a)
		}
		if Normalize(n) != n {
			t.Fatalf("Normalize is not idempotent on %q: %q then %q", a, n, Normalize(n))
		}
		DetectScript(a)
		for _, sys := range Systems() {
			sys.Transliterate(a)
		}
		Reverse(a, 5)
		Keys(a)
		s := Compare(a, b)
		if s.Score < 0 || s.Score > 1 {
			t.Fatalf("Compare(%q, %q) = %v", a, b, s.Score)
		}
		if r := Compare(b, a); r.Score != s.Score || r.Reason != s.Reason {
			t.Fatalf("Compare(%q, %q) = %+v but reversed %+v", a, b, s, r)
		}
		if a != "" && Normalize(a) != "" && Compare(a, a).Reason != Identical {
			t.Fatalf("Compare(%q, itself) is not Identical", a)
		}
		if j := JaroWinkler(a, b); j < 0 || j > 1 {
			t.Fatalf("JaroWinkler(%q, %q) = %v", a, b, j)
		}
	})
}
