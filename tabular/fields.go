package tabular

import (
	"slices"
	"strings"
	"unicode"

	"github.com/homeward-project/homeward"
)

// Field is a column Homeward knows for a kind of record.
type Field struct {
	Name    string // the field's code, as in the domain's JSON: "given_name"
	LabelEN string // header written in English exports
	LabelUK string // header written in Ukrainian exports
	// Required marks the name fields: a row needs at least one of them.
	Required bool
	// Aliases are other header texts that mean this field, in English,
	// Ukrainian and Russian; matching folds case, spaces and punctuation.
	Aliases []string
	// ExportOnly fields are written by exports and recognised on import so
	// that an export can be imported again, but their values are not
	// imported (the store assigns references and stages).
	ExportOnly bool
}

// Unmapped is what AutoMap puts in a Mapping for a column it could not match.
// Converting with an Unmapped column reports an error on the header row: the
// user must map the column to a field or ignore it ("").
const Unmapped = "?"

// Mapping gives, per column index, the field name the column holds, "" to
// ignore the column, or Unmapped.
type Mapping []string

// Field names. They equal the domain's JSON field names.
const (
	FieldReference           = "reference"
	FieldGivenName           = "given_name"
	FieldFamilyName          = "family_name"
	FieldPatronymic          = "patronymic"
	FieldOtherNames          = "other_names"
	FieldSex                 = "sex"
	FieldBirthDate           = "birth_date"
	FieldBirthPlace          = "birth_place"
	FieldLastSeenPlace       = "last_seen_place"
	FieldLastSeenDate        = "last_seen_date"
	FieldCircumstance        = "circumstance"
	FieldDistinguishingMarks = "distinguishing_marks"
	FieldNotes               = "notes"
	FieldStage               = "stage"
	FieldLocationKind        = "location_kind"
	FieldInstitution         = "institution"
	FieldRegion              = "region"
	FieldObservedAt          = "observed_at"
	FieldSource              = "source"
	FieldSourceRef           = "source_ref"
	FieldReliability         = "reliability"
)

var (
	givenName = Field{Name: FieldGivenName, LabelEN: "Given name", LabelUK: "Ім'я", Required: true, Aliases: []string{
		"first name", "firstname", "forename", "forenames", "given names", "christian name", "child's first name", "child given name",
		"ім'я", "імʼя", "ім'я дитини", "ім’я дитини", "імена",
		"имя", "имя ребенка", "имя ребёнка",
	}}
	familyName = Field{Name: FieldFamilyName, LabelEN: "Family name", LabelUK: "Прізвище", Required: true, Aliases: []string{
		"last name", "lastname", "surname", "family", "child's surname", "child family name",
		"прізвище", "прізвище дитини", "призвище",
		"фамилия", "фамилия ребенка", "фамилия ребёнка",
	}}
	patronymic = Field{Name: FieldPatronymic, LabelEN: "Patronymic", LabelUK: "По батькові", Aliases: []string{
		"middle name", "father's name", "patronym",
		"по батькові", "по-батькові", "ім'я по батькові",
		"отчество", "по отцу",
	}}
	sex = Field{Name: FieldSex, LabelEN: "Sex", LabelUK: "Стать", Aliases: []string{
		"gender", "m/f", "boy/girl",
		"стать", "гендер", "ч/ж",
		"пол", "м/ж",
	}}
	birthDate = Field{Name: FieldBirthDate, LabelEN: "Birth date", LabelUK: "Дата народження", Aliases: []string{
		"date of birth", "dob", "d.o.b.", "birthdate", "birthday", "born", "year of birth", "birth year",
		"дата народження", "д.н.", "дата нар.", "народився", "народилася", "рік народження", "дата і рік народження",
		"дата рождения", "д.р.", "год рождения", "родился", "родилась",
	}}
	birthPlace = Field{Name: FieldBirthPlace, LabelEN: "Birthplace", LabelUK: "Місце народження", Aliases: []string{
		"place of birth", "birth place", "pob", "born in",
		"місце народження", "м.н.", "місто народження",
		"место рождения", "м.р.", "город рождения",
	}}
	notes = Field{Name: FieldNotes, LabelEN: "Notes", LabelUK: "Примітки", Aliases: []string{
		"note", "comments", "comment", "remarks", "remark", "additional information", "additional info",
		"примітки", "примітка", "коментар", "коментарі", "додаткова інформація",
		"примечания", "примечание", "комментарий", "комментарии", "дополнительная информация",
	}}

	caseFields = []Field{
		{Name: FieldReference, LabelEN: "Reference", LabelUK: "Номер справи", ExportOnly: true, Aliases: []string{
			"case reference", "case ref", "case number", "case no", "case id", "ref",
			"номер справи", "справа", "справа №", "№ справи",
			"номер дела", "дело", "№ дела",
		}},
		givenName, familyName, patronymic,
		{Name: FieldOtherNames, LabelEN: "Other names", LabelUK: "Інші імена", Aliases: []string{
			"other known names", "aliases", "alias", "also known as", "aka", "previous names", "former names",
			"інші імена", "інші відомі імена", "попередні імена", "псевдоніми", "також відомий як",
			"другие имена", "прежние имена", "псевдонимы", "также известен как",
		}},
		sex, birthDate, birthPlace,
		{Name: FieldLastSeenPlace, LabelEN: "Place last seen", LabelUK: "Місце, де бачили востаннє", Aliases: []string{
			"last seen place", "last seen at", "last known place", "last known location", "last known address", "place of disappearance",
			"місце, де бачили востаннє", "останнє місце перебування", "місце останнього перебування", "місце зникнення", "остання відома адреса",
			"место, где видели последний раз", "последнее место пребывания", "место последнего пребывания", "место исчезновения", "последний известный адрес",
		}},
		{Name: FieldLastSeenDate, LabelEN: "Date last seen", LabelUK: "Дата, коли бачили востаннє", Aliases: []string{
			"last seen date", "last seen", "last seen on", "date of disappearance", "last contact", "date of last contact", "missing since",
			"дата, коли бачили востаннє", "востаннє бачили", "дата зникнення", "дата останнього контакту", "зник",
			"дата, когда видели последний раз", "последний раз видели", "дата исчезновения", "дата последнего контакта", "пропал",
		}},
		{Name: FieldCircumstance, LabelEN: "Circumstances", LabelUK: "Обставини розлучення", Aliases: []string{
			"circumstance", "circumstances of separation", "separation", "separation circumstances", "how separated",
			"обставини", "обставини розлучення", "обставини зникнення", "обставини розділення",
			"обстоятельства", "обстоятельства разлучения", "обстоятельства исчезновения",
		}},
		{Name: FieldDistinguishingMarks, LabelEN: "Distinguishing marks", LabelUK: "Особливі прикмети", Aliases: []string{
			"marks", "special marks", "special features", "identifying marks", "distinctive features",
			"особливі прикмети", "прикмети", "особливі ознаки",
			"особые приметы", "приметы", "особые признаки",
		}},
		notes,
		{Name: FieldStage, LabelEN: "Stage", LabelUK: "Етап", ExportOnly: true, Aliases: []string{
			"status", "case status", "workflow stage",
			"етап", "стадія", "статус", "статус справи",
			"этап", "стадия", "статус дела",
		}},
	}

	locatedFields = []Field{
		givenName, familyName, patronymic, sex, birthDate, birthPlace,
		{Name: FieldLocationKind, LabelEN: "Location kind", LabelUK: "Тип розміщення", Aliases: []string{
			"location type", "placement", "placement type", "type of placement", "living arrangement",
			"тип розміщення", "вид розміщення", "форма влаштування", "розміщення",
			"тип размещения", "вид размещения", "форма устройства", "размещение",
		}},
		{Name: FieldInstitution, LabelEN: "Institution", LabelUK: "Заклад", Aliases: []string{
			"institution name", "facility", "orphanage", "current location", "location", "where",
			"заклад", "установа", "назва закладу", "місцеперебування", "поточне місце перебування", "де перебуває",
			"учреждение", "название учреждения", "местонахождение", "текущее местонахождение", "где находится",
		}},
		{Name: FieldRegion, LabelEN: "Region", LabelUK: "Регіон", Aliases: []string{
			"oblast", "province", "federal subject",
			"регіон", "область", "край",
			"регион", "субъект", "субъект рф",
		}},
		{Name: FieldObservedAt, LabelEN: "Date observed", LabelUK: "Дата спостереження", Aliases: []string{
			"observed at", "observed", "observation date", "date recorded", "recorded", "record date", "as of", "as at",
			"дата спостереження", "дата фіксації", "станом на", "дата запису",
			"дата наблюдения", "дата фиксации", "по состоянию на", "дата записи",
		}},
		{Name: FieldSource, LabelEN: "Source", LabelUK: "Джерело", Aliases: []string{
			"source kind", "source type", "data source",
			"джерело", "тип джерела", "джерело інформації",
			"источник", "тип источника", "источник информации",
		}},
		{Name: FieldSourceRef, LabelEN: "Source reference", LabelUK: "Посилання на джерело", Aliases: []string{
			"source ref", "source id", "record id", "id", "reference", "ref", "link", "url",
			"посилання на джерело", "посилання", "номер у джерелі", "ідентифікатор",
			"ссылка на источник", "ссылка", "номер в источнике", "идентификатор",
		}},
		{Name: FieldReliability, LabelEN: "Reliability", LabelUK: "Надійність", Aliases: []string{
			"confidence", "source reliability", "credibility",
			"надійність", "достовірність", "надійність джерела",
			"надежность", "достоверность", "надежность источника",
		}},
		notes,
	}

	foldedCase    = buildIndex(caseFields)
	foldedLocated = buildIndex(locatedFields)
)

// Fields lists the fields of a kind, homeward.EntityCase or
// homeward.EntityLocated, in export column order; nil for any other kind.
func Fields(kind string) []Field {
	var fs []Field
	switch kind {
	case homeward.EntityCase:
		fs = caseFields
	case homeward.EntityLocated:
		fs = locatedFields
	default:
		return nil
	}
	return append([]Field(nil), fs...)
}

// fieldByName returns the field of kind named name.
func fieldByName(kind, name string) (Field, bool) {
	for _, f := range Fields(kind) {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

func buildIndex(fs []Field) map[string]string {
	idx := map[string]string{}
	for _, f := range fs {
		for _, h := range append([]string{f.Name, f.LabelEN, f.LabelUK}, f.Aliases...) {
			idx[fold(h)] = f.Name
		}
	}
	return idx
}

// AutoMap matches headers to the fields of kind. Headers are compared after
// folding case, spaces, underscores and punctuation, and then again without
// any parenthesised part ("Дата народження (ДД.ММ.РРРР)"). unknown lists the
// columns that matched nothing, marked Unmapped in m; a column whose field
// was already taken by an earlier column is also unknown.
func AutoMap(kind string, headers []string) (m Mapping, unknown []int) {
	idx := foldedCase
	if kind == homeward.EntityLocated {
		idx = foldedLocated
	} else if kind != homeward.EntityCase {
		idx = nil
	}
	m = make(Mapping, len(headers))
	taken := map[string]bool{}
	for i, h := range headers {
		if rejectsColumn[fold(h)] {
			continue // the column WriteRejected adds: ignored
		}
		name, ok := idx[fold(h)]
		if !ok {
			name, ok = idx[fold(stripParens(h))]
		}
		if !ok || taken[name] {
			m[i] = Unmapped
			unknown = append(unknown, i)
			continue
		}
		m[i] = name
		taken[name] = true
	}
	return m, unknown
}

// rejectsColumn holds the folded headers of the column WriteRejected adds,
// so that a corrected file of rejected rows imports without remapping.
var rejectsColumn = map[string]bool{"error": true, "errors": true, "помилка": true, "помилки": true, "ошибка": true, "ошибки": true}

// stripParens removes parenthesised and bracketed parts of a header, which
// usually hold hints such as a date format.
func stripParens(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch r {
		case '(', '[':
			depth++
		case ')', ']':
			if depth > 0 {
				depth--
			}
		default:
			if depth == 0 {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// latinLookalikes maps Latin letters to the Cyrillic letters they look like;
// headers typed on mixed keyboards often contain them ("Iм'я" with a Latin I).
var latinLookalikes = map[rune]rune{
	'a': 'а', 'c': 'с', 'e': 'е', 'i': 'і', 'o': 'о', 'p': 'р', 'x': 'х', 'y': 'у', 'k': 'к', 'm': 'м', 't': 'т', 'h': 'н', 'b': 'в',
}

// fold reduces a header or a value to lower-case letters and digits, so that
// case, spacing, underscores, apostrophes and other punctuation do not
// matter. ё folds to е. In text with any Cyrillic letter, Latin look-alikes
// become Cyrillic.
func fold(s string) string {
	cyr := false
	for _, r := range s {
		if unicode.Is(unicode.Cyrillic, r) {
			cyr = true
			break
		}
	}
	var b strings.Builder
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			continue
		}
		r = unicode.ToLower(r)
		if r == 'ё' {
			r = 'е'
		}
		if cyr {
			if c, ok := latinLookalikes[r]; ok {
				r = c
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Ignore is what a user writes to ignore a column when correcting a
// mapping by hand (Override, homeward import --map).
const Ignore = "-"

// Override corrects m: the column whose header is header (compared as
// AutoMap compares headers) holds field, or is ignored when field is "" or
// Ignore. The error, EINVALID, says which header or field is unknown.
func Override(kind string, headers []string, m Mapping, header, field string) error {
	j := slices.Index(headers, header)
	if j < 0 {
		j = slices.IndexFunc(headers, func(h string) bool { return fold(h) == fold(header) && fold(h) != "" })
	}
	if j < 0 || j >= len(m) {
		return homeward.Errorf(homeward.EINVALID, "No column is headed %q.", header)
	}
	field = strings.TrimSpace(field)
	if field == Ignore || field == "" {
		m[j] = ""
		return nil
	}
	if _, ok := fieldByName(kind, field); !ok {
		// Accept a label or alias too: people type what they see.
		m2, unknown := AutoMap(kind, []string{field})
		if len(unknown) > 0 || m2[0] == "" {
			return homeward.FieldErrorf(homeward.EINVALID, field, "%q is not a field of a %s record; the fields are: %s.", field, kind, strings.Join(FieldNames(kind), ", "))
		}
		field = m2[0]
	}
	m[j] = field
	return nil
}

// FieldNames lists the names of the fields of kind.
func FieldNames(kind string) []string {
	var out []string
	for _, f := range Fields(kind) {
		out = append(out, f.Name)
	}
	return out
}
