package homeward

import "testing"

func TestValidatePasswordRefusesGuessablePasswords(t *testing.T) {
	tests := []struct {
		password string
		personal []string
		ok       bool
	}{
		{"correct horse battery", []string{"worker-a", "Test worker-a"}, true},
		{"Зелений чайник 1987", nil, true},
		{"short", nil, false},
		{"aaaaaaaaaa", nil, false},
		{"abababababab", nil, false},
		{"abcdefghijkl", nil, false},
		{"0123456789", nil, false},
		{"9876543210", nil, false},
		{"qwertyuiop", nil, false},
		{"qwerty123456", nil, false},
		{"1qaz2wsx3edc", nil, false},
		{"йцукенгшщзх", nil, false},
		{"password123", nil, false},
		{"P@ssw0rd2024!", nil, false},
		{"Slavaukraini!", nil, false},
		{"iloveyou12345", nil, false},
		// From the leaked-password list, not Homeward's own.
		{"liverpool1983", nil, false},
		{"Scorpion!2024", nil, false},
		{"masterkey12", nil, false},
		{"blessed horse battery", nil, true},
		{"olena.kovalenko1", []string{"okovalenko", "Olena Kovalenko"}, false},
		{"okovalenko2024", []string{"okovalenko", "Olena Kovalenko"}, false},
	}
	for _, tt := range tests {
		err := ValidatePassword(tt.password, tt.personal...)
		if (err == nil) != tt.ok {
			t.Errorf("ValidatePassword(%q) = %v, want ok %v", tt.password, err, tt.ok)
		}
	}
}
