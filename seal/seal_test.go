package seal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpensOnlyWithItsKeyAndPlace(t *testing.T) {
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	other, _ := GenerateKey()
	env, err := Seal(k, []byte("secret keys"), []byte("party:1"))
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := Open(k, env, []byte("party:1")); err != nil || string(pt) != "secret keys" {
		t.Fatalf("Open = %q, %v", pt, err)
	}
	var wk *WrongKeyError
	if _, err := Open(other, env, []byte("party:1")); !errors.As(err, &wk) || wk.Want != k.ID() {
		t.Fatalf("another key: %v, want a WrongKeyError naming %s", err, k.ID())
	}
	if _, err := Open(k, env, []byte("party:2")); !errors.Is(err, ErrDamaged) {
		t.Fatalf("another place: %v, want ErrDamaged", err)
	}
	for i := range env {
		bad := append([]byte(nil), env...)
		bad[i] ^= 1
		if _, err := Open(k, bad, []byte("party:1")); err == nil {
			t.Fatalf("byte %d altered: opened", i)
		}
	}
	if _, err := Open(k, env[:len(env)-1], []byte("party:1")); !errors.Is(err, ErrDamaged) {
		t.Fatalf("truncated: %v", err)
	}
}

func TestPassphraseEnvelope(t *testing.T) {
	env, err := SealWithPassphrase("a long enough passphrase", []byte("x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !PassphraseSealed(env) {
		t.Fatal("PassphraseSealed = false")
	}
	if pt, err := OpenWithPassphrase("a long enough passphrase", env, nil); err != nil || string(pt) != "x" {
		t.Fatalf("open = %q, %v", pt, err)
	}
	if _, err := OpenWithPassphrase("another long passphrase", env, nil); err == nil {
		t.Fatal("wrong passphrase opened")
	}
	if _, err := SealWithPassphrase("short", nil, nil); err == nil {
		t.Fatal("a short passphrase was accepted")
	}
}

func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dir", "homeward.key")
	k, err := CreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	if _, err := CreateKeyFile(path); !errors.Is(err, ErrKeyFileExists) {
		t.Fatalf("second create: %v, want ErrKeyFileExists", err)
	}
	got, err := LoadKeyFile(path)
	if err != nil || !got.Equal(k) {
		t.Fatalf("LoadKeyFile = %v, %v", got.ID(), err)
	}
	os.Chmod(path, 0o644)
	if _, err := LoadKeyFile(path); err == nil {
		t.Fatal("a world-readable key file was accepted")
	}
	for _, s := range []string{"", "homeward-key-v1 abc", "nope " + "AAAA"} {
		if _, err := ParseKey(s); err == nil {
			t.Errorf("ParseKey(%q) accepted", s)
		}
	}
}

func TestDeriveSeparatesPurposesAndKeys(t *testing.T) {
	k1, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	k2, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	a, b := k1.Derive("audit head"), k1.Derive("other")
	if len(a) != 32 || bytes.Equal(a, b) || bytes.Equal(a, k2.Derive("audit head")) || !bytes.Equal(a, k1.Derive("audit head")) {
		t.Fatalf("Derive is not a keyed, domain-separated function: %x %x", a, b)
	}
}
