package pdf

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// oneEach measures every character as 1 wide and combining marks as 0, as a
// font would.
func oneEach(s string) float64 {
	n := 0.0
	for _, r := range s {
		if r != '\u0301' {
			n++
		}
	}
	return n
}

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    string
		w    float64
		want []string
	}{
		{"empty is one empty line", "", 10, []string{""}},
		{"fits", "Мар'яна", 10, []string{"Мар'яна"}},
		{"breaks at spaces", "Ґанна Їжак Коваленко", 11, []string{"Ґанна Їжак", "Коваленко"}},
		{"exact width", "abc def", 7, []string{"abc def"}},
		{"newlines", "a\nb\n\nc", 10, []string{"a", "b", "", "c"}},
		{"trailing newlines dropped", "a\n\n", 10, []string{"a"}},
		{"spaces at breaks dropped", "aaa   bbb", 4, []string{"aaa", "bbb"}},
		{"spaces inside kept", "a  b", 10, []string{"a  b"}},
		{"long word breaks", "Олександрович", 5, []string{"Олекс", "андро", "вич"}},
		{"long word after a short one", "до Олександрович", 5, []string{"до", "Олекс", "андро", "вич"}},
		{"combining accent is not wide", "Мари\u0301я Коваленко", 10, []string{"Мари\u0301я", "Коваленко"}},
		{"narrower than a character", "abc", 0.5, []string{"a", "b", "c"}},
		{"no-break space does not break", "HW\u00a0001 x", 6, []string{"HW\u00a0001", "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := wrap(tc.s, tc.w, oneEach)
			if !slices.Equal(got, tc.want) {
				t.Errorf("wrap(%q, %v) = %q, want %q", tc.s, tc.w, got, tc.want)
			}
		})
	}
}

func TestWrapLosesNoText(t *testing.T) {
	s := strings.Repeat("Ґанна Їжак Олександрівна-Коваленко ", 50)
	for _, w := range []float64{1, 3, 7, 20, 200} {
		got := strings.Join(wrap(s, w, oneEach), "")
		if strings.ReplaceAll(got, " ", "") != strings.ReplaceAll(s, " ", "") {
			t.Errorf("width %v: text changed", w)
		}
		for _, l := range wrap(s, w, oneEach) {
			if oneEach(l) > w && utf8.RuneCountInString(l) > 1 {
				t.Errorf("width %v: line %q is too wide", w, l)
			}
		}
	}
}

func TestClean(t *testing.T) {
	for _, tc := range []struct {
		name    string
		s       string
		oneLine bool
		want    string
	}{
		{"plain", "Ґанна Їжак", false, "Ґанна Їжак"},
		{"emoji outside the BMP", "Мар'яна 😀", false, "Мар'яна \uFFFD"},
		{"CR LF", "a\r\nb\rc", false, "a\nb\nc"},
		{"tab", "a\tb", false, "a b"},
		{"controls dropped", "a\x00b\x1bc\u0085d", false, "abc\nd"},
		{"one line", "a\nb\r\nc", true, "a b c"},
		{"line separator", "a\u2028b", false, "a\nb"},
		{"invalid UTF-8", "a\xffb", false, "a\uFFFDb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := clean(tc.s, tc.oneLine); got != tc.want {
				t.Errorf("clean(%q) = %q, want %q", tc.s, got, tc.want)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		s    string
		w    float64
		want string
	}{
		{"HW-0001", 10, "HW-0001"},
		{"Олександр Коваленко", 11, "Олександр…"},
		{"abc", 0, "…"},
	} {
		if got := truncate(tc.s, tc.w, oneEach); got != tc.want {
			t.Errorf("truncate(%q, %v) = %q, want %q", tc.s, tc.w, got, tc.want)
		}
	}
}

func FuzzWrite(f *testing.F) {
	f.Add("Олександр Коваленко", "Мар'яна\n😀\t\x00", 1.0)
	f.Add(strings.Repeat("Ґ", 500), "", 0.0)
	f.Fuzz(func(t *testing.T, a, b string, width float64) {
		d := Document{Lang: "uk", Title: a, Footer: b, Blocks: []Block{
			Heading{Text: a}, Paragraph{Text: b}, Fields{Rows: []Field{{a, b}}},
			Table{Columns: []Column{{Title: a, Width: width}, {Title: b}}, Rows: [][]string{{a, b}, {b, a}}},
		}}
		err := Write(new(strings.Builder), d)
		if err != nil && d.validate() == nil {
			t.Fatalf("valid document failed: %v", err)
		}
	})
}
