package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
)

// list is one page of a record list: the rows of table (cases or located,
// aliased r) that the actor may see and that match the filters, newest
// first, and how many match in all.
type list struct {
	table, entityType, columns string
	// filters are conditions on r, joined with AND; their parameters are
	// args, numbered from $1.
	filters []string
	args    []any
	// search is true when a filter is a name search: the blind index finds
	// the matching IDs, which are then merged and paged in Go.
	search        bool
	offset, limit int
}

// run runs the list and calls scan for each row of the page.
//
// A user sees their organisation's rows and the rows shared with it. As one
// condition ("org_id = $1 OR EXISTS (share)") that cannot use an index, so
// both databases read and sort every visible row to return fifty (at 20,000
// cases, most of the time of a list page). Split in two, each branch walks
// the (org_id, created_at, id) index in order and stops after offset+limit
// rows; only IDs and times come out of the branches, merged and paged in
// Go, and only the page's rows are read in full. Counts are cheap too: the
// own rows from record_counts (kept by triggers) when nothing filters them,
// the few shared ones looked up through shares.
//
// A search reads the IDs and times of all matches once (the blind index
// gives them), to count them and to page them.
func (l list) run(ctx context.Context, db *DB, a homeward.Actor, scan func(*sql.Rows) error) (total int, err error) {
	args := slices.Clone(l.args)
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	and := ""
	if len(l.filters) > 0 {
		and = " AND " + strings.Join(l.filters, " AND ")
	}
	if a.System {
		where := "1 = 1" + and
		if err := db.queryRow(ctx, `SELECT count(*) FROM `+l.table+` r WHERE `+where, args...).Scan(&total); err != nil {
			return 0, fmt.Errorf("count %s: %w", l.table, err)
		}
		q := `SELECT ` + l.columns + ` FROM ` + l.table + ` r WHERE ` + where +
			` ORDER BY r.created_at DESC, r.id DESC LIMIT ` + arg(l.limit) + ` OFFSET ` + arg(l.offset)
		return total, l.scanRows(ctx, db, q, args, scan)
	}
	org := arg(a.OrgID)
	own := ` FROM ` + l.table + ` r WHERE r.org_id = ` + org + and
	shared := ` FROM ` + l.table + ` r WHERE r.id IN (SELECT sh.entity_id FROM shares sh WHERE sh.entity_type = '` + l.entityType +
		`' AND sh.org_id = ` + org + `) AND r.org_id <> ` + org + and

	var ids []int64
	if l.search {
		ids, err = l.matches(ctx, db, `SELECT r.id, r.created_at`+own+` UNION ALL SELECT r.id, r.created_at`+shared, args)
		if err != nil {
			return 0, err
		}
		total = len(ids)
	} else {
		ownCount := `SELECT count(*)` + own
		if len(l.filters) == 0 {
			ownCount = `SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM record_counts WHERE entity_type = '` + l.entityType + `' AND org_id = ` + org
		}
		if err := db.queryRow(ctx, `SELECT (`+ownCount+`) + (SELECT count(*)`+shared+`)`, args...).Scan(&total); err != nil {
			return 0, fmt.Errorf("count %s: %w", l.table, err)
		}
		if l.offset >= total {
			return total, nil
		}
		// Each branch needs at most offset+limit IDs, in index order.
		top := ` ORDER BY r.created_at DESC, r.id DESC LIMIT ` + arg(l.offset+l.limit)
		ids, err = l.matches(ctx, db, `SELECT * FROM (SELECT r.id, r.created_at`+own+top+`) o
			UNION ALL SELECT * FROM (SELECT r.id, r.created_at`+shared+top+`) s`, args)
		if err != nil {
			return 0, err
		}
	}
	ids = ids[min(l.offset, len(ids)):min(l.offset+l.limit, len(ids))]
	if len(ids) == 0 {
		return total, nil
	}
	byID := make([]any, len(ids))
	for i, id := range ids {
		byID[i] = id
	}
	q := `SELECT ` + l.columns + ` FROM ` + l.table + ` r WHERE r.id IN (` + db.params(1, len(ids)) + `) ORDER BY r.created_at DESC, r.id DESC`
	return total, l.scanRows(ctx, db, q, byID, scan)
}

// matches returns the IDs of the rows q selects (ID and creation time),
// newest first.
func (l list) matches(ctx context.Context, db *DB, q string, args []any) ([]int64, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", l.table, err)
	}
	defer rows.Close()
	type match struct {
		id int64
		at time.Time
	}
	var ms []match
	for rows.Next() {
		var m match
		if err := rows.Scan(&m.id, timeScan{&m.at}); err != nil {
			return nil, fmt.Errorf("search %s: %w", l.table, err)
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search %s: %w", l.table, err)
	}
	slices.SortFunc(ms, func(x, y match) int {
		if c := y.at.Compare(x.at); c != 0 {
			return c
		}
		return cmp.Compare(y.id, x.id)
	})
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.id
	}
	return ids, nil
}

func (l list) scanRows(ctx context.Context, db *DB, q string, args []any, scan func(*sql.Rows) error) error {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("find %s: %w", l.table, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("read %s: %w", l.table, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find %s: %w", l.table, err)
	}
	return nil
}

// query runs a read on a statement prepared once per text and kept. The
// SQLite driver would otherwise parse and plan the list queries, which are
// long, on every page; pgx keeps its own statement cache.
func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if db.dialect != DialectSQLite {
		return db.db.QueryContext(ctx, q, args...)
	}
	st, ok := db.stmts.Load(q)
	if !ok {
		prepared, err := db.db.PrepareContext(ctx, q)
		if err != nil {
			return nil, err
		}
		if st, ok = db.stmts.LoadOrStore(q, prepared); ok {
			prepared.Close() // another request prepared it meanwhile
		}
	}
	return st.(*sql.Stmt).QueryContext(ctx, args...)
}

// queryRow is query for one row.
func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if db.dialect != DialectSQLite {
		return db.db.QueryRowContext(ctx, q, args...)
	}
	st, ok := db.stmts.Load(q)
	if !ok {
		prepared, err := db.db.PrepareContext(ctx, q)
		if err != nil {
			// The error surfaces from Scan, as QueryRowContext's would.
			return db.db.QueryRowContext(ctx, q, args...)
		}
		if st, ok = db.stmts.LoadOrStore(q, prepared); ok {
			prepared.Close()
		}
	}
	return st.(*sql.Stmt).QueryRowContext(ctx, args...)
}
