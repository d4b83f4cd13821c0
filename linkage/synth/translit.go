package synth

import (
	"strings"
	"unicode"
)

// Latin spellings of Cyrillic names, by the systems documents use: Ukrainian
// passports since 2010 (KMU 2010, Resolution No. 55 of 27 January 2010),
// older Ukrainian papers (Г as G, Й as Y), Russian passports (ICAO Doc 9303
// as adopted in 2013) and BGN/PCGN for Russian.
type system struct {
	name  string
	zgh   bool // "зг" is "zgh", so it is not read as "ж" (KMU 2010)
	table map[rune]string
	first map[rune]string // at the start of a word
}

var kmu2010 = system{
	name: "KMU 2010",
	zgh:  true,
	table: map[rune]string{
		'а': "a", 'б': "b", 'в': "v", 'г': "h", 'ґ': "g", 'д': "d", 'е': "e", 'є': "ie", 'ж': "zh",
		'з': "z", 'и': "y", 'і': "i", 'ї': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n",
		'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
		'ч': "ch", 'ш': "sh", 'щ': "shch", 'ь': "", 'ю': "iu", 'я': "ia", '\'': "", '’': "",
	},
	first: map[rune]string{'є': "ye", 'ї': "yi", 'й': "y", 'ю': "yu", 'я': "ya"},
}

var ukLegacy = system{
	name: "Ukrainian (pre-2010)",
	table: map[rune]string{
		'а': "a", 'б': "b", 'в': "v", 'г': "g", 'ґ': "g", 'д': "d", 'е': "e", 'є': "ye", 'ж': "zh",
		'з': "z", 'и': "y", 'і': "i", 'ї': "yi", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n",
		'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
		'ч': "ch", 'ш': "sh", 'щ': "shch", 'ь': "", 'ю': "yu", 'я': "ya", '\'': "", '’': "",
	},
}

var icaoRU = system{
	name: "ICAO 9303 (Russian)",
	table: map[rune]string{
		'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z",
		'и': "i", 'й': "i", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r",
		'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
		'ъ': "ie", 'ы': "y", 'ь': "", 'э': "e", 'ю': "iu", 'я': "ia",
	},
}

var bgnRU = system{
	name: "BGN/PCGN (Russian)",
	table: map[rune]string{
		'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "ë", 'ж': "zh", 'з': "z",
		'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r",
		'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch",
		'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya",
	},
	first: map[rune]string{'е': "ye", 'ё': "yë"},
}

func (s *system) translit(text string) string {
	var b strings.Builder
	start := true
	var prev rune
	for _, r := range text {
		lower := unicode.ToLower(r)
		out, ok := "", false
		if start && s.first != nil {
			out, ok = s.first[lower]
		}
		if s.zgh && lower == 'г' && prev == 'з' {
			out, ok = "gh", true
		}
		prev = lower
		if !ok {
			out, ok = s.table[lower]
		}
		if !ok {
			out = string(r)
		}
		if unicode.IsUpper(r) && out != "" {
			rs := []rune(out)
			rs[0] = unicode.ToUpper(rs[0])
			out = string(rs)
		}
		b.WriteString(out)
		start = !unicode.IsLetter(r) && r != '\'' && r != '’'
	}
	return b.String()
}

// russianForm renders a Ukrainian surname root in Russian spelling, the way
// Russian records rewrite Ukrainian names: і and ї as и, є as е, ґ as г, the
// apostrophe dropped; и becomes ы in some roots (Лисенко → Лысенко).
func russianForm(root string, yery bool) string {
	var b strings.Builder
	for _, r := range root {
		switch r {
		case 'і', 'ї':
			b.WriteRune('и')
		case 'І', 'Ї':
			b.WriteRune('И')
		case 'є':
			b.WriteRune('е')
		case 'Є':
			b.WriteRune('Е')
		case 'ґ':
			b.WriteRune('г')
		case 'и':
			if yery {
				b.WriteRune('ы')
			} else {
				b.WriteRune('и')
			}
		case '\'', '’':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
