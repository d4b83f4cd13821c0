package exchange

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

func TestIdentitySecretRoundTrip(t *testing.T) {
	id, err := GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	secret := id.MarshalSecret()
	back, err := ParseIdentity(secret)
	if err != nil {
		t.Fatal(err)
	}
	if back.Public().Fingerprint() != id.Public().Fingerprint() {
		t.Errorf("fingerprint changed: %s, want %s", back.Public().Fingerprint(), id.Public().Fingerprint())
	}
	if !bytes.Equal(back.MarshalSecret(), secret) {
		t.Errorf("secret changed in a round trip")
	}
	doc, err := SignDocument(back, "message", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Verify(id.Public()); err != nil {
		t.Errorf("a document signed by the parsed identity does not verify with the original's keys: %v", err)
	}
}

func TestParseIdentityRefusesWhatMarshalSecretDidNotWrite(t *testing.T) {
	good := testIdentity(t, 0).MarshalSecret()
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"short", good[:20]},
		{"other magic", append([]byte("HWIX"), good[4:]...)},
		{"later version", append(append([]byte("HWID"), 2), good[5:]...)},
		{"age key cut off", good[:len(good)-3]},
		{"no age key", good[:5+32]},
		{"age key altered", append(bytes.Clone(good[:len(good)-1]), 'Q')},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseIdentity(tt.b)
			if !errors.Is(err, ErrBadIdentity) {
				t.Fatalf("ParseIdentity: %v, want ErrBadIdentity", err)
			}
			if strings.Contains(err.Error(), "AGE-SECRET-KEY") {
				t.Errorf("error %q shows a secret key", err)
			}
		})
	}
}

func TestIdentityNeverPrintsItsSecrets(t *testing.T) {
	id := testIdentity(t, 0)
	secret := id.age.String()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(verb, id); strings.Contains(s, secret) || !strings.Contains(s, id.fp) {
			t.Errorf("%s of an identity: %q", verb, s)
		}
	}
}

func TestFingerprintIsStable(t *testing.T) {
	// A change here invalidates every fingerprint people have confirmed.
	want := []string{
		"90E8 9098 C10D C8BD B2ED 621F 407E 52E4",
		"1039 5AB5 D34B 8A4E 16F6 EE7A 9CBC 6A24",
	}
	for i, w := range want {
		if got := testIdentity(t, i).Public().Fingerprint(); got != w {
			t.Errorf("fingerprint of test identity %d is %s, want %s", i, got, w)
		}
	}
	shape := regexp.MustCompile(`^[0-9A-F]{4}( [0-9A-F]{4}){7}$`)
	if fp := testIdentity(t, 2).Public().Fingerprint(); !shape.MatchString(fp) {
		t.Errorf("fingerprint %q is not 8 groups of 4 hex digits", fp)
	}
}

func TestFingerprintCoversBothKeys(t *testing.T) {
	a, b := testIdentity(t, 0).Public(), testIdentity(t, 1).Public()
	mixed := PublicKeys{Signing: a.Signing, Age: b.Age}
	if mixed.Fingerprint() == a.Fingerprint() || mixed.Fingerprint() == b.Fingerprint() {
		t.Errorf("swapping one key keeps the fingerprint")
	}
	upper := PublicKeys{Signing: a.Signing, Age: strings.ToUpper(a.Age)}
	if upper.Fingerprint() != a.Fingerprint() {
		t.Errorf("the age key in upper case changes the fingerprint")
	}
}

func TestNormalizeFingerprint(t *testing.T) {
	const canon = "3F2A 91C0 0BDE 7714 A0A0 FFFF 1234 ABCD"
	tests := []struct {
		in, want string
		ok       bool
	}{
		{canon, canon, true},
		{"3f2a 91c0 0bde 7714 a0a0 ffff 1234 abcd", canon, true},
		{"3F2A91C00BDE7714A0A0FFFF1234ABCD", canon, true},
		{"3F2A-91C0-0BDE-7714-A0A0-FFFF-1234-ABCD", canon, true},
		{"3F:2A:91:C0:0B:DE:77:14:A0:A0:FF:FF:12:34:AB:CD", canon, true},
		{"  3F2A 91C0\t0BDE 7714\r\nA0A0 FFFF 1234 ABCD  ", canon, true},
		{"3F2A\u00a091C0 0BDE 7714 A0A0 FFFF 1234 ABCD", canon, true}, // a no-break space from a mail
		{"", "", false},
		{"3F2A 91C0 0BDE 7714 A0A0 FFFF 1234 ABC", "", false},       // one digit short
		{"3F2A 91C0 0BDE 7714 A0A0 FFFF 1234 ABCDE", "", false},     // one too many
		{"3F2A 91C0 0BDE 7714 A0A0 FFFF 1234 ABCG", "", false},      // not hex
		{"3F2A 91C0 0BDE 7714 A0A0 FFFF 1234 ABC\u0414", "", false}, // Cyrillic
		{strings.Repeat(" ", 300) + canon, "", false},
	}
	for _, tt := range tests {
		got, err := NormalizeFingerprint(tt.in)
		if tt.ok != (err == nil) || got != tt.want {
			t.Errorf("NormalizeFingerprint(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrBadFingerprint) {
			t.Errorf("NormalizeFingerprint(%q): %v does not wrap ErrBadFingerprint", tt.in, err)
		}
	}
}

func TestPublicKeysValidate(t *testing.T) {
	good := testIdentity(t, 0).Public()
	hybrid := "age1pq1" + strings.Repeat("q", 60)
	tests := []struct {
		name string
		keys PublicKeys
		ok   bool
	}{
		{"good", good, true},
		{"short signing key", PublicKeys{Signing: good.Signing[:31], Age: good.Age}, false},
		{"no age key", PublicKeys{Signing: good.Signing}, false},
		{"age key altered", PublicKeys{Signing: good.Signing, Age: alter(good.Age, 20)}, false},
		{"not X25519", PublicKeys{Signing: good.Signing, Age: hybrid}, false},
	}
	for _, tt := range tests {
		if err := tt.keys.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}

// alter changes the byte at i to another Bech32 character.
func alter(s string, i int) string {
	c := byte('q')
	if s[i] == 'q' {
		c = 'p'
	}
	return s[:i] + string(c) + s[i+1:]
}
