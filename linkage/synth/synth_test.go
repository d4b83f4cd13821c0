package synth

import (
	"reflect"
	"strings"
	"testing"
)

func TestGenerateIsDeterministicAndItsTruthPointsIntoBothFiles(t *testing.T) {
	a := Generate(Config{Reports: 500, Located: 3000, Seed: 9})
	b := Generate(Config{Reports: 500, Located: 3000, Seed: 9})
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same configuration generated two different corpora")
	}
	if len(a.Reports) != 500 || len(a.Located) != 3000 {
		t.Fatalf("sizes %d and %d, want 500 and 3000", len(a.Reports), len(a.Located))
	}
	reports, located := map[string]bool{}, map[string]bool{}
	for _, r := range a.Reports {
		reports[r[0]] = true
	}
	for _, r := range a.Located {
		located[r[0]] = true
		if len(r) != len(Header) {
			t.Fatalf("located row has %d cells, want %d", len(r), len(Header))
		}
	}
	if len(a.Truth) < 200 {
		t.Errorf("%d true pairs among 500 reports, want at least 200", len(a.Truth))
	}
	for _, p := range a.Truth {
		if !reports[p[0]] || !located[p[1]] {
			t.Fatalf("true pair %v names a record not generated", p)
		}
	}
}

func TestGenerateWritesNamesInSeveralScripts(t *testing.T) {
	c := Generate(Config{Reports: 200, Located: 2000, Seed: 4})
	latin, cyrillic := 0, 0
	for _, r := range c.Located {
		switch {
		case r[1] == "":
		case strings.ContainsAny(strings.ToLower(r[1][:1]), "abcdefghijklmnopqrstuvwxyz"):
			latin++
		default:
			cyrillic++
		}
	}
	if latin < 200 || cyrillic < 1000 {
		t.Errorf("%d Latin and %d Cyrillic given names among 2,000 located records", latin, cyrillic)
	}
}

func TestTransliterationFollowsKMU2010(t *testing.T) {
	// Examples from the Resolution of the Cabinet of Ministers of Ukraine
	// No. 55 of 27 January 2010.
	tests := map[string]string{
		"Згурський": "Zghurskyi", "Юрій": "Yurii", "Олексій": "Oleksii", "Ярошенко": "Yaroshenko",
		"Щербухи": "Shcherbukhy", "Їжакевич": "Yizhakevych", "Короп'є": "Koropie",
	}
	for in, want := range tests {
		if got := kmu2010.translit(in); got != want {
			t.Errorf("translit(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGenerateSpreadsBirthplacesAndSurnamesLikeAPopulation(t *testing.T) {
	c := Generate(Config{Reports: 2000, Located: 20000, Seed: 5})
	places, surnames := map[string]int{}, map[string]int{}
	for _, r := range c.Reports {
		if r[6] != "" {
			places[strings.SplitN(r[6], ",", 2)[0]]++
		}
		surnames[r[2]]++
	}
	if len(places) < 800 {
		t.Errorf("%d distinct birthplaces among 2,000 reports, want at least 800", len(places))
	}
	if len(surnames) < 1000 {
		t.Errorf("%d distinct surnames among 2,000 reports, want at least 1,000", len(surnames))
	}
	for s, n := range surnames {
		if n > 40 {
			t.Errorf("surname %q on %d of 2,000 reports: no surname should be that common", s, n)
		}
	}
}

func TestRussianPlaceFollowsTheRegularCorrespondences(t *testing.T) {
	tests := map[string]string{
		"Олександрівка": "Александровка", "Миколаївка": "Николаевка", "Андріївка": "Андреевка",
		"Харків": "Харьков", "Краматорськ": "Краматорск", "Нова Каховка": "Новая Каховка",
		"Трудове": "Трудовое", "Слов'янськ": "Славянск", "Донецьк": "Донецк",
	}
	for in, want := range tests {
		if got := russianPlace(in); got != want {
			t.Errorf("russianPlace(%q) = %q, want %q", in, got, want)
		}
	}
}
