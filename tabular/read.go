package tabular

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/homeward-project/homeward"
	"github.com/xuri/excelize/v2"
)

// MaxFileSize bounds what Read accepts, so that an upload cannot exhaust
// memory; 100,000 rows of XLSX take about 10 MB.
const MaxFileSize = 128 << 20

// Sheet is a spreadsheet as read: the header row and the data rows below it.
// Rows[i] is spreadsheet row i+2 (row 1 is the header). A fully empty row is
// kept as a nil slice so that row numbers stay right; converters skip it.
// Every non-empty row has exactly len(Headers) cells.
type Sheet struct {
	Headers []string
	Rows    [][]string
}

// RowNumber returns the spreadsheet row number of Rows[i].
func RowNumber(i int) int { return i + 2 }

// Format names a file format: "csv" or "xlsx".
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// Read reads a CSV or XLSX file. The format comes from the file name's
// extension but the content decides when they disagree (people rename files).
// CSV may be UTF-8 with or without a byte-order mark, UTF-16 with one, or
// Windows-1251; its delimiter (comma, semicolon or tab) is detected. Of an
// XLSX workbook the first sheet is read. Cells are trimmed; fully empty rows
// and fully empty unnamed columns are dropped without shifting row numbers.
func Read(filename string, r io.Reader) (*Sheet, error) {
	var buf bytes.Buffer
	if l, ok := r.(interface{ Len() int }); ok {
		// A file already in memory is read in one piece, without the
		// doubling copies of a growing buffer.
		buf.Grow(min(l.Len(), MaxFileSize) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(io.LimitReader(r, MaxFileSize+1))
	b := buf.Bytes()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filepath.Base(filename), err)
	}
	if len(b) > MaxFileSize {
		return nil, homeward.Errorf(homeward.EINVALID, "The file is larger than %d MB.", MaxFileSize>>20)
	}
	var s *Sheet
	switch {
	case bytes.HasPrefix(b, zipMagic):
		s, err = readXLSX(b)
	case bytes.HasPrefix(b, oleMagic):
		return nil, homeward.Errorf(homeward.EINVALID, "This is an old Excel (.xls) file or a password-protected workbook; save it as .xlsx or CSV.")
	default:
		ext := strings.ToLower(filepath.Ext(filename))
		if ext == ".xlsx" && len(b) > 0 && !looksLikeText(b) {
			return nil, homeward.Errorf(homeward.EINVALID, "The file is not a valid .xlsx workbook.")
		}
		s, err = readCSV(b)
	}
	if err != nil {
		return nil, err
	}
	return tidy(s)
}

// looksLikeText reports whether b is plausibly a text file, so that a
// corrupt workbook is not reported as a CSV full of garbage.
func looksLikeText(b []byte) bool {
	if len(b) > 4096 {
		b = b[:4096]
	}
	if len(b) >= 2 && (b[0] == 0xFF && b[1] == 0xFE || b[0] == 0xFE && b[1] == 0xFF) {
		return true
	}
	return bytes.IndexByte(b, 0) < 0
}

// readCSV parses delimited text. Rows are numbered as a spreadsheet program
// shows them: one per record, blank lines included.
func readCSV(b []byte) (*Sheet, error) {
	text := decodeText(b)
	cr := csv.NewReader(bytes.NewReader(text))
	cr.Comma = detectDelimiter(text)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	var s Sheet
	row, prevEnd, cells := 0, 0, 0 // prevEnd: the line on which the previous record ended
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, homeward.Errorf(homeward.EINVALID, "The CSV file is malformed at line %d: %v.", pe.Line, pe.Err)
			}
			return nil, fmt.Errorf("read csv: %w", err)
		}
		start, _ := cr.FieldPos(0)
		last, _ := cr.FieldPos(len(rec) - 1)
		// csv.Reader skips blank lines; a spreadsheet program shows them as
		// rows, and reports must name the row the user sees.
		if skipped := start - prevEnd - 1; skipped > 0 {
			row += skipped
		}
		row++
		prevEnd = last + strings.Count(rec[len(rec)-1], "\n")
		if cells += len(rec); cells > maxCells {
			return nil, tooManyCells()
		}
		for i := range rec {
			rec[i] = cleanCell(cutCell(rec[i]), true)
		}
		if row == 1 {
			s.Headers = rec
			continue
		}
		s.Rows = setRow(s.Rows, row, rec)
	}
	return &s, nil
}

// setRow stores rec as spreadsheet row n, leaving nil for the rows between.
func setRow(rows [][]string, n int, rec []string) [][]string {
	for len(rows) < n-2 {
		rows = append(rows, nil)
	}
	return append(rows, rec)
}

// detectDelimiter picks the most frequent of comma, semicolon and tab outside
// quotes on the first non-empty line; Excel writes ";" where the decimal
// separator is a comma, as in Ukrainian and Russian locales.
func detectDelimiter(text []byte) rune {
	counts := map[rune]int{}
	inQuotes, seen := false, false
	for _, b := range text {
		c := rune(b) // the characters looked for are ASCII, never part of another in UTF-8
		if c == '"' {
			inQuotes = !inQuotes
			continue
		}
		if inQuotes {
			continue
		}
		if c == '\n' || c == '\r' {
			if seen {
				break
			}
			continue
		}
		seen = true
		if c == ',' || c == ';' || c == '\t' {
			counts[c]++
		}
	}
	best := ','
	for _, c := range []rune{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

// cutCell cuts a cell longer than any a spreadsheet program writes, as the
// XLSX scanner does, and copies what it keeps so that the long original can
// be freed: a CSV of a few 100 MB cells costs no more than cells of a
// normal size. The converter reports the cut cell as too long.
func cutCell(v string) string {
	if len(v) <= maxCellBytes {
		return v
	}
	return string(appendCut(nil, []byte(v[:maxCellBytes+utf8.UTFMax])))
}

// cleanCell trims a cell. In CSV it also undoes the quote that exports put
// before values starting with a formula character (see escapeFormula).
func cleanCell(v string, csvCell bool) string {
	v = strings.TrimFunc(v, func(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' || r == '\u200B' })
	if csvCell && strings.HasPrefix(v, "'") && startsFormula(strings.TrimLeft(v, "'")) {
		v = v[1:]
	}
	return v
}

// readXLSX reads the first sheet of a workbook: with the fast scanner of
// xlsx.go, or with excelize when the scanner meets something it does not
// handle. Cells are read raw so that dates arrive as serial numbers
// (ParseDate reads them) rather than in whatever display format the file
// carries.
func readXLSX(b []byte) (*Sheet, error) {
	s, err := readXLSXFast(b)
	var unsupported errUnsupported
	switch {
	case err == nil:
		return s, nil
	case errors.Is(err, errTooManyCells):
		return nil, tooManyCells()
	case errors.Is(err, errTooMuchText):
		return nil, tooMuchText()
	case errors.As(err, &unsupported):
		// excelize holds every string whole; a text longer than any cell
		// would cost its full size there, so such a file goes no further.
		if hugeText(b) {
			return nil, homeward.Errorf(homeward.EINVALID, "The workbook holds a text longer than a spreadsheet cell can be; it cannot be read.")
		}
		return readXLSXExcelize(b)
	}
	return nil, err
}

func tooMuchText() error {
	return homeward.Errorf(homeward.EINVALID, "The sheet holds more text than one import may; split it into smaller files.")
}

// hugeText reports whether some part of the workbook has a text longer than
// a cell may be, reading every XML part with the scanner, which keeps no
// more than a cell's worth of any text.
func hugeText(b []byte) bool {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return false
	}
	for _, f := range zr.File {
		if !strings.HasSuffix(strings.ToLower(f.Name), ".xml") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			continue
		}
		sc := newScanner(rc)
		for {
			if _, err := sc.next(); err != nil {
				break
			}
		}
		rc.Close()
		if sc.cut {
			return true
		}
	}
	return false
}

func tooManyCells() error {
	return homeward.Errorf(homeward.EINVALID, "The sheet has more than %d cells; split it into smaller files.", maxCells)
}

// readXLSXExcelize reads with excelize's streaming row iterator.
func readXLSXExcelize(b []byte) (s *Sheet, err error) {
	// excelize parses hostile input; a panic there must become a refusal of
	// the file, not a crash of the server.
	defer func() {
		if p := recover(); p != nil {
			s, err = nil, homeward.Errorf(homeward.EINVALID, "The file is not a valid .xlsx workbook.")
		}
	}()
	bad := homeward.Errorf(homeward.EINVALID, "The file is not a valid .xlsx workbook.")
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{UnzipSizeLimit: maxXMLBytes})
	if err != nil {
		return nil, bad
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, bad
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, bad
	}
	defer rows.Close()
	s = &Sheet{}
	raw := excelize.Options{RawCellValue: true}
	// Rows.Next advances one spreadsheet row at a time, absent rows included,
	// so n is the row number. Empty rows are not stored here (setRow fills
	// the gap when a later row has values), so that trailing formatted
	// blanks, often thousands, cost nothing.
	n, cells := 0, 0
	for rows.Next() {
		n++
		rec, err := rows.Columns(raw)
		if err != nil {
			return nil, bad
		}
		empty := true
		for i := range rec {
			rec[i] = cleanCell(cutCell(rec[i]), false)
			if rec[i] != "" {
				empty = false
			}
		}
		if n == 1 {
			s.Headers = rec
			continue
		}
		if empty {
			continue
		}
		if cells += len(rec); cells > maxCells {
			return nil, tooManyCells()
		}
		s.Rows = setRow(s.Rows, n, rec)
	}
	if rows.Error() != nil {
		return nil, bad
	}
	return s, nil
}

// tidy gives every row the same width, drops trailing empty rows and
// columns that have neither a header nor a value, and turns fully empty rows
// into nil. It refuses a file without a header row.
func tidy(s *Sheet) (*Sheet, error) {
	width := len(s.Headers)
	for _, r := range s.Rows {
		width = max(width, len(r))
	}
	if width*len(s.Rows) > maxCells {
		return nil, tooManyCells()
	}
	used := make([]bool, width)
	for i, h := range s.Headers {
		used[i] = h != ""
	}
	for i, r := range s.Rows {
		empty := true
		for j, v := range r {
			if v != "" {
				used[j], empty = true, false
			}
		}
		if empty {
			s.Rows[i] = nil
		}
	}
	for len(s.Rows) > 0 && s.Rows[len(s.Rows)-1] == nil {
		s.Rows = s.Rows[:len(s.Rows)-1]
	}
	keep := make([]int, 0, width)
	for j, u := range used {
		if u {
			keep = append(keep, j)
		}
	}
	if len(keep) == 0 {
		return nil, homeward.Errorf(homeward.EINVALID, "The file is empty: row 1 must hold the column headers.")
	}
	headerEmpty := true
	for _, h := range s.Headers {
		if h != "" {
			headerEmpty = false
		}
	}
	if headerEmpty {
		return nil, homeward.Errorf(homeward.EINVALID, "Row 1 is empty: it must hold the column headers.")
	}
	pick := func(r []string) []string {
		out := make([]string, len(keep))
		for k, j := range keep {
			if j < len(r) {
				out[k] = r[j]
			}
		}
		return out
	}
	s.Headers = pick(s.Headers)
	for i, r := range s.Rows {
		if r != nil {
			s.Rows[i] = pick(r)
		}
	}
	return s, nil
}

// ColumnName is how reports name column j: its header, or its letter when
// the header is empty.
func (s *Sheet) ColumnName(j int) string {
	if j < len(s.Headers) && s.Headers[j] != "" {
		return s.Headers[j]
	}
	name, err := excelize.ColumnNumberToName(j + 1)
	if err != nil {
		return fmt.Sprintf("column %d", j+1)
	}
	return "column " + name
}
