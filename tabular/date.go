package tabular

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/homeward-project/homeward"
)

// ParseDate reads a birth date as people and spreadsheets write it:
//
//	DD.MM.YYYY, D.M.YYYY, DD/MM/YYYY, DD-MM-YYYY   a day (always day first)
//	YYYY-MM-DD, YYYY.MM.DD, YYYY-MM-DDThh:mm:ss    a day
//	YYYY-MM, MM.YYYY, MM/YYYY                      a month
//	YYYY                                           a year
//	44197, 44197.5                                 a spreadsheet serial day number
//	~7, 7 years, 7 років, 7 лет                    an estimated age in years
//
// A trailing year marker ("р.", "г.", "року", "года") is ignored. The empty
// string is an unknown date. Any other text is an EINVALID error whose message
// says what is wrong, safe to show the user. Two-digit years are refused
// because their century cannot be known.
func ParseDate(s string) (homeward.BirthDate, error) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return homeward.BirthDate{}, nil
	}
	if len(s) > 64 {
		return homeward.BirthDate{}, dateErr(orig, "is too long to be a date")
	}
	if b, ok, err := parseAge(s); ok {
		return b, err
	}
	s = stripYearMarker(s)
	if isDigits(s) || isSerial(s) {
		return parseNumber(orig, s)
	}
	if len(s) > 10 && s[4] == '-' && (s[10] == 'T' || s[10] == ' ') {
		// An ISO date-time, as databases and XLSX date cells write it.
		s = s[:10]
	}
	sep := byte(0)
	for _, c := range []byte{'.', '/', '-'} {
		if strings.IndexByte(s, c) >= 0 {
			if sep != 0 {
				return homeward.BirthDate{}, dateErr(orig, "mixes separators; write DD.MM.YYYY or YYYY-MM-DD")
			}
			sep = c
		}
	}
	if sep == 0 {
		return homeward.BirthDate{}, dateErr(orig, "is not a date; write DD.MM.YYYY, YYYY-MM-DD, MM.YYYY, YYYY or ~AGE")
	}
	parts := strings.Split(s, string(sep))
	for i, p := range parts {
		p = strings.TrimSpace(p) // "05. 03. 2015"
		parts[i] = p
		if p == "" || !isDigits(p) || len(p) > 4 {
			return homeward.BirthDate{}, dateErr(orig, "is not a date; write DD.MM.YYYY, YYYY-MM-DD, MM.YYYY, YYYY or ~AGE")
		}
	}
	n := make([]int, len(parts))
	for i, p := range parts {
		n[i], _ = strconv.Atoi(p)
	}
	yearFirst := len(parts[0]) == 4
	yearLast := len(parts[len(parts)-1]) == 4
	switch {
	case len(parts) == 3 && yearFirst && len(parts[1]) <= 2 && len(parts[2]) <= 2:
		return dayDate(orig, n[0], n[1], n[2])
	case len(parts) == 3 && yearLast && len(parts[0]) <= 2 && len(parts[1]) <= 2:
		return dayDate(orig, n[2], n[1], n[0])
	case len(parts) == 2 && yearFirst && len(parts[1]) <= 2:
		return monthDate(orig, n[0], n[1])
	case len(parts) == 2 && yearLast && len(parts[0]) <= 2:
		return monthDate(orig, n[1], n[0])
	case (len(parts) == 3 || len(parts) == 2) && !yearFirst && !yearLast:
		return homeward.BirthDate{}, dateErr(orig, "has no four-digit year; write the year in full (DD.MM.YYYY)")
	}
	return homeward.BirthDate{}, dateErr(orig, "is not a date; write DD.MM.YYYY, YYYY-MM-DD, MM.YYYY, YYYY or ~AGE")
}

func dateErr(s, problem string) error {
	return homeward.Errorf(homeward.EINVALID, "%q %s.", homeward.Excerpt(s), problem)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isSerial reports whether s is a spreadsheet number with a fraction
// (a date-time serial such as 44197.5).
func isSerial(s string) bool {
	i := strings.IndexByte(s, '.')
	return i >= 5 && isDigits(s[:i]) && isDigits(s[i+1:])
}

// parseNumber reads a bare number: four digits are a year, five or more a
// spreadsheet serial day number (a four-digit serial would be before 1928,
// never a child's birth date).
func parseNumber(orig, s string) (homeward.BirthDate, error) {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i] // the time of day
	}
	switch {
	case len(s) == 4:
		y, _ := strconv.Atoi(s)
		if y < 1900 || y > 2100 {
			return homeward.BirthDate{}, dateErr(orig, "has a year outside 1900–2100")
		}
		return homeward.BirthDate{Year: y, Precision: homeward.PrecisionYear}, nil
	case len(s) >= 5 && len(s) <= 7:
		n, _ := strconv.Atoi(s)
		t, ok := serialDate(n)
		if !ok || t.Year() > 2100 {
			return homeward.BirthDate{}, dateErr(orig, "is not a valid spreadsheet date number")
		}
		return homeward.BirthDate{Year: t.Year(), Month: int(t.Month()), Day: t.Day(), Precision: homeward.PrecisionDay}, nil
	case len(s) <= 2:
		return homeward.BirthDate{}, dateErr(orig, "is a bare number; write ~"+s+" for an estimated age, or a full date")
	}
	return homeward.BirthDate{}, dateErr(orig, "is not a date; write DD.MM.YYYY, YYYY-MM-DD, MM.YYYY, YYYY or ~AGE")
}

// serialDate converts a serial day number of the 1900 date system, the
// default of Excel, LibreOffice and Google Sheets, to a date. Excel counts a
// 29 February 1900 that never was (kept from Lotus 1-2-3), so serials from 61
// on are one day ahead of a plain count from 31 December 1899, and 60 is no
// date at all.
func serialDate(n int) (time.Time, bool) {
	switch {
	case n < 1 || n == 60:
		return time.Time{}, false
	case n < 60:
		return time.Date(1899, 12, 31+n, 0, 0, 0, 0, time.UTC), true
	}
	return time.Date(1899, 12, 30+n, 0, 0, 0, 0, time.UTC), true
}

var monthNamesEN = [...]string{"", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

func dayDate(orig string, y, m, d int) (homeward.BirthDate, error) {
	if y < 1900 || y > 2100 {
		return homeward.BirthDate{}, dateErr(orig, "has a year outside 1900–2100")
	}
	if m < 1 || m > 12 {
		if d >= 1 && d <= 12 && m <= 31 {
			return homeward.BirthDate{}, dateErr(orig, "has month "+strconv.Itoa(m)+"; dates are read day first (DD.MM.YYYY)")
		}
		return homeward.BirthDate{}, dateErr(orig, "has month "+strconv.Itoa(m)+", which does not exist")
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if d < 1 || t.Day() != d {
		return homeward.BirthDate{}, dateErr(orig, "has day "+strconv.Itoa(d)+", which "+monthNamesEN[m]+" "+strconv.Itoa(y)+" does not have")
	}
	return homeward.BirthDate{Year: y, Month: m, Day: d, Precision: homeward.PrecisionDay}, nil
}

func monthDate(orig string, y, m int) (homeward.BirthDate, error) {
	if y < 1900 || y > 2100 {
		return homeward.BirthDate{}, dateErr(orig, "has a year outside 1900–2100")
	}
	if m < 1 || m > 12 {
		return homeward.BirthDate{}, dateErr(orig, "has month "+strconv.Itoa(m)+", which does not exist")
	}
	return homeward.BirthDate{Year: y, Month: m, Precision: homeward.PrecisionMonth}, nil
}

// yearMarkers are the abbreviations written after a year in Ukrainian and
// Russian ("12.05.2015 р.", "2015 г."), longest first.
var yearMarkers = []string{"року", "рік", "года", "год", "р.", "г.", "р", "г"}

func stripYearMarker(s string) string {
	lower := strings.ToLower(s)
	for _, m := range yearMarkers {
		if strings.HasSuffix(lower, m) {
			rest := strings.TrimSpace(s[:len(s)-len(m)])
			if rest != "" && rest[len(rest)-1] >= '0' && rest[len(rest)-1] <= '9' {
				return rest
			}
		}
	}
	return s
}

// ageWords are the words that follow an estimated age: "7 years", "7 років",
// "7 лет".
var ageWords = map[string]bool{
	"y": true, "yr": true, "yrs": true, "year": true, "years": true, "yo": true, "y.o": true, "y.o.": true, "years old": true,
	"р": true, "р.": true, "рік": true, "роки": true, "років": true,
	"г": true, "г.": true, "год": true, "года": true, "лет": true,
}

// parseAge reads "~7", "≈7", "7 years" and the like; ok is false when s is
// not written as an age at all.
func parseAge(s string) (b homeward.BirthDate, ok bool, err error) {
	rest, approx := s, false
	if r, size := utf8.DecodeRuneInString(s); r == '~' || r == '≈' {
		rest, approx = strings.TrimSpace(s[size:]), true
	}
	i := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if i < 0 {
		i = len(rest)
	}
	word := strings.ToLower(strings.TrimSpace(rest[i:]))
	known := word == "" && approx || word != "" && ageWords[word]
	if !known || i == 0 {
		if approx {
			return b, true, dateErr(s, "is not an age; write ~7 for about 7 years old")
		}
		return b, false, nil
	}
	if i > 2 {
		if !approx {
			return b, false, nil // "2015 р." is a year
		}
		return b, true, dateErr(s, "is an estimated age above 30")
	}
	n, _ := strconv.Atoi(rest[:i])
	if n > 30 {
		return b, true, dateErr(s, "is an estimated age above 30")
	}
	return homeward.BirthDate{Precision: homeward.PrecisionAge, EstimatedAge: n}, true, nil
}
