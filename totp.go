package homeward

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP is the second factor: time-based one-time passwords of RFC 6238
// (HMAC-SHA-1, 30-second steps, 6 digits), the defaults every
// authenticator app reads from an otpauth:// URI.
const (
	totpStep   = 30 * time.Second
	totpDigits = 6
)

var totpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a random 160-bit secret (RFC 4226 §4 recommends
// 160 bits) in unpadded base32, as authenticator apps take it.
func NewTOTPSecret() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("TOTP secret: %w", err)
	}
	return totpEncoding.EncodeToString(b), nil
}

// TOTPURI is the otpauth:// URI of a secret, for an authenticator app.
func TOTPURI(issuer, account, secret string) string {
	label := url.PathEscape(issuer + ":" + account)
	q := url.Values{"secret": {secret}, "issuer": {issuer}}
	return "otpauth://totp/" + label + "?" + q.Encode()
}

// TOTPCode returns the code of secret for the step that holds t.
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := totpEncoding.DecodeString(strings.ToUpper(strings.ReplaceAll(secret, " ", "")))
	if err != nil {
		return "", fmt.Errorf("TOTP secret: %w", err)
	}
	return hotp(key, uint64(t.Unix())/uint64(totpStep/time.Second)), nil
}

// hotp is RFC 4226 §5.3: HMAC of the counter, dynamically truncated.
func hotp(key []byte, counter uint64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", totpDigits, v%1_000_000)
}

// VerifyTOTP checks a code against secret at t, allowing one step either
// way for a clock that drifts, and returns the step it matched. A step at
// or before after (the last one used) is refused, so that a code seen
// over a shoulder cannot be used again.
func VerifyTOTP(secret, code string, t time.Time, after int64) (step int64, ok bool) {
	key, err := totpEncoding.DecodeString(strings.ToUpper(strings.ReplaceAll(secret, " ", "")))
	if err != nil || len(key) == 0 {
		return 0, false
	}
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != totpDigits {
		return 0, false
	}
	now := t.Unix() / int64(totpStep/time.Second)
	for _, s := range []int64{now - 1, now, now + 1} {
		if s > after && subtle.ConstantTimeCompare([]byte(hotp(key, uint64(s))), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}
