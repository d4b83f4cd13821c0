package tabular

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/xuri/excelize/v2"
)

// An answer sheet is the workbook a counterpart without Homeward gets with
// a list: one row per child with the disclosed fields and the columns it
// fills in, the answer chosen from a list of codes written in Ukrainian,
// English and Russian. Its headers are written in the three languages too,
// and a column is found again by any of them, so that a counterpart may
// reorder or translate the header row.

// answerColumn is one column of an answer sheet.
type answerColumn struct {
	key    string    // the field it fills, or the disclosed field it shows
	labels [3]string // uk, en, ru
	fill   bool      // filled in by the counterpart
}

var answerColumns = []answerColumn{
	{"entry_ref", [3]string{"Посилання на запис", "Entry reference", "Ссылка на запись"}, false},
	{"family_name", [3]string{"Прізвище", "Family name", "Фамилия"}, false},
	{"given_name", [3]string{"Ім'я", "Given name", "Имя"}, false},
	{"patronymic", [3]string{"По батькові", "Patronymic", "Отчество"}, false},
	{"other_names", [3]string{"Інші написання", "Other spellings", "Другие написания"}, false},
	{"sex", [3]string{"Стать", "Sex", "Пол"}, false},
	{"birth_date", [3]string{"Дата народження", "Birth date", "Дата рождения"}, false},
	{"birth_place", [3]string{"Місце народження", "Birthplace", "Место рождения"}, false},
	{"last_seen", [3]string{"Де і коли бачили востаннє", "Last seen (place, date)", "Где и когда видели последний раз"}, false},
	{"circumstance", [3]string{"Обставини", "Circumstances", "Обстоятельства"}, false},
	{"legal_rep", [3]string{"Законний представник (ким є, підстава)", "Legal representative (relation, basis)", "Законный представитель (кем является, основание)"}, false},
	{"siblings", [3]string{"Брати й сестри у списку", "Siblings on the list", "Братья и сестры в списке"}, false},
	{"code", [3]string{"Відповідь", "Answer", "Ответ"}, true},
	{"answered_on", [3]string{"Дата відповіді", "Answer date", "Дата ответа"}, true},
	{"their_ref", [3]string{"Ваше посилання", "Your reference", "Ваша ссылка"}, true},
	{"place", [3]string{"Де перебуває (заклад, населений пункт)", "Where (institution, settlement)", "Где находится (учреждение, населенный пункт)"}, true},
	{"region", [3]string{"Область, регіон", "Region", "Область, регион"}, true},
	{"country", [3]string{"Країна", "Country", "Страна"}, true},
	{"location_kind", [3]string{"Вид опіки", "Kind of care", "Вид попечения"}, true},
	{"until", [3]string{"До (дата) / дата співбесіди", "Until (date) / interview date", "До (дата) / дата беседы"}, true},
	{"details", [3]string{"Подробиці", "Details", "Подробности"}, true},
	{"text", [3]string{"Коментар", "Comment", "Комментарий"}, true},
}

// answerLabels names each answer code in Ukrainian, English and Russian.
var answerLabels = map[homeward.AnswerCode][3]string{
	homeward.AnswerReturnAgreed:    {"Повернення погоджено", "Return agreed", "Возвращение согласовано"},
	homeward.AnswerWithParent:      {"З одним із батьків", "With a parent", "С одним из родителей"},
	homeward.AnswerWithRelative:    {"З родичем", "With a relative", "С родственником"},
	homeward.AnswerInCare:          {"Під опікою", "In care", "Под опекой"},
	homeward.AnswerThirdCountry:    {"У третій країні", "In a third country", "В третьей стране"},
	homeward.AnswerNoRecord:        {"Відомостей немає", "No record", "Сведений нет"},
	homeward.AnswerMoreIdentifiers: {"Потрібні додаткові дані", "More identifiers needed", "Нужны дополнительные данные"},
	homeward.AnswerTurned18:        {"Досягла 18 років", "Has turned 18", "Исполнилось 18 лет"},
	homeward.AnswerDeferred:        {"Відкладено", "Deferred", "Отложено"},
	homeward.AnswerChildDeclines:   {"Дитина відмовляється", "The child declines", "Ребенок отказывается"},
	homeward.AnswerCustodyDisputed: {"Опіка оскаржується", "Custody disputed", "Опека оспаривается"},
	homeward.AnswerAlreadyReunited: {"Уже возз'єднана", "Already reunited", "Уже воссоединен"},
	homeward.AnswerDeceased:        {"Померла", "Deceased", "Умер"},
	homeward.AnswerDuplicate:       {"Дублікат іншого запису", "Duplicate of another entry", "Дубликат другой записи"},
	homeward.AnswerProofRequested:  {"Потрібні докази споріднення чи правові підстави", "Proof of kinship or legal grounds requested", "Нужны доказательства родства или правовые основания"},
}

var careLabels = map[homeward.LocationKind][3]string{
	homeward.LocationInstitution: {"Заклад", "Institution", "Учреждение"},
	homeward.LocationFoster:      {"Прийомна родина", "Foster family", "Приемная семья"},
	homeward.LocationAdoptive:    {"Усиновлювальна родина", "Adoptive family", "Усыновившая семья"},
	homeward.LocationOther:       {"Інше", "Other", "Другое"},
}

// choice is how a code is written in the drop-down list: the code, then
// its three labels, so that any of them reads back.
func choice(code string, labels [3]string) string {
	return code + " — " + strings.Join(labels[:], " / ")
}

func langIndex(lang string) int {
	if lang == "en" {
		return 1
	}
	return 0
}

// AnswerColumn returns the header of the answer sheet's column for a field,
// in the language given, for a report that names the column of a problem.
func AnswerColumn(field, lang string) string {
	for _, c := range answerColumns {
		if c.key == field {
			return c.labels[langIndex(lang)]
		}
	}
	switch field {
	case "identifiers", "witnessed_by", "duplicate_of", "proof", "reason":
		return AnswerColumn("details", lang)
	case "interview_on":
		return AnswerColumn("until", lang)
	}
	return ""
}

const (
	answerSheet = "List"
	codesSheet  = "Codes"
	helpSheet   = "How to answer"
)

// WriteAnswerSheet writes the answer sheet of a list revision: the header
// row, one row per entry with what was disclosed, drop-down lists for the
// answer and the kind of care, and a page saying how to fill it in. lang
// ("uk" or "en") is the language of the help page; headers and codes are in
// Ukrainian, English and Russian.
func WriteAnswerSheet(w io.Writer, l *homeward.ReturnList, doc *homeward.ListDocument, lang string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", answerSheet); err != nil {
		return err
	}
	head := make([]any, len(answerColumns))
	for i, c := range answerColumns {
		head[i] = strings.Join(c.labels[:], " / ")
	}
	if err := f.SetSheetRow(answerSheet, "A1", &head); err != nil {
		return err
	}
	for i, e := range doc.Entries {
		p := &e.Person
		var others []string
		for _, n := range p.OtherNames {
			others = append(others, n.Name)
		}
		last := strings.Join(nonEmpty(p.LastSeenPlace, p.LastSeenDate.Display()), ", ")
		rep := strings.Join(nonEmpty(p.LegalRepRelation, p.LegalRepBasis), ": ")
		vals := map[string]string{
			"entry_ref": e.Ref, "family_name": p.FamilyName, "given_name": p.GivenName, "patronymic": p.Patronymic,
			"other_names": strings.Join(others, "; "), "sex": string(p.Sex), "birth_date": p.BirthDate.Display(),
			"birth_place": p.BirthPlace, "last_seen": last, "circumstance": string(p.Circumstance), "legal_rep": rep,
			"siblings": strings.Join(p.Siblings, ", "),
		}
		row := make([]any, len(answerColumns))
		for j, c := range answerColumns {
			if v := vals[c.key]; v != "" {
				// A string cell, never a formula: a name that starts with
				// "=" stays a name.
				row[j] = v
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(answerSheet, cell, &row); err != nil {
			return err
		}
	}
	if _, err := f.NewSheet(codesSheet); err != nil {
		return err
	}
	for i, code := range homeward.AnswerCodes {
		if err := f.SetCellStr(codesSheet, fmt.Sprintf("A%d", i+1), choice(string(code), answerLabels[code])); err != nil {
			return err
		}
	}
	for i, k := range homeward.LocationKinds {
		if err := f.SetCellStr(codesSheet, fmt.Sprintf("B%d", i+1), choice(string(k), careLabels[k])); err != nil {
			return err
		}
	}
	if err := f.SetSheetVisible(codesSheet, false); err != nil {
		return err
	}
	last := max(len(doc.Entries)+1, 2)
	for _, dl := range []struct {
		key, list string
	}{
		{"code", fmt.Sprintf("%s!$A$1:$A$%d", codesSheet, len(homeward.AnswerCodes))},
		{"location_kind", fmt.Sprintf("%s!$B$1:$B$%d", codesSheet, len(homeward.LocationKinds))},
	} {
		col := columnIndex(dl.key) + 1
		first, _ := excelize.CoordinatesToCellName(col, 2)
		end, _ := excelize.CoordinatesToCellName(col, last)
		dv := excelize.NewDataValidation(true)
		dv.Sqref = first + ":" + end
		dv.SetSqrefDropList(dl.list)
		if err := f.AddDataValidation(answerSheet, dv); err != nil {
			return fmt.Errorf("answer list: %w", err)
		}
	}
	if _, err := f.NewSheet(helpSheet); err != nil {
		return err
	}
	for i, line := range answerHelp(l, doc, lang) {
		if err := f.SetCellStr(helpSheet, fmt.Sprintf("A%d", i+1), line); err != nil {
			return err
		}
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

func columnIndex(key string) int {
	for i, c := range answerColumns {
		if c.key == key {
			return i
		}
	}
	panic("tabular: no answer column " + key)
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

func answerHelp(l *homeward.ReturnList, doc *homeward.ListDocument, lang string) []string {
	if lang == "en" {
		return []string{
			fmt.Sprintf("List %s, revision %d, phase %d: %s", doc.UID, doc.Revision, doc.Phase, doc.Title),
			"Answer each child on the sheet \"List\": choose the answer from the drop-down list, give the date of the answer and, where the answer needs it:",
			"In care: the kind of care and where (the institution or settlement, or the region). In a third country: the country.",
			"More identifiers needed: which identifiers, in Details, separated by commas. Deferred: until when (date) and why (Details).",
			"The child declines: who witnessed the interview (Details) and its date. Duplicate: the other entry's reference (Details). Proof requested: which proof (Details).",
			"Leave a row without an answer if there is none yet. Do not change the entry references.",
		}
	}
	return []string{
		fmt.Sprintf("Список %s, редакція %d, етап %d: %s", doc.UID, doc.Revision, doc.Phase, doc.Title),
		"Дайте відповідь щодо кожної дитини на аркуші «List»: виберіть відповідь зі списку, укажіть дату відповіді та, де відповідь цього потребує:",
		"Під опікою: вид опіки й де (заклад або населений пункт чи регіон). У третій країні: країну.",
		"Потрібні додаткові дані: які саме, у «Подробицях», через кому. Відкладено: до якої дати й чому («Подробиці»).",
		"Дитина відмовляється: хто був свідком співбесіди («Подробиці») і її дата. Дублікат: посилання на інший запис. Потрібні докази: які саме.",
		"Залиште рядок без відповіді, якщо її ще немає. Не змінюйте посилань на записи.",
	}
}

// ReadAnswerSheet reads a filled-in answer sheet: the rows that carry an
// answer, and a problem for each cell that cannot be read (an unknown code,
// a date that is not one). Whether the entries exist and the details their
// codes need are there is for the list service to check.
func ReadAnswerSheet(filename string, r io.Reader) ([]homeward.AnswerRow, []homeward.RowProblem, error) {
	s, err := Read(filename, r)
	if err != nil {
		return nil, nil, err
	}
	col := map[string]int{}
	for i, h := range s.Headers {
		if key := answerHeader(h); key != "" {
			if _, dup := col[key]; !dup {
				col[key] = i
			}
		}
	}
	for _, need := range []string{"entry_ref", "code"} {
		if _, ok := col[need]; !ok {
			return nil, nil, homeward.Errorf(homeward.EINVALID, "The file has no column %q: it is not an answer sheet of a Homeward list.", AnswerColumn(need, "en"))
		}
	}
	var rows []homeward.AnswerRow
	var problems []homeward.RowProblem
	for i, cells := range s.Rows {
		if cells == nil {
			continue
		}
		get := func(key string) string {
			if j, ok := col[key]; ok && j < len(cells) {
				return strings.TrimSpace(cells[j])
			}
			return ""
		}
		n := RowNumber(i)
		problem := func(key, field, msg string) {
			problems = append(problems, homeward.RowProblem{Row: n, Column: s.Headers[col[key]], Field: field, Message: msg})
		}
		codeText := get("code")
		if codeText == "" {
			continue // not answered yet
		}
		a := homeward.Answer{EntryRef: get("entry_ref"), TheirRef: get("their_ref"), Text: get("text"), Source: homeward.AnswerBySpreadsheet}
		code, ok := parseChoice(codeText, answerCodes())
		if !ok {
			problem("code", "code", fmt.Sprintf("%q is not one of the answers of the list.", truncateCell(codeText)))
			continue
		}
		a.Code = homeward.AnswerCode(code)
		bad := false
		date := func(key, field string) homeward.Date {
			v := get(key)
			if v == "" {
				return homeward.Date{}
			}
			b, err := ParseDate(v)
			if err != nil || b.Precision != homeward.PrecisionDay {
				problem(key, field, fmt.Sprintf("%q is not a date (write DD.MM.YYYY).", truncateCell(v)))
				bad = true
				return homeward.Date{}
			}
			return homeward.NewDate(b.Year, time.Month(b.Month), b.Day)
		}
		a.On = date("answered_on", "answered_on")
		d := &a.Details
		d.Place, d.Region, d.Country = get("place"), get("region"), get("country")
		if kind := get("location_kind"); kind != "" {
			k, ok := parseChoice(kind, careCodes())
			if !ok {
				problem("location_kind", "location_kind", fmt.Sprintf("%q is not one of the kinds of care of the list.", truncateCell(kind)))
				bad = true
			}
			d.LocationKind = homeward.LocationKind(k)
		}
		details := get("details")
		switch a.Code {
		case homeward.AnswerMoreIdentifiers:
			d.Identifiers = strings.FieldsFunc(details, func(r rune) bool { return r == ',' || r == ';' || r == '\n' })
		case homeward.AnswerDeferred, homeward.AnswerCustodyDisputed:
			d.Until, d.Reason = date("until", "until"), details
		case homeward.AnswerChildDeclines:
			d.InterviewOn, d.WitnessedBy = date("until", "interview_on"), details
		case homeward.AnswerDuplicate:
			d.DuplicateOf = details
		case homeward.AnswerProofRequested:
			d.Proof = details
		default:
			if details != "" {
				a.Text = strings.TrimSpace(strings.Join(nonEmpty(details, a.Text), "\n"))
			}
		}
		if !bad {
			rows = append(rows, homeward.AnswerRow{Row: n, Answer: a})
		}
	}
	return rows, problems, nil
}

// answerHeader returns the key of a header cell written in any of the
// sheet's languages, or as all three joined.
func answerHeader(h string) string {
	h = strings.ToLower(strings.Join(strings.Fields(h), " "))
	for _, c := range answerColumns {
		if h == strings.ToLower(strings.Join(c.labels[:], " / ")) {
			return c.key
		}
		for _, l := range c.labels {
			if h == strings.ToLower(l) {
				return c.key
			}
		}
	}
	return ""
}

func answerCodes() map[string][3]string {
	m := map[string][3]string{}
	for k, v := range answerLabels {
		m[string(k)] = v
	}
	return m
}

func careCodes() map[string][3]string {
	m := map[string][3]string{}
	for k, v := range careLabels {
		m[string(k)] = v
	}
	return m
}

// parseChoice reads a drop-down value, a bare code, or any one label.
func parseChoice(v string, choices map[string][3]string) (string, bool) {
	code, _, _ := strings.Cut(v, " — ")
	code = strings.TrimSpace(code)
	if _, ok := choices[code]; ok {
		return code, true
	}
	norm := strings.ToLower(strings.TrimSpace(v))
	for c, labels := range choices {
		for _, l := range labels {
			if norm == strings.ToLower(l) {
				return c, true
			}
		}
	}
	return "", false
}

// truncateCell shortens a cell's text quoted in a problem, so that a
// report about a huge cell stays small.
func truncateCell(v string) string {
	if r := []rune(v); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return v
}
