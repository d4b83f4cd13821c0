package store

import (
	"strings"
	"unicode"
)

// fold prepares a search query: lower case, apostrophes removed
// (Ukrainian writes them as ' ’ ʼ or ` interchangeably: Мар'яна, Марʼяна),
// ё as е (Russian texts drop the diaeresis at will), runs of space as one.
// Its words go to the blind index (see searchFilter) and, for a word with
// a digit, to a LIKE on the case reference.
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

// likePattern returns a LIKE pattern for a substring of folded text, with the
// LIKE wildcards in the query taken literally (used with ESCAPE '\').
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(fold(q)) + "%"
}
