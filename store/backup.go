package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/backup"
)

// derivedTables are kept by triggers from other tables (record_counts
// counts cases and located records): a restore inserts them last, over
// what the triggers counted as the rows went in.
var derivedTables = map[string]bool{"record_counts": true}

// seededTables hold a row the migrations insert (the event head): a
// database with only that row is still empty.
var seededTables = map[string]bool{"event_head": true}

// backupQuerier is a transaction or a connection inside one.
type backupQuerier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// Backup writes a consistent snapshot of every table to w, in the clear
// format of package backup, while writers go on. On SQLite the tables are
// read in one read transaction, which under WAL sees one commit and blocks
// no writer; on PostgreSQL in one REPEATABLE READ, READ ONLY transaction.
// Rows stream through: no table is held in memory.
func (db *DB) Backup(ctx context.Context, w io.Writer) (*backup.Manifest, error) {
	var q backupQuerier
	switch db.dialect {
	case DialectSQLite:
		// BeginTx would take the write lock (the pool opens transactions
		// IMMEDIATE); a plain BEGIN on one connection is a read
		// transaction whose snapshot the first SELECT fixes.
		conn, err := db.db.Conn(ctx)
		if err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `BEGIN DEFERRED`); err != nil {
			return nil, fmt.Errorf("backup: begin: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
		q = conn
	default:
		tx, err := db.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
		if err != nil {
			return nil, fmt.Errorf("backup: begin: %w", err)
		}
		defer tx.Rollback()
		q = tx
	}
	h := &backup.Header{Format: backup.Format, Dialect: db.dialect, CreatedAt: db.clock()}
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(max(version), 0) FROM schema_migrations`).Scan(&h.SchemaVersion); err != nil {
		return nil, fmt.Errorf("backup: schema version: %w", err)
	}
	tables, err := db.backupTables(ctx, q)
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		h.Tables = append(h.Tables, backup.TableDef{Name: t.name, Columns: t.columnNames()})
	}
	bw, err := backup.NewWriter(w, h)
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		if err := db.dumpTable(ctx, q, bw, t); err != nil {
			return nil, err
		}
	}
	return bw.Close()
}

func (db *DB) dumpTable(ctx context.Context, q backupQuerier, bw *backup.Writer, t tableInfo) error {
	bw.StartTable(t.name)
	// In the order of the first column (the id, as a rule), so that a row
	// referring to an earlier row of its own table is restored after it.
	rows, err := q.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM %s ORDER BY 1`, strings.Join(quoteAll(t.columnNames()), ", "), quote(t.name)))
	if err != nil {
		return fmt.Errorf("backup: read %s: %w", t.name, err)
	}
	defer rows.Close()
	vals := make([]any, len(t.columns))
	ptrs := make([]any, len(t.columns))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("backup: read %s: %w", t.name, err)
		}
		if err := bw.Row(vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("backup: read %s: %w", t.name, err)
	}
	return bw.EndTable()
}

// Column kinds, for turning a backup's portable values back into what the
// destination's driver binds.
const (
	kindText = iota
	kindInt
	kindFloat
	kindBool
	kindBytes
	kindTime
)

type column struct {
	name string
	kind int
}

type tableInfo struct {
	name    string
	columns []column
	refs    []string // tables its foreign keys refer to
}

// columnNames returns the column names sorted, so that the two dialects,
// whose column orders may differ, write the same header.
func (t tableInfo) columnNames() []string {
	names := make([]string, len(t.columns))
	for i, c := range t.columns {
		names[i] = c.name
	}
	sort.Strings(names)
	return names
}

func quote(id string) string { return `"` + strings.ReplaceAll(id, `"`, `""`) + `"` }

func quoteAll(ids []string) []string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = quote(id)
	}
	return q
}

func columnKind(dialect, typ string) int {
	t := strings.ToUpper(typ)
	switch {
	case strings.Contains(t, "BOOL"):
		return kindBool
	case strings.Contains(t, "INT"):
		return kindInt
	case strings.Contains(t, "REAL"), strings.Contains(t, "DOUB"), strings.Contains(t, "FLOA"), strings.Contains(t, "NUMERIC"):
		return kindFloat
	case strings.Contains(t, "BLOB"), strings.Contains(t, "BYTEA"):
		return kindBytes
	case strings.Contains(t, "TIMESTAMP") && dialect == DialectPostgres:
		return kindTime
	}
	return kindText
}

// backupTables lists the database's tables (but the migrations' own record) in
// an order where each comes after the tables its foreign keys refer to,
// and the derived tables last.
func (db *DB) backupTables(ctx context.Context, q backupQuerier) ([]tableInfo, error) {
	var list, cols, refs string
	if db.dialect == DialectSQLite {
		list = `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name`
		cols = `SELECT name, type FROM pragma_table_info($1) ORDER BY cid`
		refs = `SELECT DISTINCT "table" FROM pragma_foreign_key_list($1)`
	} else {
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY table_name`
		cols = `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`
		refs = `SELECT DISTINCT c2.relname FROM pg_constraint k JOIN pg_class c1 ON c1.oid = k.conrelid JOIN pg_class c2 ON c2.oid = k.confrelid
			WHERE k.contype = 'f' AND c1.relname = $1 AND c1.relnamespace = to_regnamespace(current_schema())`
	}
	names, err := queryStrings(ctx, q, list)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	byName := map[string]*tableInfo{}
	var all []*tableInfo
	for _, n := range names {
		t := &tableInfo{name: n}
		rows, err := q.QueryContext(ctx, cols, n)
		if err != nil {
			return nil, fmt.Errorf("columns of %s: %w", n, err)
		}
		for rows.Next() {
			var c, typ string
			if err := rows.Scan(&c, &typ); err != nil {
				rows.Close()
				return nil, fmt.Errorf("columns of %s: %w", n, err)
			}
			t.columns = append(t.columns, column{name: c, kind: columnKind(db.dialect, typ)})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("columns of %s: %w", n, err)
		}
		if t.refs, err = queryStrings(ctx, q, refs, n); err != nil {
			return nil, fmt.Errorf("foreign keys of %s: %w", n, err)
		}
		byName[n] = t
		all = append(all, t)
	}
	var order []tableInfo
	done := map[string]bool{}
	var visit func(t *tableInfo, depth int)
	visit = func(t *tableInfo, depth int) {
		if done[t.name] || depth > len(all) {
			return
		}
		done[t.name] = true
		for _, r := range t.refs {
			if u := byName[r]; u != nil && r != t.name {
				visit(u, depth+1)
			}
		}
		order = append(order, *t)
	}
	for _, t := range all {
		if !derivedTables[t.name] {
			visit(t, 0)
		}
	}
	for _, t := range all {
		if derivedTables[t.name] {
			order = append(order, *t)
		}
	}
	return order, nil
}

func queryStrings(ctx context.Context, q backupQuerier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Restore reads a backup's clear stream into this database, which must be
// empty, in one transaction: it commits only when every table's rows and
// hash agree with the manifest, so a damaged backup writes nothing. On
// PostgreSQL the identity sequences are set past the restored ids.
func (db *DB) Restore(ctx context.Context, r io.Reader) (*backup.Manifest, error) {
	known, err := migrations(db.dialect)
	if err != nil {
		return nil, err
	}
	tx, err := db.wdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("restore: begin: %w", err)
	}
	defer tx.Rollback()
	if db.dialect == DialectSQLite {
		// Foreign keys are checked at commit, when every table is in.
		if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
	}
	tables, err := db.backupTables(ctx, tx)
	if err != nil {
		return nil, err
	}
	s := &restoreSink{ctx: ctx, db: db, tx: tx, known: known[len(known)-1].version, dest: map[string]tableInfo{}}
	for _, t := range tables {
		s.dest[t.name] = t
	}
	m, err := backup.Read(r, s)
	if err == nil {
		err = s.flush()
	}
	if s.full != nil {
		s.full.Close()
	}
	if err != nil {
		return nil, err
	}
	if db.dialect == DialectPostgres {
		if err := resetSequences(ctx, tx); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("restore: commit: %w", err)
	}
	return m, nil
}

type restoreSink struct {
	ctx   context.Context
	db    *DB
	tx    *sql.Tx
	known int
	dest  map[string]tableInfo
	kinds []int

	// The rows held for the current table, inserted batch rows at a time
	// by full, a statement prepared once a table.
	table        *backup.TableDef
	batch        int
	full         *sql.Stmt
	args         []any
	pending      int
	pendingBytes int
}

func (s *restoreSink) Begin(h *backup.Header) error {
	switch {
	case h.SchemaVersion > s.known:
		return homeward.Errorf(homeward.EINVALID, "The backup is of schema version %d, newer than this homeward knows (%d): restore it with the version of homeward that made it, or a newer one.", h.SchemaVersion, s.known)
	case h.SchemaVersion < s.known:
		return homeward.Errorf(homeward.EINVALID, "The backup is of schema version %d, older than this homeward's (%d): restore it with the version of homeward that made it, then upgrade.", h.SchemaVersion, s.known)
	}
	if len(h.Tables) != len(s.dest) {
		return homeward.Errorf(homeward.EINVALID, "The backup holds %d tables and the database %d, at the same schema version: it was not made by homeward.", len(h.Tables), len(s.dest))
	}
	// Empty is checked inside the transaction, so that no writer fills the
	// database between the check and the restore.
	names := make([]string, 0, len(s.dest))
	for n := range s.dest {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if derivedTables[n] {
			continue
		}
		q := `SELECT count(*) FROM ` + quote(n)
		if seededTables[n] {
			q = `SELECT count(*) FROM event_head WHERE last_id <> 0`
		}
		var rows int64
		if err := s.tx.QueryRowContext(s.ctx, q).Scan(&rows); err != nil {
			return fmt.Errorf("restore: count %s: %w", n, err)
		}
		if rows > 0 {
			return homeward.Errorf(homeward.ECONFLICT, "The database %s is not empty (its table %s holds %d rows): restore only into an empty database.", s.db.Redacted(), n, rows)
		}
	}
	return nil
}

func (s *restoreSink) StartTable(t *backup.TableDef) error {
	d, ok := s.dest[t.Name]
	if !ok {
		return homeward.Errorf(homeward.EINVALID, "The backup holds a table %s this database has not.", t.Name)
	}
	kind := map[string]int{}
	for _, c := range d.columns {
		kind[c.name] = c.kind
	}
	if len(kind) != len(t.Columns) {
		return homeward.Errorf(homeward.EINVALID, "The backup's table %s has %d columns, the database's %d.", t.Name, len(t.Columns), len(kind))
	}
	s.kinds = s.kinds[:0]
	for _, c := range t.Columns {
		k, ok := kind[c]
		if !ok {
			return homeward.Errorf(homeward.EINVALID, "The backup's table %s has a column %s the database's has not.", t.Name, c)
		}
		s.kinds = append(s.kinds, k)
	}
	// Rows of the previous table go in before this one is cleared: the
	// triggers on them count into record_counts, which comes last.
	if err := s.flush(); err != nil {
		return err
	}
	// The seeded head row and what the triggers counted give way to the
	// backup's.
	if _, err := s.tx.ExecContext(s.ctx, `DELETE FROM `+quote(t.Name)); err != nil {
		return fmt.Errorf("restore: clear %s: %w", t.Name, err)
	}
	if s.full != nil {
		s.full.Close()
		s.full = nil
	}
	s.table = t
	// Rows go in many to a statement: one round trip a row made a
	// PostgreSQL restore of 120,000 records take minutes. Both databases
	// take 32,766 parameters or more.
	s.batch = max(1, min(restoreBatch, 30000/len(t.Columns)))
	s.args = s.args[:0]
	s.pending, s.pendingBytes = 0, 0
	return nil
}

// restoreBatch is the most rows one INSERT carries.
const restoreBatch = 500

// restoreBatchBytes flushes a batch early: a few attachments fill it.
const restoreBatchBytes = 8 << 20

func (s *restoreSink) Row(t *backup.TableDef, values []any) error {
	for i, v := range values {
		a, err := bindValue(v, s.kinds[i])
		if err != nil {
			return homeward.Errorf(homeward.EINVALID, "The backup's table %s, column %s: %v.", t.Name, t.Columns[i], err)
		}
		switch x := a.(type) {
		case string:
			s.pendingBytes += len(x)
		case []byte:
			s.pendingBytes += len(x)
		}
		s.args = append(s.args, a)
	}
	s.pending++
	if s.pending >= s.batch || s.pendingBytes >= restoreBatchBytes {
		return s.flush()
	}
	return nil
}

// flush inserts the rows held for the current table.
func (s *restoreSink) flush() error {
	if s.pending == 0 {
		return nil
	}
	t := s.table
	var err error
	if s.pending == s.batch {
		if s.full == nil {
			if s.full, err = s.tx.PrepareContext(s.ctx, s.insertRows(t, s.batch)); err != nil {
				return fmt.Errorf("restore: %s: %w", t.Name, err)
			}
		}
		_, err = s.full.ExecContext(s.ctx, s.args...)
	} else {
		_, err = s.tx.ExecContext(s.ctx, s.insertRows(t, s.pending), s.args...)
	}
	if err != nil {
		return fmt.Errorf("restore: insert into %s: %w", t.Name, err)
	}
	s.args = s.args[:0]
	s.pending, s.pendingBytes = 0, 0
	return nil
}

// insertRows is an INSERT of n rows into t. On SQLite the placeholders
// are plain "?": modernc's driver looks up each "$n" by a linear search
// of the statement's names, which made a 500-row insert quadratic.
func (s *restoreSink) insertRows(t *backup.TableDef, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `INSERT INTO %s (%s) VALUES `, quote(t.Name), strings.Join(quoteAll(t.Columns), ", "))
	p := 1
	for r := range n {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range t.Columns {
			if c > 0 {
				b.WriteString(", ")
			}
			if s.db.dialect == DialectSQLite {
				b.WriteByte('?')
			} else {
				fmt.Fprintf(&b, "$%d", p)
			}
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// bindValue turns a portable value into one the destination column takes.
func bindValue(v any, kind int) (any, error) {
	switch x := v.(type) {
	case json.Number:
		switch kind {
		case kindFloat:
			return x.Float64()
		case kindBool:
			n, err := x.Int64()
			return n != 0, err
		case kindText:
			return x.String(), nil
		}
		if n, err := x.Int64(); err == nil {
			return n, nil
		}
		return x.Float64()
	case bool:
		if kind == kindInt {
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		}
		return x, nil
	case string:
		if kind == kindTime {
			t, err := time.Parse(time.RFC3339Nano, x)
			if err != nil {
				return nil, fmt.Errorf("not a time: %v", err)
			}
			return t.UTC(), nil
		}
		return x, nil
	}
	return v, nil
}

// resetSequences sets every identity or serial column's sequence past the
// largest id restored, so that new rows continue from there.
func resetSequences(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval%') ORDER BY table_name`)
	if err != nil {
		return fmt.Errorf("restore: sequences: %w", err)
	}
	var cols [][2]string
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			rows.Close()
			return fmt.Errorf("restore: sequences: %w", err)
		}
		cols = append(cols, [2]string{t, c})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("restore: sequences: %w", err)
	}
	for _, tc := range cols {
		t, c := quote(tc[0]), quote(tc[1])
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max(%s) FROM %s), 1), (SELECT max(%s) FROM %s) IS NOT NULL)`, c, t, c, t)
		if _, err := tx.ExecContext(ctx, q, t, tc[1]); err != nil {
			return fmt.Errorf("restore: sequence of %s.%s: %w", tc[0], tc[1], err)
		}
	}
	return nil
}

// Redacted names the database as a message may show it: a PostgreSQL URL
// without its password.
func (db *DB) Redacted() string {
	if db.dialect == DialectPostgres {
		if u, err := url.Parse(db.dsn); err == nil {
			return u.Redacted()
		}
		return "(the PostgreSQL database)"
	}
	return db.dsn
}
