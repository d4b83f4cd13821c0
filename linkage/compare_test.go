package linkage

import (
	"testing"
)

// levelOf links one left value to one right value under a model of one
// comparison and returns the label of the level reached.
func levelOf(t *testing.T, c Comparison, left, right map[string]string) string {
	t.Helper()
	return levelAsOf(t, c, "", left, right)
}

// levelAsOf is levelOf with estimated ages stated at asOf.
func levelAsOf(t *testing.T, c Comparison, asOf string, left, right map[string]string) string {
	t.Helper()
	m := &Model{
		AgeAsOf:     asOf,
		IDColumn:    "id",
		Comparisons: []Comparison{c},
		Blocking:    []BlockingRule{{Name: "all", Parts: []BlockPart{{Field: "id", Key: BlockAll}}}},
	}
	for i := range m.Comparisons[0].Levels {
		l := &m.Comparisons[0].Levels[i]
		l.M, l.U = 0.5, 0.25
	}
	ds := func(v map[string]string) *Dataset {
		d := &Dataset{Header: []string{"id"}, Rows: [][]string{{"1"}}}
		for k, x := range v {
			d.Header = append(d.Header, k)
			d.Rows[0] = append(d.Rows[0], x)
		}
		return d
	}
	m.AllowMissingFields = true
	lk, err := NewLinker(m, ds(left), ds(right))
	if err != nil {
		t.Fatal(err)
	}
	return lk.Explain(Pair{Left: 0, Right: 0})[0].Level
}

func TestDateComparisonReachesEachLevel(t *testing.T) {
	c := PersonModel().Comparisons[4]
	tests := []struct {
		a, b, want string
	}{
		{"", "2015-03-04", "missing"},
		{"04.03.2015", "2015-03-04", "exact"},
		{"2015-03-04", "2015-03-05", "one day apart"},
		{"2015-02-28", "2015-03-01", "one day apart"},
		{"2015-03-04", "2015-04-03", "day and month swapped"},
		{"2015-03-04", "2015-03-94", "one digit differs"},
		{"2019-03-04", "2020-03-04", "the same day and month, a year apart"},
		{"2015-03-04", "2014-03-04", "the same day and month, a year apart"},
		{"2015-03-24", "2015-10-24", "same year"}, // months apart and two digits: not a slip
		{"2015-03-24", "2015-04-24", "the same day, a month apart"},
		{"2015-12-24", "2016-01-24", "the same day, a month apart"},
		{"2015", "2015-07-21", "only a year or an age given, consistent"},
		{"2015-03-04", "2015-03-20", "same month and year"},
		{"2015-03-04", "2015-04-20", "one month apart"},
		{"2015-03-04", "2015-09-20", "same year"},
		{"2015-03-04", "2016-09-20", "one year apart"},
		{"2015", "2017-07-21", "only a year or an age given, within two years"},
		{"2015", "2015-07-89", "only a year or an age given, consistent"}, // the day mistyped: the year still agrees
		{"2015-03-04", "2015-03-94", "one digit differs"},
		{"2015-03-14", "2015-03-49", "same month and year"},
		{"2015-03-04", "2009-11-20", "different"},
	}
	for _, tt := range tests {
		got := levelOf(t, c, map[string]string{"birth_date": tt.a}, map[string]string{"birth_date": tt.b})
		if got != tt.want {
			t.Errorf("%q vs %q: level %q, want %q", tt.a, tt.b, got, tt.want)
		}
	}
}

// The "same month" level means the same month of the same year: a birth in
// March 2015 and one in March 2016 are a year apart, not "same month". The
// comparison here has only that level, so no earlier level can hide a
// same_month that forgot the year.
func TestSameMonthLevelRequiresTheSameYear(t *testing.T) {
	c := Comparison{Name: "date of birth", Kind: KindDate, Field: "birth_date", Levels: []Level{
		{Label: "missing", When: WhenMissing},
		{Label: "same month", When: WhenSameMonth},
		{Label: "different", When: WhenElse},
	}}
	tests := []struct {
		a, b, want string
	}{
		{"2015-03-04", "2015-03-20", "same month"},
		{"04.03.2015", "2015-03-31", "same month"},
		{"2015-03-04", "2016-03-04", "different"},
		{"2015-03-04", "2014-03-20", "different"},
		{"2015-03-04", "2025-03-04", "different"},
		{"2015-03-04", "2015-04-04", "different"},
	}
	for _, tt := range tests {
		got := levelOf(t, c, map[string]string{"birth_date": tt.a}, map[string]string{"birth_date": tt.b})
		if got != tt.want {
			t.Errorf("%q vs %q: level %q, want %q", tt.a, tt.b, got, tt.want)
		}
	}
}

// An estimated age stated on 27 November 2026: "~7" is a birth from
// 28 November 2018 to 27 November 2019.
func TestEstimatedAgeComparison(t *testing.T) {
	c := PersonModel().Comparisons[4]
	const asOf = "2026-11-27"
	tests := []struct {
		a, b, want string
	}{
		{"~7", "2019-11-27", "only a year or an age given, consistent"},
		{"~7", "2018-11-28", "only a year or an age given, consistent"},
		{"7 років", "2019", "only a year or an age given, consistent"},
		{"7 years", "2018", "only a year or an age given, consistent"},
		{"≈7", "~7", "only a year or an age given, consistent"},
		{"~7", "~8", "only a year or an age given, within two years"}, // adjacent windows: they do not overlap
		{"~7", "2019-11-28", "only a year or an age given, within two years"},
		{"~7", "2016-12-01", "only a year or an age given, within two years"},
		{"~7", "~10", "only a year or an age given, within two years"},
		{"~7", "2014-06-01", "different"},
		{"~7", "2010", "different"},
		{"~7", "", "missing"},
	}
	for _, tt := range tests {
		got := levelAsOf(t, c, asOf, map[string]string{"birth_date": tt.a}, map[string]string{"birth_date": tt.b})
		if got != tt.want {
			t.Errorf("%q vs %q as of %s: level %q, want %q", tt.a, tt.b, asOf, got, tt.want)
		}
	}
	// Without the date the age was stated at, it says nothing.
	if got := levelOf(t, c, map[string]string{"birth_date": "~7"}, map[string]string{"birth_date": "2019-05-01"}); got != "missing" {
		t.Errorf("an age with no reference date: level %q, want missing", got)
	}
	if got := levelOf(t, c, map[string]string{"birth_date": "~7"}, map[string]string{"birth_date": "~7"}); got != "missing" {
		t.Errorf("two ages with no reference date: level %q, want missing", got)
	}
	// An age that carries its own date needs no model date, and its own
	// date wins over the model's.
	if got := levelOf(t, c, map[string]string{"birth_date": "~7@2026-11-27"}, map[string]string{"birth_date": "2019-05-01"}); got != "only a year or an age given, consistent" {
		t.Errorf("~7 stated on 27 November 2026 against 1 May 2019: level %q", got)
	}
	if got := levelAsOf(t, c, "2030-01-01", map[string]string{"birth_date": "~7@2026-11-27"}, map[string]string{"birth_date": "2019-05-01"}); got != "only a year or an age given, consistent" {
		t.Errorf("an age's own date lost to the model's: level %q", got)
	}
}

func TestParseAge(t *testing.T) {
	tests := []struct {
		s  string
		n  int
		ok bool
	}{
		{"~7", 7, true}, {"≈ 12", 12, true}, {"7 years", 7, true}, {"3 роки", 3, true},
		{"5 лет", 5, true}, {"0 р.", 0, true},
		{"7", 0, false}, {"~", 0, false}, {"~45", 0, false}, {"2015", 0, false}, {"~seven", 0, false}, {"7 apples", 0, false},
	}
	for _, tt := range tests {
		n, _, ok := parseAge(tt.s)
		if ok != tt.ok || (ok && n != tt.n) {
			t.Errorf("parseAge(%q) = %d, %v; want %d, %v", tt.s, n, ok, tt.n, tt.ok)
		}
	}
	// An age with the date it was stated at.
	n, at, ok := parseAge("~7@2025-05-01")
	if !ok || n != 7 || at.prec != precDay || at.y != 2025 || at.m != 5 || at.d != 1 {
		t.Errorf("parseAge(~7@2025-05-01) = %d, %+v, %v", n, at, ok)
	}
	if _, _, ok := parseAge("~7@May 2025"); ok {
		t.Error("an age with a reference that is not a date parsed")
	}
}

// An estimated age blocks by both years its window spans, so the person
// model finds a located record with a full date from a report with an age.
func TestEstimatedAgeBlocksByItsYears(t *testing.T) {
	m := PersonModel()
	m.AgeAsOf = "2026-03-01"
	left := &Dataset{Header: []string{"id", "given_name", "family_name", "birth_date"}, Rows: [][]string{
		{"r1", "Олена", "Шевчук", "~9"},
	}}
	right := &Dataset{Header: []string{"id", "given_name", "family_name", "birth_date"}, Rows: [][]string{
		{"l1", "Елена", "Шевчук", "2016-10-02"}, // born 2016, 9 on 1 March 2026
		{"l2", "Олена", "Шевчук", "2012-10-02"},
	}}
	lk, err := NewLinker(m, left, right)
	if err != nil {
		t.Fatal(err)
	}
	if got := lk.rulesOf(0, 0); got == 0 {
		t.Error("no blocking rule pairs an age of 9 with a birth in 2016")
	}
	var yearRule = -1
	for ri, r := range lk.rules {
		if r.name == "family name keys and year of birth" {
			yearRule = ri
		}
	}
	if yearRule < 0 {
		t.Fatal("the person model lost its family name and year rule")
	}
	if lk.rulesOf(0, 0)&(1<<yearRule) == 0 {
		t.Error("the family name and year rule does not pair the age with the 2016 birth")
	}
	if lk.rulesOf(0, 1)&(1<<yearRule) != 0 {
		t.Error("the family name and year rule pairs an age of 9 with a birth in 2012")
	}
	bad := PersonModel()
	bad.AgeAsOf = "27.11.2026x"
	if err := bad.Validate(); err == nil {
		t.Error("a malformed age_as_of passed validation")
	}
}

func TestSexComparisonReachesEachLevel(t *testing.T) {
	c := PersonModel().Comparisons[3]
	tests := []struct{ a, b, want string }{
		{"", "m", "missing"},
		{"m", "чоловіча", "same"},
		{"ж", "F", "same"},
		{"m", "f", "different"},
	}
	for _, tt := range tests {
		if got := levelOf(t, c, map[string]string{"sex": tt.a}, map[string]string{"sex": tt.b}); got != tt.want {
			t.Errorf("%q vs %q: level %q, want %q", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestPlaceComparisonReachesEachLevel(t *testing.T) {
	c := PersonModel().Comparisons[5]
	tests := []struct{ a, b, want string }{
		{"", "Маріуполь", "missing"},
		{"м. Маріуполь, Донецька обл.", "м. маріуполь, донецька обл.", "same after normalisation"},
		{"м. Маріуполь, Донецька обл.", "г. Мариуполь, Донецкая обл.", "same settlement"},
		{"с. Сартана, Маріупольський р-н, Донецька обл.", "с. Мангуш, Маріупольський р-н, Донецька обл.", "same raion"},
		{"м. Маріуполь, Донецька обл.", "Donetsk Oblast", "same oblast, no settlement named on one side"},
		{"м. Маріуполь, Донецька обл.", "г. Краматорск, Донецкая обл.", "same oblast"},
		{"м. Маріуполь, Донецька обл.", "г. Херсон, Херсонская обл.", "different"},
		// The codifier places bare settlement names in their raion and oblast.
		{"Сартана", "пгт Мангуш", "same raion"},
		{"Manhush", "Донецкая область", "same oblast, no settlement named on one side"},
		{"м. Маріуполь", "Donetsk Oblast", "same oblast, no settlement named on one side"},
		{"м. Ірпінь, Бучанський р-н, Київська обл.", "Irpin, Kyiv Oblast", "same settlement"},
	}
	for _, tt := range tests {
		if got := levelOf(t, c, map[string]string{"birth_place": tt.a}, map[string]string{"birth_place": tt.b}); got != tt.want {
			t.Errorf("%q vs %q: level %q, want %q", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestNameComparisonReachesEachLevel(t *testing.T) {
	c := PersonModel().Comparisons[0]
	tests := []struct{ given1, family1, given2, family2, want string }{
		{"", "Шевченко", "Олександр", "Шевченко", "missing"},
		{"Олександр", "Шевченко", "Олександр", "Шевченко", "same"},
		{"Олександр", "Шевченко", "ОЛЕКСАНДР", "Шевченко", "same"},
		{"Олександр", "Шевченко", "Oleksandr", "Shevchenko", "transliteration or Ukrainian/Russian equivalent"},
		{"Олександр", "Шевченко", "Александр", "Шевченко", "transliteration or Ukrainian/Russian equivalent"},
		{"Олександр", "Шевченко", "Сашко", "Шевченко", "diminutive"},
		{"Олександр", "Шевченко", "Шевченко", "Олександр", "given and family names swapped"},
		{"Олександр", "Шевченко", "Марія", "Шевченко", "different"},
	}
	for _, tt := range tests {
		got := levelOf(t, c,
			map[string]string{"given_name": tt.given1, "family_name": tt.family1},
			map[string]string{"given_name": tt.given2, "family_name": tt.family2})
		if got != tt.want {
			t.Errorf("%s %s vs %s %s: level %q, want %q", tt.given1, tt.family1, tt.given2, tt.family2, got, tt.want)
		}
	}
}

func TestStringExactAndNumericComparisonsReachEachLevel(t *testing.T) {
	str := Comparison{Kind: KindString, Field: "email", SwapField: "alt", Levels: []Level{
		{Label: "missing", When: WhenMissing}, {Label: "exact", When: WhenExact}, {Label: "normalised", When: WhenNormalised},
		{Label: "same user", When: WhenLocalPart}, {Label: "swapped", When: WhenSwapped},
		{Label: "lev1", When: WhenLevenshtein, Threshold: 1}, {Label: "jw", When: WhenJaroWinkler, Threshold: 0.85},
		{Label: "else", When: WhenElse}}}
	num := Comparison{Kind: KindNumeric, Field: "n", Levels: []Level{
		{Label: "missing", When: WhenMissing}, {Label: "exact", When: WhenExact},
		{Label: "abs", When: WhenAbsDiff, Threshold: 2}, {Label: "rel", When: WhenRelDiff, Threshold: 0.1},
		{Label: "else", When: WhenElse}}}
	exact := Comparison{Kind: KindExact, Field: "state", Levels: []Level{
		{Label: "missing", When: WhenMissing}, {Label: "exact", When: WhenExact}, {Label: "else", When: WhenElse}}}
	tests := []struct {
		c          Comparison
		a, b       map[string]string
		want, name string
	}{
		{str, map[string]string{"email": ""}, map[string]string{"email": "a@b.c"}, "missing", "blank"},
		{str, map[string]string{"email": "a@b.c"}, map[string]string{"email": "a@b.c"}, "exact", "equal"},
		{str, map[string]string{"email": "A@B.C"}, map[string]string{"email": "a@b.c"}, "normalised", "case"},
		{str, map[string]string{"email": "ann@x.org"}, map[string]string{"email": "ann@y.com"}, "same user", "local part"},
		{str, map[string]string{"email": "x", "alt": "y"}, map[string]string{"email": "y", "alt": "x"}, "swapped", "crosswise"},
		{str, map[string]string{"email": "martha"}, map[string]string{"email": "marhtas"}, "jw", "Jaro-Winkler"},
		{str, map[string]string{"email": "abcdef"}, map[string]string{"email": "abcxef"}, "lev1", "one edit"},
		{str, map[string]string{"email": "abc"}, map[string]string{"email": "xyz"}, "else", "different"},
		{num, map[string]string{"n": "10"}, map[string]string{"n": "10.0"}, "exact", "equal numbers"},
		{num, map[string]string{"n": "10"}, map[string]string{"n": "12"}, "abs", "within 2"},
		{num, map[string]string{"n": "100"}, map[string]string{"n": "109"}, "rel", "within 10%"},
		{num, map[string]string{"n": "100"}, map[string]string{"n": "200"}, "else", "far apart"},
		{exact, map[string]string{"state": "nsw"}, map[string]string{"state": "nsw"}, "exact", "equal"},
		{exact, map[string]string{"state": "nsw"}, map[string]string{"state": "vic"}, "else", "different"},
	}
	for _, tt := range tests {
		if got := levelOf(t, tt.c, tt.a, tt.b); got != tt.want {
			t.Errorf("%s %s: %v vs %v: level %q, want %q", tt.c.Kind, tt.name, tt.a, tt.b, got, tt.want)
		}
	}
}
