package pdf

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
)

// Every person here is invented.
func caseSummary(lang string) Document {
	return Document{
		Title:    "Олександр Коваленко",
		Subtitle: "Справа HW-0001",
		Lang:     lang,
		Footer:   "HW-0001 · Мар'яна Ґанна Їжак",
		Blocks: []Block{
			Heading{Text: "Дитина"},
			Fields{Rows: []Field{
				{Label: "Прізвище", Value: "Коваленко"},
				{Label: "Ім'я", Value: "Олександр"},
				{Label: "Мати", Value: "Ґанна Їжак"},
				{Label: "Примітки", Value: strings.Repeat("Сестра Мар'яна, 7 років, бачила його востаннє в Херсоні. ", 6)},
			}},
			Heading{Text: "Обставини"},
			Paragraph{Text: "Дитину було переміщено разом із сестрою.\nЇхні документи залишилися вдома."},
			Table{
				Columns: []Column{{Title: "Ім'я", Width: 2}, {Title: "Ким доводиться"}},
				Rows:    [][]string{{"Мар'яна Коваленко", "сестра"}, {"Ґанна Їжак", "мати"}},
			},
		},
	}
}

func TestWriteRendersCyrillicWithEmbeddedFonts(t *testing.T) {
	for _, tc := range []struct {
		name      string
		lang      string
		landscape bool
		footer    string
	}{
		{"uk portrait", "uk", false, "Сторінка 1 з 1"},
		{"en portrait", "en", false, "Page 1 of 1"},
		{"uk landscape", "uk", true, "Сторінка 1 з 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := caseSummary(tc.lang)
			d.Landscape = tc.landscape
			out := render(t, d)
			isPDF(t, out)
			if n := bytes.Count(out, []byte("/FontFile2")); n < 2 {
				t.Errorf("%d embedded TrueType fonts, want the regular and bold faces at least", n)
			}
			pages := pageTexts(t, out)
			if len(pages) != 1 {
				t.Fatalf("%d pages, want 1", len(pages))
			}
			for _, want := range []string{
				"Олександр Коваленко", "Мар'яна", "Ґанна Їжак", "Їхні документи", "Ким доводиться",
				tc.footer, "HW-0001 · Мар'яна Ґанна Їжак",
			} {
				if !strings.Contains(pages[0], want) {
					t.Errorf("extracted text lacks %q:\n%s", want, pages[0])
				}
			}
		})
	}
}

func TestWriteIsDeterministic(t *testing.T) {
	d := caseSummary("uk")
	d.Blocks = append(d.Blocks, Image{Data: testPNG(t, 40, 30), ContentType: "image/png", Caption: "Фото"})
	first := render(t, d)
	for range 5 {
		if !bytes.Equal(first, render(t, d)) {
			t.Fatal("the same document rendered to different bytes")
		}
	}
	d.Created = time.Date(2024, 5, 1, 12, 0, 0, 0, time.FixedZone("EEST", 3*3600))
	out := render(t, d)
	if !bytes.Contains(out, []byte("D:20240501090000")) {
		t.Error("the creation date is not the given date in UTC")
	}
}

func TestWriteRefusesInvalidInput(t *testing.T) {
	long := strings.Repeat("ї", MaxTextLen+1)
	cols := []Column{{Title: "Ім'я"}, {Title: "Дата"}}
	for _, tc := range []struct {
		name string
		d    Document
		want string // in the message
	}{
		{"unknown language", Document{Lang: "ru"}, "uk or en"},
		{"no language", Document{}, "uk or en"},
		{"title too long", Document{Lang: "uk", Title: long}, "title is longer than"},
		{"row with too few cells", Document{Lang: "uk", Blocks: []Block{
			Table{Columns: cols, Rows: [][]string{{"Олександр", "2015"}, {"Мар'яна"}}}}}, "Block 1 (table): row 2 has 1 cells for 2 columns"},
		{"row with too many cells", Document{Lang: "uk", Blocks: []Block{
			Paragraph{}, Table{Columns: cols, Rows: [][]string{{"a", "b", "c"}}}}}, "Block 2 (table): row 1 has 3 cells"},
		{"table without columns", Document{Lang: "uk", Blocks: []Block{Table{}}}, "at least one column"},
		{"too many columns", Document{Lang: "uk", Blocks: []Block{Table{Columns: make([]Column, MaxColumns+1)}}}, "columns is more than"},
		{"negative width", Document{Lang: "uk", Blocks: []Block{Table{Columns: []Column{{Width: -1}}}}}, "column 1 has a width"},
		{"NaN width", Document{Lang: "uk", Blocks: []Block{Table{Columns: []Column{{Width: math.NaN()}}}}}, "column 1 has a width"},
		{"cell too long", Document{Lang: "uk", Blocks: []Block{
			Table{Columns: cols, Rows: [][]string{{"a", long}}}}}, "row 1, column 2 is longer than"},
		{"too many rows", Document{Lang: "uk", Blocks: []Block{
			Table{Columns: cols[:1], Rows: sameRows(MaxRows/2+1, "Олександр")},
			Table{Columns: cols[:1], Rows: sameRows(MaxRows/2, "Мар'яна")}}}, "more than 100000 rows"},
		{"field value too long", Document{Lang: "uk", Blocks: []Block{Fields{Rows: []Field{{"Ім'я", long}}}}}, "value of field 1"},
		{"paragraph too long", Document{Lang: "uk", Blocks: []Block{Paragraph{Text: long}}}, "Block 1 (paragraph)"},
		{"pointer block", Document{Lang: "uk", Blocks: []Block{&Heading{Text: "Дитина"}}}, "unsupported block type *pdf.Heading"},
		{"nil block", Document{Lang: "uk", Blocks: []Block{nil}}, "unsupported block type"},
		{"infinite image size", Document{Lang: "uk", Blocks: []Block{Image{MaxWidthMM: math.Inf(1)}}}, "maximum size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, tc.d)
			if err == nil {
				t.Fatal("no error")
			}
			if code := homeward.ErrorCode(err); code != homeward.EINVALID {
				t.Errorf("code %q, want %q: %v", code, homeward.EINVALID, err)
			}
			if msg := homeward.ErrorMessage(err); !strings.Contains(msg, tc.want) {
				t.Errorf("message %q lacks %q", msg, tc.want)
			}
			if buf.Len() > 0 {
				t.Errorf("wrote %d bytes for an invalid document", buf.Len())
			}
		})
	}
}

func TestWriteErrorsNeverQuoteDocumentText(t *testing.T) {
	secret := "Олександр Коваленко"
	d := Document{Lang: "uk", Title: secret, Blocks: []Block{
		Table{Columns: []Column{{Title: secret}}, Rows: [][]string{{secret, secret}}},
	}}
	err := Write(new(bytes.Buffer), d)
	if err == nil {
		t.Fatal("no error for a row of the wrong length")
	}
	if strings.Contains(err.Error(), "Олександр") {
		t.Errorf("error quotes document text: %v", err)
	}
}

func TestWriteRefusesDocumentsPastMaxPages(t *testing.T) {
	var blocks []Block
	for range MaxPages + 1 {
		blocks = append(blocks, PageBreak{}, Paragraph{Text: "ї"})
	}
	err := Write(new(bytes.Buffer), Document{Lang: "uk", Blocks: blocks})
	if code := homeward.ErrorCode(err); code != homeward.EINVALID {
		t.Fatalf("error %v (code %q), want %q", err, code, homeward.EINVALID)
	}
	if !strings.Contains(homeward.ErrorMessage(err), fmt.Sprint(MaxPages)) {
		t.Errorf("message %q does not state the limit", homeward.ErrorMessage(err))
	}
}

func TestWriteReportsTheWritersError(t *testing.T) {
	want := errors.New("disk full")
	err := Write(failingWriter{want}, caseSummary("en"))
	if !errors.Is(err, want) {
		t.Errorf("error %v, want %v", err, want)
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

func TestPageBreakStartsANewPageUnlessEmpty(t *testing.T) {
	d := Document{Lang: "en", Blocks: []Block{
		PageBreak{}, Paragraph{Text: "first"}, PageBreak{}, PageBreak{}, Paragraph{Text: "second"},
	}}
	pages := pageTexts(t, render(t, d))
	if len(pages) != 2 {
		t.Fatalf("%d pages, want 2", len(pages))
	}
	if !strings.Contains(pages[0], "first") || !strings.Contains(pages[1], "second") || !strings.Contains(pages[1], "Page 2 of 2") {
		t.Errorf("pages:\n%q", pages)
	}
}

// sameRows returns n one-cell rows sharing one backing row.
func sameRows(n int, cell string) [][]string {
	row := []string{cell}
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = row
	}
	return rows
}

func TestWriteIsSafeForConcurrentUse(t *testing.T) {
	want := render(t, caseSummary("uk"))
	errs := make(chan error, 4)
	for range cap(errs) {
		go func() {
			var buf bytes.Buffer
			err := Write(&buf, caseSummary("uk"))
			if err == nil && !bytes.Equal(buf.Bytes(), want) {
				err = errors.New("concurrent render differs")
			}
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
