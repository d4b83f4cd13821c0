package names

import (
	"slices"
	"testing"
)

func code(s string) string {
	b := phoneticCode(nil, Normalize(s), readEnglish)
	return string(b)
}

func TestPhoneticCodeJoinsSpellingsOfOneName(t *testing.T) {
	groups := [][]string{
		{"Олександр", "Oleksandr"},
		{"Александр", "Aleksandr", "Alexandr"},
		{"Наталія", "Наталья", "Natalia", "Nataliya", "Nataliia", "Natalya"},
		{"Юлія", "Юлия", "Yuliia", "Julia", "Iuliia", "Yulia"},
		{"Шевченко", "Shevchenko", "Schewtschenko", "Szewczenko", "Chevtchenko", "Ševčenko"},
		{"Сергей", "Sergei", "Sergey", "Sergej"},
		{"Сергій", "Serhii", "Serhiy", "Serhij"},
		{"Очеретська", "Ocheretska", "Очерецька"},
		{"Бровський", "Brovskyi"},
		{"Євген", "Yevhen", "Jewhen"},
		{"Евгений", "Evgeniy", "Yevgeny", "Evgenij", "Jewgeni"},
		{"Ковальська", "Ковальская", "Kovalska", "Kovalskaya", "Kowalska"},
		{"Олійник", "Oliinyk", "Olijnyk"}, {"Олейник", "Oleinik", "Oleynik"},
		{"Ганна", "Hanna", "Ganna"},
		{"Михайло", "Mikhailo", "Mixajlo", "Michajlo"},
		{"Сніжана", "Snizhana", "Snijana", "Snischana"},
		{"Зінаїда", "Zinaida", "Sinaida"},
		{"Сергій", "Serguii"},
		{"Федор", "Fyodor", "Fjodor", "Fedor"},
		{"Андрій", "Andrii", "Andriy", "Andrij"},
		{"Згурський", "Zghurskyi"},
		{"Ілля", "Илья", "Illia", "Ilya"},
		{"Щербина", "Shcherbyna", "Szczerbyna", "Shherbina", "Ŝerbina", "Scherbyna"},
	}
	for _, g := range groups {
		want := code(g[0])
		for _, s := range g[1:] {
			if got := codesOf(s); !slices.Contains(got, want) {
				t.Errorf("codes(%q) = %q, want %q as for %q", s, got, want, g[0])
			}
		}
	}
}

func TestPhoneticCodeKeepsDifferentNamesApart(t *testing.T) {
	pairs := [][2]string{
		{"Олена", "Аліна"}, {"Яна", "Анна"}, {"Марина", "Марія"}, {"Лена", "Ліна"},
		{"Олександр", "Олександра"}, {"Іван", "Ігор"},
	}
	for _, p := range pairs {
		if code(p[0]) == code(p[1]) {
			t.Errorf("%q and %q share code %q", p[0], p[1], code(p[0]))
		}
	}
}
