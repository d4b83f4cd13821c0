package homeward

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Sex as recorded; unknown is a value, not an absence of data entry.
type Sex string

const (
	SexUnknown Sex = ""
	SexFemale  Sex = "f"
	SexMale    Sex = "m"
)

// Valid reports whether s is a known value.
func (s Sex) Valid() bool { return s == SexUnknown || s == SexFemale || s == SexMale }

// Script tells in which writing system a name form is written.
type Script string

const (
	ScriptUnknown   Script = ""
	ScriptUkrainian Script = "uk" // Ukrainian Cyrillic
	ScriptRussian   Script = "ru" // Russian Cyrillic
	ScriptLatin     Script = "latn"
	ScriptOther     Script = "other"
)

// Valid reports whether s is a known script.
func (s Script) Valid() bool {
	switch s {
	case ScriptUnknown, ScriptUkrainian, ScriptRussian, ScriptLatin, ScriptOther:
		return true
	}
	return false
}

// OtherName is another name a child is known by, with the script it is written in.
type OtherName struct {
	Name   string `json:"name"`
	Script Script `json:"script,omitempty"`
	Note   string `json:"note,omitempty"` // e.g. "name given by foster family"
}

// DatePrecision says how much of a birth date is known.
type DatePrecision string

const (
	PrecisionNone  DatePrecision = ""      // unknown
	PrecisionDay   DatePrecision = "day"   // full date
	PrecisionMonth DatePrecision = "month" // year and month
	PrecisionYear  DatePrecision = "year"  // year only
	PrecisionAge   DatePrecision = "age"   // estimated age at a reference date
)

// BirthDate is a birth date as precisely as it is known. With PrecisionAge,
// EstimatedAge is in whole years at AgeAsOf.
type BirthDate struct {
	Year         int           `json:"year,omitempty"`
	Month        int           `json:"month,omitempty"`
	Day          int           `json:"day,omitempty"`
	Precision    DatePrecision `json:"precision,omitempty"`
	EstimatedAge int           `json:"estimated_age,omitempty"`
	AgeAsOf      *time.Time    `json:"age_as_of,omitempty"`
}

// IsZero reports whether nothing is known.
func (b BirthDate) IsZero() bool { return b.Precision == PrecisionNone }

// Validate checks the parts agree with the precision.
func (b BirthDate) Validate(field string) error {
	switch b.Precision {
	case PrecisionNone:
		return nil
	case PrecisionDay:
		t := time.Date(b.Year, time.Month(b.Month), b.Day, 0, 0, 0, 0, time.UTC)
		if b.Month < 1 || b.Month > 12 || t.Day() != b.Day || t.Month() != time.Month(b.Month) {
			return FieldErrorf(EINVALID, field, "%04d-%02d-%02d is not a date.", b.Year, b.Month, b.Day)
		}
	case PrecisionMonth:
		if b.Month < 1 || b.Month > 12 {
			return FieldErrorf(EINVALID, field, "Month %d is out of range.", b.Month)
		}
	case PrecisionYear:
	case PrecisionAge:
		if b.EstimatedAge < 0 || b.EstimatedAge > 30 {
			return FieldErrorf(EINVALID, field, "Estimated age %d is out of range.", b.EstimatedAge)
		}
		return nil
	default:
		return FieldErrorf(EINVALID, field, "Unknown date precision %q.", b.Precision)
	}
	if b.Year < 1900 || b.Year > 2100 {
		return FieldErrorf(EINVALID, field, "Year %d is out of range.", b.Year)
	}
	return nil
}

// String renders the date in the ISO form stored and exported: YYYY-MM-DD,
// YYYY-MM, YYYY, or "~N" for an estimated age.
func (b BirthDate) String() string {
	switch b.Precision {
	case PrecisionDay:
		return fmt.Sprintf("%04d-%02d-%02d", b.Year, b.Month, b.Day)
	case PrecisionMonth:
		return fmt.Sprintf("%04d-%02d", b.Year, b.Month)
	case PrecisionYear:
		return fmt.Sprintf("%04d", b.Year)
	case PrecisionAge:
		return "~" + strconv.Itoa(b.EstimatedAge)
	}
	return ""
}

// Display renders the date as shown to users: DD.MM.YYYY, MM.YYYY, YYYY, or "~N".
func (b BirthDate) Display() string {
	switch b.Precision {
	case PrecisionDay:
		return fmt.Sprintf("%02d.%02d.%04d", b.Day, b.Month, b.Year)
	case PrecisionMonth:
		return fmt.Sprintf("%02d.%04d", b.Month, b.Year)
	}
	return b.String()
}

// ParseBirthDate reads the forms String writes, plus DD.MM.YYYY and MM.YYYY.
func ParseBirthDate(s string) (BirthDate, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return BirthDate{}, nil
	}
	bad := Errorf(EINVALID, "%q is not a date (use DD.MM.YYYY, YYYY-MM-DD, YYYY-MM, YYYY or ~AGE).", s)
	if strings.HasPrefix(s, "~") {
		n, err := strconv.Atoi(strings.TrimSpace(s[1:]))
		if err != nil {
			return BirthDate{}, bad
		}
		b := BirthDate{Precision: PrecisionAge, EstimatedAge: n}
		return b, b.Validate("")
	}
	var parts []string
	var b BirthDate
	if strings.Contains(s, ".") {
		parts = strings.Split(s, ".")
		for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
			parts[i], parts[j] = parts[j], parts[i]
		}
	} else {
		parts = strings.Split(s, "-")
	}
	nums := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || p == "" || len(p) > 4 {
			return BirthDate{}, bad
		}
		nums[i] = n
	}
	if len(parts[0]) != 4 {
		return BirthDate{}, bad
	}
	switch len(nums) {
	case 1:
		b = BirthDate{Year: nums[0], Precision: PrecisionYear}
	case 2:
		b = BirthDate{Year: nums[0], Month: nums[1], Precision: PrecisionMonth}
	case 3:
		b = BirthDate{Year: nums[0], Month: nums[1], Day: nums[2], Precision: PrecisionDay}
	default:
		return BirthDate{}, bad
	}
	if err := b.Validate(""); err != nil {
		return BirthDate{}, bad
	}
	return b, nil
}

// Date is a calendar date without time, shown as DD.MM.YYYY.
// The zero Date means unknown.
type Date struct{ time.Time }

// NewDate returns the date of t in UTC.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// Display renders DD.MM.YYYY, or "" when unknown.
func (d Date) Display() string {
	if d.IsZero() {
		return ""
	}
	return d.Format("02.01.2006")
}

// String renders YYYY-MM-DD, or "" when unknown.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format("2006-01-02")
}

// MarshalText writes YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD or DD.MM.YYYY; empty means unknown.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// ParseDate reads YYYY-MM-DD or DD.MM.YYYY; empty means unknown.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, nil
	}
	for _, layout := range []string{"2006-01-02", "02.01.2006", "2.1.2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return Date{t}, nil
		}
	}
	return Date{}, Errorf(EINVALID, "%q is not a date (use DD.MM.YYYY or YYYY-MM-DD).", s)
}

// MarshalJSON writes "YYYY-MM-DD", or "" when unknown. Without it the
// embedded time.Time's method would win over MarshalText and write a full
// timestamp (and "0001-01-01T00:00:00Z" for an unknown date).
func (d Date) MarshalJSON() ([]byte, error) {
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads what MarshalJSON writes, DD.MM.YYYY, "" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return Errorf(EINVALID, "A date must be a string such as \"2024-02-24\".")
	}
	return d.UnmarshalText([]byte(s))
}
