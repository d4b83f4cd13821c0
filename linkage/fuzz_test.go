package linkage

import (
	"bytes"
	"strings"
	"testing"
)

func FuzzReadCSV(f *testing.F) {
	f.Add("id,given_name\n1,Іван\n")
	f.Add("\ufeffid, a ,b\n 1 , x\n2,\"y,z\",w,v\n")
	f.Add("\"unterminated\n")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ReadCSV(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, r := range d.Rows {
			for _, c := range r {
				if c != strings.TrimSpace(c) {
					t.Fatalf("cell %q not trimmed", c)
				}
			}
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2015-03-04", "04.03.2015", "20150304", "2015", "03.2015", "2015-13-01", "~5", "31/12/1999", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := parseDate(s)
		switch d.prec {
		case precDay:
			if !validDay(int(d.y), int(d.m), int(d.d)) {
				t.Fatalf("%q parsed to invalid day %+v", s, d)
			}
		case precMonth:
			if d.m < 1 || d.m > 12 {
				t.Fatalf("%q parsed to month %d", s, d.m)
			}
		}
	})
}

// An estimated age parses to a window of about a year that ends on or
// before the date it was stated at, and agrees with itself.
func FuzzParseAge(f *testing.F) {
	for _, s := range []string{"~5", "≈ 12", "7 років", "3 years", "~", "~99", "5 лет", "~0", "~7@2025-05-01", "~7@"} {
		f.Add(s, uint16(2026), uint8(11), uint8(27))
	}
	f.Fuzz(func(t *testing.T, s string, y uint16, m, d uint8) {
		n, own, ok := parseAge(s)
		if !ok {
			return
		}
		if own.prec != precNone && own.prec != precDay {
			t.Fatalf("%q: reference date %+v is not a day", s, own)
		}
		if n < 0 || n > 30 {
			t.Fatalf("%q parsed to age %d", s, n)
		}
		at := dateVal{y: int16(1900 + int(y)%300), m: int16(1 + int(m)%12), d: int16(1 + int(d)%28), prec: precDay}
		w := ageWindow(n, at)
		if !w.knownAge() || w.hi < w.lo || w.hi-w.lo > 366 || int(w.hi) > at.days() || w.loYear > w.hiYear {
			t.Fatalf("%q as of %+v: window %+v", s, at, w)
		}
		if !ageAgrees(w, w, 0) {
			t.Fatalf("%q: the window does not agree with itself", s)
		}
	})
}

func FuzzParsePlace(f *testing.F) {
	for _, s := range []string{"м. Маріуполь, Донецька обл.", "с. Сартана, Маріупольський р-н, Донецька обл.", "Kyiv", ",,", "р-н"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := parsePlace(s)
		if p.oblast < 0 || int(p.oblast) > len(oblasts) {
			t.Fatalf("%q: oblast %d out of range", s, p.oblast)
		}
	})
}

func FuzzReadModel(f *testing.F) {
	var b bytes.Buffer
	PersonModel().Write(&b)
	f.Add(b.String())
	f.Add(`{"comparisons":[{"kind":"exact","field":"x","levels":[{"label":"a","when":"exact"},{"label":"b","when":"else"}]}],"blocking":[{"name":"x","parts":[{"field":"x","key":"value"}]}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ReadModel(strings.NewReader(s))
		if err != nil {
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("ReadModel returned a model that does not validate: %v", err)
		}
		// A valid model must be usable on a dataset holding its fields.
		d := &Dataset{Header: m.Fields(), Rows: [][]string{make([]string, len(m.Fields())), make([]string, len(m.Fields()))}}
		if _, err := NewLinker(m, d, nil); err != nil {
			t.Fatalf("valid model unusable: %v", err)
		}
	})
}
