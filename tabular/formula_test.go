package tabular

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
)

// formulaValues are cells a spreadsheet program would run as a formula
// (OWASP, CSV injection), and what the exported file must hold for each.
var formulaValues = []struct{ in, want string }{
	{"=HYPERLINK(\"http://evil.example\")", "'=HYPERLINK(\"http://evil.example\")"},
	{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
	{"+380501234567", "'+380501234567"},
	{"-2+3", "'-2+3"},
	{"'=x", "''=x"}, // a quote the user wrote survives the round trip
	{"Марія", "Марія"},
	{"a=b", "a=b"}, // only a leading character starts a formula
}

// The read-back tests pass through Read, which undoes the escaping: a
// writer that escaped nothing would pass them. These read the raw bytes
// with a plain CSV reader, as a spreadsheet program would.
func TestCSVExportsNeutraliseFormulasInTheRawBytes(t *testing.T) {
	for _, v := range formulaValues {
		t.Run(v.in, func(t *testing.T) {
			exports := []struct {
				name  string
				write func(*bytes.Buffer) error
				col   int // the column that holds the value
			}{
				{"cases", func(b *bytes.Buffer) error {
					return WriteCases(b, FormatCSV, []*homeward.Case{{Reference: "HW-1", GivenName: v.in}})
				}, indexOfField(t, homeward.EntityCase, "given_name")},
				{"located", func(b *bytes.Buffer) error {
					return WriteLocated(b, FormatCSV, []*homeward.LocatedRecord{{GivenName: v.in}})
				}, indexOfField(t, homeward.EntityLocated, "given_name")},
				{"rejected rows", func(b *bytes.Buffer) error {
					s := &Sheet{Headers: []string{"given_name"}, Rows: [][]string{{v.in}}}
					return WriteRejected(b, FormatCSV, s, []RowError{{Row: 2, Message: "bad"}})
				}, 0},
			}
			for _, x := range exports {
				var buf bytes.Buffer
				if err := x.write(&buf); err != nil {
					t.Fatalf("%s: %v", x.name, err)
				}
				recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
				if err != nil {
					t.Fatalf("%s: raw CSV: %v", x.name, err)
				}
				if len(recs) != 2 {
					t.Fatalf("%s: %d records, want a header and one row", x.name, len(recs))
				}
				if got := recs[1][x.col]; got != v.want {
					t.Errorf("%s: raw cell %q, want %q", x.name, got, v.want)
				}
			}
		})
	}
}

// indexOfField is the export column of a kind's field.
func indexOfField(t *testing.T, kind, name string) int {
	t.Helper()
	for i, f := range Fields(kind) {
		if f.Name == name {
			return i
		}
	}
	t.Fatalf("no field %s of %s", name, kind)
	return -1
}
