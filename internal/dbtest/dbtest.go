// Package dbtest opens the databases tests run on: a fresh SQLite file, and
// a fresh schema of the PostgreSQL database named by
// HOMEWARD_TEST_DATABASE_URL. Without that variable PostgreSQL tests skip,
// unless CI=true, where they fail: CI must test both.
//
// It is for tests only and must never be imported by code that ships.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/homeward-project/homeward/seal"
	"github.com/homeward-project/homeward/store"
)

// Backends are the databases every store-backed test runs on.
var Backends = []string{store.DialectSQLite, store.DialectPostgres}

// DSN returns the address of a fresh, empty database of the backend,
// dropped when the test ends.
func DSN(t testing.TB, backend string) string {
	t.Helper()
	if backend == store.DialectSQLite {
		return filepath.Join(t.TempDir(), "homeward.db")
	}
	base := os.Getenv("HOMEWARD_TEST_DATABASE_URL")
	if base == "" {
		msg := "PostgreSQL tests need HOMEWARD_TEST_DATABASE_URL, e.g. HOMEWARD_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "d_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("drop test schema: %v", err)
		}
		admin.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

// Open opens a fresh database of the backend, unlocked with a fresh key,
// closed when the test ends.
func Open(t testing.TB, backend string) *store.DB {
	t.Helper()
	db, _ := OpenDSN(t, DSN(t, backend), Key(t))
	return db
}

// Key returns a fresh master key.
func Key(t testing.TB) store.MasterKey {
	t.Helper()
	k, err := seal.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return store.MasterKey{Key: k}
}

// OpenDSN opens the database at dsn and unlocks it with mk, closed when
// the test ends.
func OpenDSN(t testing.TB, dsn string, mk store.MasterKey) (*store.DB, store.UnlockResult) {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	res, err := db.Unlock(context.Background(), mk)
	if err != nil {
		t.Fatalf("unlock %s: %v", dsn, err)
	}
	return db, res
}

// Each runs fn as one subtest per backend.
func Each(t *testing.T, fn func(t *testing.T, backend string)) {
	t.Helper()
	for _, b := range Backends {
		t.Run(b, func(t *testing.T) { fn(t, b) })
	}
}
