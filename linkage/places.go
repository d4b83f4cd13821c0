package linkage

import (
	"strings"

	"github.com/homeward-project/homeward/names"
)

// placeVal is a birthplace split into settlement, raion and oblast, each
// possibly missing. Forms differ by script and by the words around them
// ("м. Маріуполь, Донецька обл." is "г. Мариуполь, Донецкая область" and
// "Mariupol, Donetsk Oblast").
type placeVal struct {
	settlement *names.Name
	raion      *names.Name
	oblast     int8 // index into oblasts + 1; 0 unknown
}

// oblasts lists Ukraine's regions (KATOTTH level 1) by the stems of their
// Ukrainian, Russian and Latin names; matching is by prefix of a normalised
// word, so adjective endings do not matter.
var oblasts = [][]string{
	{"вінниц", "винниц", "vinnyts", "vinnits", "vinnic"},
	{"волин", "волын", "volyn"},
	{"дніпропетр", "днепропетр", "dnipropetr", "dnepropetr", "дніпровськ", "dnipro"},
	{"донец", "донеч", "donets", "donec", "donetsk"},
	{"житомир", "zhytomyr", "zhitomir"},
	{"закарпат", "zakarpat", "transcarpath"},
	{"запоріз", "запорож", "zaporiz", "zaporozh", "zaporizh"},
	{"івано", "ивано", "ivano"},
	{"київськ", "киевск", "kyivs", "kyiv oblast", "kievsk", "kiev oblast"},
	{"кіровоград", "кировоград", "kirovohrad", "kirovograd", "кропивниц", "kropyvnyts"},
	{"луган", "луhan", "luhansk", "lugansk"},
	{"львів", "львов", "lviv", "lvov"},
	{"миколаїв", "николаев", "mykolaiv", "nikolaev", "mykolayiv"},
	{"одес", "odes", "odessa"},
	{"полтав", "poltav"},
	{"рівнен", "ровен", "rivne", "rovno", "rivnen"},
	{"сум", "sum"},
	{"тернопіл", "тернопол", "ternopil", "ternopol"},
	{"харків", "харьков", "kharkiv", "kharkov", "kharkivs"},
	{"херсон", "kherson"},
	{"хмельниц", "khmelnyts", "khmelnits"},
	{"черкас", "cherkas"},
	{"чернівец", "черновиц", "chernivts", "chernovts"},
	{"чернігів", "чернигов", "chernihiv", "chernigov"},
	{"крим", "крым", "krym", "crimea", "автономна", "автономная"},
	{"київ", "киев", "kyiv", "kiev"},
	{"севастопол", "sevastopol"},
}

// Indexes + 1 into oblasts of the two regions named after Kyiv.
const (
	kyivOblast = 9
	kyivCity   = 26
)

var (
	oblastWords     = []string{"область", "обл", "oblast", "region", "oblast'", "регіон"}
	raionWords      = []string{"район", "р-н", "р н", "raion", "rayon", "district", "raiony"}
	villageWords    = []string{"с.", "село", "сел.", "village", "s."}
	settlementWords = []string{"м.", "г.", "с.", "смт", "пгт", "сел.", "місто", "город", "село", "селище", "поселок", "city", "town", "village", "m.", "s.", "g."}
)

func parsePlace(s string) placeVal {
	var p placeVal
	village := false
	for part := range strings.SplitSeq(strings.ToLower(s), ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		switch {
		case hasWord(part, oblastWords):
			p.oblast = findOblast(stripWords(part, oblastWords))
			if p.oblast == kyivCity {
				// "Kyiv Oblast", "Киев обл.": the region around the city.
				p.oblast = kyivOblast
			}
		case hasWord(part, raionWords):
			if r := stripWords(part, raionWords); r != "" {
				p.raion = names.Prepare(r)
			}
		case p.settlement == nil:
			village = hasWord(part, villageWords)
			name := stripWords(part, settlementWords)
			// A bare region name ("Донеччина", "Kyiv") still places the
			// record in its oblast.
			if name != "" {
				p.settlement = names.Prepare(name)
			}
		default:
			if o := findOblast(part); o != 0 && p.oblast == 0 {
				p.oblast = o
			}
		}
	}
	theGazetteer().resolve(&p, village)
	// Kyiv and Sevastopol are their own regions.
	if p.oblast == 0 && p.settlement != nil {
		n := strings.ToLower(p.settlement.String())
		for _, i := range []int{25, 26} {
			for _, stem := range oblasts[i] {
				if n == stem {
					p.oblast = int8(i + 1)
				}
			}
		}
	}
	return p
}

func hasWord(s string, words []string) bool {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' }) {
		for _, w := range words {
			if f == w || f == w+"." {
				return true
			}
		}
	}
	return false
}

func stripWords(s string, words []string) string {
	var out []string
	for _, f := range strings.Fields(s) {
		keep := true
		for _, w := range words {
			if f == w || f == w+"." || strings.TrimSuffix(f, ".") == strings.TrimSuffix(w, ".") {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, f)
		}
	}
	r := strings.Join(out, " ")
	return strings.Trim(strings.TrimPrefix(strings.TrimPrefix(r, "р-н"), "р-н."), " .")
}

func findOblast(s string) int8 {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	for i, stems := range oblasts {
		for _, stem := range stems {
			if strings.HasPrefix(s, stem) {
				return int8(i + 1)
			}
		}
	}
	return 0
}
