package web

import "github.com/homeward-project/homeward"

// catalogueReasonsUK translates the matching engine's reasons
// (matching.ReasonFormats) and the words it puts in them.
var catalogueReasonsUK = map[string]string{
	"recorded on neither side":                               "не записано в жодному із записів",
	"not recorded in the report":                             "не записано у справі",
	"not recorded in the located record":                     "не записано в записі про знайдену дитину",
	"given and family names are written the other way round": "ім'я та прізвище записано навпаки",
	"%s in both": "%s в обох записах",
	"%s in the report, %s in the located record":                   "%s у справі, %s у записі про знайдену дитину",
	"%s in the report, %s in the located record: %s":               "%s у справі, %s у записі про знайдену дитину: %s",
	"%s in the report, %s in the located record: different places": "%s у справі, %s у записі про знайдену дитину: різні місця",
	"%s and %s: %s": "%s і %s: %s",
	"%s and %s are the same name, written differently":                     "%s і %s — те саме ім'я, записане по-різному",
	"%s is a Latin spelling of %s":                                         "%s — латинське написання %s",
	"%s is a Latin spelling of %s (%s)":                                    "%s — латинське написання %s (%s)",
	"%s is the Russian form of %s":                                         "%s — російська форма %s",
	"%s is the Ukrainian form of %s":                                       "%s — українська форма %s",
	"%s and %s are forms of one name in Ukrainian and Russian":             "%s і %s — українська та російська форми одного імені",
	"%s is a diminutive of %s":                                             "%s — зменшувальна форма %s",
	"%s and %s are diminutives of one name":                                "%s і %s — зменшувальні форми одного імені",
	"%s and %s are the masculine and feminine forms of one name":           "%s і %s — чоловіча та жіноча форми одного імені",
	"%s and %s sound alike":                                                "%s і %s звучать схоже",
	"%s and %s differ as by a typing error (%s)":                           "%s і %s відрізняються, як від помилки друку (%s)",
	"%s and %s are similar (score %s)":                                     "%s і %s схожі (оцінка %s)",
	"%s and %s differ":                                                     "%s і %s різні",
	"sibling %s matches located record %s, listed at the same institution": "брат чи сестра (%s) збігається із записом %s у тому самому закладі",
	"female": "жіноча",
	"male":   "чоловіча",
}

func init() {
	for k, v := range catalogueReasonsUK {
		catalogueUK[k] = v
	}
}

// evidenceReason renders an explanation's reason in the page's language.
// Its arguments are names, dates and places as recorded, which stay as
// they are, and level labels and sex words, which are translated.
func (l *locale) evidenceReason(e homeward.MatchEvidence) string {
	if e.ReasonFormat == "" {
		return e.Reason
	}
	args := make([]any, len(e.ReasonArgs))
	for i, a := range e.ReasonArgs {
		switch _, isLevel := enumLabels["level."+a]; {
		case isLevel:
			args[i] = l.label("level", a)
		case a == "female" || a == "male":
			args[i] = l.T(a)
		default:
			args[i] = a
		}
	}
	return l.T(e.ReasonFormat, args...)
}
