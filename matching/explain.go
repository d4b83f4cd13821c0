package matching

import (
	"fmt"
	"strings"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/linkage"
	"github.com/homeward-project/homeward/names"
)

// evidence turns the engine's contributions into the explanation a
// caseworker reads: the level each comparison reached, its weight, and why,
// in words about the two records ("Александр is the Russian form of
// Олександр"). c and l are the case's and the located record's values.
func evidence(m *linkage.Model, cs []linkage.Contribution, c, l *values) []homeward.MatchEvidence {
	out := make([]homeward.MatchEvidence, 0, len(cs))
	langs := [2]names.Script{recordScript(c), recordScript(l)}
	for _, k := range cs {
		e := homeward.MatchEvidence{Comparison: k.Comparison, Level: k.Level, Weight: k.Weight}
		if cmp, fi := comparisonOf(m, k.Comparison); cmp != nil && fi >= 0 {
			p := reason(cmp, levelOf(cmp, k.Level), c[fi], l[fi], langs)
			e.Reason, e.ReasonFormat, e.ReasonArgs = p.String(), p.format, p.args
		}
		if e.Reason == "" {
			e.Reason = k.Detail
		}
		out = append(out, e)
	}
	return out
}

func comparisonOf(m *linkage.Model, label string) (*linkage.Comparison, int) {
	for i := range m.Comparisons {
		c := &m.Comparisons[i]
		if c.Label() == label {
			for fi, f := range fields {
				if f == c.Field {
					return c, fi
				}
			}
			return c, -1
		}
	}
	return nil, -1
}

func levelOf(c *linkage.Comparison, label string) *linkage.Level {
	for i := range c.Levels {
		if c.Levels[i].Label == label {
			return &c.Levels[i]
		}
	}
	return &linkage.Level{Label: label}
}

// Phrase is a reason in words: an English format with %s verbs and its
// arguments, so that the web can render it in the reader's language (the
// formats are listed in ReasonFormats and translated by its catalogue).
type phrase struct {
	format string
	args   []string
}

func say(format string, args ...string) phrase { return phrase{format, args} }

func (p phrase) String() string {
	if p.format == "" {
		return ""
	}
	as := make([]any, len(p.args))
	for i, a := range p.args {
		as[i] = a
	}
	return fmt.Sprintf(p.format, as...)
}

// ReasonFormats lists every format a reason may take, for translators and
// for the test that keeps the web's catalogue complete. Arguments are names,
// dates and places as recorded, level labels, and the words "female" and
// "male".
var ReasonFormats = []string{
	"recorded on neither side",
	"not recorded in the report",
	"not recorded in the located record",
	"given and family names are written the other way round",
	"%s in both",
	"%s in the report, %s in the located record",
	"%s in the report, %s in the located record: %s",
	"%s in the report, %s in the located record: different places",
	"%s and %s: %s",
	"%s and %s are the same name, written differently",
	"%s is a Latin spelling of %s",
	"%s is a Latin spelling of %s (%s)",
	"%s is the Russian form of %s",
	"%s is the Ukrainian form of %s",
	"%s and %s are forms of one name in Ukrainian and Russian",
	"%s is a diminutive of %s",
	"%s and %s are diminutives of one name",
	"%s and %s are the masculine and feminine forms of one name",
	"%s and %s sound alike",
	"%s and %s differ as by a typing error (%s)",
	"%s and %s are similar (score %s)",
	"%s and %s differ",
	"sibling %s matches located record %s, listed at the same institution",
}

// reason says why comparison c reached level lv on the report's value a and
// the located record's value b.
func reason(c *linkage.Comparison, lv *linkage.Level, a, b string, langs [2]names.Script) phrase {
	switch {
	case a == "" && b == "":
		return say("recorded on neither side")
	case a == "":
		return say("not recorded in the report")
	case b == "":
		return say("not recorded in the located record")
	}
	switch c.Kind {
	case linkage.KindName:
		if lv.When == linkage.WhenSwapped {
			return say("given and family names are written the other way round")
		}
		return nameReason(a, b, langs)
	case linkage.KindSex:
		if a == b {
			return say("%s in both", sexWord(a))
		}
		return say("%s in the report, %s in the located record", sexWord(a), sexWord(b))
	case linkage.KindDate:
		da, db := displayDate(a), displayDate(b)
		if lv.When == linkage.WhenExact {
			return say("%s in both", da)
		}
		return say("%s in the report, %s in the located record: %s", da, db, lv.Label)
	case linkage.KindPlace:
		if lv.When == linkage.WhenElse {
			return say("%s in the report, %s in the located record: different places", a, b)
		}
		return say("%s and %s: %s", a, b, lv.Label)
	}
	return phrase{}
}

// recordScript tells the language of a record's Cyrillic from all its
// names and its birthplace together: one name (Олександр, Александр) often
// has no letter peculiar to Ukrainian or Russian, while the record as a
// whole (Маріуполь, Наталья) usually has.
func recordScript(v *values) names.Script {
	var parts []string
	for _, i := range []int{0, 1, 2, 5} {
		if names.DetectScript(v[i]) != names.ScriptLatin {
			parts = append(parts, v[i])
		}
	}
	return names.DetectScript(strings.Join(parts, " "))
}

// nameReason explains how two spellings of a name relate, from the names
// engine's own reason for its similarity; langs are the languages of the
// report's and the located record's Cyrillic, for the names that do not
// tell by themselves.
func nameReason(a, b string, langs [2]names.Script) phrase {
	s := names.Compare(a, b)
	switch s.Reason {
	case names.Identical:
		return say("%s in both", b)
	case names.Normalised:
		return say("%s and %s are the same name, written differently", a, b)
	case names.Transliteration:
		latin, cyr := a, b
		if names.DetectScript(b) == names.ScriptLatin {
			latin, cyr = b, a
		}
		if s.System != "" {
			return say("%s is a Latin spelling of %s (%s)", latin, cyr, s.System)
		}
		return say("%s is a Latin spelling of %s", latin, cyr)
	case names.Equivalent:
		sa, sb := names.DetectScript(a), names.DetectScript(b)
		if sa != names.ScriptUkrainian && sa != names.ScriptRussian && sb != names.ScriptUkrainian && sb != names.ScriptRussian {
			sa, sb = langs[0], langs[1]
		}
		switch {
		case sb == names.ScriptRussian || sa == names.ScriptUkrainian && sb != names.ScriptUkrainian:
			return say("%s is the Russian form of %s", b, a)
		case sb == names.ScriptUkrainian || sa == names.ScriptRussian:
			return say("%s is the Ukrainian form of %s", b, a)
		}
		return say("%s and %s are forms of one name in Ukrainian and Russian", a, b)
	case names.Diminutive:
		// The engine does not say which side is the diminutive; the
		// shorter one almost always is.
		if len([]rune(b)) < len([]rune(a)) {
			return say("%s is a diminutive of %s", b, a)
		}
		if len([]rune(a)) < len([]rune(b)) {
			return say("%s is a diminutive of %s", a, b)
		}
		return say("%s and %s are diminutives of one name", a, b)
	case names.GenderForm:
		return say("%s and %s are the masculine and feminine forms of one name", a, b)
	case names.Phonetic:
		return say("%s and %s sound alike", a, b)
	case names.Typo:
		return say("%s and %s differ as by a typing error (%s)", a, b, fmt.Sprint(s.Distance))
	}
	if s.Score > 0 {
		return say("%s and %s are similar (score %s)", a, b, fmt.Sprintf("%.2f", s.Score))
	}
	return say("%s and %s differ", a, b)
}

func sexWord(s string) string {
	switch s {
	case string(homeward.SexFemale):
		return "female"
	case string(homeward.SexMale):
		return "male"
	}
	return s
}

// displayDate renders a birth date as people read it (DD.MM.YYYY).
func displayDate(s string) string {
	if b, err := homeward.ParseBirthDate(s); err == nil {
		return b.Display()
	}
	return strings.TrimSpace(s)
}
