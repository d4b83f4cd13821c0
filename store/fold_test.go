package store

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFoldMakesSpellingVariantsEqual(t *testing.T) {
	tests := []struct{ a, b string }{
		{"Мар'яна", "марʼяна"},
		{"Мар’яна", "МАР`ЯНА"},
		{"Фёдор", "федор"},
		{"  Олена   Петрівна ", "олена петрівна"},
		{"O'Brien", "obrien"},
	}
	for _, tt := range tests {
		if fold(tt.a) != fold(tt.b) {
			t.Errorf("fold(%q) = %q, fold(%q) = %q; want equal", tt.a, fold(tt.a), tt.b, fold(tt.b))
		}
	}
}

// FuzzFold checks the folding of search queries, which come from users:
// folding is idempotent, leaves no apostrophe, upper case or doubled space,
// and the LIKE pattern built from it has no unescaped wildcard inside.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"Мар'яна", "Фёдор", "a_%\\", "  x  y ", "ǅ", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		f1 := fold(s)
		if f2 := fold(f1); f2 != f1 {
			t.Fatalf("fold not idempotent: %q -> %q -> %q", s, f1, f2)
		}
		if strings.ContainsAny(f1, "'’ʼ`ё") || strings.Contains(f1, "  ") || strings.TrimSpace(f1) != f1 {
			t.Fatalf("fold(%q) = %q keeps what it should remove", s, f1)
		}
		p := likePattern(s)
		inner := p[1 : len(p)-1]
		for i := 0; i < len(inner); i++ {
			switch inner[i] {
			case '\\':
				i++ // the escaped character
			case '%', '_':
				t.Fatalf("likePattern(%q) = %q has an unescaped wildcard", s, p)
			}
		}
	})
}
