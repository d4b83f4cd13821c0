package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
)

// Encryption at rest beyond cases and located records: an uploaded
// spreadsheet holds every name in it, an attachment is a photo or a scan
// of a child's papers, and the workflow's records hold the names and
// contacts of the people a child is handed to, visitors' findings and
// panels' notes. Each such row keeps one envelope under the data key,
// bound to its table and ID, in its sealed column; the clear columns it
// replaces stay empty. What the guards, the counts and the lists select on
// (outcomes, decisions, dates, risk flags, countries, sizes) stays clear.

// sealJSON seals v, as JSON, for the row of table with id.
func (t *tx) sealJSON(ctx context.Context, table string, id int64, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return t.db.sealRow(ctx, t, table, id, b)
}

// openJSON opens what sealJSON sealed into v. An empty envelope is an
// older version's row not yet sealed in place: v is left as the clear
// columns filled it, and openJSON reports false.
func (db *DB) openJSON(ctx context.Context, table string, id int64, envelope []byte, v any) (bool, error) {
	if len(envelope) == 0 {
		return false, nil
	}
	b, err := db.openRow(ctx, table, id, envelope)
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("%s %d: damaged sealed data: %w", table, id, err)
	}
	return true, nil
}

// sealRowUpdate seals v for the row just inserted into table and stores it
// in its sealed column: the ID the envelope is bound to is known only
// after the insert, and the same transaction writes both, so the clear
// values never reach the database.
func (t *tx) sealRowUpdate(ctx context.Context, table string, id int64, v any) error {
	env, err := t.sealJSON(ctx, table, id, v)
	if err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `UPDATE `+table+` SET sealed = $1 WHERE id = $2`, env, id); err != nil {
		return fmt.Errorf("seal %s %d: %w", table, id, err)
	}
	return nil
}

// fileTable names the envelope of a file's content apart from the row's
// other envelope, so that neither  can be moved into the other's column.
func fileTable(table string) string { return table + ".data" }

// packFile frames a file name and content as one plaintext: JSON would
// grow a spreadsheet by a third in base64.
func packFile(name string, data []byte) []byte {
	b := binary.AppendUvarint(make([]byte, 0, binary.MaxVarintLen64+len(name)+len(data)), uint64(len(name)))
	b = append(b, name...)
	return append(b, data...)
}

func unpackFile(b []byte) (string, []byte, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return "", nil, errors.New("damaged file envelope")
	}
	return string(b[k : k+int(n)]), b[k+int(n):], nil
}
