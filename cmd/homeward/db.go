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

// openDB opens the store and applies any pending migrations.
func openDB(ctx context.Context, dsn string) (*store.DB, error) {
	return store.Open(ctx, dsn)
}
