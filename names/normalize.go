package names

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// apostrophes are the characters typed for the Ukrainian apostrophe (and
// the Russian hard sign in some lists); Normalize writes all of them as '.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', 'ʼ', '`', '´', '‘', '′', 'ʹ', 'ʽ', 'ˈ', '"', '”', '“', 'ʺ', '″':
		return true
	}
	return false
}

func isHyphen(r rune) bool {
	switch r {
	case '-', '‐', '‑', '‒', '–', '—', '―', '−':
		return true
	}
	return false
}

// latinToCyrillic and cyrillicToLatin are letters that look alike, after
// case folding (uppercase look-alikes such as B/В, H/Н, M/М, T/Т fold to
// these lower-case pairs). Hand-keyed lists mix them inside words.
var latinToCyrillic = map[rune]rune{
	'a': 'а', 'b': 'в', 'c': 'с', 'e': 'е', 'h': 'н', 'i': 'і', 'k': 'к', 'm': 'м',
	'o': 'о', 'p': 'р', 't': 'т', 'x': 'х', 'y': 'у', 'ï': 'ї',
}

var cyrillicToLatin = map[rune]rune{
	'а': 'a', 'в': 'b', 'с': 'c', 'е': 'e', 'н': 'h', 'і': 'i', 'к': 'k', 'м': 'm',
	'о': 'o', 'р': 'p', 'т': 't', 'х': 'x', 'у': 'y', 'ї': 'ï',
}

func isCyrillic(r rune) bool { return r >= 0x400 && r <= 0x52F }

func isLatin(r rune) bool {
	return r < 0x250 && unicode.IsLetter(r) || r >= 0x1E00 && r <= 0x1EFF
}

// Normalize returns the comparable form of a name: NFC, lower case, ё as е,
// every apostrophe as ', hyphens as -, no space around hyphens, single
// spaces between parts, no digits or other punctuation, and Latin letters
// typed inside Cyrillic words (or the reverse) replaced by their look-alikes.
func Normalize(s string) string {
	if isASCIILower(s) {
		return s
	}
	return string(appendNormalized(make([]byte, 0, len(s)), s))
}

// isASCIILower reports whether s is already normal: lower-case ASCII letters
// in single-space-separated words, so that Normalize need not allocate.
func isASCIILower(s string) bool {
	if s == "" {
		return true
	}
	prev := byte(' ')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
		case c == ' ' || c == '-':
			if prev == ' ' || prev == '-' {
				return false
			}
		default:
			return false
		}
		prev = c
	}
	return prev != ' ' && prev != '-'
}

// surelyNFC reports, quickly, that s is in NFC: it has no combining marks
// and only letters below Armenian, which have no canonical compositions
// left once marks are absent.
func surelyNFC(s string) bool {
	for _, r := range s {
		if r >= 0x300 && r < 0x370 || r >= 0x483 && r < 0x48A || r >= 0x500 {
			return false
		}
	}
	return true
}

// appendNormalized appends the normal form of s to dst.
func appendNormalized(dst []byte, s string) []byte {
	if !surelyNFC(s) && !norm.NFC.IsNormalString(s) {
		s = norm.NFC.String(s)
	}
	// First pass: fold case and separators into words.
	var buf [64]rune
	words := buf[:0]
	const (
		sepNone = iota
		sepSpace
		sepHyphen
	)
	sep := sepNone
	for _, r := range s {
		switch {
		case isApostrophe(r): // before letters: ʼ and ʹ are letters to Unicode
			// Kept only inside a word: the next letter decides.
			if len(words) > 0 && sep == sepNone && words[len(words)-1] != '\'' {
				words = append(words, '\'')
			}
		case fastIsLetter(r) || r >= 0x300 && unicode.Is(unicode.Mn, r):
			if len(words) > 0 {
				switch sep {
				case sepSpace:
					words = append(words, ' ')
				case sepHyphen:
					words = append(words, '-')
				}
			}
			sep = sepNone
			r = fastLower(r)
			if r == 'ё' {
				r = 'е'
			}
			words = append(words, r)
		case isHyphen(r):
			if len(words) > 0 {
				sep = sepHyphen
			}
		default: // spaces, digits, punctuation
			if len(words) > 0 && sep == sepNone {
				sep = sepSpace
			}
		}
	}
	// Drop an apostrophe that ended a word.
	out := words[:0]
	for i, r := range words {
		if r == '\'' && (i+1 == len(words) || !fastIsLetter(words[i+1])) {
			continue
		}
		out = append(out, r)
	}
	words = out
	// Second pass: look-alike letters, word by word.
	start := 0
	for i := 0; i <= len(words); i++ {
		if i < len(words) && words[i] != ' ' && words[i] != '-' {
			continue
		}
		fixLookalikes(words[start:i])
		start = i + 1
	}
	for _, r := range words {
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// fixLookalikes rewrites, in one word, the letters of the minority script
// when every one of them has a look-alike in the majority script.
func fixLookalikes(w []rune) {
	var cyr, lat, cyrOnly, latOnly int
	for _, r := range w {
		switch {
		case isCyrillic(r):
			cyr++
		case isLatin(r):
			lat++
		}
	}
	if cyr == 0 || lat == 0 {
		return
	}
	cyr, lat = 0, 0
	for _, r := range w {
		switch {
		case isCyrillic(r):
			cyr++
			if _, ok := cyrillicToLatin[r]; !ok {
				cyrOnly++
			}
		case isLatin(r):
			lat++
			if _, ok := latinToCyrillic[r]; !ok {
				latOnly++
			}
		}
	}
	if cyr == 0 || lat == 0 {
		return
	}
	switch {
	case latOnly == 0 && (cyrOnly > 0 || cyr >= lat):
		for i, r := range w {
			if c, ok := latinToCyrillic[r]; ok {
				w[i] = c
			}
		}
	case cyrOnly == 0 && (latOnly > 0 || lat > cyr):
		for i, r := range w {
			if c, ok := cyrillicToLatin[r]; ok {
				w[i] = c
			}
		}
	}
}

// Script is the writing system (and, for Cyrillic, the language) of a name.
type Script uint8

// Scripts. Ukrainian and Russian are told by letters only one language
// has (і ї є ґ; ы э ъ ё) and by spellings only one uses (-ський against
// -ский, -ья); ScriptCyrillic is Cyrillic with neither. ScriptMixed is
// Latin with Cyrillic, or Ukrainian with Russian, in one name.
const (
	ScriptUnknown Script = iota
	ScriptUkrainian
	ScriptRussian
	ScriptCyrillic
	ScriptLatin
	ScriptMixed
)

var scriptText = [...]string{
	ScriptUnknown:   "unknown",
	ScriptUkrainian: "Ukrainian Cyrillic",
	ScriptRussian:   "Russian Cyrillic",
	ScriptCyrillic:  "Cyrillic (Ukrainian or Russian)",
	ScriptLatin:     "Latin",
	ScriptMixed:     "mixed",
}

func (s Script) String() string {
	if int(s) < len(scriptText) {
		return scriptText[s]
	}
	return "unknown"
}

// DetectScript tells the script of a name after look-alike letters are
// repaired, and for Cyrillic whether it is written in Ukrainian or Russian.
func DetectScript(s string) Script {
	return detectNormalized(Normalize(s), s)
}

func detectNormalized(n, raw string) Script {
	var cyr, lat, uk, ru bool
	for _, r := range n {
		switch {
		case isCyrillic(r):
			cyr = true
			switch r {
			case 'і', 'ї', 'є', 'ґ':
				uk = true
			case 'ы', 'э', 'ъ':
				ru = true
			}
		case isLatin(r):
			lat = true
		}
	}
	if strings.ContainsAny(raw, "ёЁ") {
		ru = true
	}
	if cyr && !uk && !ru {
		uk, ru = spellingHints(n)
	}
	switch {
	case cyr && lat:
		return ScriptMixed
	case lat:
		return ScriptLatin
	case !cyr:
		return ScriptUnknown
	case uk && !ru:
		return ScriptUkrainian
	case ru && !uk:
		return ScriptRussian
	case uk && ru:
		return ScriptMixed
	}
	return ScriptCyrillic
}

// ukEndings and ruEndings are word endings only one of the languages
// spells so (-ський against -ский, -ья only in Russian), which tell the
// language of names without a distinctive letter.
var (
	ukEndings = []string{"ський", "ська", "цький", "цька", "зький", "зька", "ськи"}
	ruEndings = []string{"ский", "ская", "цкий", "цкая", "зкий", "зкая", "ый", "ья", "ье", "ьи", "ью", "ьев", "ьева"}
)

func spellingHints(n string) (uk, ru bool) {
	var buf [8]string
	for _, w := range splitParts(n, buf[:0]) {
		// Only Ukrainian writes an apostrophe inside a word (Мар'яна;
		// Russian has Марьяна).
		uk = uk || strings.Contains(w, "'")
		for _, e := range ukEndings {
			uk = uk || strings.HasSuffix(w, e)
		}
		for _, e := range ruEndings {
			ru = ru || strings.HasSuffix(w, e)
		}
	}
	return uk, ru
}

// splitParts cuts a normalised name into its parts at spaces and hyphens.
func splitParts(n string, dst []string) []string {
	start := 0
	for i := 0; i < len(n); i++ {
		if n[i] == ' ' || n[i] == '-' {
			if i > start {
				dst = append(dst, n[start:i])
			}
			start = i + 1
		}
	}
	if start < len(n) {
		dst = append(dst, n[start:])
	}
	return dst
}
