package store

import (
	"strings"
	"unicode"
)

// fold prepares names for substring search: lower case, apostrophes removed
// (Ukrainian writes them as ' ’ ʼ or ` interchangeably: Мар'яна, Марʼяна),
// ё as е (Russian texts drop the diaeresis at will), runs of space as one.
// Both databases then compare plain text, so search works the same for
// Cyrillic on SQLite, whose lower() knows only ASCII.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '\'' || r == '’' || r == 'ʼ' || r == '`':
			continue
		case r == 'ё':
			r = 'е'
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// searchText folds the parts into one searchable string.
func searchText(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		f := fold(p)
		if f == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(f)
	}
	return b.String()
}

// likePattern returns a LIKE pattern for a substring of folded text, with the
// LIKE wildcards in the query taken literally (used with ESCAPE '\').
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(fold(q)) + "%"
}
