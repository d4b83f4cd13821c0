package exchange

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/homeward-project/homeward"
	"strings"

	"filippo.io/age"
)

// Identity is an installation's secret keys: an Ed25519 key that signs what
// it sends and an age X25519 identity that decrypts what is sent to it.
// Its String method shows only the fingerprint, so that printing an
// Identity by mistake never writes a secret key to a log.
type Identity struct {
	sign ed25519.PrivateKey
	age  *age.X25519Identity
	pub  PublicKeys
	fp   string
}

// GenerateIdentity makes a new identity from the system's random source.
func GenerateIdentity() (*Identity, error) {
	_, sign, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("exchange: generate signing key: %w", err)
	}
	a, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("exchange: generate age identity: %w", err)
	}
	return newIdentity(sign, a), nil
}

func newIdentity(sign ed25519.PrivateKey, a *age.X25519Identity) *Identity {
	id := &Identity{sign: sign, age: a}
	id.pub = PublicKeys{
		Signing: sign.Public().(ed25519.PublicKey),
		Age:     a.Recipient().String(),
	}
	id.fp = id.pub.Fingerprint()
	return id
}

// Public returns the keys others need to verify and encrypt to this identity.
func (id *Identity) Public() PublicKeys {
	return PublicKeys{Signing: bytes.Clone(id.pub.Signing), Age: id.pub.Age}
}

func (id *Identity) String() string   { return "exchange.Identity(" + id.fp + ")" }
func (id *Identity) GoString() string { return id.String() }

// secretMagic starts every encoded identity; the byte after it is the
// version, so that a later encoding can be told apart and refused or read.
const (
	secretMagic   = "HWID"
	secretVersion = 1
)

// MarshalSecret encodes the secret keys: "HWID", a version byte (1), the
// 32-byte Ed25519 seed (RFC 8032), then the age secret key in its own text
// form ("AGE-SECRET-KEY-1…"), because age offers no other way to rebuild an
// identity. The result is a secret: the caller encrypts it at rest.
func (id *Identity) MarshalSecret() []byte {
	b := make([]byte, 0, len(secretMagic)+1+ed25519.SeedSize+80)
	b = append(b, secretMagic...)
	b = append(b, secretVersion)
	b = append(b, id.sign.Seed()...)
	b = append(b, id.age.String()...)
	return b
}

// ErrBadIdentity is returned by ParseIdentity for anything MarshalSecret
// did not write. Its message never includes the input.
var ErrBadIdentity = errors.New("exchange: not a Homeward identity")

// ParseIdentity reads what MarshalSecret wrote.
func ParseIdentity(b []byte) (*Identity, error) {
	head := len(secretMagic) + 1
	if len(b) < head+ed25519.SeedSize || string(b[:len(secretMagic)]) != secretMagic {
		return nil, ErrBadIdentity
	}
	if v := b[len(secretMagic)]; v != secretVersion {
		return nil, fmt.Errorf("%w: unknown version %d", ErrBadIdentity, v)
	}
	seed := b[head : head+ed25519.SeedSize]
	a, err := age.ParseX25519Identity(string(b[head+ed25519.SeedSize:]))
	if err != nil {
		// age's error is about the key's text; it is not repeated, so that
		// no part of a secret reaches a log.
		return nil, fmt.Errorf("%w: the age key is damaged", ErrBadIdentity)
	}
	return newIdentity(ed25519.NewKeyFromSeed(seed), a), nil
}

// PublicKeys is what others know of a party.
type PublicKeys struct {
	Signing ed25519.PublicKey
	Age     string // the age X25519 recipient, "age1…"
}

// Validate reports whether both keys are well formed: a 32-byte Ed25519
// key and an age X25519 recipient (not a hybrid, SSH or plugin one).
func (p PublicKeys) Validate() error {
	if len(p.Signing) != ed25519.PublicKeySize {
		return fmt.Errorf("exchange: the signing key has %d bytes, want %d", len(p.Signing), ed25519.PublicKeySize)
	}
	if _, err := p.recipient(); err != nil {
		return err
	}
	return nil
}

// SigningBase64 is the signing key in standard base64, as a card shows it.
func (p PublicKeys) SigningBase64() string {
	return base64.StdEncoding.EncodeToString(p.Signing)
}

func (p PublicKeys) recipient() (*age.X25519Recipient, error) {
	r, err := parseRecipient(p.Age)
	if err != nil {
		return nil, errors.New("exchange: the age key is not an age X25519 recipient (age1…)")
	}
	return r, nil
}

// parseRecipient also reads a key written all in upper case, as Bech32
// allows and as a key read aloud or copied from paper may come.
func parseRecipient(s string) (*age.X25519Recipient, error) {
	if strings.ToUpper(s) == s {
		s = strings.ToLower(s)
	}
	return age.ParseX25519Recipient(s)
}

// fingerprintDomain separates party fingerprints from every other use of
// SHA-256 over keys.
const fingerprintDomain = "homeward-party-v1\x00"

// Fingerprint is a short, stable fingerprint of both keys for a person to
// compare over another channel: SHA-256 over "homeward-party-v1", a zero
// byte, the 32-byte signing key and the age recipient in its canonical
// (lower-case) text, truncated to 16 bytes and written as 8 groups of 4
// upper-case hex digits. Both keys are covered, so that neither can be
// swapped under a confirmed fingerprint. 128 bits is enough against a
// second preimage, the only attack a fingerprint must withstand.
func (p PublicKeys) Fingerprint() string {
	ageKey := p.Age
	if r, err := parseRecipient(p.Age); err == nil {
		ageKey = r.String()
	}
	h := sha256.New()
	h.Write([]byte(fingerprintDomain))
	h.Write(p.Signing)
	h.Write([]byte(ageKey))
	return formatFingerprint(h.Sum(nil)[:fingerprintBytes])
}

const fingerprintBytes = 16

func formatFingerprint(b []byte) string {
	x := strings.ToUpper(hex.EncodeToString(b))
	var s strings.Builder
	s.Grow(len(x) + len(x)/4)
	for i := 0; i < len(x); i += 4 {
		if i > 0 {
			s.WriteByte(' ')
		}
		s.WriteString(x[i : i+4])
	}
	return s.String()
}

// ErrBadFingerprint is wrapped by NormalizeFingerprint's errors.
var ErrBadFingerprint = errors.New("not a party fingerprint")

// NormalizeFingerprint accepts a fingerprint as a person types or pastes
// it (any case; spaces, dashes or colons anywhere) and returns its
// canonical form.
func NormalizeFingerprint(s string) (string, error) {
	fp, err := homeward.NormalizeFingerprint(s)
	if err != nil {
		return "", fmt.Errorf("%w: %s", ErrBadFingerprint, homeward.ErrorMessage(err))
	}
	return fp, nil
}

// isFingerprint reports whether s is a fingerprint in canonical form.
func isFingerprint(s string) bool {
	c, err := NormalizeFingerprint(s)
	return err == nil && c == s
}
