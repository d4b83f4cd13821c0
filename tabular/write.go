package tabular

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/homeward-project/homeward"
	"github.com/xuri/excelize/v2"
)

// WriteOption adjusts an export.
type WriteOption func(*writeConfig)

type writeConfig struct {
	lang string
}

// WithLabels chooses the language of the header row: "en" (the default) or
// "uk". Either is mapped back by AutoMap when the file is imported again.
func WithLabels(lang string) WriteOption {
	return func(c *writeConfig) { c.lang = lang }
}

// table is an export being written, format-independent.
type table interface {
	row(vals []string) error
	close() error
}

func newTable(w io.Writer, format string) (table, error) {
	switch format {
	case FormatCSV:
		bw := bufio.NewWriter(w)
		// The byte-order mark makes Excel read the file as UTF-8; without
		// it Cyrillic names arrive garbled.
		if _, err := bw.WriteString("\uFEFF"); err != nil {
			return nil, err
		}
		return &csvTable{bw: bw, cw: csv.NewWriter(bw)}, nil
	case FormatXLSX:
		f := excelize.NewFile()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("xlsx stream: %w", err)
		}
		return &xlsxTable{f: f, sw: sw, w: w}, nil
	}
	return nil, homeward.Errorf(homeward.EINVALID, "Unknown format %q: use csv or xlsx.", format)
}

type csvTable struct {
	bw  *bufio.Writer
	cw  *csv.Writer
	buf []string
}

func (t *csvTable) row(vals []string) error {
	t.buf = t.buf[:0]
	for _, v := range vals {
		t.buf = append(t.buf, escapeFormula(v))
	}
	return t.cw.Write(t.buf)
}

func (t *csvTable) close() error {
	t.cw.Flush()
	if err := t.cw.Error(); err != nil {
		return err
	}
	return t.bw.Flush()
}

// escapeFormula puts a quote before a value that a spreadsheet program would
// run as a formula (CSV injection, OWASP); Read removes it again.
// A value that already starts with quotes before such a character gets one
// more, so that the quotes the user wrote survive the round trip.
func escapeFormula(v string) string {
	if startsFormula(strings.TrimLeft(v, "'")) {
		return "'" + v
	}
	return v
}

// startsFormula reports whether a spreadsheet program could read v as a
// formula: it starts with = + - @, or with a tab or carriage return, which
// OWASP's "CSV Injection" lists too because a program may skip them and
// read what follows as a formula.
func startsFormula(v string) bool {
	return v != "" && strings.IndexByte("=+-@\t\r", v[0]) >= 0
}

type xlsxTable struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	w   io.Writer
	n   int
	buf []any
}

func (t *xlsxTable) row(vals []string) error {
	t.n++
	cell, err := excelize.CoordinatesToCellName(1, t.n)
	if err != nil {
		return err
	}
	t.buf = t.buf[:0]
	// Values go in as strings, never as formulas or numbers: a reference
	// such as "00123" keeps its zeros and "=…" stays text.
	for _, v := range vals {
		if v == "" {
			t.buf = append(t.buf, nil) // no cell at all: smaller files, faster reads
			continue
		}
		t.buf = append(t.buf, v)
	}
	return t.sw.SetRow(cell, t.buf)
}

func (t *xlsxTable) close() error {
	defer t.f.Close()
	if err := t.sw.Flush(); err != nil {
		return fmt.Errorf("xlsx flush: %w", err)
	}
	if _, err := t.f.WriteTo(t.w); err != nil {
		return fmt.Errorf("xlsx write: %w", err)
	}
	return nil
}

func labels(fs []Field, lang string) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.LabelEN
		if lang == "uk" {
			out[i] = f.LabelUK
		}
	}
	return out
}

func writeAll(w io.Writer, format string, kind string, n int, cell func(i int, field string) string, opts []WriteOption) error {
	var cfg writeConfig
	for _, o := range opts {
		o(&cfg)
	}
	t, err := newTable(w, format)
	if err != nil {
		return err
	}
	fs := Fields(kind)
	if err := t.row(labels(fs, cfg.lang)); err != nil {
		t.close()
		return err
	}
	vals := make([]string, len(fs))
	for i := 0; i < n; i++ {
		for j, f := range fs {
			vals[j] = cell(i, f.Name)
		}
		if err := t.row(vals); err != nil {
			t.close()
			return err
		}
	}
	return t.close()
}

// WriteCases writes cases as a CSV (UTF-8 with a byte-order mark) or XLSX
// table: a header row of the fields' labels, then one row per case, with
// dates as DD.MM.YYYY and codes (sex, circumstance, stage) as stored, so
// that the file can be imported again.
func WriteCases(w io.Writer, format string, cs []*homeward.Case, opts ...WriteOption) error {
	return writeAll(w, format, homeward.EntityCase, len(cs), func(i int, field string) string {
		return caseCell(cs[i], field)
	}, opts)
}

// WriteLocated writes located records as WriteCases writes cases.
func WriteLocated(w io.Writer, format string, rs []*homeward.LocatedRecord, opts ...WriteOption) error {
	return writeAll(w, format, homeward.EntityLocated, len(rs), func(i int, field string) string {
		return locatedCell(rs[i], field)
	}, opts)
}

func caseCell(c *homeward.Case, field string) string {
	switch field {
	case FieldReference:
		return c.Reference
	case FieldGivenName:
		return c.GivenName
	case FieldFamilyName:
		return c.FamilyName
	case FieldPatronymic:
		return c.Patronymic
	case FieldOtherNames:
		names := make([]string, len(c.OtherNames))
		for i, n := range c.OtherNames {
			names[i] = n.Name
		}
		return strings.Join(names, "; ")
	case FieldSex:
		return string(c.Sex)
	case FieldBirthDate:
		return c.BirthDate.Display()
	case FieldBirthPlace:
		return c.BirthPlace
	case FieldLastSeenPlace:
		return c.LastSeenPlace
	case FieldLastSeenDate:
		return c.LastSeenDate.Display()
	case FieldCircumstance:
		return string(c.Circumstance)
	case FieldDistinguishingMarks:
		return c.DistinguishingMarks
	case FieldNotes:
		return c.Notes
	case FieldStage:
		return string(c.Stage)
	}
	return ""
}

func locatedCell(r *homeward.LocatedRecord, field string) string {
	switch field {
	case FieldGivenName:
		return r.GivenName
	case FieldFamilyName:
		return r.FamilyName
	case FieldPatronymic:
		return r.Patronymic
	case FieldSex:
		return string(r.Sex)
	case FieldBirthDate:
		return r.BirthDate.Display()
	case FieldBirthPlace:
		return r.BirthPlace
	case FieldLocationKind:
		return string(r.LocationKind)
	case FieldInstitution:
		return r.Institution
	case FieldRegion:
		return r.Region
	case FieldObservedAt:
		return r.ObservedAt.Display()
	case FieldSource:
		return string(r.Source)
	case FieldSourceRef:
		return r.SourceRef
	case FieldReliability:
		return string(r.Reliability)
	case FieldNotes:
		return r.Notes
	}
	return ""
}

// WriteSheet writes s as Read read it: the header row, then every row that
// is not empty. Read reads the file back to the same cells.
func WriteSheet(w io.Writer, format string, s *Sheet) error {
	t, err := newTable(w, format)
	if err != nil {
		return err
	}
	if err := t.row(s.Headers); err != nil {
		t.close()
		return err
	}
	for _, r := range s.Rows {
		if r == nil {
			continue
		}
		if err := t.row(r); err != nil {
			t.close()
			return err
		}
	}
	return t.close()
}

// WriteRejected writes the rows of s that have errors, each with an extra
// last column "error" that says what is wrong, so that the user can correct
// them and import that file. Header-row errors (Row 1) concern no data row
// and are not written.
func WriteRejected(w io.Writer, format string, s *Sheet, errs []RowError) error {
	byRow := map[int][]string{}
	for _, e := range errs {
		if e.Row < 2 {
			continue
		}
		msg := e.Message
		if e.Column != "" {
			msg = e.Column + ": " + msg
		}
		byRow[e.Row] = append(byRow[e.Row], msg)
	}
	t, err := newTable(w, format)
	if err != nil {
		return err
	}
	if err := t.row(append(append([]string(nil), s.Headers...), "error")); err != nil {
		t.close()
		return err
	}
	vals := make([]string, len(s.Headers)+1)
	for i, r := range s.Rows {
		msgs, ok := byRow[RowNumber(i)]
		if !ok || r == nil {
			continue
		}
		n := copy(vals, r)
		clear(vals[n:])
		vals[len(s.Headers)] = strings.Join(msgs, "; ")
		if err := t.row(vals); err != nil {
			t.close()
			return err
		}
	}
	return t.close()
}
