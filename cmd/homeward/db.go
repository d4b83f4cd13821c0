package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/seal"
	"github.com/homeward-project/homeward/store"
)

// dbFlag adds --db to a command: a SQLite file path or a postgres:// URL,
// defaulting to HOMEWARD_DATABASE_URL and then ./homeward.db.
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", envOr("HOMEWARD_DATABASE_URL", "homeward.db"), "database: a SQLite file path or a postgres:// URL (env HOMEWARD_DATABASE_URL)")
}

// openDB opens the store, applies any pending migrations and unlocks it
// with the installation's key (see keyFlags.masterKey): the personal data
// is sealed under keys that key wraps. A database that has no keys yet gets
// them, and when there is no key file either, the key file is created and
// notice is told, once, where it is. The store also signs the event log's
// head with a key derived from the key file, when there is one (see
// keyFlags.headKey). nil keys take the defaults (HOMEWARD_KEY_FILE or the
// user's configuration directory).
func openDB(ctx context.Context, dsn string, keys *keyFlags, notice io.Writer) (*store.DB, error) {
	if keys == nil {
		keys = defaultKeyFlags()
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	has, err := db.HasKeys(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	mk, created, err := keys.masterKey(!has)
	if err != nil {
		db.Close()
		return nil, err
	}
	// The head key first: unlocking a new database writes its first event.
	headKey, err := keys.headKey()
	if err != nil {
		db.Close()
		return nil, err
	}
	db.SetHeadKey(headKey)
	res, err := db.Unlock(ctx, mk)
	if err != nil {
		db.Close()
		var wk *store.WrongKeyError
		if errors.As(err, &wk) {
			return nil, homeward.Errorf(homeward.EINVALID, "%s", wk.Error()+keys.where())
		}
		return nil, err
	}
	if created {
		fmt.Fprintf(notice, "Created the key file %s (key %s).\n"+
			"It unlocks every record of this installation: names, dates, places, notes and events are encrypted under it.\n"+
			"Keep a copy somewhere safe and apart from the database (a password manager, a safe). Losing it loses the data;\n"+
			"whoever holds it and a copy of the database can read everything.\n", *keys.file, mk.Key.ID())
	}
	if res.Migrated > 0 {
		fmt.Fprintf(notice, "Encrypted %d records and events that an older version had stored in clear.\n", res.Migrated)
	}
	return db, nil
}

// where says which key a command used, for a message about a wrong one.
func (k keyFlags) where() string {
	switch {
	case *k.passEnv != "":
		return fmt.Sprintf(" (the passphrase came from %s)", *k.passEnv)
	case os.Getenv("HOMEWARD_KEY") != "":
		return " (the key came from HOMEWARD_KEY)"
	}
	return fmt.Sprintf(" (the key came from the key file %s)", *k.file)
}

// masterKey returns the key that unlocks the database's data keys: a
// passphrase (--passphrase-env), the key in HOMEWARD_KEY, or the key file.
// A missing key file is created only when create is set (the database has
// no keys yet): for a database that has, a new key could open nothing.
func (k keyFlags) masterKey(create bool) (mk store.MasterKey, created bool, err error) {
	pass, err := k.passphrase()
	if err != nil {
		return mk, false, err
	}
	if pass != "" {
		if len([]rune(pass)) < 12 {
			return mk, false, usageError{fmt.Sprintf("the passphrase in %s is too short: it needs at least 12 characters", *k.passEnv)}
		}
		return store.MasterKey{Passphrase: pass}, false, nil
	}
	if v := os.Getenv("HOMEWARD_KEY"); v != "" {
		key, err := seal.ParseKey(v)
		if err != nil {
			return mk, false, homeward.Errorf(homeward.EINVALID, "HOMEWARD_KEY does not hold a Homeward key: %v", err)
		}
		return store.MasterKey{Key: key}, false, nil
	}
	key, err := seal.LoadKeyFile(*k.file)
	switch {
	case errors.Is(err, fs.ErrNotExist) && create:
		if key, err = seal.CreateKeyFile(*k.file); err != nil {
			return mk, false, err
		}
		return store.MasterKey{Key: key}, true, nil
	case errors.Is(err, fs.ErrNotExist):
		return mk, false, homeward.Errorf(homeward.EINVALID, "There is no key file at %s, and the database's records are encrypted under a key: give the installation's key file with --key-file or HOMEWARD_KEY_FILE, the key itself in HOMEWARD_KEY, or the passphrase's variable with --passphrase-env.", *k.file)
	case err != nil:
		return mk, false, homeward.Errorf(homeward.EINVALID, "The key file cannot be used: %v", err)
	}
	return store.MasterKey{Key: key}, false, nil
}

// openDBToVerify is openDB for audit verify, which checks the chain and
// the head even without the installation's key: without it the database
// opens locked, and the records are not compared with their events.
func openDBToVerify(ctx context.Context, dsn string, keys *keyFlags, notice io.Writer) (*store.DB, error) {
	if *keys.passEnv == "" && os.Getenv("HOMEWARD_KEY") == "" {
		if _, err := os.Stat(*keys.file); errors.Is(err, fs.ErrNotExist) {
			return store.Open(ctx, dsn)
		}
	}
	return openDB(ctx, dsn, keys, notice)
}
