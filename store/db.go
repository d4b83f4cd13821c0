package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"               // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/seal"
)

// Dialects returned by DB.Dialect.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// DB is an open Homeward database with its migrations applied.
type DB struct {
	db      *sql.DB
	dialect string
	dsn     string

	// now is the clock; tests replace it to expire sessions and throttling
	// windows without sleeping.
	now func() time.Time

	// wdb is the pool write transactions run on. On SQLite it is one
	// connection of its own: SQLite lets one writer in at a time and makes
	// the others poll with growing sleeps (up to 100 ms each), and in the
	// shared pool a writer would also queue behind every waiting reader for
	// a connection. Every case page a user opens is a write (its view
	// event), so under load that queue, not the work, set the slowest page
	// times. Statements that write outside a transaction use it too. On
	// PostgreSQL it is db itself.
	wdb *sql.DB

	// stmts holds prepared read statements by text (see query).
	stmts sync.Map

	// locatedHook hears of the located records that answers create, once
	// their transaction committed (see SetLocatedHook).
	locatedHook func([]*homeward.LocatedRecord)

	// headKey signs the event head (see SetHeadKey); nil writes it unsigned.
	headKey []byte

	// keys seal and open personal data (see Unlock); nil until unlocked.
	keys *keyring
}

// SetLocatedHook has fn called, after commit, with the located records a
// transaction created from the other side's answers, so that matching sees
// them at once. Records created through LocatedService are not passed:
// their callers know them.
func (db *DB) SetLocatedHook(fn func([]*homeward.LocatedRecord)) { db.locatedHook = fn }

// Open opens the database named by dsn and applies pending migrations. A
// "postgres://" or "postgresql://" URL opens PostgreSQL; anything else is a
// SQLite file path, created when absent.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := &DB{now: time.Now, dsn: dsn}
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db.dialect = DialectPostgres
		db.db, err = sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.wdb = db.db
	default:
		if dsn == "" || strings.ContainsRune(dsn, '?') || strings.HasPrefix(dsn, "file:") {
			return nil, homeward.Errorf(homeward.EINVALID, "Database %q is neither a plain SQLite file path nor a postgres:// URL.", dsn)
		}
		db.dialect = DialectSQLite
		if err := createPrivate(dsn); err != nil {
			return nil, err
		}
		// Immediate transactions take the write lock at BEGIN, so that two
		// writers never both read the event head and then collide; readers are
		// not blocked under WAL.
		// A 64 MiB page cache per connection keeps a large import from
		// spilling to the WAL before it commits; statement journals (one per
		// INSERT ... ON CONFLICT) stay in memory.
		// Reads go through a memory map: SQLite drops a connection's page
		// cache whenever another connection has written, and every case
		// view writes an event, so cached pages would rarely survive;
		// mapped pages need neither a read call nor a copy.
		q := "?_txlock=immediate&_busy_timeout=10000&_foreign_keys=1&_journal_mode=WAL&_synchronous=NORMAL&_pragma=cache_size(-65536)&_pragma=temp_store(MEMORY)&_pragma=mmap_size(1073741824)"
		db.db, err = sql.Open("sqlite", dsn+q)
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		// WAL lets readers run beside the one writer; a few connections are
		// enough on a small server, and each may hold a large page cache.
		db.db.SetMaxOpenConns(8)
		db.db.SetMaxIdleConns(8)
		db.wdb, err = sql.Open("sqlite", dsn+q)
		if err != nil {
			db.db.Close()
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		db.wdb.SetMaxOpenConns(1)
		db.wdb.SetMaxIdleConns(1)
	}
	if err := db.db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database: %w", db.dialect, err)
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.dialect == DialectSQLite {
		// SQLite gives the WAL and shared-memory files the database file's
		// mode; files left by an older version may still be open to others.
		for _, suffix := range []string{"-wal", "-shm", "-journal"} {
			tighten(dsn + suffix)
		}
	}
	return db, nil
}

// privateMode is the mode of SQLite's files: they hold children's names,
// and no one but the server's own user has reason to read them.
const privateMode = 0o600

// createPrivate creates the SQLite file at path readable by its owner only,
// before SQLite creates it with the umask's mode (0644 as a rule), and
// tightens an existing file that others may read. The mode is set with
// chmod, not only at create, so that no umask widens or narrows it.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, privateMode)
	switch {
	case errors.Is(err, fs.ErrExist):
		tighten(path)
		return nil
	case err != nil:
		return fmt.Errorf("create database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	if err := os.Chmod(path, privateMode); err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	return nil
}

// tighten removes group and other permissions from an existing file. A
// file this user does not own is left as its owner set it: failing to open
// a database another account manages would help no one.
func tighten(path string) {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return
	}
	os.Chmod(path, fi.Mode().Perm()&privateMode)
}

// Close closes the database.
func (db *DB) Close() error {
	db.stmts.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
	err := db.db.Close()
	if db.wdb != db.db {
		err = errors.Join(err, db.wdb.Close())
	}
	return err
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect }

// clock returns the current time as stored: UTC, microsecond precision.
func (db *DB) clock() time.Time { return db.now().UTC().Truncate(time.Microsecond) }

// timeLayout is fixed-width so that SQLite's text comparison orders times.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// tv returns the value to bind for a time: text on SQLite, a timestamp on
// PostgreSQL, both at microsecond precision in UTC.
func (db *DB) tv(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if db.dialect == DialectSQLite {
		return t.Format(timeLayout)
	}
	return t
}

// tvp is tv for an optional time.
func (db *DB) tvp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return db.tv(*t)
}

// timeScan scans a stored time (text or timestamp) into a time.Time in UTC.
type timeScan struct{ t *time.Time }

func (s timeScan) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.t = time.Time{}
	case time.Time:
		*s.t = v.UTC()
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	default:
		return fmt.Errorf("cannot scan %T as a time", src)
	}
	return nil
}

func (s timeScan) parse(v string) error {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return fmt.Errorf("stored time %q: %w", v, err)
	}
	*s.t = t.UTC()
	return nil
}

// timePtrScan scans an optional time.
type timePtrScan struct{ t **time.Time }

func (s timePtrScan) Scan(src any) error {
	if src == nil {
		*s.t = nil
		return nil
	}
	var t time.Time
	if err := (timeScan{&t}).Scan(src); err != nil {
		return err
	}
	*s.t = &t
	return nil
}

// dateScan scans a calendar date stored as YYYY-MM-DD text ("" when unknown).
type dateScan struct{ d *homeward.Date }

func (s dateScan) Scan(src any) error {
	var v string
	switch x := src.(type) {
	case nil:
	case string:
		v = x
	case []byte:
		v = string(x)
	default:
		return fmt.Errorf("cannot scan %T as a date", src)
	}
	d, err := homeward.ParseDate(v)
	if err != nil {
		return fmt.Errorf("stored date: %w", err)
	}
	*s.d = d
	return nil
}

// tx is a write transaction that may append events. It holds the event head
// (the last event's ID and hash) read under the write lock.
type tx struct {
	*sql.Tx
	db       *DB
	actor    homeward.Actor
	at       time.Time // one timestamp for the whole transaction
	lastID   int64
	lastHash string
	appended bool
	pending  []homeward.Event // appended but not yet written; see flushEvents
	evStmt   *sql.Stmt        // the full-batch event insert, once prepared
	// located are records created from answers, for the located hook.
	located []*homeward.LocatedRecord
	// rkeys are the record keys the transaction read or created, newRKeys
	// those it created, written with its events (see txRecordKey).
	rkeys    map[string]seal.Key
	newRKeys []recordKeyRow
	// tokens are blind-index entries to write with the events.
	tokens map[string][]tokenPair
	// resign, when set, is the head key the head is signed with on commit
	// instead of db.headKey, which it then replaces: a key rotation moves
	// the signature to the new key in the same transaction that records it,
	// so that no head is ever left signed by a key nobody holds.
	resign []byte
}

// write runs fn in a transaction that serialises with every other writer, so
// that event IDs stay gapless and each event links to the one before it.
// The transaction commits when fn returns nil and rolls back otherwise.
func (db *DB) write(ctx context.Context, fn func(tx *tx) error) error {
	sqlTx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	t := &tx{Tx: sqlTx, db: db, actor: homeward.ActorFromContext(ctx)}
	head := `SELECT last_id, last_hash, mac FROM event_head WHERE id = 1`
	if db.dialect == DialectPostgres {
		// The row lock is the first lock every writer takes, so writers queue
		// here and never deadlock on records they touch afterwards.
		head += ` FOR UPDATE`
	}
	var mac string
	if err := sqlTx.QueryRowContext(ctx, head).Scan(&t.lastID, &t.lastHash, &mac); err != nil {
		sqlTx.Rollback()
		return fmt.Errorf("read event head: %w", err)
	}
	// The clock is read under the lock, so event times never go backwards
	// along the chain.
	t.at = db.clock()
	if err := t.checkHead(ctx, mac); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := fn(t); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := t.flushEvents(ctx); err != nil {
		sqlTx.Rollback()
		return err
	}
	if t.appended {
		key := db.headKey
		if t.resign != nil {
			key = t.resign
		}
		if _, err := sqlTx.ExecContext(ctx, `UPDATE event_head SET last_id = $1, last_hash = $2, mac = $3 WHERE id = 1`,
			t.lastID, t.lastHash, headMAC(key, t.lastID, t.lastHash)); err != nil {
			sqlTx.Rollback()
			return fmt.Errorf("write event head: %w", err)
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if t.resign != nil {
		db.headKey = t.resign
	}
	if len(t.located) > 0 && db.locatedHook != nil {
		db.locatedHook(t.located)
	}
	return nil
}

// isUniqueViolation reports whether err is a unique constraint failure on
// either database, so it can be reported as ECONFLICT.
func isUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505" // unique_violation
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// notFound is the error for a record that does not exist or that the actor
// may not see: the two are indistinguishable on purpose.
func notFound(what string, id int64) error {
	return homeward.Errorf(homeward.ENOTFOUND, "No %s with ID %d.", what, id)
}

// conflict is the error for a stale version.
func conflict(what string) error {
	return homeward.Errorf(homeward.ECONFLICT, "The %s was changed by someone else since you opened it; reload it and apply your change again.", what)
}

var errNoActor = homeward.Errorf(homeward.EUNAUTHORIZED, "Sign in first.")

// scanErr turns sql.ErrNoRows into ENOTFOUND.
func scanErr(err error, what string, id int64) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(what, id)
	}
	return fmt.Errorf("read %s %d: %w", what, id, err)
}
