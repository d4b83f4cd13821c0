package seal

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// An envelope is: magic "hws1", one byte of kind, the key id (8 bytes),
// for a passphrase envelope the salt, the nonce, then the ciphertext with
// its tag. The header is part of the associated data, so that no byte of
// it can be changed either.
const (
	magic          = "hws1"
	kindKey        = 'k'
	kindPassphrase = 'p'
	idSize         = 8
)

// WrongKeyError says an envelope was sealed under another key than the
// one given, naming both ids.
type WrongKeyError struct{ Want, Have string }

func (e *WrongKeyError) Error() string {
	return fmt.Sprintf("seal: sealed under key %s, not under the key given (%s)", e.Want, e.Have)
}

// ErrDamaged is returned for an envelope that fails authentication: it was
// altered, truncated, or sealed for another place (associated data).
var ErrDamaged = errors.New("seal: the sealed data is damaged or does not belong here")

// Seal encrypts plaintext under k, bound to ad.
func Seal(k Key, plaintext, ad []byte) ([]byte, error) {
	id, _ := hex.DecodeString(k.id)
	head := append(append([]byte(magic), kindKey), id...)
	return seal(k, head, plaintext, ad)
}

// SealWithPassphrase encrypts plaintext under a key derived from the
// passphrase with a fresh salt kept in the envelope.
func SealWithPassphrase(passphrase string, plaintext, ad []byte) ([]byte, error) {
	salt := make([]byte, saltSize)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	k, err := KeyFromPassphrase(passphrase, salt)
	if err != nil {
		return nil, err
	}
	id, _ := hex.DecodeString(k.id)
	head := append(append(append([]byte(magic), kindPassphrase), id...), salt...)
	return seal(k, head, plaintext, ad)
}

func seal(k Key, head, plaintext, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(k.key[:])
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := append(bytes.Clone(head), nonce...)
	return aead.Seal(out, nonce, plaintext, associated(head, ad)), nil
}

func associated(head, ad []byte) []byte { return append(bytes.Clone(head), ad...) }

// Open decrypts an envelope that Seal made under k and bound to ad.
func Open(k Key, envelope, ad []byte) ([]byte, error) {
	if len(envelope) < len(magic)+1+idSize || string(envelope[:len(magic)]) != magic {
		return nil, ErrDamaged
	}
	switch envelope[len(magic)] {
	case kindKey:
	case kindPassphrase:
		return nil, errors.New("seal: sealed with a passphrase, not with a key")
	default:
		return nil, ErrDamaged
	}
	headLen := len(magic) + 1 + idSize
	if id := hex.EncodeToString(envelope[len(magic)+1 : headLen]); id != k.id {
		return nil, &WrongKeyError{Want: id, Have: k.id}
	}
	return open(k, envelope, headLen, ad)
}

// OpenWithPassphrase decrypts an envelope that SealWithPassphrase made.
func OpenWithPassphrase(passphrase string, envelope, ad []byte) ([]byte, error) {
	headLen := len(magic) + 1 + idSize + saltSize
	if len(envelope) < headLen || string(envelope[:len(magic)]) != magic {
		return nil, ErrDamaged
	}
	if envelope[len(magic)] != kindPassphrase {
		return nil, errors.New("seal: sealed with a key, not with a passphrase")
	}
	k, err := KeyFromPassphrase(passphrase, envelope[headLen-saltSize:headLen])
	if err != nil {
		return nil, err
	}
	if id := hex.EncodeToString(envelope[len(magic)+1 : len(magic)+1+idSize]); id != k.id {
		return nil, errors.New("seal: wrong passphrase")
	}
	return open(k, envelope, headLen, ad)
}

// PassphraseSealed reports whether an envelope was sealed with a passphrase.
func PassphraseSealed(envelope []byte) bool {
	return len(envelope) > len(magic) && string(envelope[:len(magic)]) == magic && envelope[len(magic)] == kindPassphrase
}

func open(k Key, envelope []byte, headLen int, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(k.key[:])
	if err != nil {
		return nil, err
	}
	if len(envelope) < headLen+aead.NonceSize()+aead.Overhead() {
		return nil, ErrDamaged
	}
	head := envelope[:headLen]
	nonce := envelope[headLen : headLen+aead.NonceSize()]
	pt, err := aead.Open(nil, nonce, envelope[headLen+aead.NonceSize():], associated(head, ad))
	if err != nil {
		return nil, ErrDamaged
	}
	return pt, nil
}
