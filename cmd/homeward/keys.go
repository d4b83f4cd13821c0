package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/exchange"
	"github.com/homeward-project/homeward/seal"
	"github.com/homeward-project/homeward/store"
)

// identityAD binds the sealed identity to its place, so that an envelope
// of another kind cannot be passed off as it.
var identityAD = []byte("homeward party identity v1")

// keyFlags are how a command finds the key that unlocks the installation's
// party keys: a key file (the default, kept outside the data directory) or
// a passphrase in an environment variable.
type keyFlags struct {
	file, passEnv *string
}

func addKeyFlags(fs *flag.FlagSet) keyFlags {
	return keyFlags{
		file:    fs.String("key-file", envOr("HOMEWARD_KEY_FILE", defaultKeyFile()), "key file that unlocks the installation's records and party keys (env HOMEWARD_KEY_FILE; HOMEWARD_KEY may hold the key itself)"),
		passEnv: fs.String("passphrase-env", "", "name of an environment variable holding a passphrase to use instead of the key file"),
	}
}

// defaultKeyFlags are the key flags of a command that has none.
func defaultKeyFlags() *keyFlags {
	return &keyFlags{file: ptr(envOr("HOMEWARD_KEY_FILE", defaultKeyFile())), passEnv: ptr("")}
}

// defaultKeyFile is in the user's configuration directory, not beside the
// database: a copy of the database alone does not give away the keys.
func defaultKeyFile() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "homeward.key"
	}
	return filepath.Join(dir, "homeward", "homeward.key")
}

func (k keyFlags) passphrase() (string, error) {
	if *k.passEnv == "" {
		return "", nil
	}
	p := os.Getenv(*k.passEnv)
	if p == "" {
		return "", usageError{fmt.Sprintf("the environment variable %s named by --passphrase-env is empty", *k.passEnv)}
	}
	return p, nil
}

// sealIdentity encrypts the secret keys, creating the key file when it is
// missing (and saying so, once, on out).
func (k keyFlags) sealIdentity(id *exchange.Identity, out io.Writer) ([]byte, error) {
	secret := id.MarshalSecret()
	pass, err := k.passphrase()
	if err != nil {
		return nil, err
	}
	if pass != "" {
		return seal.SealWithPassphrase(pass, secret, identityAD)
	}
	key, err := k.loadKey()
	if errors.Is(err, fs.ErrNotExist) {
		if key, err = seal.CreateKeyFile(*k.file); err != nil {
			return nil, err
		}
		fmt.Fprintf(out, "Created the key file %s.\nIt unlocks this installation's party keys: keep a copy somewhere safe and apart from the database.\nWithout it the party keys are lost, and every other party would have to trust new ones.\n", *k.file)
	} else if err != nil {
		return nil, err
	}
	return seal.Seal(key, secret, identityAD)
}

// unlockIdentity opens the sealed party keys of the database; nil when the
// installation has no party yet.
func (k keyFlags) unlockIdentity(ctx context.Context, db *store.DB) (*exchange.Identity, error) {
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor())
	sealed, err := store.NewPartyService(db).SelfSecret(sys)
	if homeward.ErrorCode(err) == homeward.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var secret []byte
	if seal.PassphraseSealed(sealed) {
		pass, err := k.passphrase()
		if err != nil {
			return nil, err
		}
		if pass == "" {
			return nil, homeward.Errorf(homeward.EINVALID, "The party keys are sealed with a passphrase: give the variable that holds it with --passphrase-env.")
		}
		if secret, err = seal.OpenWithPassphrase(pass, sealed, identityAD); err != nil {
			return nil, homeward.Errorf(homeward.EINVALID, "The passphrase does not unlock the party keys.")
		}
	} else {
		key, err := k.loadKey()
		if err != nil {
			return nil, homeward.Errorf(homeward.EINVALID, "The party keys cannot be unlocked: %v. Give the key file made by “homeward party init” with --key-file or HOMEWARD_KEY_FILE.", err)
		}
		var wk *seal.WrongKeyError
		if secret, err = seal.Open(key, sealed, identityAD); errors.As(err, &wk) {
			return nil, homeward.Errorf(homeward.EINVALID, "The key file %s is not the one the party keys were sealed with (key %s, not %s).", *k.file, wk.Want, wk.Have)
		} else if err != nil {
			return nil, homeward.Errorf(homeward.EINVALID, "The sealed party keys are damaged: %v.", err)
		}
	}
	id, err := exchange.ParseIdentity(secret)
	if err != nil {
		return nil, fmt.Errorf("read the party keys: %w", err)
	}
	self, err := store.NewPartyService(db).Self(sys)
	if err != nil {
		return nil, err
	}
	if id.Public().Fingerprint() != self.Fingerprint {
		return nil, homeward.Errorf(homeward.EINVALID, "The unlocked keys are not those of this installation's party %s.", self.Fingerprint)
	}
	return id, nil
}

// headKey returns the key that signs the event log's head, derived from
// the key file, or nil when the key file does not exist yet: the head is
// then written unsigned until a command runs with the key. A key file that
// exists but cannot be used is an error, so that a wrong path or mode is
// not mistaken for an installation without a key.
func (k keyFlags) headKey() ([]byte, error) {
	key, err := k.loadKey()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return key.Derive(store.HeadKeyPurpose), nil
}

// loadKey returns the installation's key: from HOMEWARD_KEY when set, else
// from the key file.
func (k keyFlags) loadKey() (seal.Key, error) {
	if v := os.Getenv("HOMEWARD_KEY"); v != "" {
		return seal.ParseKey(v)
	}
	return seal.LoadKeyFile(*k.file)
}
