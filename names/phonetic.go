package names

import (
	"strings"
	"unicode/utf8"
)

// The phonetic code of a name part folds the differences between Ukrainian
// and Russian spelling and between transliteration systems, so that
// Наталія, Наталья, Nataliia, Natalya and Shevchenko, Schewtschenko,
// Szewczenko, Chevtchenko meet. (Олександр and Aleksandr do not: о and а
// stay apart, and the given-name tables join them.)
// It is a string of class bytes:
//
//	vowels     a (а я), o (о ё), e (е є э), i (и і ї ы й), u (у ю)
//	j          a jot (я ю є ї ё, й before a vowel); kept only at the start
//	consonants b p v f d t k l m n r s z
//	           h for г ґ х (h g kh gh), c for ц (ts tz c before e i y),
//	           x for ч (ch cz tsch č), w for ж ш щ (zh ż ž sh sz sch shch ŝ)
//
// Doubled classes collapse, i before another vowel is dropped (ія, iia,
// iya all sound a), and a jot inside a word is dropped.
//
// A Latin "ch" is ч in English but х in German and Polish and ш in French,
// so Latin names are read in each of these ways (see readEnglish).
//
// data/ua2ru.tsv leaves out the Russian forms this code already joins to
// their Ukrainian ones: after changing the code, regenerate it
// (TestGenerateUA2RU) so that none goes missing.

// cyrClass maps a lower-case Cyrillic letter to its classes.
var cyrClass = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "h", 'ґ': "h", 'д': "d", 'е': "e", 'є': "je",
	'ж': "w", 'з': "z", 'и': "i", 'і': "i", 'ї': "ji", 'й': "i", 'к': "k", 'л': "l",
	'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u",
	'ф': "f", 'х': "h", 'ц': "c", 'ч': "x", 'ш': "w", 'щ': "w", 'ъ': "", 'ы': "i",
	'ь': "", 'э': "e", 'ю': "ju", 'я': "ja", 'ё': "jo", '\'': "",
	'ў': "u", 'ј': "j",
}

// cyrTable is cyrClass as an array over U+0400–U+045F, for speed.
var cyrTable = func() (t [0x60]struct {
	class string
	ok    bool
}) {
	for r, c := range cyrClass {
		if r >= 0x400 && r < 0x460 {
			t[r-0x400].class, t[r-0x400].ok = c, true
		}
	}
	return
}()

func cyrillicClass(r rune) (string, bool) {
	if r >= 0x400 && r < 0x460 {
		e := &cyrTable[r-0x400]
		return e.class, e.ok
	}
	c, ok := cyrClass[r]
	return c, ok
}

type latinRule struct {
	pat string
	out string
}

// latinRules are tried longest first at each position.
var latinRules = []latinRule{
	{"schtsch", "w"}, {"chtch", "w"}, {"shch", "w"}, {"szcz", "w"}, {"tsch", "x"},
	{"iou", "ju"}, {"sch", "w"}, {"shh", "w"}, {"tch", "x"}, {"zgh", "zh"},
	{"sh", "w"}, {"sz", "w"}, {"cz", "x"}, {"zh", "w"}, {"kh", "h"}, {"gh", "h"},
	{"ts", "c"}, {"tz", "c"}, {"ck", "k"}, {"ph", "f"}, {"th", "t"}, {"qu", "kv"},
	{"ya", "ja"}, {"ia", "ja"}, {"ja", "ja"}, {"yu", "ju"}, {"iu", "ju"}, {"ju", "ju"},
	{"ye", "je"}, {"ie", "je"}, {"je", "je"}, {"yi", "ji"}, {"ji", "ji"},
	{"yo", "jo"}, {"jo", "jo"}, {"io", "jo"},
	{"šč", "w"}, {"ŝ", "w"}, {"š", "w"}, {"č", "x"}, {"ž", "w"}, {"ż", "w"}, {"ź", "z"},
	{"ś", "s"}, {"ć", "c"}, {"ń", "n"}, {"ł", "l"}, {"ĺ", "l"}, {"â", "ja"}, {"û", "ju"},
	{"ê", "je"}, {"ï", "ji"}, {"ë", "e"}, {"è", "e"}, {"é", "e"}, {"ė", "e"}, {"ě", "e"},
	{"á", "a"}, {"à", "a"}, {"ä", "e"}, {"ó", "o"}, {"ö", "e"}, {"ú", "u"}, {"ù", "u"},
	{"ü", "u"}, {"í", "i"}, {"ì", "i"}, {"ý", "i"}, {"ǵ", "h"}, {"g̀", "h"},
	{"a", "a"}, {"b", "b"}, {"d", "d"}, {"e", "e"}, {"f", "f"}, {"g", "h"}, {"h", "h"},
	{"i", "i"}, {"j", "j"}, {"k", "k"}, {"l", "l"}, {"m", "m"}, {"n", "n"}, {"o", "o"},
	{"p", "p"}, {"q", "k"}, {"r", "r"}, {"s", "s"}, {"t", "t"}, {"u", "u"}, {"v", "v"},
	{"w", "v"}, {"x", "ks"}, {"y", "i"}, {"z", "z"},
}

// latinIndex groups latinRules by first byte, keeping their order.
var latinIndex = func() (idx [256][]latinRule) {
	for _, r := range latinRules {
		idx[r.pat[0]] = append(idx[r.pat[0]], r)
	}
	return
}()

func isVowelClass(c byte) bool {
	return c == 'a' || c == 'o' || c == 'e' || c == 'i' || c == 'u'
}

func isLatinVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// Readings of Latin spelling. Cyrillic has one reading; a Latin name is
// read in each way, and two names match when any readings do.
const (
	readEnglish     = iota // passports, English, Polish: ch is ч, x is кс
	readContinental        // German, Polish: ch is х, z and c are ц, s between vowels is з
	readFrench             // ch is ш, tch is ч, j is ж, gu before e/i is г, ou is у, final -ine is -ин
	readGOSTB              // GOST 7.79 B: x is х, cz is ц
	numReadings
)

// hasLatin reports whether a normalised part has Latin letters, and so
// readings beyond the first.
func hasLatin(part string) bool {
	for i := 0; i < len(part); i++ {
		if c := part[i]; c >= 'a' && c <= 'z' || c >= 0xC3 && c <= 0xC5 {
			return true
		}
	}
	return false
}

// readingMatters reports whether a reading other than the English one
// may give a different code for the part, to save computing it.
func readingMatters(part string, reading int) bool {
	yo := strings.Contains(part, "yo") || strings.Contains(part, "io") || strings.Contains(part, "jo")
	switch reading {
	case readContinental:
		return yo || strings.ContainsAny(part, "csz")
	case readFrench:
		return yo || strings.Contains(part, "ch") || strings.ContainsRune(part, 'j') ||
			strings.Contains(part, "gu") || strings.Contains(part, "ou") || strings.HasSuffix(part, "ine")
	case readGOSTB:
		return yo || strings.ContainsRune(part, 'x') || strings.Contains(part, "cz")
	}
	return true
}

// phoneticCode appends the code of one normalised name part to dst, in
// the given reading of Latin letters.
func phoneticCode(dst []byte, part string, reading int) []byte {
	start := len(dst)
	raw := dst
	if reading == readFrench && strings.HasSuffix(part, "ine") && len(part) > 4 {
		part = part[:len(part)-1]
	}
	for i := 0; i < len(part); {
		c := part[i]
		if c < utf8.RuneSelf {
			if c == '\'' || c == '-' || c == ' ' {
				i++
				continue
			}
			next := byte(0)
			if i+1 < len(part) {
				next = part[i+1]
			}
			switch {
			case c == 'c' && next != 'h' && next != 'z' && next != 'k':
				// c is ц before e i y, else к; always ц in Polish.
				if next == 'e' || next == 'i' || next == 'y' || reading == readContinental {
					raw = append(raw, 'c')
				} else {
					raw = append(raw, 'k')
				}
				i++
				continue
			case c == 'c' && next == 'h' && !strings.HasPrefix(part[i:], "chtch"):
				// A bare "ch" (sch, tch, tsch and chtch are in latinRules).
				switch reading {
				case readContinental:
					raw = append(raw, 'h')
				case readFrench:
					raw = append(raw, 'w')
				default:
					raw = append(raw, 'x')
				}
				i += 2
				continue
			case c == 't' && next == 'c' && i+2 < len(part) && part[i+2] == 'h' && reading != readFrench:
				// тч (Bratchyk); French tch is ч, in latinRules.
				raw = append(raw, 't')
				i++
				continue
			case c == 'x' && reading == readGOSTB:
				raw = append(raw, 'h')
				i++
				continue
			case c == 's' && reading == readContinental && next != 's' && isLatinVowel(next) && (i == 0 || isLatinVowel(part[i-1])):
				raw = append(raw, 'z')
				i++
				continue
			case c == 'o' && next == 'u' && reading == readFrench:
				raw = append(raw, 'u')
				i += 2
				continue
			case c == 'c' && next == 'z' && reading == readGOSTB && !(i+2 < len(part) && (part[i+2] == 'e' || part[i+2] == 'i' || part[i+2] == 'y')):
				// GOST 7.79 B writes ц as cz before other letters than e i y j.
				raw = append(raw, 'c')
				i += 2
				continue
			case c == 'z' && reading == readContinental:
				// German writes ц as z (and з as s, below).
				raw = append(raw, 'c')
				i++
				continue
			case c == 's' && next == 'h' && reading == readContinental:
				// German has no sh: Beshubyj is з + г.
				raw = append(raw, 's')
				i++
				continue
			case c == 'c' && next == 'k' && reading == readContinental:
				// Polish ck is ц + к (Belickyj).
				raw = append(raw, 'c')
				i++
				continue
			case c == 'j' && reading == readFrench:
				raw = append(raw, 'w')
				i++
				continue
			case c == 'g' && next == 'u' && reading == readFrench && i+2 < len(part) && (part[i+2] == 'e' || part[i+2] == 'i'):
				raw = append(raw, 'h')
				i += 2
				continue
			case (c == 'y' || c == 'j' || c == 'i') && next == 'o' && i > 0 && !isLatinVowel(part[i-1]) &&
				!(i+2 < len(part) && part[i+2] == 'u') && reading != readEnglish:
				// Russian ё after a consonant (Fyodor, Artjom, Semion) is
				// folded into е, as Normalize folds ё; the English reading
				// keeps the Ukrainian ьо (Kovalyov).
				raw = append(raw, 'e')
				i += 2
				continue
			case c == 'y' || c == 'j':
				// y and j are a jot before a vowel (Yana, Mariya; the
				// pairs ya, ju… are in latinRules) and й elsewhere.
				if isLatinVowel(next) && next != 'y' && next != 'i' {
					raw = append(raw, 'j')
				} else {
					raw = append(raw, 'i')
				}
				i++
				continue
			}
		}
		matched := false
		if c < utf8.RuneSelf || c >= 0xC0 {
			for _, r := range latinIndex[c] {
				if len(part)-i >= len(r.pat) && part[i:i+len(r.pat)] == r.pat {
					out := r.out
					// A word-initial Latin e is Є/Е (Yevhen, Evgeny).
					if r.pat == "e" && len(raw) == start {
						out = "je"
					}
					raw = append(raw, out...)
					i += len(r.pat)
					matched = true
					break
				}
			}
		}
		if matched {
			continue
		}
		r, size := utf8.DecodeRuneInString(part[i:])
		i += size
		if cl, ok := cyrillicClass(r); ok {
			switch {
			case r == 'е' || r == 'э':
				if len(raw) == start {
					cl = "je"
				}
			case r == 'й':
				if i < len(part) {
					n, _ := utf8.DecodeRuneInString(part[i:])
					if c, ok := cyrillicClass(n); ok && c != "" && (isVowelClass(c[0]) || c[0] == 'j') {
						cl = "j"
					}
				}
			}
			raw = append(raw, cl...)
		}
		// Anything else (digits, other scripts) carries no sound here.
	}
	return squeeze(raw, start)
}

// squeeze drops inner jots and i before vowels, reads an initial i before
// a vowel as a jot, and collapses doubled classes, in place.
func squeeze(b []byte, start int) []byte {
	w := start
	for r := start; r < len(b); r++ {
		c := b[r]
		if c == 'j' && r > start {
			continue
		}
		if c == 'i' && r == start && r+1 < len(b) && isVowelClass(b[r+1]) && b[r+1] != 'i' {
			// An initial і before a vowel is a glide: Іоаким, Ioakim, Йоаким.
			c = 'j'
		}
		if c == 'i' && r+1 < len(b) && r > start {
			n := b[r+1]
			if n == 'j' && r+2 < len(b) {
				n = b[r+2]
			}
			if n == 'a' || n == 'o' || n == 'u' || n == 'e' {
				continue
			}
		}
		if c == 's' && w > start && b[w-1] == 't' {
			// тс sounds ц (Очеретська, Бровський's -тськ-), and a Latin
			// ts is read as ц: both spellings must meet.
			w--
			c = 'c'
		}
		if w > start && b[w-1] == c {
			continue
		}
		b[w] = c
		w++
	}
	return b[:w]
}

// skeleton appends the blocking code: the first class (a vowel or jot
// becomes 'a') and then the consonants, with с з ц merged, so that spelling systems that disagree on them still meet.
func skeleton(dst []byte, code []byte) []byte {
	if len(code) == 0 {
		return dst
	}
	start := len(dst)
	switch c := code[0]; {
	case isVowelClass(c) || c == 'j':
		// Ivan and Іван, but also Ionin (io is a jot in Latin) and Іонін.
		dst = append(dst, 'a')
	default:
		dst = append(dst, mergeClass(c))
	}
	for _, c := range code[1:] {
		if isVowelClass(c) || c == 'j' {
			continue
		}
		c = mergeClass(c)
		if len(dst) > start && dst[len(dst)-1] == c {
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

func mergeClass(c byte) byte {
	switch c {
	case 'z', 'c':
		return 's'
	}
	return c
}
