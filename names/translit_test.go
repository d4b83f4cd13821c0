package names

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// interscriptSystems says which of our systems each interscript/maps file
// (copied into testdata/interscript, MIT, Ribose) tests.
var interscriptSystems = map[string]string{
	"ua-ukr-Cyrl-Latn-2010.imp":             "ua_2010",
	"bgnpcgn-ukr-Cyrl-Latn-2019.imp":        "ua_2010",
	"ua-ukr-Cyrl-Latn-1996.imp":             "ua_1996",
	"ua-ukr-Cyrl-Latn-2007.imp":             "ua_2007",
	"bgnpcgn-ukr-Cyrl-Latn-1965.imp":        "bgn_pcgn_1965",
	"bgnpcgn-rus-Cyrl-Latn-1947.imp":        "bgn_pcgn_1947",
	"gost-rus-Cyrl-Latn-16876-71-1983.imp":  "gost_16876_71",
	"gost-rus-Cyrl-Latn-7.79-2000-2002.imp": "gost_779_a",
	"mvd-rus-Cyrl-Latn-2008.imp":            "mvd_2008",
	"mvd-rus-Cyrl-Latn-2010.imp":            "mvd_2010",
	"icao-rus-Cyrl-Latn-9303.imp":           "icao_doc_9303",
	"icao-ukr-Cyrl-Latn-9303.imp":           "icao_9303_uk",
	"iso-rus-Cyrl-Latn-9-1995.imp":          "iso_9",
}

var impTest = regexp.MustCompile(`(?m)^\s*test\s+("(?:[^"\\]|\\.)*")\s*,\s*("(?:[^"\\]|\\.)*")`)

// readImpTests returns the official examples of an interscript map.
func readImpTests(t *testing.T, path string) [][2]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][2]string
	for _, m := range impTest.FindAllStringSubmatch(string(data), -1) {
		a, err1 := strconv.Unquote(m[1])
		b, err2 := strconv.Unquote(m[2])
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: cannot read test %s, %s", path, m[1], m[2])
		}
		out = append(out, [2]string{a, b})
	}
	return out
}

func TestTransliterationPassesInterscriptExamples(t *testing.T) {
	files, err := filepath.Glob("testdata/interscript/*.imp")
	if err != nil || len(files) == 0 {
		t.Fatalf("no interscript maps in testdata: %v", err)
	}
	total := 0
	for _, f := range files {
		base := filepath.Base(f)
		id, ok := interscriptSystems[base]
		if !ok {
			t.Errorf("%s: no system tests it", base)
			continue
		}
		sys := SystemByID(id)
		if sys == nil {
			t.Fatalf("%s: no system %s", base, id)
		}
		for _, tc := range readImpTests(t, f) {
			total++
			if got := sys.Transliterate(tc[0]); got != tc[1] {
				t.Errorf("%s (%s): %q gives %q, want %q", base, id, short(tc[0]), short(got), short(tc[1]))
			}
		}
	}
	if total < 250 {
		t.Errorf("only %d interscript examples read", total)
	}
}

func short(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

func TestTransliterationPassesIuliiaSamples(t *testing.T) {
	files, err := filepath.Glob("data/translit/*.json")
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var sf systemFile
		if err := json.Unmarshal(data, &sf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		id := strings.TrimSuffix(filepath.Base(f), ".json")
		sys := SystemByID(id)
		if sys == nil {
			t.Errorf("%s: table not registered in systemOrder", f)
			continue
		}
		for _, tc := range sf.Samples {
			total++
			if got := sys.Transliterate(tc[0]); got != tc[1] {
				t.Errorf("%s: %q gives %q, want %q", id, tc[0], got, tc[1])
			}
		}
	}
	if total < 70 {
		t.Errorf("only %d iuliia samples read", total)
	}
}

func TestTransliterationWritesCommonSpellingsAbroad(t *testing.T) {
	tests := []struct{ system, in, want string }{
		{"en_uk", "Шевченко", "Shevchenko"},
		{"de_uk", "Шевченко", "Schewtschenko"},
		{"pl_uk", "Шевченко", "Szewczenko"},
		{"fr_uk", "Шевченко", "Chevtchenko"},
		{"en_uk", "Андрій", "Andriy"},
		{"en_uk", "Наталія", "Natalia"},
		{"de_uk", "Олександр", "Olexandr"},
		{"ua_2010", "Олександр Білий", "Oleksandr Bilyi"},
		{"icao_doc_9303", "Александр Белый", "Aleksandr Belyi"},
		{"mvd_782", "Александр Белый", "Aleksandr Belyy"},
		{"ua_2010", "Згурський", "Zghurskyi"},
		{"de_ru", "Сергей Чернов", "Sergej Tschernow"},
		{"pl_ru", "Сергей Чернов", "Siergiej Czernow"},
	}
	for _, tc := range tests {
		got, ok := Transliterate(tc.in, tc.system)
		if !ok {
			t.Fatalf("no system %s", tc.system)
		}
		if got != tc.want {
			t.Errorf("%s: %q gives %q, want %q", tc.system, tc.in, got, tc.want)
		}
	}
}
