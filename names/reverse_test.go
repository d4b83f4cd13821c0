package names

import (
	"slices"
	"testing"
)

func TestReverseFindsTheCyrillicOriginal(t *testing.T) {
	tests := []struct {
		latin string
		want  string // must be among the candidates
		first bool   // and first
	}{
		{"Oleksandr", "Олександр", true},
		{"Aleksandr", "Александр", false},
		{"Shevchenko", "Шевченко", true},
		{"Schewtschenko", "Шевченко", false},
		{"Kovalska", "Ковальська", false},
		{"Zghurskyi", "Згурський", false},
		{"Nataliia", "Наталія", true},
		{"Oleksandr Bilyi", "Олександр Білий", false},
		{"Yuliia", "Юлія", true},
	}
	for _, tc := range tests {
		got := Reverse(tc.latin, 12)
		if !slices.Contains(got, tc.want) || tc.first && got[0] != tc.want {
			t.Errorf("Reverse(%q) = %q, want %q among them (first: %v)", tc.latin, got, tc.want, tc.first)
		}
	}
	if got := Reverse("Олександр", 0); got != nil {
		t.Errorf("Reverse of Cyrillic = %q, want nil", got)
	}
}
