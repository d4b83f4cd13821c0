package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/seal"
)

// backends are the databases every store test runs on.
var backends = []string{DialectSQLite, DialectPostgres}

// eachDB runs fn as one subtest per backend, each on a fresh database.
func eachDB(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b, func(t *testing.T) { fn(t, openTestDB(t, b)) })
	}
}

// openTestDB opens a fresh database of the backend: a SQLite file under
// t.TempDir(), or a new schema in the PostgreSQL database named by
// HOMEWARD_TEST_DATABASE_URL, dropped when the test ends. Without that
// variable PostgreSQL tests skip, unless CI=true, where they fail.
func openTestDB(t testing.TB, backend string) *DB {
	t.Helper()
	db := openLockedTestDB(t, backend)
	if _, err := db.Unlock(context.Background(), testMasterKey(t)); err != nil {
		t.Fatalf("unlock %s: %v", backend, err)
	}
	return db
}

// openLockedTestDB is openTestDB without the key: a database a restore
// writes to, or one opened by a process without the key.
func openLockedTestDB(t testing.TB, backend string) *DB {
	t.Helper()
	ctx := context.Background()
	var dsn string
	switch backend {
	case DialectSQLite:
		dsn = filepath.Join(t.TempDir(), "homeward.db")
	case DialectPostgres:
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
		schema := "t_" + hex.EncodeToString(b)
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			admin.Close()
			t.Fatalf("create test schema: %v", err)
		}
		t.Cleanup(func() {
			if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
				t.Errorf("drop test schema: %v", err)
			}
			admin.Close()
		})
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		dsn = base + sep + "search_path=" + schema
	default:
		t.Fatalf("unknown backend %q", backend)
	}
	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", backend, err)
	}
	if db.Dialect() != backend {
		t.Fatalf("Dialect() = %q, want %q", db.Dialect(), backend)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// reopen opens db's database a second time, unlocked with its key: a
// restart, or another process.
func reopen(t testing.TB, db *DB) *DB {
	t.Helper()
	again, err := Open(context.Background(), db.dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := again.Unlock(context.Background(), db.keys.master); err != nil {
		again.Close()
		t.Fatal(err)
	}
	return again
}

// testMasterKey returns a fresh master key for a test's database.
func testMasterKey(t testing.TB) MasterKey {
	t.Helper()
	k, err := seal.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return MasterKey{Key: k}
}

// testClock is a settable clock, so that expiry is tested without sleeping.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func setClock(db *DB, t time.Time) *testClock {
	c := &testClock{t: t}
	db.now = c.now
	return c
}

// world is two organisations with actors of every role in each.
type world struct {
	sys        context.Context
	orgA, orgB int64
}

func (w world) as(org int64, role homeward.Role) context.Context {
	// User IDs are synthetic: the record services trust the actor the web
	// layer put in the context and do not look users up.
	id := org * 100
	for i, r := range homeward.Roles {
		if r == role {
			id += int64(i) + 1
		}
	}
	return homeward.NewContextWithActor(context.Background(), homeward.Actor{UserID: id, OrgID: org, Role: role})
}

func newWorld(t *testing.T, db *DB) world {
	t.Helper()
	sys := homeward.NewContextWithActor(context.Background(), homeward.SystemActor())
	orgs := NewOrgService(db)
	a := &homeward.Org{Name: "Agency A", Kind: homeward.OrgAgency}
	b := &homeward.Org{Name: "NGO B", Kind: homeward.OrgNGO}
	for _, o := range []*homeward.Org{a, b} {
		if err := orgs.CreateOrg(sys, o); err != nil {
			t.Fatalf("create org: %v", err)
		}
	}
	return world{sys: sys, orgA: a.ID, orgB: b.ID}
}

// wantCode fails unless err carries the code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := homeward.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func mustNil(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// eventCount returns how many events the log holds.
func eventCount(t *testing.T, db *DB) int64 {
	t.Helper()
	var n int64
	if err := db.db.QueryRow(`SELECT count(*) FROM events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMigrationsApplyOnceAndReopen(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ms, err := migrations(db.Dialect())
		mustNil(t, err)
		for range 2 {
			again, err := Open(context.Background(), db.dsn)
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			again.Close()
		}
		var n int
		mustNil(t, db.db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n))
		if n != len(ms) || n == 0 {
			t.Fatalf("schema_migrations has %d rows, want %d", n, len(ms))
		}
		if err := db.migrate(context.Background()); err != nil {
			t.Fatalf("migrate on a migrated database: %v", err)
		}
	})
}
