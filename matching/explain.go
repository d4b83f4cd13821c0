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
			e.Reason = reason(cmp, levelOf(cmp, k.Level), c[fi], l[fi], langs)
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

// reason says why comparison c reached level lv on the report's value a and
// the located record's value b.
func reason(c *linkage.Comparison, lv *linkage.Level, a, b string, langs [2]names.Script) string {
	switch {
	case a == "" && b == "":
		return "recorded on neither side"
	case a == "":
		return "not recorded in the report"
	case b == "":
		return "not recorded in the located record"
	}
	switch c.Kind {
	case linkage.KindName:
		if lv.When == linkage.WhenSwapped {
			return "given and family names are written the other way round"
		}
		return nameReason(a, b, langs)
	case linkage.KindSex:
		if a == b {
			return sexWord(a) + " in both"
		}
		return sexWord(a) + " in the report, " + sexWord(b) + " in the located record"
	case linkage.KindDate:
		da, db := displayDate(a), displayDate(b)
		if lv.When == linkage.WhenExact {
			return da + " in both"
		}
		return da + " in the report, " + db + " in the located record: " + lv.Label
	case linkage.KindPlace:
		if lv.When == linkage.WhenElse {
			return a + " in the report, " + b + " in the located record: different places"
		}
		return a + " and " + b + ": " + lv.Label
	}
	return ""
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
func nameReason(a, b string, langs [2]names.Script) string {
	s := names.Compare(a, b)
	switch s.Reason {
	case names.Identical:
		return b + " in both"
	case names.Normalised:
		return a + " and " + b + " are the same name, written differently"
	case names.Transliteration:
		sys := ""
		if s.System != "" {
			sys = " (" + s.System + ")"
		}
		if names.DetectScript(b) == names.ScriptLatin {
			return b + " is a Latin spelling of " + a + sys
		}
		return a + " is a Latin spelling of " + b + sys
	case names.Equivalent:
		sa, sb := names.DetectScript(a), names.DetectScript(b)
		if sa != names.ScriptUkrainian && sa != names.ScriptRussian && sb != names.ScriptUkrainian && sb != names.ScriptRussian {
			sa, sb = langs[0], langs[1]
		}
		switch {
		case sb == names.ScriptRussian || sa == names.ScriptUkrainian && sb != names.ScriptUkrainian:
			return b + " is the Russian form of " + a
		case sb == names.ScriptUkrainian || sa == names.ScriptRussian:
			return b + " is the Ukrainian form of " + a
		}
		return a + " and " + b + " are forms of one name in Ukrainian and Russian"
	case names.Diminutive:
		// The engine does not say which side is the diminutive; the
		// shorter one almost always is.
		if len([]rune(b)) < len([]rune(a)) {
			return b + " is a diminutive of " + a
		}
		if len([]rune(a)) < len([]rune(b)) {
			return a + " is a diminutive of " + b
		}
		return a + " and " + b + " are diminutives of one name"
	case names.GenderForm:
		return a + " and " + b + " are the masculine and feminine forms of one name"
	case names.Phonetic:
		return a + " and " + b + " sound alike"
	case names.Typo:
		return fmt.Sprintf("%s and %s differ as by a typing error (%d)", a, b, s.Distance)
	}
	if s.Score > 0 {
		return fmt.Sprintf("%s and %s are similar (score %.2f)", a, b, s.Score)
	}
	return a + " and " + b + " differ"
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
