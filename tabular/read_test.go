package tabular

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/xuri/excelize/v2"
)

// xlsxBytes builds a workbook whose first sheet has the given cells, keyed
// by cell name ("A1"), plus a second sheet that must never be read.
func xlsxBytes(t testing.TB, cells map[string]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	first := f.GetSheetName(0)
	for cell, v := range cells {
		if err := f.SetCellValue(first, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.NewSheet("Other"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("Other", "A1", "not this sheet"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func utf16LE(s string) []byte {
	b := []byte{0xFF, 0xFE}
	for _, r := range s { // test data is within the BMP
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

func TestReadCSVInTheEncodingsAndDelimitersSpreadsheetsWrite(t *testing.T) {
	want := &Sheet{Headers: []string{"Прізвище", "Ім'я"}, Rows: [][]string{{"Тестенко", "Олена"}, {"Зразкова", "Ірина"}}}
	cp1251 := []byte{0xCF, 0xF0, 0xB3, 0xE7, 0xE2, 0xE8, 0xF9, 0xE5, ';', 0xB2, 0xEC, '\'', 0xFF, '\r', '\n',
		0xD2, 0xE5, 0xF1, 0xF2, 0xE5, 0xED, 0xEA, 0xEE, ';', 0xCE, 0xEB, 0xE5, 0xED, 0xE0, '\r', '\n',
		0xC7, 0xF0, 0xE0, 0xE7, 0xEA, 0xEE, 0xE2, 0xE0, ';', 0xB2, 0xF0, 0xE8, 0xED, 0xE0, '\r', '\n'}
	tests := []struct {
		name string
		data []byte
	}{
		{"comma", []byte("Прізвище,Ім'я\nТестенко,Олена\nЗразкова,Ірина\n")},
		{"semicolon with CRLF", []byte("Прізвище;Ім'я\r\nТестенко;Олена\r\nЗразкова;Ірина\r\n")},
		{"tab", []byte("Прізвище\tІм'я\nТестенко\tОлена\nЗразкова\tІрина")},
		{"byte-order mark", []byte("\uFEFFПрізвище,Ім'я\nТестенко,Олена\nЗразкова,Ірина\n")},
		{"quoted with spaces", []byte("\"Прізвище \",\" Ім'я\"\n  Тестенко , Олена\n\"Зразкова\",\"Ірина\u00a0\"\n")},
		{"semicolon with commas in cells", []byte("Прізвище;Ім'я\nТестенко;Олена\nЗразкова;Ірина\n")},
		{"UTF-16 tab text", utf16LE("Прізвище\tІм'я\r\nТестенко\tОлена\r\nЗразкова\tІрина\r\n")},
		{"Windows-1251", cp1251},
		{"trailing empty columns", []byte("Прізвище,Ім'я,,\nТестенко,Олена,,\nЗразкова,Ірина,,\n,,,\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Read("people.csv", bytes.NewReader(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if !sheetsEqual(got, want) {
				t.Errorf("Read = %q %q, want %q %q", got.Headers, got.Rows, want.Headers, want.Rows)
			}
		})
	}
}

func TestReadDetectsASemicolonAmongCommasInCells(t *testing.T) {
	got, err := Read("x.csv", strings.NewReader("\"Прізвище, ім'я\";Notes\n\"Тестенко, Олена\";a,b,c\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Headers, []string{"Прізвище, ім'я", "Notes"}) || !slices.Equal(got.Rows[0], []string{"Тестенко, Олена", "a,b,c"}) {
		t.Errorf("Read = %q %q", got.Headers, got.Rows)
	}
}

func sheetsEqual(a, b *Sheet) bool {
	return slices.Equal(a.Headers, b.Headers) && slices.EqualFunc(a.Rows, b.Rows, func(x, y []string) bool {
		return (x == nil) == (y == nil) && slices.Equal(x, y)
	})
}

func TestReadKeepsSpreadsheetRowNumbersAcrossEmptyRows(t *testing.T) {
	csvData := "Прізвище,Примітки\nТестенко,\"two\nlines\"\n\n,\nЗразкова,x\n\n\n"
	xlsxData := xlsxBytes(t, map[string]any{
		"A1": "Прізвище", "B1": "Примітки",
		"A2": "Тестенко", "B2": "two\nlines",
		"A5": "Зразкова", "B5": "x",
		"A9": " ", // a blank cell below the data is no row
	})
	for _, tt := range []struct {
		name string
		file string
		data []byte
	}{{"csv", "a.csv", []byte(csvData)}, {"xlsx", "a.xlsx", xlsxData}} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Read(tt.file, bytes.NewReader(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			want := [][]string{{"Тестенко", "two\nlines"}, nil, nil, {"Зразкова", "x"}}
			if !sheetsEqual(s, &Sheet{Headers: []string{"Прізвище", "Примітки"}, Rows: want}) {
				t.Fatalf("Rows = %q, want %q", s.Rows, want)
			}
			if got := RowNumber(3); got != 5 {
				t.Errorf("RowNumber(3) = %d, want 5", got)
			}
		})
	}
}

func TestReadTrustsTheContentOverTheFileName(t *testing.T) {
	xlsxData := xlsxBytes(t, map[string]any{"A1": "Прізвище", "A2": "Тестенко"})
	csvData := []byte("Прізвище\nТестенко\n")
	for _, tt := range []struct {
		name string
		file string
		data []byte
	}{
		{"xlsx named csv", "list.csv", xlsxData},
		{"xlsx without extension", "list", xlsxData},
		{"csv named xlsx", "list.xlsx", csvData},
		{"csv named txt", "list.txt", csvData},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Read(tt.file, bytes.NewReader(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if !sheetsEqual(s, &Sheet{Headers: []string{"Прізвище"}, Rows: [][]string{{"Тестенко"}}}) {
				t.Errorf("Read = %q %q", s.Headers, s.Rows)
			}
		})
	}
}

func TestReadRefusesFilesItCannotRead(t *testing.T) {
	tests := []struct {
		name string
		file string
		data []byte
	}{
		{"empty", "a.csv", nil},
		{"only blank lines", "a.csv", []byte("\n\n ,  \n")},
		{"no header row", "a.csv", []byte("\nТестенко\n")},
		{"old xls", "a.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0}},
		{"truncated zip", "a.xlsx", []byte("PK\x03\x04garbage")},
		{"binary named xlsx", "a.xlsx", []byte{1, 2, 0, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Read(tt.file, bytes.NewReader(tt.data))
			if err == nil {
				t.Fatalf("Read = %q %q, want an error", s.Headers, s.Rows)
			}
			if homeward.ErrorCode(err) != homeward.EINVALID {
				t.Errorf("code %s, want %s (%v)", homeward.ErrorCode(err), homeward.EINVALID, err)
			}
		})
	}
}

func TestReadXLSXGivesDateCellsAsSerialNumbersThatParseDateReads(t *testing.T) {
	data := xlsxBytes(t, map[string]any{
		"A1": "Прізвище", "B1": "Дата народження",
		"A2": "Тестенко", "B2": time.Date(2015, 3, 5, 0, 0, 0, 0, time.UTC),
		"A3": "Зразкова", "B3": "05.03.2015",
		"A4": "Вигадана", "B4": 2016,
	})
	s, err := Read("a.xlsx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	want := homeward.BirthDate{Year: 2015, Month: 3, Day: 5, Precision: homeward.PrecisionDay}
	for i, wantDate := range []homeward.BirthDate{want, want, {Year: 2016, Precision: homeward.PrecisionYear}} {
		got, err := ParseDate(s.Rows[i][1])
		if err != nil || got != wantDate {
			t.Errorf("row %d: cell %q parses as %+v, %v; want %+v", i+2, s.Rows[i][1], got, err, wantDate)
		}
	}
}

func FuzzRead(f *testing.F) {
	f.Add("a.csv", []byte("Прізвище;Ім'я\nТестенко;Олена\n"))
	f.Add("a.csv", []byte("\uFEFFa,b\n\"x\ny\",z\n\n,\n"))
	f.Add("a.csv", utf16LE("a\tb\r\n1\t2"))
	f.Add("a.csv", []byte{0xCF, 0xF0, ';', 0xB2, '\n'})
	f.Add("a.xlsx", xlsxBytes(f, map[string]any{"A1": "Прізвище", "B1": "Дата", "A2": "Тестенко", "B2": 44197, "C5": "x"}))
	f.Add("a.xlsx", []byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		s, err := Read(name, bytes.NewReader(data))
		if err != nil {
			if s != nil {
				t.Fatal("Read returned a sheet with an error")
			}
			return
		}
		if len(s.Headers) == 0 {
			t.Fatal("Read accepted a sheet without headers")
		}
		for i, r := range s.Rows {
			if r != nil && len(r) != len(s.Headers) {
				t.Fatalf("row %d has %d cells for %d headers", RowNumber(i), len(r), len(s.Headers))
			}
		}
		if len(s.Rows) > 0 && s.Rows[len(s.Rows)-1] == nil {
			t.Fatal("trailing empty row kept")
		}
		// Whatever Read accepts, conversion must digest without panicking.
		m, _ := AutoMap(homeward.EntityLocated, s.Headers)
		ConvertLocated(s, m)
	})
}
