package store

import (
	"bytes"
	"context"
	"fmt"
)

// FindText reports which of needles occur anywhere in the database, in any
// column of any table, as "table: needle": the check that a database (a
// mediator's, say) holds no contact detail or note it must never hold. It
// reads every row; it is for audits and tests, never for a page.
func (db *DB) FindText(ctx context.Context, needles []string) ([]string, error) {
	tables, err := db.tables(ctx)
	if err != nil {
		return nil, err
	}
	var found []string
	for _, table := range tables {
		rows, err := db.db.QueryContext(ctx, `SELECT * FROM `+table)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		hit := map[string]bool{}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read %s: %w", table, err)
			}
			for _, v := range vals {
				var b []byte
				switch x := v.(type) {
				case string:
					b = []byte(x)
				case []byte:
					b = x
				}
				for _, n := range needles {
					if n != "" && !hit[n] && bytes.Contains(b, []byte(n)) {
						hit[n] = true
						found = append(found, table+": "+n)
					}
				}
			}
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return nil, err
		}
		rows.Close()
	}
	return found, nil
}

// RowCounts returns how many rows each table holds: what a test compares
// to show that a refused operation stored nothing.
func (db *DB) RowCounts(ctx context.Context) (map[string]int, error) {
	tables, err := db.tables(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, t := range tables {
		var n int
		if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		out[t] = n
	}
	return out, nil
}

// tables lists the database's tables.
func (db *DB) tables(ctx context.Context) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if db.dialect == DialectPostgres {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := db.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return nil, err
		}
		tables = append(tables, t)
	}
	rows.Close()
	return tables, rows.Err()
}
