package tabular

import (
	"bytes"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
	"github.com/xuri/excelize/v2"
)

func sheetDoc() (*homeward.ReturnList, *homeward.ListDocument) {
	l := &homeward.ReturnList{UID: "LTEST0001", Title: "Phase 1", Phase: 1}
	doc := &homeward.ListDocument{UID: l.UID, Revision: 1, Phase: 1, Title: l.Title, Profile: homeward.ProfileMinimal}
	for i, n := range []string{"Олександр", "=Марія", "Ігор"} {
		doc.Entries = append(doc.Entries, homeward.EntryDocument{Ref: l.UID + "-000" + string(rune('1'+i)),
			Person: homeward.DisclosedChild{GivenName: n, FamilyName: "Пробний", Sex: homeward.SexMale,
				BirthDate: homeward.BirthDate{Year: 2013, Month: 2, Day: 3, Precision: homeward.PrecisionDay}}})
	}
	return l, doc
}

// filled writes an answer sheet and fills in cells as a counterpart would:
// cells maps "row,column key" to a value.
func filled(t *testing.T, cells map[[2]string]string) []byte {
	t.Helper()
	l, doc := sheetDoc()
	var b bytes.Buffer
	if err := WriteAnswerSheet(&b, l, doc, "en"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for k, v := range cells {
		cell, _ := excelize.CoordinatesToCellName(columnIndex(k[1])+1, int(k[0][0]-'0'))
		if err := f.SetCellStr(answerSheet, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestAnswerSheetOffersTheCodesAndReadsThemBack(t *testing.T) {
	l, doc := sheetDoc()
	var b bytes.Buffer
	if err := WriteAnswerSheet(&b, l, doc, "uk"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	dvs, err := f.GetDataValidations(answerSheet)
	if err != nil || len(dvs) != 2 {
		t.Fatalf("data validations = %d, %v; want the answer and the kind of care", len(dvs), err)
	}
	if v, _ := f.GetCellValue(answerSheet, "C3"); v != "=Марія" {
		t.Fatalf("a name starting with = reads back as %q", v)
	}
	if ft, _ := f.GetCellFormula(answerSheet, "C3"); ft != "" {
		t.Fatalf("a name became the formula %q", ft)
	}
	f.Close()

	data := filled(t, map[[2]string]string{
		{"2", "code"}: choice("return_agreed", answerLabels[homeward.AnswerReturnAgreed]), {"2", "answered_on"}: "05.03.2026", {"2", "their_ref"}: "CP-1",
		{"3", "code"}: "Нужны дополнительные данные", {"3", "answered_on"}: "2026-03-05", {"3", "details"}: "birth certificate, photo",
		{"4", "code"}: "in_care", {"4", "answered_on"}: "5.3.2026", {"4", "location_kind"}: "Заклад", {"4", "place"}: "Synthetic home No 2",
	})
	rows, problems, err := ReadAnswerSheet("answers.xlsx", bytes.NewReader(data))
	if err != nil || len(problems) != 0 {
		t.Fatalf("read: %v, problems %+v", err, problems)
	}
	if len(rows) != 3 {
		t.Fatalf("read %d answers, want 3", len(rows))
	}
	if a := rows[0].Answer; a.Code != homeward.AnswerReturnAgreed || a.TheirRef != "CP-1" || a.On.String() != "2026-03-05" || a.EntryRef != doc.Entries[0].Ref || rows[0].Row != 2 {
		t.Fatalf("row 2 = %+v", rows[0])
	}
	if a := rows[1].Answer; a.Code != homeward.AnswerMoreIdentifiers || len(a.Details.Identifiers) != 2 {
		t.Fatalf("row 3 = %+v", a)
	}
	if a := rows[2].Answer; a.Details.LocationKind != homeward.LocationInstitution || a.Details.Place != "Synthetic home No 2" {
		t.Fatalf("row 4 = %+v", a)
	}
}

func TestAnswerSheetNamesTheCellsItCannotRead(t *testing.T) {
	data := filled(t, map[[2]string]string{
		{"2", "code"}: "perhaps", {"2", "answered_on"}: "05.03.2026",
		{"3", "code"}: "no_record", {"3", "answered_on"}: "yesterday",
		{"4", "code"}: "in_care", {"4", "answered_on"}: "05.03.2026", {"4", "location_kind"}: "a tent",
	})
	rows, problems, err := ReadAnswerSheet("answers.xlsx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{2: "code", 3: "answered_on", 4: "location_kind"}
	if len(rows) != 0 || len(problems) != 3 {
		t.Fatalf("rows %d, problems %+v", len(rows), problems)
	}
	for _, p := range problems {
		if want[p.Row] != p.Field || !strings.Contains(p.Column, "/") {
			t.Fatalf("problem %+v, want field %s with its column", p, want[p.Row])
		}
	}
	if _, _, err := ReadAnswerSheet("x.csv", strings.NewReader("name,age\nx,1\n")); homeward.ErrorCode(err) != homeward.EINVALID {
		t.Fatalf("a file that is no answer sheet: %v", err)
	}
}

func FuzzReadAnswerSheet(f *testing.F) {
	f.Add([]byte("Entry reference,Answer,Answer date,Details\nL1-0001,no_record,05.03.2026,\nL1-0002,deferred,x,\n"))
	f.Add([]byte("Посилання на запис;Відповідь;До (дата) / дата співбесіди\nL1;Відкладено;01.01.2027\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, problems, err := ReadAnswerSheet("f.csv", bytes.NewReader(b))
		if err != nil {
			if homeward.ErrorCode(err) == homeward.EINTERNAL {
				t.Fatalf("internal error on input: %v", err)
			}
			return
		}
		for _, r := range rows {
			if !r.Answer.Code.Valid() || r.Row < 2 {
				t.Fatalf("row %+v", r)
			}
		}
		for _, p := range problems {
			if len(p.Message) > 400 {
				t.Fatalf("problem message of %d bytes", len(p.Message))
			}
		}
	})
}
