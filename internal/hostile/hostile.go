// Package hostile writes the spreadsheets an attacker sends: small files
// that expand to huge cells. Tests of the readers and of the import
// handlers use them to show that such a file is refused or bounded, not
// read into memory whole.
//
// It is for tests only and must never be imported by code that ships.
package hostile

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"strings"
)

const (
	rels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	workbook = `<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`
	workbookRels = `<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>`
	contentTypes = `<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`
)

// repeat writes n bytes of c in chunks, so that building a 200 MB cell
// costs a chunk of memory, not 200 MB.
func repeat(w io.Writer, c byte, n int) error {
	chunk := bytes.Repeat([]byte{c}, 1<<16)
	for n > 0 {
		k := min(n, len(chunk))
		if _, err := w.Write(chunk[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

func writePart(zw *zip.Writer, name, body string) error {
	w, err := zw.Create(name)
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, body)
	return err
}

// workbookWith writes a workbook whose sharedStrings.xml and sheet1.xml
// are written by the functions given.
func workbookWith(sst, sheet func(io.Writer) error) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range [][2]string{{"[Content_Types].xml", contentTypes}, {"_rels/.rels", rels}, {"xl/workbook.xml", workbook}, {"xl/_rels/workbook.xml.rels", workbookRels}} {
		if err := writePart(zw, p[0], p[1]); err != nil {
			return nil, err
		}
	}
	for _, p := range []struct {
		name  string
		write func(io.Writer) error
	}{{"xl/sharedStrings.xml", sst}, {"xl/worksheets/sheet1.xml", sheet}} {
		w, err := zw.Create(p.name)
		if err != nil {
			return nil, err
		}
		if err := p.write(w); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// SharedStringBomb returns a workbook of a header row "Given name, Family
// name" and rows data rows whose given name is one shared string of size
// bytes ("a" repeated): the file is about size/1000 bytes, the cell size
// bytes, quoted rows times by a naive report.
func SharedStringBomb(size, rows int) ([]byte, error) {
	return sharedStringBomb(size, rows, "")
}

// SharedStringBombForExcelize is SharedStringBomb with a cell of a type
// the fast reader does not know, so that the reader falls back to
// excelize, which holds every string whole.
func SharedStringBombForExcelize(size, rows int) ([]byte, error) {
	return sharedStringBomb(size, rows, `<c r="C1" t="x-unknown"><v>1</v></c>`)
}

func sharedStringBomb(size, rows int, extra string) ([]byte, error) {
	return workbookWith(func(w io.Writer) error {
		if _, err := io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Given name</t></si><si><t>Family name</t></si><si><t>`); err != nil {
			return err
		}
		if err := repeat(w, 'a', size); err != nil {
			return err
		}
		_, err := io.WriteString(w, `</t></si><si><t>Шевченко</t></si></sst>`)
		return err
	}, func(w io.Writer) error {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		b.WriteString(`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>` + extra + `</row>`)
		for i := 2; i < rows+2; i++ {
			fmt.Fprintf(&b, `<row r="%d"><c r="A%d" t="s"><v>2</v></c><c r="B%d" t="s"><v>3</v></c></row>`, i, i, i)
		}
		b.WriteString(`</sheetData></worksheet>`)
		_, err := io.WriteString(w, b.String())
		return err
	})
}

// InlineStringBomb returns a workbook like SharedStringBomb's whose rows
// each carry their own inline string of size bytes.
func InlineStringBomb(size, rows int) ([]byte, error) {
	return workbookWith(func(w io.Writer) error {
		_, err := io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>Given name</t></si><si><t>Family name</t></si></sst>`)
		return err
	}, func(w io.Writer) error {
		if _, err := io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>`); err != nil {
			return err
		}
		for i := 2; i < rows+2; i++ {
			if _, err := fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>`, i, i); err != nil {
				return err
			}
			if err := repeat(w, 'b', size); err != nil {
				return err
			}
			if _, err := fmt.Fprintf(w, `</t></is></c><c r="B%d" t="inlineStr"><is><t>Шевченко</t></is></c></row>`, i); err != nil {
				return err
			}
		}
		_, err := io.WriteString(w, `</sheetData></worksheet>`)
		return err
	})
}

// LongCSV returns a CSV file of a header row and rows rows whose given name
// is size bytes of "<", which HTML and JSON both escape to several bytes.
func LongCSV(size, rows int) []byte {
	var b bytes.Buffer
	b.WriteString("Given name,Family name\n")
	for range rows {
		repeat(&b, '<', size)
		b.WriteString(",Шевченко\n")
	}
	return b.Bytes()
}
