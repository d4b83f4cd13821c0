package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/homeward-project/homeward"
)

// clearTable says how to seal the rows of one table that a version before
// 0008 stored in clear: which columns to read, and what to store instead.
type clearTable struct {
	table string
	cols  []string
	// batch bounds the rows read into memory at once: a few attachments
	// are megabytes each.
	batch int
	// seal returns the assignments that replace the clear columns and their
	// arguments, numbered from $1.
	seal func(ctx context.Context, t *tx, id int64, v [][]byte) (string, []any, error)
}

// sealedJSON is a clearTable.seal for a row whose clear columns go into
// its sealed column as the JSON of personal, and are emptied by cleared.
func sealedJSON(table, cleared string, personal func(v [][]byte) (any, error)) func(context.Context, *tx, int64, [][]byte) (string, []any, error) {
	return func(ctx context.Context, t *tx, id int64, v [][]byte) (string, []any, error) {
		p, err := personal(v)
		if err != nil {
			return "", nil, fmt.Errorf("%s %d: %w", table, id, err)
		}
		env, err := t.sealJSON(ctx, table, id, p)
		if err != nil {
			return "", nil, err
		}
		return `sealed = $1, ` + cleared, []any{env}, nil
	}
}

var clearWorkflowTables = []clearTable{
	{table: "uploads", cols: []string{"filename", "data"}, batch: 20,
		seal: func(ctx context.Context, t *tx, id int64, v [][]byte) (string, []any, error) {
			env, err := t.db.sealRow(ctx, t, "uploads", id, packFile(string(v[0]), v[1]))
			return `sealed = $1, filename = '', data = $2`, []any{env, []byte{}}, err
		}},
	{table: "attachments", cols: []string{"filename", "data"}, batch: 20,
		seal: func(ctx context.Context, t *tx, id int64, v [][]byte) (string, []any, error) {
			name, err := t.sealJSON(ctx, "attachments", id, attachmentPersonal{Filename: string(v[0])})
			if err != nil {
				return "", nil, err
			}
			data, err := t.db.sealRow(ctx, t, fileTable("attachments"), id, v[1])
			return `sealed = $1, filename = '', data = $2`, []any{name, data}, err
		}},
	{table: "welfare_messages", cols: []string{"text", "photo"}, batch: 50,
		seal: func(ctx context.Context, t *tx, id int64, v [][]byte) (string, []any, error) {
			sealed, err := t.sealJSON(ctx, "welfare_messages", id, messagePersonal{string(v[0]), len(v[1])})
			if err != nil {
				return "", nil, err
			}
			var photo any
			if len(v[1]) > 0 {
				if photo, err = t.db.sealRow(ctx, t, fileTable("welfare_messages"), id, v[1]); err != nil {
					return "", nil, err
				}
			}
			return `sealed = $1, text = '', photo = $2`, []any{sealed, photo}, nil
		}},
	{table: "verifications", cols: []string{"performed_by", "notes"}, batch: sealClearBatch,
		seal: sealedJSON("verifications", `performed_by = '', notes = ''`, func(v [][]byte) (any, error) {
			return verificationPersonal{string(v[0]), string(v[1])}, nil
		})},
	{table: "best_interests", cols: []string{"child_wishes", "assessment", "panel"}, batch: sealClearBatch,
		seal: sealedJSON("best_interests", `child_wishes = '', assessment = '', panel = '[]'`, func(v [][]byte) (any, error) {
			var panel []string
			if err := decodeList(string(v[2]), &panel); err != nil {
				return nil, fmt.Errorf("panel: %w", err)
			}
			return bestInterestsPersonal{string(v[0]), string(v[1]), panel}, nil
		})},
	{table: "handovers", cols: []string{"place", "route", "escort", "notes"}, batch: sealClearBatch,
		seal: sealedJSON("handovers", `place = '', route = '', escort = '', notes = ''`, func(v [][]byte) (any, error) {
			return handoverPersonal{string(v[0]), string(v[1]), string(v[2]), string(v[3])}, nil
		})},
	{table: "reunifications", cols: []string{"with_whom", "relation", "proof", "notes"}, batch: sealClearBatch,
		seal: sealedJSON("reunifications", `with_whom = '', relation = '', proof = '', notes = ''`, func(v [][]byte) (any, error) {
			return reunificationPersonal{string(v[0]), string(v[1]), string(v[2]), string(v[3])}, nil
		})},
	{table: "follow_ups", cols: []string{"visitor", "findings", "notes"}, batch: sealClearBatch,
		seal: sealedJSON("follow_ups", `visitor = '', findings = '', notes = ''`, func(v [][]byte) (any, error) {
			return followUpPersonal{string(v[0]), string(v[1]), string(v[2])}, nil
		})},
}

// sealClearWorkflow seals the uploads, attachments, messages and workflow
// records an older version stored in clear. It follows sealClearEvents in
// db.sealClear, taking its count and error so that it is called in one
// line: after an error it does nothing.
func (db *DB) sealClearWorkflow(ctx context.Context, n int, err error) (int, error) {
	if err != nil {
		return n, err
	}
	for _, ct := range clearWorkflowTables {
		for {
			k, err := db.sealClearTable(ctx, ct)
			n += k
			if err != nil {
				return n, err
			}
			if k < ct.batch {
				break
			}
		}
	}
	return n, nil
}

// sealClearTable seals one batch of ct's clear rows in one transaction
// with its event, and returns how many it sealed.
func (db *DB) sealClearTable(ctx context.Context, ct clearTable) (int, error) {
	n := 0
	err := db.write(ctx, func(t *tx) error {
		// Read to the end before writing: PostgreSQL runs one query at a
		// time on a transaction.
		rows, err := t.QueryContext(ctx, `SELECT id, `+strings.Join(ct.cols, ", ")+` FROM `+ct.table+
			` WHERE sealed IS NULL ORDER BY id LIMIT `+fmt.Sprint(ct.batch))
		if err != nil {
			return fmt.Errorf("read clear %s: %w", ct.table, err)
		}
		type clearRow struct {
			id   int64
			vals [][]byte
		}
		var rs []clearRow
		for rows.Next() {
			r := clearRow{vals: make([][]byte, len(ct.cols))}
			dest := []any{&r.id}
			for i := range r.vals {
				dest = append(dest, &r.vals[i])
			}
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return fmt.Errorf("read clear %s: %w", ct.table, err)
			}
			rs = append(rs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read clear %s: %w", ct.table, err)
		}
		for _, r := range rs {
			set, args, err := ct.seal(ctx, t, r.id, r.vals)
			if err != nil {
				return err
			}
			args = append(args, r.id)
			if _, err := t.ExecContext(ctx, `UPDATE `+ct.table+` SET `+set+fmt.Sprintf(` WHERE id = $%d`, len(args)), args...); err != nil {
				return fmt.Errorf("seal %s %d: %w", ct.table, r.id, err)
			}
		}
		n = len(rs)
		if n == 0 {
			return nil
		}
		return t.appendEvent(ctx, homeward.EntityAudit, 0, ActionSealed, 0, map[string]any{"table": ct.table, "rows": n})
	})
	return n, err
}
