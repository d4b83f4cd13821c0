package homeward

import (
	"strings"
	"unicode"
)

// NormalizeFingerprint returns a party fingerprint in its canonical form
// (eight groups of four upper-case hexadecimal digits, separated by spaces)
// from what a person types or pastes: any case, with spaces, dashes or
// colons anywhere, or none.
func NormalizeFingerprint(s string) (string, error) {
	if len(s) > 256 {
		return "", FieldErrorf(EINVALID, "fingerprint", "A fingerprint has %d hex digits; this is far longer.", FingerprintDigits)
	}
	var hex []byte
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r >= 'A' && r <= 'F':
			hex = append(hex, byte(r))
		case r >= 'a' && r <= 'f':
			hex = append(hex, byte(r-'a'+'A'))
		case r == '-' || r == ':' || unicode.IsSpace(r):
		default:
			return "", FieldErrorf(EINVALID, "fingerprint", "A fingerprint has only the hex digits 0–9 and A–F.")
		}
	}
	if len(hex) != FingerprintDigits {
		return "", FieldErrorf(EINVALID, "fingerprint", "A fingerprint has %d hex digits, this one %d.", FingerprintDigits, len(hex))
	}
	var b strings.Builder
	for i := 0; i < len(hex); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.Write(hex[i : i+4])
	}
	return b.String(), nil
}

// FingerprintDigits is the number of hexadecimal digits of a fingerprint:
// 128 bits, enough that no one can make keys with a chosen fingerprint,
// short enough to read out over a telephone line.
const FingerprintDigits = 32
