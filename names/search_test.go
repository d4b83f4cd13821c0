package names

import (
	"slices"
	"strings"
	"testing"
)

// found tells whether a search for word finds a record indexed under name,
// as the store decides it: one shared key.
func found(word, name string) bool {
	record := SearchKeys(nil, name)
	for _, k := range QueryKeys(word) {
		if slices.Contains(record, k) {
			return true
		}
	}
	return false
}

func TestSearchFindsSpellingsAndPrefixes(t *testing.T) {
	for _, c := range []struct {
		name  string
		found []string
		not   []string
	}{
		{"Златослава", []string{"Zlatoslava", "zlatoslava", "ZLATOSLAVA", "Злато", "злато", "Zlato", "Zla", "Зла", "Златосл"}, []string{"Злотий", "Slava"}},
		{"Олександр", []string{"Олександр", "Александр", "Oleksandr", "Aleksandr", "Alexander", "Sasha", "Саша", "Сашко", "Олекс", "Oleks", "Алекс", "Олекса"},
			[]string{"Олексій", "Oleksii", "Алексей", "Олена", "Oleksiy"}},
		{"Олексій", []string{"Oleksii", "Алексей", "Льоша", "Олекс", "Олексі", "Oleksi"}, []string{"Oleksandr", "Олександр", "Aleksandr", "Саша"}},
		{"Мар'яна", []string{"Мар'яна", "Марʼяна", "Мар’яна", "Мар`яна", "Марьяна", "Maryana", "Mariana", "Мар", "Мар'я", "Mar'"}, []string{"Марта", "Мирослава"}},
		{"Марія", []string{"Maria", "Mariia", "Мария", "Марі", "Mari", "Мар"}, []string{"Марта", "Марк"}},
		{"Шевченко", []string{"Shevchenko", "SHEVCHENKO", "Schewtschenko", "Szewczenko", "Шевч", "Shevch", "Shevc", "Шев", "Shev"}, []string{"Коваленко", "Шевчук", "Шевчишин"}},
		{"Коваленко", []string{"Kovalenko", "Коваль", "Koval"}, []string{"Шевченко", "Shevchenko", "Ковальчук", "Kovalchuk"}},
		{"Ковальчук", []string{"Kovalchuk", "Kovalc", "Коваль"}, []string{"Коваленко"}},
		{"Анна-Марія", []string{"Анна", "Ганна", "Марія", "Maria", "Ан", "Мар"}, []string{"Олена", "Софія"}},
		{"Ivanova Petrenko", []string{"Іванова", "Иванова", "Петренко", "Петр", "Ivan"}, []string{"Шевченко", "Марія"}},
		{"Yurii", []string{"Юрій", "Юра", "Юр", "Yur"}, []string{"Юлія"}},
		{"Цвєтков", []string{"Tsvietkov", "Tsvetkov", "Tsve", "Цве"}, []string{"Тарас"}},
	} {
		for _, w := range c.found {
			if !found(w, c.name) {
				t.Errorf("%q does not find %q", w, c.name)
			}
		}
		for _, w := range c.not {
			if found(w, c.name) {
				t.Errorf("%q finds %q", w, c.name)
			}
		}
	}
}

// A search for a full name finds what Keys equates with it: the blind
// index must not lose a match that blocking would make.
func TestQueryKeysIncludeKeys(t *testing.T) {
	for _, w := range []string{"Олександр", "Sasha", "Shevchenko", "Мар'яна", "Анна-Марія", "Ivanova Petrenko"} {
		q := QueryKeys(w)
		for _, k := range Keys(w) {
			if !slices.Contains(q, k) {
				t.Errorf("QueryKeys(%q) lacks key %x of Keys", w, k)
			}
		}
		s := SearchKeys(nil, w)
		for _, k := range Keys(w) {
			if !slices.Contains(s, k) {
				t.Errorf("SearchKeys(%q) lacks key %x of Keys", w, k)
			}
		}
	}
}

// SearchKeys indexes exactly PrefixKeys' prefix keys, so that other users
// of PrefixKeys and the index agree.
func TestSearchKeysHoldPrefixKeys(t *testing.T) {
	for _, w := range []string{"Олександр", "Шевченко", "Іван", "Kovalchuk", "Мар'яна"} {
		s := SearchKeys(nil, w)
		codeLen := len(Prepare(w).parts[0].code)
		for l := 1; l <= searchPrefixLen; l++ {
			ks := Prepare(w).PrefixKeys(nil, l)
			for _, k := range ks[:1] { // the first reading's key
				want := l <= codeLen && l >= min(searchPrefixMin, codeLen)
				if has := slices.Contains(s, k); has != want {
					t.Errorf("SearchKeys(%q) has PrefixKeys(%d) = %v, want %v", w, l, has, want)
				}
			}
		}
	}
}

func TestSearchKeysAppend(t *testing.T) {
	dst := []uint64{1, 1}
	got := SearchKeys(dst, "Олександр")
	if got[0] != 1 || got[1] != 1 {
		t.Fatalf("SearchKeys changed dst's entries: %v", got[:2])
	}
	if want := SearchKeys(nil, "Олександр"); !slices.Equal(got[2:], want) {
		t.Fatalf("SearchKeys appended %v, want %v", got[2:], want)
	}
	if k := QueryKeys(" -'- 123"); k != nil {
		t.Fatalf("QueryKeys of no letters = %v", k)
	}
	if k := SearchKeys(nil, ""); k != nil {
		t.Fatalf("SearchKeys of nothing = %v", k)
	}
}

// precisionNames are common, distinct Ukrainian given names and surnames
// (the head of data/given.tsv and the most frequent surnames).
var precisionNames = []string{
	"Олександр", "Максим", "Артем", "Дмитро", "Данило", "Назар", "Іван", "Андрій", "Богдан",
	"Владислав", "Денис", "Ярослав", "Михайло", "Кирило", "Матвій", "Микита", "Олексій", "Тимофій",
	"Марія", "Анна", "Софія", "Вікторія", "Олена", "Наталія", "Тетяна", "Юлія", "Дарина",
	"Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Ковальчук", "Олійник",
	"Шевчук", "Поліщук", "Бойко", "Ткачук", "Мельник", "Коваль", "Лисенко", "Марченко", "Руденко",
	"Савченко", "Петренко", "Клименко", "Кравчук", "Павленко", "Мороз", "Левченко", "Гончаренко",
	"Кузьменко",
}

// A full-name query, in Cyrillic or on a passport, finds few of the other
// names of the list. Those it finds begin with it (Коваль finds
// Ковальчук) or share its consonants (Keys' skeleton: Марія and Мороз),
// which blocking allows; many more would flood the caseworker.
func TestSearchPrecision(t *testing.T) {
	const maxOthers, maxTotal = 3, 10
	passport := SystemByID("ua_2010")
	total := 0
	var report []string
	for _, q := range precisionNames {
		for _, word := range []string{q, passport.Transliterate(q)} {
			var hits []string
			for _, r := range precisionNames {
				if r != q && found(word, r) {
					hits = append(hits, r)
				}
			}
			if !found(word, q) {
				t.Errorf("%q does not find %q", word, q)
			}
			if len(hits) > maxOthers {
				t.Errorf("%q finds %d others: %v", word, len(hits), hits)
			}
			if len(hits) > 0 {
				report = append(report, word+"→"+strings.Join(hits, ","))
			}
			total += len(hits)
		}
	}
	t.Logf("%d queries of %d names: %d other names found in all; %s",
		2*len(precisionNames), len(precisionNames), total, strings.Join(report, "; "))
	if total > maxTotal {
		t.Errorf("full-name queries found %d other names, want at most %d", total, maxTotal)
	}
}

func BenchmarkSearchKeys(b *testing.B) {
	var dst []uint64
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		dst = SearchKeys(dst[:0], benchNames[i%len(benchNames)])
	}
}

func BenchmarkQueryKeys(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		QueryKeys(benchNames[i%len(benchNames)])
	}
}

// FuzzSearchKeys: no input panics, both functions are deterministic and
// give distinct keys, and a name queried in full finds itself.
func FuzzSearchKeys(f *testing.F) {
	for _, s := range []string{"Златослава", "Олександр Білий", "Мар'яна", "Анна-Марія", "Shevchenko", "Ščukino",
		"\xff\xfe", "ʼʼʼ", "- - -", "ch", "ія", "e\u0301", strings.Repeat("щ", 100), "Oleksiia", "Y", "тс"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, q := SearchKeys(nil, s), QueryKeys(s)
		if !slices.Equal(a, SearchKeys(nil, s)) || !slices.Equal(q, QueryKeys(s)) {
			t.Fatalf("keys of %q are not deterministic", s)
		}
		for name, ks := range map[string][]uint64{"SearchKeys": a, "QueryKeys": q} {
			seen := map[uint64]bool{}
			for _, k := range ks {
				if seen[k] {
					t.Fatalf("%s(%q) repeats %x", name, s, k)
				}
				seen[k] = true
			}
		}
		if len(a) == 0 != (len(q) == 0) {
			t.Fatalf("%q: %d search keys but %d query keys", s, len(a), len(q))
		}
		if len(a) > 0 && !found(s, s) {
			t.Fatalf("%q does not find itself", s)
		}
	})
}
