package tabular

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
)

func readFile(t *testing.T, name string) *Sheet {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := Read(name, f)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sheet(headers string, rows ...string) *Sheet {
	s := &Sheet{Headers: strings.Split(headers, "|")}
	for _, r := range rows {
		if r == "" {
			s.Rows = append(s.Rows, nil)
			continue
		}
		s.Rows = append(s.Rows, strings.Split(r, "|"))
	}
	return s
}

func TestConvertCasesReportsABadDateAnUnknownColumnAndAnEmptyNameExactly(t *testing.T) {
	s := readFile(t, "testdata/cases_three_errors.csv")
	m, unknown := AutoMap(homeward.EntityCase, s.Headers)
	if len(unknown) != 1 || s.Headers[unknown[0]] != "Улюблений колір" {
		t.Fatalf("unknown columns %v, want only the favourite colour", unknown)
	}
	cases, errs := ConvertCases(s, m)
	want := []RowError{
		{Row: 1, Column: "Улюблений колір", Value: "Улюблений колір"},
		{Row: 3, Column: "Дата народження", Field: FieldBirthDate, Value: "31.02.2014"},
		{Row: 4, Column: "Ім'я", Field: FieldGivenName, Value: ""},
	}
	if len(errs) != len(want) {
		t.Fatalf("got %d errors, want %d: %v", len(errs), len(want), errs)
	}
	for i, w := range want {
		g := errs[i]
		if g.Row != w.Row || g.Column != w.Column || g.Field != w.Field || g.Value != w.Value || g.Message == "" {
			t.Errorf("error %d = %+v, want %+v with a message", i, g, w)
		}
	}
	if len(cases) != 0 {
		t.Errorf("converted %d cases although the header row is bad", len(cases))
	}

	// Once the user ignores the unknown column, the good rows convert.
	m[unknown[0]] = ""
	cases, errs = ConvertCases(s, m)
	if len(errs) != 2 || len(cases) != 2 {
		t.Fatalf("after ignoring the column: %d cases, errors %v; want 2 cases and 2 errors", len(cases), errs)
	}
	if cases[0].FamilyName != "Тестенко" || cases[1].FamilyName != "Вигаданий" {
		t.Errorf("converted %q and %q, want rows 2 and 5", cases[0].FamilyName, cases[1].FamilyName)
	}
}

func TestConvertCasesReadsEveryField(t *testing.T) {
	s := sheet("Reference|Прізвище|Ім'я|По батькові|Other names|Стать|Дата народження|Місце народження|Place last seen|Date last seen|Обставини|Особливі прикмети|Примітки|Етап",
		"HW-2026-000001|  Тестенко |Олена|Петрівна|Алёна Тестенко; Olena T|жін.|05.03.2015|Маріуполь|Табір  «Сонечко»|01.09.2022|депортована|родимка на лівій руці|line 1\nline 2|closed")
	m, unknown := AutoMap(homeward.EntityCase, s.Headers)
	if len(unknown) != 0 {
		t.Fatalf("unknown columns %v", unknown)
	}
	cs, errs := ConvertCases(s, m)
	if len(errs) != 0 || len(cs) != 1 {
		t.Fatalf("ConvertCases: %d cases, errors %v", len(cs), errs)
	}
	c := cs[0]
	checks := []struct{ field, got, want string }{
		{"reference (ignored)", c.Reference, ""},
		{"stage (ignored)", string(c.Stage), ""},
		{"family_name", c.FamilyName, "Тестенко"},
		{"given_name", c.GivenName, "Олена"},
		{"patronymic", c.Patronymic, "Петрівна"},
		{"sex", string(c.Sex), "f"},
		{"birth_date", c.BirthDate.String(), "2015-03-05"},
		{"birth_place", c.BirthPlace, "Маріуполь"},
		{"last_seen_place", c.LastSeenPlace, "Табір «Сонечко»"},
		{"last_seen_date", c.LastSeenDate.String(), "2022-09-01"},
		{"circumstance", string(c.Circumstance), "deportation"},
		{"distinguishing_marks", c.DistinguishingMarks, "родимка на лівій руці"},
		{"notes", c.Notes, "line 1\nline 2"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.field, ch.got, ch.want)
		}
	}
	wantNames := []homeward.OtherName{{Name: "Алёна Тестенко", Script: homeward.ScriptRussian}, {Name: "Olena T", Script: homeward.ScriptLatin}}
	if len(c.OtherNames) != 2 || c.OtherNames[0] != wantNames[0] || c.OtherNames[1] != wantNames[1] {
		t.Errorf("other names = %+v, want %+v", c.OtherNames, wantNames)
	}
	if c.ImportKey == "" {
		t.Error("no import key")
	}
}

func TestConvertReadsWordsInThreeLanguages(t *testing.T) {
	tests := []struct {
		kind, header, value, want string
	}{
		{homeward.EntityCase, "sex", "F", "f"},
		{homeward.EntityCase, "sex", "female", "f"},
		{homeward.EntityCase, "sex", "Ж", "f"},
		{homeward.EntityCase, "sex", "дівчинка", "f"},
		{homeward.EntityCase, "sex", "жен.", "f"},
		{homeward.EntityCase, "sex", "M", "m"},
		{homeward.EntityCase, "sex", "ч", "m"},
		{homeward.EntityCase, "sex", "чол.", "m"},
		{homeward.EntityCase, "sex", "муж", "m"},
		{homeward.EntityCase, "sex", "Мальчик", "m"},
		{homeward.EntityCase, "sex", "невідомо", ""},
		{homeward.EntityCase, "circumstance", "Deportation", "deportation"},
		{homeward.EntityCase, "circumstance", "депортація", "deportation"},
		{homeward.EntityCase, "circumstance", "Депортирован", "deportation"},
		{homeward.EntityCase, "circumstance", "евакуація", "evacuation"},
		{homeward.EntityCase, "circumstance", "эвакуирована", "evacuation"},
		{homeward.EntityCase, "circumstance", "фільтрація", "filtration"},
		{homeward.EntityCase, "circumstance", "institution_transfer", "institution_transfer"},
		{homeward.EntityCase, "circumstance", "вивезення закладу", "institution_transfer"},
		{homeward.EntityCase, "circumstance", "інтернат вивезено", "institution_transfer"},
		{homeward.EntityCase, "circumstance", "інше", "other"},
		{homeward.EntityLocated, "location_kind", "дитячий будинок", "institution"},
		{homeward.EntityLocated, "location_kind", "интернат", "institution"},
		{homeward.EntityLocated, "location_kind", "приемная семья", "foster_family"},
		{homeward.EntityLocated, "location_kind", "опіка", "foster_family"},
		{homeward.EntityLocated, "location_kind", "усыновлен", "adoptive_family"},
		{homeward.EntityLocated, "location_kind", "adoptive_family", "adoptive_family"},
		{homeward.EntityLocated, "source", "counterpart_list", "counterpart_list"},
		{homeward.EntityLocated, "source", "список", "counterpart_list"},
		{homeward.EntityLocated, "source", "свідчення", "testimony"},
		{homeward.EntityLocated, "source", "открытые источники", "open_source"},
		{homeward.EntityLocated, "source", "НУО", "ngo_report"},
		{homeward.EntityLocated, "source", "база усиновлення", "adoption_db"},
		{homeward.EntityLocated, "reliability", "висока", "high"},
		{homeward.EntityLocated, "reliability", "Low", "low"},
		{homeward.EntityLocated, "reliability", "средняя", "medium"},
	}
	for _, tt := range tests {
		s := sheet("family_name|"+tt.header, "Тестенко|"+tt.value)
		m, _ := AutoMap(tt.kind, s.Headers)
		var got string
		var errs []RowError
		if tt.kind == homeward.EntityCase {
			var cs []*homeward.Case
			cs, errs = ConvertCases(s, m)
			if len(cs) == 1 {
				got = map[string]string{"sex": string(cs[0].Sex), "circumstance": string(cs[0].Circumstance)}[tt.header]
			}
		} else {
			var rs []*homeward.LocatedRecord
			rs, errs = ConvertLocated(s, m)
			if len(rs) == 1 {
				got = map[string]string{"location_kind": string(rs[0].LocationKind), "source": string(rs[0].Source), "reliability": string(rs[0].Reliability)}[tt.header]
			}
		}
		if len(errs) != 0 || got != tt.want {
			t.Errorf("%s %q = %q (errors %v), want %q", tt.header, tt.value, got, errs, tt.want)
		}
	}
}

func TestConvertLocatedReportsEveryProblemOfARow(t *testing.T) {
	s := sheet("Прізвище|Ім'я|Стать|Дата народження|Тип розміщення|Станом на|Джерело|Надійність",
		"Тестенко|Олена|кіт|32.01.2015|вулиця|03.2023|чутки|дуже висока",
		"Зразкова|Ірина|ж|~5|заклад|01.06.2023|список|висока")
	m, _ := AutoMap(homeward.EntityLocated, s.Headers)
	rs, errs := ConvertLocated(s, m)
	wantFields := []string{FieldSex, FieldBirthDate, FieldLocationKind, FieldObservedAt, FieldSource, FieldReliability}
	if len(errs) != len(wantFields) {
		t.Fatalf("errors %v, want one for each of %v", errs, wantFields)
	}
	for i, f := range wantFields {
		if errs[i].Row != 2 || errs[i].Field != f {
			t.Errorf("error %d = %+v, want row 2 field %s", i, errs[i], f)
		}
	}
	if len(rs) != 1 || rs[0].FamilyName != "Зразкова" {
		t.Fatalf("converted %d records, want only row 3", len(rs))
	}
	b := rs[0].BirthDate
	if b.Precision != homeward.PrecisionAge || b.AgeAsOf == nil || !b.AgeAsOf.Equal(time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("estimated age %+v, want ~5 as of the date observed", b)
	}
}

func TestConvertRefusesMappingsThatCannotWork(t *testing.T) {
	tests := []struct {
		name    string
		headers string
		row     string
		m       Mapping
	}{
		{"no name column", "Стать|Примітки", "ж|x", Mapping{FieldSex, FieldNotes}},
		{"a field of the other kind", "Прізвище|Заклад", "Тестенко|x", Mapping{FieldFamilyName, FieldInstitution}},
		{"two columns for one field", "Прізвище|Фамилия", "Тестенко|x", Mapping{FieldFamilyName, FieldFamilyName}},
		{"short mapping", "Прізвище|Фамилия", "Тестенко|x", Mapping{FieldFamilyName}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sheet(tt.headers, tt.row)
			cs, errs := ConvertCases(s, tt.m)
			if len(cs) != 0 || len(errs) != 1 || errs[0].Row != 1 {
				t.Errorf("ConvertCases = %d cases, errors %v; want one header error and no cases", len(cs), errs)
			}
		})
	}
}

func TestConvertSkipsEmptyRowsAndNamesTheRightRow(t *testing.T) {
	s := sheet("Прізвище|Дата народження", "Тестенко|2015", "", "", "Зразкова|1.1.1")
	cs, errs := ConvertCases(s, Mapping{FieldFamilyName, FieldBirthDate})
	if len(cs) != 1 || len(errs) != 1 || errs[0].Row != 5 {
		t.Errorf("ConvertCases = %d cases, errors %v; want 1 case and an error on row 5", len(cs), errs)
	}
}

func TestConvertRefusesDatesInTheFuture(t *testing.T) {
	next := time.Now().AddDate(1, 0, 0).Format("02.01.2006")
	s := sheet("Прізвище|Дата народження|Date last seen", "Тестенко|"+next+"|"+next)
	_, errs := ConvertCases(s, Mapping{FieldFamilyName, FieldBirthDate, FieldLastSeenDate})
	if len(errs) != 2 || errs[0].Field != FieldBirthDate || errs[1].Field != FieldLastSeenDate {
		t.Errorf("errors %v, want the birth date and the date last seen in the future", errs)
	}
}

func TestImportKeysAreStableAcrossReimportsAndFileLayouts(t *testing.T) {
	base := sheet("Прізвище|Ім'я|Дата народження", "Тестенко|Олена|05.03.2015", "Зразкова|Ірина|2014")
	keys := func(s *Sheet) []string {
		m, _ := AutoMap(homeward.EntityCase, s.Headers)
		for i := range m {
			if m[i] == Unmapped {
				m[i] = ""
			}
		}
		cs, errs := ConvertCases(s, m)
		if len(errs) != 0 {
			t.Fatalf("errors %v", errs)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.ImportKey)
		}
		return out
	}
	want := keys(base)
	if want[0] == want[1] {
		t.Fatal("two different rows have the same key")
	}
	tests := []struct {
		name string
		s    *Sheet
		same bool
	}{
		{"the same file again", sheet("Прізвище|Ім'я|Дата народження", "Тестенко|Олена|05.03.2015", "Зразкова|Ірина|2014"), true},
		{"columns reordered and renamed", sheet("Date of birth|Given name|Family name", "05.03.2015|Олена|Тестенко", "2014|Ірина|Зразкова"), true},
		{"extra spaces", sheet("Прізвище|Ім'я|Дата народження", "Тестенко |Олена|05.03.2015", "Зразкова|  Ірина|2014"), true},
		{"an ignored column added", sheet("Прізвище|Ім'я|Дата народження|Колір", "Тестенко|Олена|05.03.2015|x", "Зразкова|Ірина|2014|y"), true},
		{"a value changed", sheet("Прізвище|Ім'я|Дата народження", "Тестенко|Олена|06.03.2015", "Зразкова|Ірина|2013"), false},
	}
	for _, tt := range tests {
		got := keys(tt.s)
		for i := range want {
			if (got[i] == want[i]) != tt.same {
				t.Errorf("%s: row %d key %s, base %s; want same=%v", tt.name, i+2, got[i], want[i], tt.same)
			}
		}
	}
	var other []string
	ls, _ := ConvertLocated(base, Mapping{FieldFamilyName, FieldGivenName, FieldBirthDate})
	for _, l := range ls {
		other = append(other, l.ImportKey)
	}
	if other[0] == want[0] {
		t.Error("a located record has the key of the case from the same row")
	}
}

func TestImportKeysSurviveAnExportImportRoundTrip(t *testing.T) {
	s := sheet("Прізвище|Ім'я|Дата народження", "Тестенко|Олена|05.03.2015")
	cs, _ := ConvertCases(s, Mapping{FieldFamilyName, FieldGivenName, FieldBirthDate})
	var buf bytes.Buffer
	if err := WriteCases(&buf, FormatCSV, cs); err != nil {
		t.Fatal(err)
	}
	s2, err := Read("export.csv", &buf)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := AutoMap(homeward.EntityCase, s2.Headers)
	cs2, errs := ConvertCases(s2, m)
	if len(errs) != 0 || len(cs2) != 1 {
		t.Fatalf("re-import: %d cases, errors %v", len(cs2), errs)
	}
	if cs2[0].ImportKey != cs[0].ImportKey {
		t.Error("the key changed when the file went through an export")
	}
}

func TestSampleLocatedWorkbookConvertsWithoutErrors(t *testing.T) {
	s := readFile(t, "testdata/located_uk.xlsx")
	m, unknown := AutoMap(homeward.EntityLocated, s.Headers)
	if len(unknown) != 0 {
		t.Fatalf("unknown columns %v in %q", unknown, s.Headers)
	}
	rs, errs := ConvertLocated(s, m)
	if len(errs) != 0 || len(rs) != 5 {
		t.Fatalf("%d records, errors %v", len(rs), errs)
	}
	checks := []struct{ what, got, want string }{
		{"date cell", rs[0].BirthDate.String(), "2015-03-06"},
		{"foster", string(rs[0].LocationKind), "foster_family"},
		{"estimated age", rs[1].BirthDate.String(), "~9"},
		{"institution", string(rs[2].LocationKind), "institution"},
		{"NGO", string(rs[2].Source), "ngo_report"},
		{"month", rs[3].BirthDate.String(), "2014-03"},
		{"adoptive", string(rs[3].LocationKind), "adoptive_family"},
		{"DD/MM/YYYY", rs[4].BirthDate.String(), "2013-11-12"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.what, c.got, c.want)
		}
	}
}
