package tabular

import (
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
)

func TestParseDateAcceptsTheFormsPeopleWrite(t *testing.T) {
	day := func(y, m, d int) homeward.BirthDate {
		return homeward.BirthDate{Year: y, Month: m, Day: d, Precision: homeward.PrecisionDay}
	}
	month := func(y, m int) homeward.BirthDate {
		return homeward.BirthDate{Year: y, Month: m, Precision: homeward.PrecisionMonth}
	}
	year := func(y int) homeward.BirthDate { return homeward.BirthDate{Year: y, Precision: homeward.PrecisionYear} }
	age := func(n int) homeward.BirthDate {
		return homeward.BirthDate{EstimatedAge: n, Precision: homeward.PrecisionAge}
	}
	tests := []struct {
		in   string
		want homeward.BirthDate
	}{
		{"", homeward.BirthDate{}},
		{"   ", homeward.BirthDate{}},
		{"05.03.2015", day(2015, 3, 5)},
		{"5.3.2015", day(2015, 3, 5)},
		{" 29.02.2016 ", day(2016, 2, 29)},
		{"05. 03. 2015", day(2015, 3, 5)},
		{"2015-03-05", day(2015, 3, 5)},
		{"2015.03.05", day(2015, 3, 5)},
		{"2015-03-05T00:00:00", day(2015, 3, 5)},
		{"2015-03-05 00:00:00", day(2015, 3, 5)},
		{"05/03/2015", day(2015, 3, 5)},
		{"05-03-2015", day(2015, 3, 5)},
		{"05.03.2015 р.", day(2015, 3, 5)},
		{"05.03.2015р", day(2015, 3, 5)},
		{"05.03.2015 г.", day(2015, 3, 5)},
		{"2015-03", month(2015, 3)},
		{"03.2015", month(2015, 3)},
		{"3.2015", month(2015, 3)},
		{"03/2015", month(2015, 3)},
		{"2015", year(2015)},
		{"2015 р.", year(2015)},
		{"2015 року", year(2015)},
		{"2015 г.", year(2015)},
		{"44197", day(2021, 1, 1)},
		{"44197.75", day(2021, 1, 1)},
		{"42064", day(2015, 3, 1)},
		{"~7", age(7)},
		{"~ 7", age(7)},
		{"≈12", age(12)},
		{"7 years", age(7)},
		{"7 Years", age(7)},
		{"7 yrs", age(7)},
		{"7 років", age(7)},
		{"3 роки", age(3)},
		{"1 рік", age(1)},
		{"7 лет", age(7)},
		{"2 года", age(2)},
		{"~0", age(0)},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseDate(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseDateRefusesWithAMessageSayingWhy(t *testing.T) {
	tests := []struct {
		in, wantInMessage string
	}{
		{"31.02.2015", "February 2015 does not have"},
		{"29.02.2015", "day 29"},
		{"00.03.2015", "day 0"},
		{"12.13.2015", "month 13"},
		{"03.25.2015", "day first"},
		{"05.03.15", "four-digit year"},
		{"5/3/15", "four-digit year"},
		{"2015-13", "month 13"},
		{"13.2015", "month 13"},
		{"1850", "1900–2100"},
		{"05.03.1850", "1900–2100"},
		{"2015-03-05-01", "is not a date"},
		{"05.03-2015", "mixes separators"},
		{"yesterday", "is not a date"},
		{"вчора", "is not a date"},
		{"7", "~7"},
		{"~", "not an age"},
		{"~seven", "not an age"},
		{"~45", "above 30"},
		{"~123", "above 30"},
		{"45 years", "above 30"},
		{"7 months", "is not a date"},
		{"60", "bare number"},
		{"123", "is not a date"},
		{"9999999", "spreadsheet date"},
		{"12345678", "is not a date"},
		{"2015-3-5x", "is not a date"},
		{strings.Repeat("1", 100), "too long"},
		{"01.01.2015.", "is not a date"},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if err == nil {
			t.Errorf("ParseDate(%q) = %+v, want an error", tt.in, got)
			continue
		}
		if homeward.ErrorCode(err) != homeward.EINVALID {
			t.Errorf("ParseDate(%q): code %s, want %s", tt.in, homeward.ErrorCode(err), homeward.EINVALID)
		}
		if msg := homeward.ErrorMessage(err); !strings.Contains(msg, tt.wantInMessage) {
			t.Errorf("ParseDate(%q): message %q does not contain %q", tt.in, msg, tt.wantInMessage)
		}
	}
}

func TestSerialDateHandlesTheFictitiousLeapDayOf1900(t *testing.T) {
	tests := []struct {
		serial int
		want   string // "" means no such date
	}{
		{1, "1900-01-01"},
		{59, "1900-02-28"},
		{60, ""},
		{61, "1900-03-01"},
		{36526, "2000-01-01"},
		{44197, "2021-01-01"},
		{0, ""},
		{-5, ""},
	}
	for _, tt := range tests {
		got, ok := serialDate(tt.serial)
		switch {
		case tt.want == "" && ok:
			t.Errorf("serialDate(%d) = %s, want no date", tt.serial, got.Format("2006-01-02"))
		case tt.want != "" && (!ok || got.Format("2006-01-02") != tt.want):
			t.Errorf("serialDate(%d) = %s, %v, want %s", tt.serial, got.Format("2006-01-02"), ok, tt.want)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"05.03.2015", "2015-03-05", "44197", "~7", "7 років", "03.2015", "2015", "31.02.2015", "05/03/2015 р.", "2015-03-05T10:00:00", "≈", "~99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParseDate(s)
		if err != nil {
			if homeward.ErrorCode(err) != homeward.EINVALID {
				t.Fatalf("ParseDate(%q): code %s, want %s", s, homeward.ErrorCode(err), homeward.EINVALID)
			}
			return
		}
		if verr := b.Validate("birth_date"); verr != nil {
			t.Fatalf("ParseDate(%q) = %+v, which does not validate: %v", s, b, verr)
		}
		if b.Precision == homeward.PrecisionNone {
			return
		}
		// What ParseDate accepts, exports write with Display and must read back.
		again, err := ParseDate(b.Display())
		if err != nil || again != b {
			t.Fatalf("ParseDate(%q) = %+v; Display %q reads back as %+v, %v", s, b, b.Display(), again, err)
		}
	})
}
