package names

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Skeleton returns a form of s in which strings that look alike on screen
// are equal, in the spirit of the skeletons of Unicode TR39 (confusable
// detection): compatibility forms and accents dropped, lower case,
// Cyrillic and Greek letters written as the Latin letters they look like,
// digits and letters that pass for one another made one (0/o, 1/l/i,
// "rn"/m, "vv"/w), and everything but letters and digits removed. It is
// for refusing a new name that could pass for an existing one
// ("Hоmeward" with a Cyrillic о for "Homeward"), not for display.
func Skeleton(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue // a combining accent: "é" looks like "e"
		}
		r = unicode.ToLower(r)
		if l, ok := cyrillicToLatin[r]; ok {
			r = l
		}
		if l, ok := skeletonLetters[r]; ok {
			r = l
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return strings.NewReplacer("rn", "m", "vv", "w").Replace(b.String())
}

// skeletonLetters are look-alikes beyond cyrillicToLatin, lower case:
// Cyrillic and Greek letters and digits mapped to the Latin letter they
// pass for, and the letters that pass for one another mapped to one.
var skeletonLetters = map[rune]rune{
	// Cyrillic
	'ї': 'i', 'ј': 'j', 'ѕ': 's', 'ԁ': 'd', 'һ': 'h', 'ԛ': 'q', 'ԝ': 'w', 'ɡ': 'g', 'ү': 'y', 'ӏ': 'l', 'п': 'n', 'г': 'r',
	// Greek
	'α': 'a', 'β': 'b', 'ε': 'e', 'η': 'n', 'ι': 'l', 'κ': 'k', 'ν': 'v', 'ο': 'o', 'ρ': 'p', 'τ': 't',
	'υ': 'u', 'χ': 'x', 'ζ': 'z', 'μ': 'u', 'ω': 'w', 'γ': 'y',
	// Latin and digits
	'0': 'o', '1': 'l', 'i': 'l', '|': 'l', 'ı': 'l', '5': 's', 'ß': 's',
}
