package seal

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/argon2"
)

// KeySize is the size of a key in bytes.
const KeySize = 32

// Key is a symmetric key with its id: the first bytes of a hash of the key,
// which identify it without revealing it.
type Key struct {
	id  string
	key [KeySize]byte
}

// ID returns the key's id, 16 hexadecimal digits.
func (k Key) ID() string { return k.id }

// IsZero reports whether k holds no key.
func (k Key) IsZero() bool { return k.id == "" }

func newKey(b []byte) Key {
	var k Key
	copy(k.key[:], b)
	sum := sha256.Sum256(append([]byte("homeward-seal-key-id-v1\n"), b...))
	k.id = hex.EncodeToString(sum[:8])
	return k
}

// GenerateKey returns a new random key.
func GenerateKey() (Key, error) {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		return Key{}, fmt.Errorf("seal: generate key: %w", err)
	}
	return newKey(b), nil
}

// keyFileHeader starts every key file, so that a file of another kind is
// recognised rather than used as a key.
const keyFileHeader = "homeward-key-v1 "

// ErrKeyFileExists is returned by CreateKeyFile for a path already taken:
// overwriting a key would lose everything sealed under it.
var ErrKeyFileExists = errors.New("seal: the key file already exists")

// CreateKeyFile writes a new random key to path, readable by its owner
// only, creating the directory if needed, and refusing to overwrite a file.
func CreateKeyFile(path string) (Key, error) {
	k, err := GenerateKey()
	if err != nil {
		return Key{}, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return Key{}, fmt.Errorf("seal: create key directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return Key{}, ErrKeyFileExists
	} else if err != nil {
		return Key{}, fmt.Errorf("seal: create key file: %w", err)
	}
	line := keyFileHeader + base64.StdEncoding.EncodeToString(k.key[:]) + "\n"
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		os.Remove(path)
		return Key{}, fmt.Errorf("seal: write key file: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return Key{}, fmt.Errorf("seal: write key file: %w", err)
	}
	return k, nil
}

// LoadKeyFile reads a key file that CreateKeyFile wrote. A file that group
// or others may read is refused: the key opens every record.
func LoadKeyFile(path string) (Key, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Key{}, fmt.Errorf("seal: key file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return Key{}, fmt.Errorf("seal: key file %s may be read by others (mode %v); run chmod 600 on it", path, fi.Mode().Perm())
	}
	if fi.Size() > 1024 {
		return Key{}, fmt.Errorf("seal: %s is not a Homeward key file", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return Key{}, fmt.Errorf("seal: key file: %w", err)
	}
	return ParseKey(string(b))
}

// ParseKey reads a key in the key file's form (as an environment variable
// may hold it).
func ParseKey(s string) (Key, error) {
	s = strings.TrimSpace(s)
	rest, ok := strings.CutPrefix(s, strings.TrimSpace(keyFileHeader))
	if !ok {
		return Key{}, errors.New("seal: not a Homeward key (it starts with \"homeward-key-v1\")")
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
	if err != nil || len(raw) != KeySize {
		return Key{}, errors.New("seal: the key is damaged (not 32 bytes of base64)")
	}
	return newKey(raw), nil
}

// Argon2id parameters for passphrases: RFC 9106's second recommended
// option (64 MiB, three passes), within reach of a small server.
const (
	argonTime    = 3
	argonMemory  = 64 << 10
	argonThreads = 2
	saltSize     = 16
)

// KeyFromPassphrase derives a key from a passphrase and a salt.
func KeyFromPassphrase(passphrase string, salt []byte) (Key, error) {
	if len([]rune(passphrase)) < 12 {
		return Key{}, errors.New("seal: a passphrase needs at least 12 characters")
	}
	if len(salt) < saltSize {
		return Key{}, errors.New("seal: the salt is too short")
	}
	return newKey(argon2.IDKey([]byte(passphrase), salt, argonTime, argonMemory, argonThreads, KeySize)), nil
}

// Equal reports whether two keys are the same key.
func (k Key) Equal(o Key) bool { return bytes.Equal(k.key[:], o.key[:]) && k.id == o.id }

// Derive returns a 32-byte subkey of k for purpose: HMAC-SHA256 under k of
// a label and the purpose. A subkey given to a component (a MAC over the
// audit log's head, say) reveals neither k nor the subkeys of other
// purposes, and envelopes sealed under k never use a derived key.
func (k Key) Derive(purpose string) []byte {
	m := hmac.New(sha256.New, k.key[:])
	m.Write([]byte("homeward-seal-derive-v1\n"))
	m.Write([]byte(purpose))
	return m.Sum(nil)
}
