package seal

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"hash"
)

// Data at rest is sealed under data keys that are themselves sealed
// ("wrapped") under the installation's key or passphrase: the key that
// leaves the database can change without touching what it protects, and
// one record's key can be destroyed without touching the others.

// WrapKey seals k under kek, bound to ad.
func WrapKey(kek, k Key, ad []byte) ([]byte, error) { return Seal(kek, k.key[:], ad) }

// WrapKeyWithPassphrase seals k under a key derived from passphrase.
func WrapKeyWithPassphrase(passphrase string, k Key, ad []byte) ([]byte, error) {
	return SealWithPassphrase(passphrase, k.key[:], ad)
}

// UnwrapKey opens a key that WrapKey sealed under kek.
func UnwrapKey(kek Key, envelope, ad []byte) (Key, error) {
	b, err := Open(kek, envelope, ad)
	if err != nil {
		return Key{}, err
	}
	return fromOpened(b)
}

// UnwrapKeyWithPassphrase opens a key that WrapKeyWithPassphrase sealed.
func UnwrapKeyWithPassphrase(passphrase string, envelope, ad []byte) (Key, error) {
	b, err := OpenWithPassphrase(passphrase, envelope, ad)
	if err != nil {
		return Key{}, err
	}
	return fromOpened(b)
}

func fromOpened(b []byte) (Key, error) {
	if len(b) != KeySize {
		return Key{}, ErrDamaged
	}
	k := newKey(b)
	clear(b)
	return k, nil
}

// EnvelopeKeyID returns the id of the key an envelope made by Seal names,
// or "" for anything else: what a re-encryption asks of each stored value
// to know whether it is sealed under the key being retired.
func EnvelopeKeyID(envelope []byte) string {
	if len(envelope) < len(magic)+1+idSize || string(envelope[:len(magic)]) != magic || envelope[len(magic)] != kindKey {
		return ""
	}
	const hexdigits = "0123456789abcdef"
	id := make([]byte, 0, 2*idSize)
	for _, c := range envelope[len(magic)+1 : len(magic)+1+idSize] {
		id = append(id, hexdigits[c>>4], hexdigits[c&15])
	}
	return string(id)
}

// EnvelopePrefix returns the bytes every envelope sealed under k starts
// with, so that a database can find them with a comparison of its own.
func EnvelopePrefix(k Key) []byte {
	p := append([]byte(magic), kindKey)
	for i := 0; i < len(k.id); i += 2 {
		p = append(p, unhex(k.id[i])<<4|unhex(k.id[i+1]))
	}
	return p
}

func unhex(c byte) byte {
	if c >= 'a' {
		return c - 'a' + 10
	}
	return c - '0'
}

// Export returns the key in the key file's form, for an environment
// variable (HOMEWARD_KEY) or a printed copy kept in a safe: whoever holds
// it opens everything sealed under the key. Key has no String method, so
// that no format verb prints it by accident.
func (k Key) Export() string {
	return keyFileHeader + base64.StdEncoding.EncodeToString(k.key[:])
}

// NewMAC returns HMAC-SHA256 keyed with k: the blind index's tokens, equal
// for equal inputs and revealing nothing else. The hash is reused with
// Reset across many tokens, which saves setting up the key each time.
func (k Key) NewMAC() hash.Hash { return hmac.New(sha256.New, k.key[:]) }

// KeyFromBytes makes a key of 32 bytes (a subkey from Derive, say).
func KeyFromBytes(b []byte) (Key, error) {
	if len(b) != KeySize {
		return Key{}, ErrDamaged
	}
	return newKey(bytes.Clone(b)), nil
}
