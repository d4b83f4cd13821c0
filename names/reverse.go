package names

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// reverseRules give, for a Latin spelling, the Cyrillic letters it may
// stand for in the systems of systemOrder, the likelier first (Ukrainian
// before Russian, since the reports Homeward handles are mostly Ukrainian).
// Longer patterns are tried first; every option costs its position.
var reverseRules = map[string][]string{
	"schtsch": {"щ"}, "shch": {"щ"}, "szcz": {"щ"}, "chtch": {"щ"}, "tsch": {"ч"},
	"sch": {"ш", "щ", "сх"}, "shh": {"щ"}, "zgh": {"зг"}, "iou": {"ю"},
	"tch": {"ч", "тч"}, "kh": {"х"}, "zh": {"ж", "зг"}, "sh": {"ш", "сг"}, "sz": {"ш"},
	"ch": {"ч", "х", "ш"}, "cz": {"ч", "ц"}, "ts": {"ц", "тс"}, "tz": {"ц"}, "gh": {"г"},
	"ya": {"я", "ья"}, "ia": {"я", "ія", "ия"}, "ja": {"я"}, "yu": {"ю", "ью"}, "iu": {"ю", "іу"},
	"ju": {"ю"}, "ye": {"є", "е", "ье"}, "ie": {"є", "іе", "ие"}, "je": {"є", "е"},
	"yi": {"ї", "ий", "ый"}, "ji": {"ї"}, "yo": {"йо", "ьо", "ё"}, "jo": {"йо", "ё"},
	"io": {"йо", "іо", "ио"}, "ou": {"у", "оу"}, "ck": {"к"}, "ph": {"ф"}, "th": {"т"},
	"ii": {"ії", "ій", "ии", "ий"}, "iy": {"ій", "ий"}, "ij": {"ій", "ий"}, "yj": {"ий", "ый"}, "yy": {"ий", "ый"},
	// Word endings ($ marks the end): -ський against -ский, -ий against ї.
	"skyi$": {"ський"}, "sky$": {"ський", "ский"}, "skyy$": {"ський", "ский"}, "skiy$": {"ский", "ський"},
	"skii$": {"ский", "ський"}, "skij$": {"ский", "ський"}, "ska$": {"ська", "ская", "ска"},
	"skaya$": {"ская"}, "skaja$": {"ская"}, "skaia$": {"ская"}, "yi$": {"ий", "ій", "ї"}, "iy$": {"ій", "ий"},
	"ii$": {"ій", "ії", "ий"}, "yy$": {"ий", "ый"}, "$": {""},
	"a": {"а"}, "b": {"б"}, "c": {"ц", "к"}, "d": {"д"}, "e": {"е", "є", "э"}, "f": {"ф"},
	"g": {"г", "ґ"}, "h": {"г", "х"}, "i": {"і", "и", "й"}, "j": {"й", "ж"}, "k": {"к"},
	"l": {"л", "ль"}, "m": {"м"}, "n": {"н"}, "o": {"о"}, "p": {"п"}, "q": {"к"},
	"r": {"р"}, "s": {"с", "з"}, "t": {"т"}, "u": {"у"}, "v": {"в"}, "w": {"в"},
	"x": {"кс", "х"}, "y": {"и", "й", "ы"}, "z": {"з", "ц"}, "'": {"ь", "'"},
	"š": {"ш"}, "ž": {"ж"}, "ż": {"ж"}, "č": {"ч"}, "ŝ": {"щ"}, "ł": {"л"}, "ë": {"ё", "е"},
	"â": {"я"}, "û": {"ю"}, "ê": {"є"}, "ï": {"ї", "й"}, "è": {"е", "э"}, "é": {"е"},
}

var reverseMaxLen = func() int {
	m := 0
	for k := range reverseRules {
		m = max(m, len(k))
	}
	return m
}()

type reverseCand struct {
	text string
	cost int
}

// Reverse returns the plausible Cyrillic forms of a Latin name, the most
// likely first, at most limit of them (limit ≤ 0 means 10). Known given
// names whose spellings sound like it come first, in their Ukrainian and
// Russian forms; then letter-by-letter readings. Parts are reversed one by
// one and the best readings of each joined.
func Reverse(latin string, limit int) []string {
	if limit <= 0 {
		limit = 10
	}
	n := Normalize(latin)
	if n == "" || !hasLatin(n) {
		return nil
	}
	// Words and the separator (space or hyphen) before each.
	var words []string
	var seps []byte
	start := 0
	for i := 0; i <= len(n); i++ {
		if i < len(n) && n[i] != ' ' && n[i] != '-' {
			continue
		}
		if i > start {
			words = append(words, n[start:i])
			sep := byte(' ')
			if start > 0 {
				sep = n[start-1]
			}
			seps = append(seps, sep)
		}
		start = i + 1
	}
	if len(words) == 0 {
		return nil
	}
	if len(words) > maxParts {
		words = words[:maxParts]
	}
	// Each part's candidates; the name's are the best combinations.
	per := make([][]reverseCand, len(words))
	for i, w := range words {
		per[i] = reversePart(truncatePart(w), limit)
	}
	out := per[0]
	for i := 1; i < len(per); i++ {
		sep := string(seps[i])
		var next []reverseCand
		for _, a := range out {
			for _, b := range per[i] {
				next = append(next, reverseCand{a.text + sep + b.text, a.cost + b.cost})
			}
		}
		sort.SliceStable(next, func(x, y int) bool { return next[x].cost < next[y].cost })
		if len(next) > limit {
			next = next[:limit]
		}
		out = next
	}
	res := make([]string, 0, len(out))
	for _, c := range out {
		res = append(res, titleCase(c.text))
	}
	return res
}

func reversePart(w string, limit int) []reverseCand {
	var known []reverseCand
	t := loadTables()
	for _, c := range codesOf(w) {
		if g := t.given[c]; g != 0 && t.names[g] != "" {
			known = appendCand(known, reverseCand{strings.ToLower(t.names[g]), -2})
			for _, ru := range t.russian[g] {
				known = appendCand(known, reverseCand{ru, -1})
			}
		}
	}
	// Beam search over the Latin string.
	const beam = 24
	type state struct {
		pos  int
		text string
		cost int
	}
	w += "$"
	cur := []state{{0, "", 0}}
	var done []reverseCand
	for len(cur) > 0 {
		var next []state
		for _, s := range cur {
			if s.pos == len(w) {
				done = appendCand(done, reverseCand{s.text, s.cost})
				continue
			}
			matched := false
			for l := min(reverseMaxLen, len(w)-s.pos); l >= 1; l-- {
				pat := w[s.pos : s.pos+l]
				if !utf8.ValidString(pat) {
					continue
				}
				opts, ok := reverseRules[pat]
				if !ok {
					continue
				}
				matched = true
				for i, o := range opts {
					// Shorter patterns cost a little more, so that digraphs win.
					cost := s.cost + 2*i
					if l == 1 && len(opts) > 0 {
						cost++
					}
					// Word-initial є ї ю я are written ye yi yu ya; elsewhere
					// й is i (KMU 2010) and и is y.
					next = append(next, state{s.pos + l, s.text + o, cost})
				}
			}
			if !matched {
				_, size := utf8.DecodeRuneInString(w[s.pos:])
				next = append(next, state{s.pos + size, s.text + w[s.pos:s.pos+size], s.cost + 1})
			}
		}
		sort.SliceStable(next, func(i, j int) bool { return next[i].cost < next[j].cost })
		if len(next) > beam {
			next = next[:beam]
		}
		cur = next
	}
	sort.SliceStable(done, func(i, j int) bool { return done[i].cost < done[j].cost })
	out := known
	for _, d := range done {
		out = appendCand(out, d)
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

func appendCand(s []reverseCand, c reverseCand) []reverseCand {
	for _, x := range s {
		if x.text == c.text {
			return s
		}
	}
	return append(s, c)
}

func titleCase(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if up {
			r = toUpperRune(r)
		}
		up = r == ' ' || r == '-'
		b.WriteRune(r)
	}
	return b.String()
}

func toUpperRune(r rune) rune {
	switch {
	case r >= 'a' && r <= 'z':
		return r - 32
	case r >= 0x430 && r <= 0x44F:
		return r - 0x20
	case r >= 0x450 && r <= 0x45F:
		return r - 0x50
	case r == 'ґ':
		return 'Ґ'
	}
	return r
}
