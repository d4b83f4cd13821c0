package names

import "testing"

func TestCompareSaysWhy(t *testing.T) {
	tests := []struct {
		a, b   string
		reason Reason
		system string
	}{
		{"Олександр", "Олександр", Identical, ""},
		{"Олександр", "ОЛЕКСАНДР", Normalised, ""},
		{"Олeксандр", "Олександр", Normalised, ""}, // Latin e inside
		{"Мар’яна", "Мар'яна", Normalised, ""},
		{"Олександр", "Oleksandr", Transliteration, "KMU 2010 (Ukrainian passports since 2010; BGN/PCGN 2019)"},
		{"Олександр Білий", "Oleksandr Bilyi", Transliteration, "KMU 2010 (Ukrainian passports since 2010; BGN/PCGN 2019)"},
		{"Александр Белый", "Aleksandr Belyy", Transliteration, ""},
		{"Шевченко", "Schewtschenko", Transliteration, "German usage (Ukrainian)"},
		{"Шевченко", "Szewczenko", Transliteration, "Polish usage (Ukrainian)"},
		{"Шевченко", "Chevtchenko", Transliteration, "French usage (Ukrainian)"},
		{"Олександр", "Александр", Equivalent, ""},
		{"Олександр", "Aleksandr", Equivalent, ""},
		{"Олександр", "Alexander", Equivalent, ""},
		{"Ганна", "Анна", Equivalent, ""},
		{"Мар'яна", "Марьяна", Equivalent, ""},
		{"Лук'янюк", "Лукьянюк", Equivalent, ""},
		{"Микола", "Николай", Equivalent, ""},
		{"Ковальська", "Ковальская", Equivalent, ""},
		{"Олійник", "Олейник", Equivalent, ""},
		{"Чорний", "Черный", Equivalent, ""},
		{"Білий", "Белый", Equivalent, ""},
		{"Саша", "Олександр", Diminutive, ""},
		{"Сашко", "Олександр", Diminutive, ""},
		{"Шура", "Александр", Diminutive, ""},
		{"Олесь", "Олександр", Diminutive, ""},
		{"Женя", "Євген", Diminutive, ""},
		{"Женя", "Євгенія", Diminutive, ""},
		{"Коля", "Микола", Diminutive, ""},
		{"Наталка", "Наталія", Diminutive, ""},
		{"Наташа", "Наталія", Diminutive, ""},
		{"Катя", "Катерина", Diminutive, ""},
		{"Sasha", "Олександр", Diminutive, ""},
		{"Екаерина", "Катерина", Typo, ""},  // a slip in the Russian form Екатерина
		{"Алексанр", "Олександр", Typo, ""}, // and in Александр
		{"Катерина", "Екаерина", Typo, ""},
		{"Ковальський", "Ковальська", GenderForm, ""},
		{"Петров", "Петрова", GenderForm, ""},
		{"Kovalskyi", "Kovalska", GenderForm, ""},
		{"Олександрович", "Олександрівна", GenderForm, ""},
		{"Миколайович", "Миколаївна", GenderForm, ""},
		{"Олександрович", "Александрович", Equivalent, ""},
		{"Іванівна", "Ивановна", Equivalent, ""},
		{"Bily", "Білий", Phonetic, ""},
		{"Alexander Bily", "Олександр Білий", Phonetic, ""},
		{"Шевченко", "Шевчнко", Typo, ""},
		{"Segei", "Сергій", Typo, ""}, // two slips in a short Latin spelling
		{"Олена", "Олеся", Different, ""},
		{"Шевченко", "Коваленко", Different, ""},
		{"Білий Олександр", "Олександр Білий", Normalised, ""},
		{"Ковальська-Петренко", "Ковальська Петренко", Normalised, ""},
	}
	for _, tc := range tests {
		got := Compare(tc.a, tc.b)
		if got.Reason != tc.reason || (tc.system != "" && got.System != tc.system) {
			t.Errorf("Compare(%q, %q) = %+v, want %v %s", tc.a, tc.b, got, tc.reason, tc.system)
		}
		if got.Score < 0 || got.Score > 1 {
			t.Errorf("Compare(%q, %q) score %v out of [0,1]", tc.a, tc.b, got.Score)
		}
		if rev := Compare(tc.b, tc.a); rev.Reason != got.Reason || rev.Score != got.Score {
			t.Errorf("Compare is not symmetric on %q, %q: %+v vs %+v", tc.a, tc.b, got, rev)
		}
	}
}

func TestCompareNamesIsSafeForConcurrentUse(t *testing.T) {
	prepared := []*Name{Prepare("Олександр Білий"), Prepare("Oleksandr Bilyi"), Prepare("Саша"), Prepare("Schewtschenko"), Prepare("Шевченко")}
	want := make([]Similarity, 0, 25)
	for _, a := range prepared {
		for _, b := range prepared {
			want = append(want, CompareNames(a, b))
		}
	}
	// Fresh names, so that the first Latin–Cyrillic comparisons race to
	// compute the transliterations.
	fresh := []*Name{Prepare("Олександр Білий"), Prepare("Oleksandr Bilyi"), Prepare("Саша"), Prepare("Schewtschenko"), Prepare("Шевченко")}
	done := make(chan []Similarity)
	for g := 0; g < 4; g++ {
		go func() {
			var got []Similarity
			for _, a := range fresh {
				for _, b := range fresh {
					got = append(got, CompareNames(a, b))
				}
			}
			done <- got
		}()
	}
	for g := 0; g < 4; g++ {
		got := <-done
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("comparison %d: %+v in a goroutine, %+v alone", i, got[i], want[i])
			}
		}
	}
}
