package tabular

import (
	"archive/zip"
	"bytes"
	"errors"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// zipParts builds a workbook package from its parts' text.
func zipParts(t testing.TB, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const (
	testRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	testWorkbook = `<?xml version="1.0" encoding="UTF-8"?>
<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><x:sheets><x:sheet name="Діти" sheetId="2" r:id="rId7"/><x:sheet name="Other" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>`
	testWorkbookRels = `<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>`
	testSST = `<?xml version="1.0" encoding="UTF-8"?>
<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4" uniqueCount="4">
<x:si><x:t>Прізвище</x:t></x:si>
<x:si><x:r><x:rPr><x:b/></x:rPr><x:t xml:space="preserve">Тест</x:t></x:r><x:r><x:t>енко</x:t></x:r><x:rPh sb="0" eb="1"><x:t>ignored</x:t></x:rPh></x:si>
<x:si><x:t>a &amp; b &lt;c&gt; &#1046; &#x416;_x000D__x005F_x</x:t></x:si>
<x:si/>
</x:sst>`
	testSheet = `<?xml version="1.0" encoding="UTF-8"?>
<!-- written by hand to look like files from other programs -->
<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetPr><x:tabColor rgb="FF0000"/></x:sheetPr>
<x:sheetData>
<x:row r="1" spans="1:3"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="inlineStr"><x:is><x:t><![CDATA[Дата <народження>]]></x:t></x:is></x:c><x:c r="C1" t="s"><x:v>2</x:v></x:c></x:row>
<x:row r="2"><x:c r="A2" t="s" s="3"><x:v>1</x:v></x:c><x:c r="B2" s="4"><x:v>44197</x:v></x:c><x:c r="C2" t="str"><x:f>A2&amp;"x"</x:f><x:v>Тестенкоx</x:v></x:c></x:row>
<x:row r="4"><x:c r="C4" t="b"><x:v>1</x:v></x:c></x:row>
<x:row r="5" customHeight="1" ht="20"/>
<x:row><x:c t="s"><x:v>3</x:v></x:c><x:c><x:v>7</x:v></x:c></x:row>
</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="A10:B10"/></x:mergeCells></x:worksheet>`
)

func TestFastXLSXReaderReadsFilesOfOtherPrograms(t *testing.T) {
	data := zipParts(t, map[string]string{
		"_rels/.rels": testRels, "xl/workbook.xml": testWorkbook, "xl/_rels/workbook.xml.rels": testWorkbookRels,
		"xl/sharedStrings.xml": testSST, "xl/worksheets/sheet2.xml": testSheet,
		"xl/worksheets/sheet1.xml": `<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>wrong sheet</t></is></c></row></sheetData></worksheet>`,
	})
	s, err := readXLSXFast(data)
	if err != nil {
		t.Fatal(err)
	}
	want := &Sheet{
		Headers: []string{"Прізвище", "Дата <народження>", "a & b <c> Ж Ж\r_x"},
		Rows:    [][]string{{"Тестенко", "44197", "Тестенкоx"}, nil, {"", "", "1"}, nil, {"", "7"}},
	}
	if !sheetsEqual(s, want) {
		t.Errorf("read\n%q %q\nwant\n%q %q", s.Headers, s.Rows, want.Headers, want.Rows)
	}
}

func TestFastXLSXReaderHandlesWhatExcelizeWrites(t *testing.T) {
	var stream bytes.Buffer
	if err := WriteLocated(&stream, FormatXLSX, sampleLocated()); err != nil {
		t.Fatal(err)
	}
	plain := xlsxBytes(t, map[string]any{"A1": "Прізвище", "B1": "Дата", "A2": "Тестенко", "B2": 44197.5, "C3": true})
	for name, data := range map[string][]byte{"stream writer": stream.Bytes(), "shared strings": plain} {
		t.Run(name, func(t *testing.T) {
			fast, err := readXLSXFast(data)
			if err != nil {
				t.Fatalf("fast reader: %v", err)
			}
			slow, err := readXLSXExcelize(data)
			if err != nil {
				t.Fatal(err)
			}
			if fast, slow = tidied(t, fast), tidied(t, slow); !sheetsEqual(fast, slow) {
				t.Errorf("fast reader read %q %q; excelize %q %q", fast.Headers, fast.Rows, slow.Headers, slow.Rows)
			}
		})
	}
}

func TestFastXLSXReaderLeavesOddFilesToExcelize(t *testing.T) {
	tests := map[string]string{
		"rows out of order":  `<worksheet><sheetData><row r="2"/><row r="1"/></sheetData></worksheet>`,
		"cells out of order": `<worksheet><sheetData><row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>2</v></c></row></sheetData></worksheet>`,
		"a DTD":              `<!DOCTYPE x [<!ENTITY a "b">]><worksheet><sheetData/></worksheet>`,
		"unknown entity":     `<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>&a;</t></is></c></row></sheetData></worksheet>`,
		"truncated":          `<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>x`,
		"bad string index":   `<worksheet><sheetData><row r="1"><c t="s"><v>9</v></c></row></sheetData></worksheet>`,
	}
	for name, sheet := range tests {
		t.Run(name, func(t *testing.T) {
			data := zipParts(t, map[string]string{
				"_rels/.rels": testRels, "xl/workbook.xml": testWorkbook, "xl/_rels/workbook.xml.rels": testWorkbookRels,
				"xl/sharedStrings.xml": testSST, "xl/worksheets/sheet2.xml": sheet,
			})
			_, err := readXLSXFast(data)
			var unsupported errUnsupported
			if !errors.As(err, &unsupported) {
				t.Errorf("fast reader: %v, want it to give up", err)
			}
		})
	}
}

// FuzzXLSXReadersAgree writes workbooks with excelize from fuzzed values and
// checks that the fast reader reads them exactly as excelize does.
func FuzzXLSXReadersAgree(f *testing.F) {
	f.Add("Прізвище", "a & <b>", "_x000D_", 44197.5, 3, true)
	f.Add(" ", "", "=1+1", -1.0, 0, false)
	f.Add("line\nbreak", "\t", "ж", 0.1, 70000, true)
	f.Fuzz(func(t *testing.T, a, b, c string, num float64, row int, rich bool) {
		x := excelize.NewFile()
		defer x.Close()
		sh := x.GetSheetName(0)
		row = 1 + (row&0xffff)%50
		set := func(cell string, v any) {
			if err := x.SetCellValue(sh, cell, v); err != nil {
				t.Skip(err)
			}
		}
		set("A1", a)
		set("B1", b)
		set("C1", "h")
		set("A2", num)
		set("B2", c)
		if err := x.SetCellFormula(sh, "C2", "A2*2"); err != nil {
			t.Fatal(err)
		}
		set("A"+strconv.Itoa(row+1), c)
		set("C"+strconv.Itoa(row+2), rich)
		if rich {
			if err := x.SetCellRichText(sh, "B"+strconv.Itoa(row+3), []excelize.RichTextRun{{Text: a}, {Text: b, Font: &excelize.Font{Bold: true}}}); err != nil {
				t.Skip(err)
			}
		}
		var buf bytes.Buffer
		if err := x.Write(&buf); err != nil {
			t.Skip(err)
		}
		slow, slowErr := readXLSXExcelize(buf.Bytes())
		fast, fastErr := readXLSXFast(buf.Bytes())
		if fastErr != nil {
			t.Fatalf("fast reader failed on an excelize workbook: %v", fastErr)
		}
		if slowErr != nil {
			t.Skip("excelize cannot read its own file")
		}
		if fast, slow = tidied(t, fast), tidied(t, slow); !sheetsEqual(fast, slow) {
			t.Fatalf("fast reader read %q %q; excelize %q %q", fast.Headers, fast.Rows, slow.Headers, slow.Rows)
		}
	})
}

// tidied is what Read makes of a sheet a reader returned.
func tidied(t *testing.T, s *Sheet) *Sheet {
	t.Helper()
	out, err := tidy(s)
	if err != nil {
		t.Skip(err) // both readers' sheets go through the same tidy
	}
	return out
}
