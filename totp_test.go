package homeward

import (
	"encoding/base32"
	"testing"
	"time"
)

// The test vectors of RFC 6238 Appendix B for SHA-1, whose secret is the
// ASCII of "12345678901234567890", cut to six digits.
func TestTOTPCodeMatchesRFC6238(t *testing.T) {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))
	tests := []struct {
		unix int64
		want string
	}{
		{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"},
		{1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"},
	}
	for _, tt := range tests {
		got, err := TOTPCode(secret, time.Unix(tt.unix, 0))
		if err != nil || got != tt.want {
			t.Errorf("TOTPCode at %d = %q, %v; want %q", tt.unix, got, err, tt.want)
		}
	}
}

func TestVerifyTOTPAllowsOneStepOfDriftAndNoReplay(t *testing.T) {
	secret, err := NewTOTPSecret()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	code, _ := TOTPCode(secret, now)
	step, ok := VerifyTOTP(secret, code, now.Add(25*time.Second), 0)
	if !ok {
		t.Fatal("a code one step old was refused")
	}
	if _, ok := VerifyTOTP(secret, code, now, step); ok {
		t.Error("a used code was accepted again")
	}
	if _, ok := VerifyTOTP(secret, code, now.Add(2*time.Minute), 0); ok {
		t.Error("a code four steps old was accepted")
	}
	if _, ok := VerifyTOTP(secret, "12345", now, 0); ok {
		t.Error("a five-digit code was accepted")
	}
}
