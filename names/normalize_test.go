package names

import "testing"

func TestNormalizeFoldsWhatHandsVary(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Олександр", "олександр"},
		{"  ОЛЕКСАНДР   БІЛИЙ ", "олександр білий"},
		{"Мар’яна", "мар'яна"},
		{"Мар`яна", "мар'яна"},
		{"Марʼяна", "мар'яна"},
		{"Мар´яна", "мар'яна"},
		{"Ковальська - Петренко", "ковальська-петренко"},
		{"Ковальська–Петренко", "ковальська-петренко"},
		{"Фёдор", "федор"},
		{"Олeксандр", "олександр"},         // Latin e inside Cyrillic
		{"OЛЕНА", "олена"},                 // Latin O
		{"Оlena", "olena"},                 // Cyrillic О inside Latin
		{"Шевченко, Т.Г.", "шевченко т г"}, // punctuation is a space
		{"Іван2", "іван"},
		{"e\u0301", "é"}, // NFC
		{"", ""},
		{"'Олег'", "олег"},
		{"O'Brien", "o'brien"},
	}
	for _, tc := range tests {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDetectScriptTellsUkrainianFromRussian(t *testing.T) {
	tests := []struct {
		in   string
		want Script
	}{
		{"Олексій", ScriptUkrainian},
		{"Ґалаґан", ScriptUkrainian},
		{"Наталія", ScriptUkrainian},
		{"Алексей Белый", ScriptRussian},
		{"Эдуард", ScriptRussian},
		{"Наталья", ScriptRussian},
		{"Ковальська", ScriptUkrainian},
		{"Мар’яна", ScriptUkrainian}, // only Ukrainian writes an apostrophe in a word
		{"Ковальская", ScriptRussian},
		{"Артём", ScriptRussian},
		{"Олена", ScriptCyrillic},
		{"Шевченко", ScriptCyrillic},
		{"Oleksandr", ScriptLatin},
		{"Олександр Bilyi", ScriptMixed},
		{"Олeксандр", ScriptCyrillic}, // a look-alike is not a mixture
		{"", ScriptUnknown},
		{"123", ScriptUnknown},
	}
	for _, tc := range tests {
		if got := DetectScript(tc.in); got != tc.want {
			t.Errorf("DetectScript(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestKeysAreSharedByAllSpellingsOfOneName(t *testing.T) {
	groups := [][]string{
		{"Олександр", "Aleksandr", "Alexander", "Александр", "Саша", "Сашко", "Oleksandr", "Шура", "Олесь", "Sasha"},
		{"Білий", "Белый", "Bilyi", "Belyy", "Bily"},
		{"Шевченко", "Schewtschenko", "Szewczenko", "Chevtchenko", "Shevchenko"},
		{"Ковальський", "Ковальська", "Ковальская", "Kovalskyi", "Kowalski"},
		{"Наталія", "Наталка", "Наташа", "Natalia", "Наталья"},
		{"Микола", "Николай", "Коля", "Mykola", "Nikolai"},
		{"Ганна", "Анна", "Hanna", "Аня"},
		{"Женя", "Євген", "Євгенія", "Yevhen", "Evgeny"},
	}
	for _, g := range groups {
		base := Keys(g[0])
		for _, s := range g[1:] {
			if !sharesKey(base, Keys(s)) {
				t.Errorf("%q and %q share no key", g[0], s)
			}
		}
	}
}

func TestPrefixKeysSurviveLateTyposAcrossScripts(t *testing.T) {
	tests := []struct {
		a, b   string
		length int
		want   bool
	}{
		{"Денис", "Deis", 1, true},
		{"Остапенко", "Ostapekno", 3, true},
		{"Поліщук", "Полиук", 3, true},
		{"Олександр", "Aleksandr", 1, true}, // о and а are both vowels
		{"Остапенко", "Коваленко", 3, false},
		{"Денис", "Марко", 1, false},
		{"Денис", "", 1, false},
	}
	for _, tt := range tests {
		a := Prepare(tt.a).PrefixKeys(nil, tt.length)
		b := Prepare(tt.b).PrefixKeys(nil, tt.length)
		if got := sharesKey(a, b); got != tt.want {
			t.Errorf("%q and %q share a prefix key of %d: %v, want %v", tt.a, tt.b, tt.length, got, tt.want)
		}
	}
	if sharesKey(Prepare("Остапенко").PrefixKeys(nil, 2), Prepare("Остапенко").PrefixKeys(nil, 3)) {
		t.Error("prefix keys of different lengths meet")
	}
}

func TestKeysAreFewAndKeepUnrelatedNamesApart(t *testing.T) {
	pairs := [][2]string{{"Олександр", "Марія"}, {"Шевченко", "Коваленко"}, {"Іван", "Петро"}, {"Олена", "Ірина"}}
	for _, p := range pairs {
		if sharesKey(Keys(p[0]), Keys(p[1])) {
			t.Errorf("%q and %q share a key", p[0], p[1])
		}
	}
	for _, s := range []string{"Олександр Білий", "Schewtschenko", "Женя"} {
		if k := Keys(s); len(k) == 0 || len(k) > 8 {
			t.Errorf("Keys(%q) has %d keys, want 1 to 8", s, len(k))
		}
	}
	if k := Keys(""); len(k) != 0 {
		t.Errorf("Keys(\"\") = %v, want none", k)
	}
}

func TestKeysAgreeWithPreparedKeys(t *testing.T) {
	for _, s := range []string{"Олександр Білий", "Schewtschenko", "Женя", "Kovalskyi-Petrenko", "O'Brien"} {
		a, b := Keys(s), Prepare(s).Keys()
		if len(a) != len(b) || !sharesKey(a, b) {
			t.Errorf("Keys(%q) = %x, Prepare(..).Keys() = %x", s, a, b)
		}
	}
}

func TestCompareNamesAgreesWithCompare(t *testing.T) {
	names := []string{"Олександр", "Саша", "Aleksandr", "Шевченко", "Szewczenko", "Ковальська-Петренко", "Петренко", ""}
	for _, a := range names {
		for _, b := range names {
			if x, y := Compare(a, b), CompareNames(Prepare(a), Prepare(b)); x != y && !(a == b && a == "") {
				t.Errorf("%q, %q: Compare %+v, CompareNames %+v", a, b, x, y)
			}
		}
	}
}

func TestJaroWinklerCountsRunes(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"", "", 1},
		{"a", "", 0},
		{"MARTHA", "MARHTA", 0.9611},
		{"МАРТА", "МАРТА", 1},
		{"DWAYNE", "DUANE", 0.84},
		{"Олена", "Олеся", 0.8133},
	}
	for _, tc := range tests {
		if got := JaroWinkler(tc.a, tc.b); got < tc.want-0.001 || got > tc.want+0.001 {
			t.Errorf("JaroWinkler(%q, %q) = %.4f, want %.4f", tc.a, tc.b, got, tc.want)
		}
	}
}
