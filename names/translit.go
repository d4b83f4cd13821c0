package names

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// The transliteration tables are data in the schema of nalgeon/iuliia (MIT):
// a letter mapping, and mappings that depend on the previous letter (a
// one-letter key means "at the start of a word"), on the next letter, and on
// the word's last two letters. Homeward adds context_mapping (previous,
// current and next letter), language and compose (NFC of the output). Each
// file names its source; data/NOTICE has the licences.
//
//go:embed data/translit/*.json
var translitFS embed.FS

// System is one way of writing Cyrillic names in Latin letters.
type System struct {
	ID        string // file name, e.g. "ua_2010"
	Name      string // for people, e.g. "KMU 2010 (Ukrainian passports since 2010)"
	Languages string // "uk", "ru" or "uk ru"

	mapping map[rune]string
	prev    map[[2]rune]string // [0] is 0 at the start of a word
	next    map[[2]rune]string
	context map[[3]rune]string
	ending  map[[2]rune]string
	compose bool
}

// systemOrder lists the systems in the order they are tried and shown:
// the ones on a child's papers first.
var systemOrder = []struct{ id, name string }{
	{"ua_2010", "KMU 2010 (Ukrainian passports since 2010; BGN/PCGN 2019)"},
	{"ua_2007", "Ukrainian passports 2007"},
	{"ua_1996", "Ukrainian passports 1996"},
	{"icao_9303_uk", "ICAO 9303 (Ukrainian)"},
	{"bgn_pcgn_1965", "BGN/PCGN 1965 (Ukrainian)"},
	{"en_uk", "English usage (Ukrainian)"},
	{"de_uk", "German usage (Ukrainian)"},
	{"pl_uk", "Polish usage (Ukrainian)"},
	{"fr_uk", "French usage (Ukrainian)"},
	{"iso_9", "ISO 9:1995"},
	{"icao_doc_9303", "ICAO 9303 (Russian passports since 2013)"},
	{"mvd_782", "MVD 782-2000 (Russian passports)"},
	{"mvd_310", "MVD 310-1997 (Russian passports)"},
	{"mvd_2010", "MVD 2010 (Russian passports)"},
	{"mvd_2008", "MVD 2008 (Russian passports)"},
	{"bgn_pcgn", "BGN/PCGN (Russian)"},
	{"bgn_pcgn_1947", "BGN/PCGN 1947 (Russian, with separator dots)"},
	{"wikipedia", "English Wikipedia (Russian)"},
	{"gost_779_alt", "GOST 7.79-2000 B"},
	{"gost_779", "GOST 7.79-2000 A (iuliia)"},
	{"gost_779_a", "GOST 7.79-2000 A"},
	{"gost_16876", "GOST 16876-71 (iuliia)"},
	{"gost_16876_71", "GOST 16876-71"},
	{"iso_9_1968", "ISO/R 9:1968"},
	{"scientific", "scientific transliteration"},
	{"mvd_310_fr", "MVD 310-1997 (French)"},
	{"de_ru", "German usage (Russian)"},
	{"pl_ru", "Polish usage (Russian)"},
}

var loadSystems = sync.OnceValues(func() ([]*System, error) {
	out := make([]*System, 0, len(systemOrder))
	for _, so := range systemOrder {
		data, err := translitFS.ReadFile("data/translit/" + so.id + ".json")
		if err != nil {
			return nil, err
		}
		s, err := parseSystem(so.id, so.name, data)
		if err != nil {
			return nil, fmt.Errorf("transliteration table %s: %w", so.id, err)
		}
		out = append(out, s)
	}
	return out, nil
})

type systemFile struct {
	Language string            `json:"language"`
	Mapping  map[string]string `json:"mapping"`
	Prev     map[string]string `json:"prev_mapping"`
	Next     map[string]string `json:"next_mapping"`
	Ending   map[string]string `json:"ending_mapping"`
	Context  map[string]string `json:"context_mapping"`
	Compose  bool              `json:"compose"`
	Samples  [][2]string       `json:"samples"`
}

func parseSystem(id, name string, data []byte) (*System, error) {
	var f systemFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	if f.Language == "" {
		f.Language = "ru" // the iuliia schemas are all for Russian
	}
	s := &System{ID: id, Name: name, Languages: f.Language, compose: f.Compose,
		mapping: map[rune]string{}, prev: map[[2]rune]string{}, next: map[[2]rune]string{},
		context: map[[3]rune]string{}, ending: map[[2]rune]string{}}
	for k, v := range f.Mapping {
		r := []rune(k)
		if len(r) != 1 {
			return nil, fmt.Errorf("mapping key %q is not one letter", k)
		}
		s.mapping[r[0]] = v
	}
	pair := func(dst map[[2]rune]string, src map[string]string, what string, startOK bool) error {
		for k, v := range src {
			r := []rune(k)
			switch {
			case len(r) == 2:
				dst[[2]rune{r[0], r[1]}] = v
			case len(r) == 1 && startOK:
				dst[[2]rune{0, r[0]}] = v
			default:
				return fmt.Errorf("%s key %q", what, k)
			}
		}
		return nil
	}
	if err := pair(s.prev, f.Prev, "prev_mapping", true); err != nil {
		return nil, err
	}
	if err := pair(s.next, f.Next, "next_mapping", false); err != nil {
		return nil, err
	}
	if err := pair(s.ending, f.Ending, "ending_mapping", false); err != nil {
		return nil, err
	}
	for k, v := range f.Context {
		r := []rune(k)
		if len(r) != 3 {
			return nil, fmt.Errorf("context_mapping key %q", k)
		}
		s.context[[3]rune{r[0], r[1], r[2]}] = v
	}
	return s, nil
}

// Systems returns every transliteration system, papers' systems first.
// The tables are embedded; an error here is a build defect, so it panics.
func Systems() []*System {
	s, err := loadSystems()
	if err != nil {
		panic("names: " + err.Error())
	}
	return s
}

// SystemByID returns the system with that ID, or nil.
func SystemByID(id string) *System {
	for _, s := range Systems() {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// For reports whether the system writes names of that script.
func (s *System) For(sc Script) bool {
	switch sc {
	case ScriptUkrainian:
		return strings.Contains(s.Languages, "uk")
	case ScriptRussian:
		return strings.Contains(s.Languages, "ru")
	case ScriptCyrillic, ScriptMixed:
		return true
	}
	return false
}

// Transliterate writes s in Latin letters by the system. Characters the
// system does not map (digits, punctuation, Latin letters) are kept.
func (s *System) Transliterate(text string) string {
	var b strings.Builder
	b.Grow(len(text) * 2)
	rs := []rune(text)
	for i := 0; i < len(rs); {
		if !inWord(rs, i) {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && inWord(rs, j) {
			j++
		}
		s.word(&b, rs[i:j])
		i = j
	}
	if s.compose {
		return norm.NFC.String(b.String())
	}
	return b.String()
}

// inWord reports whether rs[i] belongs to a word: a letter, a combining
// mark, or an apostrophe between letters (so that є after an apostrophe is
// not word-initial, as the Ukrainian systems require).
func inWord(rs []rune, i int) bool {
	r := rs[i]
	if fastIsLetter(r) || r >= 0x300 && unicode.Is(unicode.Mn, r) {
		return true
	}
	return isApostrophe(r) && i > 0 && i+1 < len(rs) && fastIsLetter(rs[i-1]) && fastIsLetter(rs[i+1])
}

func lowerKey(r rune) rune {
	if isApostrophe(r) {
		return '\''
	}
	return fastLower(r)
}

// fastLower, fastIsLetter and fastIsUpper answer for ASCII and basic
// Cyrillic without the unicode tables, which dominate transliteration.
func fastLower(r rune) rune {
	switch {
	case r >= 'A' && r <= 'Z':
		return r + 32
	case r >= 0x410 && r <= 0x42F:
		return r + 0x20
	case r >= 0x400 && r <= 0x40F:
		return r + 0x50
	case r < 0x80 || r >= 0x430 && r <= 0x45F:
		return r
	}
	return unicode.ToLower(r)
}

func fastIsLetter(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0x400 && r <= 0x45F:
		return true
	case r < 0x80:
		return false
	}
	return unicode.IsLetter(r)
}

func fastIsUpper(r rune) bool {
	switch {
	case r >= 'A' && r <= 'Z' || r >= 0x400 && r <= 0x42F:
		return true
	case r < 0x80 || r >= 0x430 && r <= 0x45F:
		return false
	}
	return unicode.IsUpper(r)
}

func (s *System) word(b *strings.Builder, w []rune) {
	upper := len(w) > 1
	for _, r := range w {
		if fastIsLetter(r) && !fastIsUpper(r) {
			upper = false
			break
		}
	}
	stem := w
	if len(s.ending) > 0 && len(w) > 2 {
		e := [2]rune{lowerKey(w[len(w)-2]), lowerKey(w[len(w)-1])}
		if out, ok := s.ending[e]; ok {
			stem = w[:len(w)-2]
			defer func() { b.WriteString(recase(out, w[len(w)-2], upper)) }()
		}
	}
	for i, r := range stem {
		var p, n rune
		if i > 0 {
			p = lowerKey(stem[i-1])
		}
		if i+1 < len(stem) {
			n = lowerKey(stem[i+1])
		}
		c := lowerKey(r)
		var out string
		var ok bool
		if len(s.context) > 0 {
			out, ok = s.context[[3]rune{p, c, n}]
		}
		if !ok && len(s.prev) > 0 {
			out, ok = s.prev[[2]rune{p, c}]
		}
		if !ok && len(s.next) > 0 {
			out, ok = s.next[[2]rune{c, n}]
		}
		if !ok {
			out, ok = s.mapping[c]
		}
		if !ok {
			b.WriteRune(r)
			continue
		}
		b.WriteString(recase(out, r, upper))
	}
}

// recase gives out the case of the source letter: all capitals inside a
// word written in capitals, else a capital first letter.
func recase(out string, src rune, wordUpper bool) string {
	if !fastIsUpper(src) || out == "" {
		return out
	}
	if wordUpper {
		return strings.ToUpper(out)
	}
	for i, r := range out {
		if unicode.IsLetter(r) {
			return out[:i] + string(unicode.ToUpper(r)) + out[i+len(string(r)):]
		}
	}
	return out
}

// Transliterate writes s by the system with that ID; ok is false when there
// is no such system.
func Transliterate(s, system string) (string, bool) {
	sys := SystemByID(system)
	if sys == nil {
		return "", false
	}
	return sys.Transliterate(s), true
}
