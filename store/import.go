package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/seal"
)

// Bulk import writes many rows per statement. One statement per row costs a
// round trip each on PostgreSQL and a statement step each on SQLite, which
// made a 100,000-row import take tens of seconds; the contract stays the
// same: one transaction, duplicates by import key skipped, a create event
// per record in the chain.

// keyBatch is how many import keys one look-up asks for.
const keyBatch = 1000

// params returns n placeholders for parameters bound in order from the
// from-th. On SQLite they are anonymous (see seqPlaceholders).
func (db *DB) params(from, n int) string {
	if db.dialect == DialectSQLite {
		return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
	}
	return placeholders(from, n)
}

// importKeyOf is the organisation and import key of a row to import.
type importKeyOf func(i int) (org int64, key string)

// newRows reports which of n rows to create in table: a row is skipped when
// its import key (if any) is already stored in its organisation or appears
// on an earlier row of the same batch. Runs under the write lock, so no key
// can be added between the look-up and the insert.
func (t *tx) newRows(ctx context.Context, table string, n int, keyOf importKeyOf) ([]bool, error) {
	isNew := make([]bool, n)
	type orgKey struct {
		org int64
		key string
	}
	seen := make(map[orgKey]bool, n)
	byOrg := map[int64][]string{}
	for i := range n {
		org, key := keyOf(i)
		if key == "" {
			isNew[i] = true
			continue
		}
		k := orgKey{org, key}
		if seen[k] {
			continue // a repeat within the file: skipped like a stored one
		}
		seen[k] = true
		isNew[i] = true
		byOrg[org] = append(byOrg[org], key)
	}
	stored := map[orgKey]bool{}
	for org, keys := range byOrg {
		for len(keys) > 0 {
			batch := keys[:min(keyBatch, len(keys))]
			keys = keys[len(batch):]
			args := make([]any, 0, len(batch)+1)
			args = append(args, org)
			for _, k := range batch {
				args = append(args, k)
			}
			// "import_key <> ''" lets both databases use the partial unique
			// index; without it they scan the organisation's rows per batch.
			q := `SELECT import_key FROM ` + table + ` WHERE org_id = ` + t.db.params(1, 1) +
				` AND import_key <> '' AND import_key IN (` + t.db.params(2, len(batch)) + `)`
			rows, err := t.QueryContext(ctx, q, args...)
			if err != nil {
				return nil, fmt.Errorf("look up import keys: %w", err)
			}
			for rows.Next() {
				var k string
				if err := rows.Scan(&k); err != nil {
					rows.Close()
					return nil, fmt.Errorf("look up import keys: %w", err)
				}
				stored[orgKey{org, k}] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, fmt.Errorf("look up import keys: %w", err)
			}
		}
	}
	if len(stored) > 0 {
		for i := range n {
			if org, key := keyOf(i); isNew[i] && key != "" && stored[orgKey{org, key}] {
				isNew[i] = false
			}
		}
	}
	return isNew, nil
}

// reserveIDs takes n new IDs of table's identity column, in increasing
// order. The rows are then inserted with explicit IDs, so that the events
// can name them without reading them back. On SQLite the write lock is held,
// so the IDs after the AUTOINCREMENT counter are free (inserting them moves
// the counter); on PostgreSQL they come from the column's sequence.
func (t *tx) reserveIDs(ctx context.Context, table string, n int) ([]int64, error) {
	if n == 0 {
		return nil, nil
	}
	ids := make([]int64, 0, n)
	if t.db.dialect == DialectSQLite {
		var last int64
		err := t.QueryRowContext(ctx, `SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0),
			coalesce((SELECT max(id) FROM `+table+`), 0))`, table).Scan(&last)
		if err != nil {
			return nil, fmt.Errorf("reserve %s IDs: %w", table, err)
		}
		for i := range n {
			ids = append(ids, last+1+int64(i))
		}
		return ids, nil
	}
	rows, err := t.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`, table, n)
	if err != nil {
		return nil, fmt.Errorf("reserve %s IDs: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("reserve %s IDs: %w", table, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reserve %s IDs: %w", table, err)
	}
	if len(ids) != n {
		return nil, fmt.Errorf("reserve %s IDs: got %d of %d", table, len(ids), n)
	}
	slices.Sort(ids)
	return ids, nil
}

// importChunk is how many input rows one INSERT covers at most, and how
// often an import reports progress. 500 rows of the widest table (cases,
// 34 columns) stay under SQLite's parameter limit.
const importChunk = 500

// insertNew inserts the rows marked in isNew with multi-row INSERTs of cols
// values each; head is "INSERT INTO table (columns) VALUES ". rowArgs
// appends row i's values to args. progress, when not nil, is called after
// every importChunk input rows, skipped ones included.
func (t *tx) insertNew(ctx context.Context, head string, cols int, isNew []bool, rowArgs func(args []any, i int) []any, progress func(int)) error {
	var full *sql.Stmt // the statement of a full chunk, prepared once
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, importChunk*cols)
	for from := 0; from < len(isNew); from += importChunk {
		to := min(from+importChunk, len(isNew))
		args = args[:0]
		k := 0
		for i := from; i < to; i++ {
			if isNew[i] {
				args = rowArgs(args, i)
				k++
			}
		}
		var err error
		switch {
		case k == 0:
		case k == importChunk:
			if full == nil {
				if full, err = t.PrepareContext(ctx, t.db.valuesInsert(head, cols, k)); err != nil {
					return err
				}
			}
			_, err = full.ExecContext(ctx, args...)
		default:
			_, err = t.ExecContext(ctx, t.db.valuesInsert(head, cols, k), args...)
		}
		if err != nil {
			return err
		}
		if progress != nil && to%importChunk == 0 {
			progress(to)
		}
	}
	return nil
}

// analyzeAfter is how many rows an import must add before it refreshes the
// table's statistics on PostgreSQL.
const analyzeAfter = 10000

// analyze refreshes the planner's statistics of table on PostgreSQL after a
// large import. Until autovacuum gets to it, the planner still believes
// the table small and, for instance, answers the next import's key look-ups
// by scanning the whole organisation (50 ms per batch of keys at 100,000
// rows) instead of probing the import key index. ANALYZE inside the
// transaction samples the rows it inserted. SQLite plans without statistics.
func (t *tx) analyze(ctx context.Context, table string, added int) error {
	if t.db.dialect != DialectPostgres || added < analyzeAfter {
		return nil
	}
	if _, err := t.ExecContext(ctx, `ANALYZE `+table); err != nil {
		return fmt.Errorf("analyze %s: %w", table, err)
	}
	return nil
}

// valuesInsert returns head followed by n groups of cols placeholders.
func (db *DB) valuesInsert(head string, cols, n int) string {
	var b strings.Builder
	b.Grow(len(head) + n*cols*6)
	b.WriteString(head)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(")
		b.WriteString(db.params(i*cols+1, cols))
		b.WriteString(")")
	}
	return b.String()
}

// importKind says how one kind of record is imported by importRecords.
type importKind[T any] struct {
	table  string // table the rows go to
	entity string // entity type of their events
	what   string // what the rows are, for errors
	head   string // INSERT ... VALUES, without the rows
	cols   int    // parameters per row
	// prepare checks a record and fills what the store assigns before
	// insert, except IDs; assign gives the created records their IDs (and
	// whatever else the store numbers, such as case references).
	validate func(*T) error
	prepare  func(homeward.Actor, *tx, *T) error
	key      func(*T) (org int64, importKey string)
	assign   func(ctx context.Context, t *tx, fresh []*T, ids []int64) error
	// seal seals a record's personal fields for its row under the data key;
	// names are what the blind index holds for it; args appends the row's
	// values with its sealed fields.
	seal  func(seal.Key, *T) ([]byte, error)
	names func(*T) []string
	id    func(*T) int64
	args  func(args []any, r *T, sealed []byte) []any
	// created returns the ID, organisation and data of a record's create event.
	created func(*T) (id, org int64, data any)
}

// importRecords stores rs in one transaction, all or nothing, skipping
// records whose import key their organisation already holds. It appends a
// create event per record and one import event for the batch, and updates
// the created records in rs.
func importRecords[T any](ctx context.Context, db *DB, k importKind[T], rs []*T, progress func(done int)) (created, skipped int, err error) {
	a := homeward.ActorFromContext(ctx)
	if err := canWrite(a); err != nil {
		return 0, 0, err
	}
	for i, r := range rs {
		if err := k.validate(r); err != nil {
			return 0, 0, fmt.Errorf("row %d: %w", i+1, err)
		}
		if err := checkText(r); err != nil {
			return 0, 0, fmt.Errorf("row %d: %w", i+1, err)
		}
	}
	if db.keys == nil {
		return 0, 0, errLocked
	}
	out := make([]T, len(rs))
	var isNew []bool
	err = db.write(ctx, func(t *tx) error {
		for i, r := range rs {
			out[i] = *r
			if err := k.prepare(a, t, &out[i]); err != nil {
				return fmt.Errorf("row %d: %w", i+1, err)
			}
		}
		var err error
		isNew, err = t.newRows(ctx, k.table, len(out), func(i int) (int64, string) { return k.key(&out[i]) })
		if err != nil {
			return err
		}
		var fresh []*T
		for i := range out {
			if isNew[i] {
				fresh = append(fresh, &out[i])
			}
		}
		created, skipped = len(fresh), len(out)-len(fresh)
		ids, err := t.reserveIDs(ctx, k.table, created)
		if err != nil {
			return err
		}
		if err := k.assign(ctx, t, fresh, ids); err != nil {
			return err
		}
		sealed, toks, err := sealAll(ctx, t, k, out, isNew)
		if err != nil {
			return err
		}
		err = t.insertNew(ctx, k.head, k.cols, isNew, func(args []any, i int) []any { return k.args(args, &out[i], sealed[i]) }, progress)
		if err != nil {
			return fmt.Errorf("insert %s: %w", k.what, err)
		}
		if err := t.analyze(ctx, k.table, created); err != nil {
			return err
		}
		for i := range out {
			if !isNew[i] {
				continue
			}
			id, org, data := k.created(&out[i])
			t.addTokens(k.entity, id, toks[i])
			if err := t.appendEvent(ctx, k.entity, id, homeward.ActionCreate, org, data); err != nil {
				return err
			}
		}
		return t.appendEvent(ctx, homeward.EntityImport, 0, homeward.ActionImport, a.OrgID,
			importSummary{Kind: k.entity, Rows: len(rs), Created: created, Skipped: skipped})
	})
	if err != nil {
		return 0, 0, err
	}
	for i := range out {
		if isNew[i] {
			*rs[i] = out[i]
		}
	}
	if progress != nil {
		progress(len(rs))
	}
	return created, skipped, nil
}

// sealAll seals the personal fields and computes the index tokens of the
// new records, on every core: at a hundred thousand rows, sealing and
// hashing names would otherwise add seconds to an import that holds the
// write lock.
func sealAll[T any](ctx context.Context, t *tx, k importKind[T], out []T, isNew []bool) ([][]byte, [][]int64, error) {
	key, err := t.db.keys.activeKey(ctx, t)
	if err != nil {
		return nil, nil, err
	}
	sealed := make([][]byte, len(out))
	toks := make([][]int64, len(out))
	// The records are new, so are their keys: made here, on every core,
	// rather than looked for one by one when each create event is sealed.
	rkeys := make([]seal.Key, len(out))
	wrapped := make([][]byte, len(out))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(out)/256))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(out); i += workers {
				if !isNew[i] {
					continue
				}
				var e error
				if sealed[i], e = k.seal(key, &out[i]); e != nil {
					errs[w] = e
					return
				}
				if toks[i], e = t.db.recordTokens(k.names(&out[i])...); e != nil {
					errs[w] = e
					return
				}
				if rkeys[i], e = seal.GenerateKey(); e != nil {
					errs[w] = e
					return
				}
				if wrapped[i], e = seal.WrapKey(key, rkeys[i], recordKeyAD(k.entity, k.id(&out[i]))); e != nil {
					errs[w] = e
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	if t.rkeys == nil {
		t.rkeys = make(map[string]seal.Key, len(out))
	}
	for i := range out {
		if isNew[i] {
			id := k.id(&out[i])
			t.rkeys[recordRef(k.entity, id)] = rkeys[i]
			t.newRKeys = append(t.newRKeys, recordKeyRow{k.entity, id, wrapped[i]})
		}
	}
	return sealed, toks, nil
}
