package tabular

import (
	"strings"
	"unicode"

	"github.com/homeward-project/homeward"
)

// vocabulary maps the words people write in a column to a domain code.
// exact holds folded whole values; stems holds folded prefixes tried in
// order when no exact value matched.
type vocabulary struct {
	exact map[string]string
	stems [][2]string // prefix, code
}

func (v vocabulary) lookup(s string) (string, bool) {
	f := fold(s)
	if c, ok := v.exact[f]; ok {
		return c, true
	}
	for _, st := range v.stems {
		if strings.HasPrefix(f, st[0]) {
			return st[1], true
		}
	}
	return "", false
}

func words(code string, ws ...string) map[string]string {
	m := map[string]string{fold(code): code}
	for _, w := range ws {
		m[fold(w)] = code
	}
	return m
}

func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func stems(code string, ps ...string) [][2]string {
	out := make([][2]string, len(ps))
	for i, p := range ps {
		out[i] = [2]string{fold(p), code}
	}
	return out
}

var sexWords = vocabulary{exact: merge(
	words(string(homeward.SexFemale), "female", "fem", "girl", "w", "woman",
		"ж", "жін", "жіноча", "жінка", "дівчинка", "дівчина", "д",
		"жен", "женский", "женская", "женщина", "девочка", "девушка"),
	words(string(homeward.SexMale), "male", "boy", "man",
		"ч", "чол", "чоловіча", "чоловік", "хлопчик", "хлопець", "х",
		"м", "муж", "мужской", "мужчина", "мальчик", "парень"),
	words("", "unknown", "n/a", "na", "?", "-", "u", "x", "невідомо", "невідома", "н/д", "неизвестно", "н/у"),
)}

var circumstanceWords = vocabulary{
	exact: merge(
		words(string(homeward.CircumstanceOther), "other", "інше", "інші", "другое", "иное", "прочее"),
		words(string(homeward.CircumstanceInstitution), "institution transfer", "transfer of an institution", "transfer of institution",
			"переміщення закладу", "переведення закладу", "вивезення закладу", "перемещение учреждения", "вывоз учреждения"),
	),
	stems: append(append(append(append(
		stems(string(homeward.CircumstanceDeportation), "deport", "депорт", "forcibly transferred", "примусово переміщ", "насильственно перемещ"),
		stems(string(homeward.CircumstanceEvacuation), "evacu", "евакуа", "евакуй", "эвакуа", "эвакуи")...),
		stems(string(homeward.CircumstanceFiltration), "filtr", "фільтр", "фильтр")...),
		stems(string(homeward.CircumstanceInstitution), "institution", "orphanage", "інтернат", "интернат", "дитбудинок", "детдом",
			"дитячийбудинок", "детскийдом", "заклад", "учрежд", "установ")...),
		stems(string(homeward.CircumstanceOther), "other")...),
}

var locationWords = vocabulary{
	exact: merge(
		words(string(homeward.LocationOther), "other", "інше", "другое", "иное"),
		words(string(homeward.LocationFoster), "foster", "foster family", "foster care", "guardianship", "guardian", "kinship care",
			"прийомна сім'я", "прийомна родина", "опіка", "опікун", "піклування", "патронат", "дбст", "дитячий будинок сімейного типу",
			"приемная семья", "опека", "опекун", "попечительство", "патронатная семья"),
		words(string(homeward.LocationAdoptive), "adoptive", "adoptive family", "adopted", "adoption",
			"усиновлення", "усиновлений", "усиновлена", "усиновлювачі", "удочеріння", "удочерена",
			"усыновление", "усыновлен", "усыновлена", "удочерение", "удочерена", "усыновители"),
	),
	stems: append(append(append(
		stems(string(homeward.LocationInstitution), "institution", "orphanage", "boarding school", "children's home", "shelter",
			"інтернат", "дитячий будинок", "дитбудинок", "заклад", "установа", "притулок", "центр",
			"интернат", "детский дом", "детдом", "учрежд", "приют", "реабилитационный центр", "центр", "санатор", "лагер"),
		stems(string(homeward.LocationFoster), "foster", "guardian", "прийомн", "опік", "опек", "приемн", "приёмн", "патронат")...),
		stems(string(homeward.LocationAdoptive), "adopt", "усинов", "удочер", "усынов")...),
		stems(string(homeward.LocationOther), "other")...),
}

var sourceWords = vocabulary{
	exact: merge(
		words(string(homeward.SourceNGOReport), "ngo", "ngo report", "нго", "нуо", "нко", "звіт нуо", "звіт громадської організації", "отчет нко", "ingo", "icrc", "мккч", "мккк"),
		words(string(homeward.SourceOpenSource), "open source", "open sources", "osint", "media", "social media", "press",
			"відкриті джерела", "відкрите джерело", "змі", "соцмережі", "открытые источники", "открытый источник", "сми", "соцсети"),
		words(string(homeward.SourceCounterpartList), "counterpart", "counterpart list", "list", "official list",
			"список", "перелік", "список сторони", "список контрагента", "офіційний список", "официальный список"),
		words(string(homeward.SourceAdoptionDB), "adoption db", "adoption database", "guardianship database", "adoption registry",
			"база усиновлення", "реєстр усиновлення", "база усыновления", "банк данных о детях", "усыновите", "госуслуги"),
	),
	stems: append(append(append(
		stems(string(homeward.SourceTestimony), "testimon", "witness", "interview", "свідч", "свідок", "показ", "свидетел", "интервью", "інтерв"),
		stems(string(homeward.SourceAdoptionDB), "adoption", "guardianship", "усиновл", "усынов", "опік", "опек")...),
		stems(string(homeward.SourceCounterpartList), "counterpart", "список", "перелік")...),
		stems(string(homeward.SourceNGOReport), "ngo", "звітнуо", "звітго", "отчетнко")...),
}

var reliabilityWords = vocabulary{exact: merge(
	words(string(homeward.ReliabilityHigh), "h", "hi", "висока", "високий", "высокая", "высокий", "в"),
	words(string(homeward.ReliabilityMedium), "m", "med", "mid", "moderate", "середня", "середній", "средняя", "средний", "с"),
	words(string(homeward.ReliabilityLow), "l", "lo", "низька", "низький", "низкая", "низкий", "н"),
	words("", "unknown", "?", "-", "n/a", "невідома", "невідомо", "неизвестна", "неизвестно"),
)}

// parseOtherNames splits a ";"-separated list of names and guesses each
// name's script from its letters.
func parseOtherNames(s string) []homeward.OtherName {
	var out []homeward.OtherName
	for _, p := range strings.Split(s, ";") {
		p = normSpace(p)
		if p == "" {
			continue
		}
		out = append(out, homeward.OtherName{Name: p, Script: guessScript(p)})
	}
	return out
}

// guessScript tells Ukrainian from Russian Cyrillic by the letters only one
// of them has; Cyrillic with neither stays unknown.
func guessScript(s string) homeward.Script {
	latin, cyr := false, false
	for _, r := range s {
		switch {
		case strings.ContainsRune("іїєґІЇЄҐ", r):
			return homeward.ScriptUkrainian
		case strings.ContainsRune("ыэъёЫЭЪЁ", r):
			return homeward.ScriptRussian
		case unicode.Is(unicode.Cyrillic, r):
			cyr = true
		case unicode.Is(unicode.Latin, r):
			latin = true
		}
	}
	switch {
	case cyr:
		return homeward.ScriptUnknown
	case latin:
		return homeward.ScriptLatin
	}
	return homeward.ScriptUnknown
}

// normSpace trims s and collapses runs of white space to one space.
func normSpace(s string) string {
	if !strings.ContainsFunc(s, unicode.IsSpace) {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}
