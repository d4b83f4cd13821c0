package tabular

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/homeward-project/homeward"
)

// RowError is one problem in a spreadsheet: a cell, a whole row, or (Row 1)
// the header row. Message is safe to show the user; it may quote Value,
// which the user typed, but it must not be logged.
type RowError struct {
	Row     int    // spreadsheet row number; 1 is the header row
	Column  string // header text of the column, or "column D" when it has none
	Field   string // the field concerned, when known
	Value   string // the cell's text
	Message string

	col int // column index, to sort a row's errors as the columns stand
}

func (e RowError) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "row %d", e.Row)
	if e.Column != "" {
		fmt.Fprintf(&b, ", column %q", e.Column)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, " (%s)", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Message)
	return b.String()
}

// maxName and maxText bound a single cell, so that a corrupt file cannot
// fill the database with one value; they are the domain's own bounds, so
// that a file is refused by row and field before Validate would refuse it.
const (
	maxName = homeward.MaxNameLength
	maxText = homeward.MaxTextLength
)

// converter holds what is common to converting rows of either kind.
type converter struct {
	kind   string
	s      *Sheet
	col    map[string]int // field name to column index
	errs   []RowError
	header bool     // the header row has errors: no record can be trusted
	noName bool     // no column holds a name: said once, not on every row
	keyed  []string // the mapped fields that go into import keys, sorted
	today  time.Time
}

func newConverter(kind string, s *Sheet, m Mapping) *converter {
	c := &converter{kind: kind, s: s, col: map[string]int{}}
	now := time.Now().UTC()
	c.today = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	for j := range s.Headers {
		name := Unmapped
		if j < len(m) {
			name = m[j]
		}
		switch {
		case name == "":
		case name == Unmapped:
			c.headerErr(j, "", "Unknown column: map it to a field or choose to ignore it.")
		default:
			if _, ok := fieldByName(kind, name); !ok {
				c.headerErr(j, name, fmt.Sprintf("%q is not a field of a %s record.", homeward.Excerpt(name), kind))
			} else if prev, dup := c.col[name]; dup {
				c.headerErr(j, name, fmt.Sprintf("Column %q is already mapped to %s.", homeward.Excerpt(s.ColumnName(prev)), name))
			} else {
				c.col[name] = j
			}
		}
	}
	for name := range c.col {
		if f, _ := fieldByName(kind, name); !f.ExportOnly {
			c.keyed = append(c.keyed, name)
		}
	}
	sort.Strings(c.keyed)
	_, g := c.col[FieldGivenName]
	_, f := c.col[FieldFamilyName]
	if !g && !f && len(s.Headers) > 0 {
		c.errs = append(c.errs, RowError{Row: 1, Field: FieldGivenName, Message: "No column holds the given name or the family name; map one.", col: len(s.Headers)})
		c.header, c.noName = true, true
	}
	return c
}

func (c *converter) headerErr(j int, field, msg string) {
	c.errs = append(c.errs, RowError{Row: 1, Column: homeward.Excerpt(c.s.ColumnName(j)), Field: homeward.Excerpt(field), Value: homeward.Excerpt(c.s.Headers[j]), Message: msg, col: j})
	c.header = true
}

// row is one data row being converted.
type row struct {
	c    *converter
	n    int // spreadsheet row number
	vals []string
	bad  bool
}

func (r *row) get(field string) string {
	j, ok := r.c.col[field]
	if !ok || j >= len(r.vals) {
		return ""
	}
	return r.vals[j]
}

func (r *row) fail(field, value, msg string) {
	col, j := "", -1
	if k, ok := r.c.col[field]; ok {
		col, j = homeward.Excerpt(r.c.s.ColumnName(k)), k
	}
	// The value is quoted cut short: a report of twenty rows of a hostile
	// 200 MB cell must stay small.
	r.c.errs = append(r.c.errs, RowError{Row: r.n, Column: col, Field: field, Value: homeward.Excerpt(value), Message: msg, col: j})
	r.bad = true
}

// text returns a free-text field with white space collapsed.
func (r *row) text(field string, limit int) string {
	v := r.get(field)
	if utf8.RuneCountInString(v) > limit {
		r.fail(field, v, fmt.Sprintf("Too long: at most %d characters.", limit))
		return ""
	}
	if field == FieldNotes || field == FieldDistinguishingMarks {
		return strings.TrimSpace(v) // keep line breaks in free text
	}
	return normSpace(v)
}

func (r *row) names() (given, family, patronymic string) {
	given, family = r.text(FieldGivenName, maxName), r.text(FieldFamilyName, maxName)
	patronymic = r.text(FieldPatronymic, maxName)
	if given == "" && family == "" && !r.bad && !r.c.noName {
		field := FieldGivenName
		if _, ok := r.c.col[field]; !ok {
			field = FieldFamilyName
		}
		r.fail(field, "", "A given name or a family name is required.")
	}
	return given, family, patronymic
}

func (r *row) sex() homeward.Sex {
	v := r.get(FieldSex)
	if v == "" {
		return homeward.SexUnknown
	}
	code, ok := sexWords.lookup(v)
	if !ok {
		r.fail(FieldSex, v, fmt.Sprintf("Unknown sex %q: write f or m (ж or ч), or leave it empty.", homeward.Excerpt(v)))
	}
	return homeward.Sex(code)
}

func (r *row) birthDate(asOf time.Time) homeward.BirthDate {
	v := r.get(FieldBirthDate)
	b, err := ParseDate(v)
	if err != nil {
		r.fail(FieldBirthDate, v, homeward.ErrorMessage(err))
		return homeward.BirthDate{}
	}
	if b.Precision == homeward.PrecisionAge {
		// An estimated age means little without the date it was estimated at.
		t := asOf
		b.AgeAsOf = &t
	} else if b.Precision == homeward.PrecisionDay && time.Date(b.Year, time.Month(b.Month), b.Day, 0, 0, 0, 0, time.UTC).After(r.c.today) {
		r.fail(FieldBirthDate, v, fmt.Sprintf("%q is in the future.", homeward.Excerpt(v)))
	}
	return b
}

// date reads a field that needs a full date, such as the date last seen.
func (r *row) date(field string) homeward.Date {
	v := r.get(field)
	b, err := ParseDate(v)
	switch {
	case err != nil:
		r.fail(field, v, homeward.ErrorMessage(err))
	case b.Precision == homeward.PrecisionDay:
		d := homeward.NewDate(b.Year, time.Month(b.Month), b.Day)
		if d.After(r.c.today) {
			r.fail(field, v, fmt.Sprintf("%q is in the future.", homeward.Excerpt(v)))
			return homeward.Date{}
		}
		return d
	case b.Precision != homeward.PrecisionNone:
		r.fail(field, v, fmt.Sprintf("%q is not a full date: write DD.MM.YYYY, and put partial dates in the notes.", homeward.Excerpt(v)))
	}
	return homeward.Date{}
}

func (r *row) word(field string, v vocabulary, what string) string {
	s := r.get(field)
	if s == "" {
		return ""
	}
	code, ok := v.lookup(s)
	if !ok {
		r.fail(field, s, fmt.Sprintf("Unknown %s %q.", what, homeward.Excerpt(s)))
	}
	return code
}

// validated reports a record's own Validate error on the row, unless the row
// already has errors (Validate would repeat the first of them).
func (r *row) validated(err error) bool {
	if r.bad || r.c.noName {
		return false
	}
	if err != nil {
		field := homeward.ErrorField(err)
		r.fail(field, r.get(field), homeward.ErrorMessage(err))
		return false
	}
	return true
}

// each calls fn for every non-empty data row, in order, and then orders the
// errors by row and column.
func (c *converter) each(fn func(r *row)) {
	for i, vals := range c.s.Rows {
		if vals == nil {
			continue
		}
		fn(&row{c: c, n: RowNumber(i), vals: vals})
	}
	sort.SliceStable(c.errs, func(a, b int) bool {
		ea, eb := c.errs[a], c.errs[b]
		if ea.Row != eb.Row {
			return ea.Row < eb.Row
		}
		return ea.col < eb.col
	})
}

// importKey hashes the kind and the row's values in the fields that are
// imported, ordered by field name and with white space normalised, so that
// the key does not change when columns are reordered, renamed or added as
// ignored columns, or when the file is saved again with other spacing.
func (r *row) importKey() string {
	buf := make([]byte, 0, 256)
	buf = append(buf, "homeward-import-v1\x00"...)
	buf = append(buf, r.c.kind...)
	for _, name := range r.c.keyed {
		v := normSpace(r.get(name))
		if v == "" {
			continue
		}
		buf = append(buf, 0)
		buf = append(buf, name...)
		buf = append(buf, 0)
		buf = strconv.AppendInt(buf, int64(len(v)), 10)
		buf = append(buf, ':')
		buf = append(buf, v...)
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:])
}

// ConvertCases converts every non-empty row of s to a case, using m to know
// which column holds which field. It checks every row and returns all the
// problems found, each naming the row, column and field; only rows without
// problems become cases, and none does when the header row has a problem.
// Each case's ImportKey is stable across re-imports of the same data. OrgID,
// Reference and Stage are left for the caller and the store.
func ConvertCases(s *Sheet, m Mapping) ([]*homeward.Case, []RowError) {
	c := newConverter(homeward.EntityCase, s, m)
	var out []*homeward.Case
	c.each(func(r *row) {
		k := &homeward.Case{}
		k.GivenName, k.FamilyName, k.Patronymic = r.names()
		if v := r.text(FieldOtherNames, maxText); v != "" {
			k.OtherNames = parseOtherNames(v)
		}
		k.Sex = r.sex()
		k.BirthPlace = r.text(FieldBirthPlace, maxText)
		k.LastSeenPlace = r.text(FieldLastSeenPlace, maxText)
		k.LastSeenDate = r.date(FieldLastSeenDate)
		asOf := r.c.today
		if !k.LastSeenDate.IsZero() {
			asOf = k.LastSeenDate.Time
		}
		k.BirthDate = r.birthDate(asOf)
		k.Circumstance = homeward.Circumstance(r.word(FieldCircumstance, circumstanceWords, "circumstance"))
		k.DistinguishingMarks = r.text(FieldDistinguishingMarks, maxText)
		k.Notes = r.text(FieldNotes, maxText)
		if r.validated(k.Validate()) && !c.header {
			k.ImportKey = r.importKey()
			out = append(out, k)
		}
	})
	return out, c.errs
}

// ConvertLocated converts every non-empty row of s to a located record, as
// ConvertCases does for cases. OrgID is left for the caller.
func ConvertLocated(s *Sheet, m Mapping) ([]*homeward.LocatedRecord, []RowError) {
	c := newConverter(homeward.EntityLocated, s, m)
	var out []*homeward.LocatedRecord
	c.each(func(r *row) {
		l := &homeward.LocatedRecord{}
		l.GivenName, l.FamilyName, l.Patronymic = r.names()
		l.Sex = r.sex()
		l.BirthPlace = r.text(FieldBirthPlace, maxText)
		l.LocationKind = homeward.LocationKind(r.word(FieldLocationKind, locationWords, "location kind"))
		l.Institution = r.text(FieldInstitution, maxText)
		l.Region = r.text(FieldRegion, maxText)
		l.ObservedAt = r.date(FieldObservedAt)
		asOf := r.c.today
		if !l.ObservedAt.IsZero() {
			asOf = l.ObservedAt.Time
		}
		l.BirthDate = r.birthDate(asOf)
		l.Source = homeward.SourceKind(r.word(FieldSource, sourceWords, "source"))
		l.SourceRef = r.text(FieldSourceRef, maxText)
		l.Reliability = homeward.Reliability(r.word(FieldReliability, reliabilityWords, "reliability"))
		l.Notes = r.text(FieldNotes, maxText)
		if r.validated(l.Validate()) && !c.header {
			l.ImportKey = r.importKey()
			out = append(out, l)
		}
	})
	return out, c.errs
}
