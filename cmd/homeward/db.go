package main

import (
	"context"
	"flag"

	"github.com/homeward-project/homeward/store"
)

// dbFlag adds --db to a command: a SQLite file path or a postgres:// URL,
// defaulting to HOMEWARD_DATABASE_URL and then ./homeward.db.
func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", envOr("HOMEWARD_DATABASE_URL", "homeward.db"), "database: a SQLite file path or a postgres:// URL (env HOMEWARD_DATABASE_URL)")
}

// openDB opens the store and applies any pending migrations. With keys,
// the store signs the event log's head with a key derived from the key
// file, when there is one (see keyFlags.headKey); nil keys, or no key file,
// leave the head unsigned, and audit verify says so.
func openDB(ctx context.Context, dsn string, keys *keyFlags) (*store.DB, error) {
	var key []byte
	if keys != nil {
		var err error
		if key, err = keys.headKey(); err != nil {
			return nil, err
		}
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	db.SetHeadKey(key)
	return db, nil
}
