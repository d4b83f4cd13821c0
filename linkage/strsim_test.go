package linkage

import (
	"math"
	"testing"
)

func TestJaroWinklerMatchesPublishedValues(t *testing.T) {
	// Winkler's examples (Winkler 1990; also in Christen, Data Matching, 2012).
	tests := []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.961},
		{"dwayne", "duane", 0.84},
		{"dixon", "dicksonx", 0.813},
		{"шевченко", "шевченко", 1},
		{"abc", "xyz", 0},
	}
	for _, tt := range tests {
		if got := jaroWinkler(tt.a, tt.b); math.Abs(got-tt.want) > 0.001 {
			t.Errorf("jaroWinkler(%q, %q) = %.3f, want %.3f", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestLevenshteinStopsAtTheLimit(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"20150304", "20150394", 1, 1},
		{"20150304", "20150439", 1, 2}, // beyond the limit: limit+1
		{"kitten", "sitting", 3, 3},
		{"kitten", "sitting", 2, 3},
		{"Олена", "Олена", 1, 0},
		{"Олена", "Алена", 1, 1},
		{"abc", "abcd", 1, 1},
		// Longer than the rows kept on the stack.
		{"abcdefghijklmnopqrstuvwxyz0123456789ABCD", "abcdefghijklmnopqrstuvwxyz0123456789ABXD", 2, 1},
		{"Олександра Олександрівна Шевченко-Ковальська", "Олександра Олександрівна Шевчнко-Ковальська", 2, 1},
	}
	for _, tt := range tests {
		if got := levenshtein(tt.a, tt.b, tt.limit); got != tt.want {
			t.Errorf("levenshtein(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.limit, got, tt.want)
		}
	}
}
