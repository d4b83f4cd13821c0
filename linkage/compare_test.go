package linkage

import (
	"testing"
)

// levelOf links one left value to one right value under a model of one
// comparison and returns the label of the level reached.
func levelOf(t *testing.T, c Comparison, left, right map[string]string) string {
	t.Helper()
	m := &Model{
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
		{"2015", "2015-07-21", "only a year given, the same"},
		{"2015-03-04", "2015-03-20", "same month and year"},
		{"2015-03-04", "2015-04-20", "one month apart"},
		{"2015-03-04", "2015-09-20", "same year"},
		{"2015-03-04", "2016-09-20", "one year apart"},
		{"2015", "2017-07-21", "only a year given, within two years"},
		{"2015-03-04", "2009-11-20", "different"},
	}
	for _, tt := range tests {
		got := levelOf(t, c, map[string]string{"birth_date": tt.a}, map[string]string{"birth_date": tt.b})
		if got != tt.want {
			t.Errorf("%q vs %q: level %q, want %q", tt.a, tt.b, got, tt.want)
		}
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
		{"м. Маріуполь, Донецька обл.", "Donetsk Oblast", "same oblast"},
		{"м. Маріуполь, Донецька обл.", "г. Херсон, Херсонская обл.", "different"},
		// The codifier places bare settlement names in their raion and oblast.
		{"Сартана", "пгт Мангуш", "same raion"},
		{"Manhush", "Донецкая область", "same oblast"},
		{"м. Маріуполь", "Donetsk Oblast", "same oblast"},
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
