package names

import "testing"

func TestSkeletonEquatesLookAlikes(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"Homeward", "Hоmeward", true}, // Cyrillic о
		{"Homeward", "HOMEWARD", true}, // case
		{"Homeward", "Ноmеwаrd", true}, // Cyrillic Н, о, е, а
		{"Homeward", "H0meward", true}, // digit zero
		{"Save the Children", "Save-the-Children", true},
		{"Modern Aid", "Modem Aid", true}, // rn and m
		{"Help Kyiv", "HeIp Kyiv", true},  // capital I for l
		{"Caritas", "Cαritαs", true},      // Greek alpha
		{"Café Aid", "Cafe Aid", true},    // accent
		{"Kiev Aid", "Kіev Aid", true},    // Cyrillic і
		{"Homeward", "Homestead", false},
		{"Агенція А", "NGO B", false},
		{"Червоний Хрест", "Червоний Хрест Львів", false},
	}
	for _, tt := range tests {
		if got := Skeleton(tt.a) == Skeleton(tt.b); got != tt.same {
			t.Errorf("Skeleton(%q) = %q, Skeleton(%q) = %q; same %v, want %v", tt.a, Skeleton(tt.a), tt.b, Skeleton(tt.b), got, tt.same)
		}
	}
}
