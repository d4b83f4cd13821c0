package store

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/seal"
)

// Key rotation comes in two steps of very different cost.
//
// Rewrap changes the master key: it re-wraps the two data_keys rows and
// nothing else, so it is instant, and a running server, which holds the
// unwrapped data keys in memory, does not notice.
//
// Reencrypt changes the data key itself, for when the old one may have
// leaked with a copy of the master key: a new data key is made active, and
// every row and record key sealed under the old one is moved to it in small
// transactions, so that the server keeps writing in between ("without
// downtime"). A server started before holds only the old data key; the new
// one is chained (wrapped by the old) until the old is retired, so that it
// can follow (keyring.unwrap).
//
// The blind index's key is not rotated: every token in case_tokens and
// located_tokens is an HMAC under it, so a new key would mean recomputing
// the whole index from the opened names, and a leaked index key reveals
// only which records share a name key, not the names.
//
// Event payloads are not re-encrypted, and must not be: they are sealed
// under each record's own key, and the chain hashes them as stored, so
// rewriting them would rewrite every hash after the first. Re-wrapping the
// record keys under the new data key is what moves them off the old one.

// Event actions of a re-encryption, on the audit entity, besides
// ActionKeyRotated (the new data key made active).
const (
	ActionKeyReencrypted = "key_reencrypted"
	ActionKeyRetired     = "key_retired"
)

// envelopePrefixLen is the length of seal.EnvelopePrefix: magic (4), kind
// (1) and key id (8). The database compares it with substr, which takes
// bytes of a BLOB on SQLite and of a BYTEA on PostgreSQL alike.
const envelopePrefixLen = 13

// reencryptBatch is how many rows one re-encryption transaction moves: small
// enough that the writers queued behind it wait milliseconds, not seconds.
var reencryptBatch = 1000

// Rewrap wraps the data keys by next instead of the current master key,
// which no longer opens the database once this returns. The head stays
// signed by the current head key; see RewrapWithHeadKey.
func (db *DB) Rewrap(ctx context.Context, next MasterKey) error {
	return db.RewrapWithHeadKey(ctx, next, db.headKey)
}

// RewrapWithHeadKey is Rewrap that also moves the head's signature to
// headKey, in the same transaction, when the head key derives from the
// master key (cmd/homeward derives it from the key file): the old signature
// is checked under the current head key first (as every write does), so
// that a head already cut or forged is never signed afresh. A head signed
// before cannot become unsigned: that would hide events cut from the end.
func (db *DB) RewrapWithHeadKey(ctx context.Context, next MasterKey, headKey []byte) error {
	return db.rewrap(ctx, next, headKey, nil)
}

// RewrapInstallation is RewrapWithHeadKey that also replaces the sealed
// secret keys of the installation's party (sealed under the key file, as
// the data keys are) by partySecret, sealed under the new key, in the same
// transaction: a rotation that moved one and not the other would leave the
// installation unable to open either its records or its bundles. A nil
// partySecret leaves the party alone (an installation without a party).
func (db *DB) RewrapInstallation(ctx context.Context, next MasterKey, headKey, partySecret []byte) error {
	if partySecret == nil {
		return db.rewrap(ctx, next, headKey, nil)
	}
	return db.rewrap(ctx, next, headKey, func(ctx context.Context, t *tx) error {
		res, err := t.ExecContext(ctx, `UPDATE party_secrets SET sealed = $1 WHERE party_id = (SELECT id FROM parties WHERE self)`, partySecret)
		if err != nil {
			return fmt.Errorf("reseal the party keys: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("reseal the party keys: %d rows, %v", n, err)
		}
		return nil
	})
}

func (db *DB) rewrap(ctx context.Context, next MasterKey, headKey []byte, extra func(context.Context, *tx) error) error {
	if db.keys == nil {
		return errLocked
	}
	if next.zero() {
		return errors.New("store: rewrap without a key")
	}
	if len(headKey) == 0 && len(db.headKey) > 0 {
		return errors.New("store: rewrap would leave the head unsigned; give the new head key")
	}
	kr := db.keys
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor())
	err := db.write(sys, func(t *tx) error {
		// Another process may have rotated the data key since this one
		// loaded them: every row must be wrapped again, none left behind.
		if _, err := kr.load(ctx, t); err != nil {
			return err
		}
		rs, err := readDataKeys(ctx, t)
		if err != nil {
			return err
		}
		kr.mu.RLock()
		keys := make([]seal.Key, len(rs))
		for i, r := range rs {
			if r.purpose == purposeIndex {
				keys[i] = kr.index
			} else {
				keys[i] = kr.data[r.id]
			}
		}
		kr.mu.RUnlock()
		for i, r := range rs {
			if keys[i].ID() != r.id {
				return fmt.Errorf("store: the %s key %s is not loaded", r.purpose, r.id)
			}
			w, err := next.wrap(keys[i], r.purpose)
			if err != nil {
				return err
			}
			if _, err := t.ExecContext(ctx, `UPDATE data_keys SET wrapped = $1, kek_id = $2 WHERE id = $3`, w, next.ID(), r.id); err != nil {
				return fmt.Errorf("rewrap data key: %w", err)
			}
		}
		data := map[string]any{"from": kr.master.ID(), "to": next.ID()}
		if extra != nil {
			if err := extra(ctx, t); err != nil {
				return err
			}
			data["party_keys_resealed"] = true
		}
		if !bytes.Equal(headKey, db.headKey) {
			if len(db.headKey) == 0 && t.lastID > 0 {
				// Signing begins here, over events written unsigned: said
				// the way checkHead says it, so that Audit counts it.
				if err := t.appendEvent(ctx, homeward.EntityAudit, 0, homeward.ActionHeadSigned, 0, map[string]int64{"unsigned_events": t.lastID}); err != nil {
					return err
				}
			}
			t.resign = bytes.Clone(headKey)
			data["head_resigned"] = true
		}
		return t.appendEvent(ctx, homeward.EntityAudit, 0, ActionKeyRewrap, 0, data)
	})
	if err != nil {
		return err
	}
	kr.mu.Lock()
	kr.master = next
	kr.mu.Unlock()
	return nil
}

// ReencryptResult says what Reencrypt moved.
type ReencryptResult struct {
	From []string // the retired data keys
	To   string   // the data key everything is sealed under now
	// Cases, Located and RecordKeys count the rows re-sealed and the
	// record keys re-wrapped by this call.
	Cases, Located, RecordKeys int
	// Other counts the other sealed values moved: uploads, attachments,
	// workflow records, matches' explanations and notes.
	Other int
}

// Reencrypt makes a new data key active and moves every case and located
// row and every record key from the old data key to it, then deletes the
// old one. It may be interrupted (a cancelled context, a crash) and run
// again: a run that finds a retired data key still in data_keys resumes
// moving off it rather than starting another rotation. progress, when not
// nil, is called after each batch.
func (db *DB) Reencrypt(ctx context.Context, progress func(done, total int)) (ReencryptResult, error) {
	var res ReencryptResult
	if db.keys == nil {
		return res, errLocked
	}
	kr := db.keys
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor())
	var next seal.Key
	var old []seal.Key
	err := db.write(sys, func(t *tx) error {
		if _, err := kr.load(ctx, t); err != nil {
			return err
		}
		rs, err := readDataKeys(ctx, t)
		if err != nil {
			return err
		}
		kr.mu.RLock()
		active := kr.active
		for _, r := range rs {
			if r.purpose == purposeData && !r.active {
				old = append(old, kr.data[r.id])
			}
		}
		kr.mu.RUnlock()
		if len(old) > 0 {
			next = active
			return nil
		}
		if next, err = seal.GenerateKey(); err != nil {
			return err
		}
		w, err := kr.master.wrap(next, purposeData)
		if err != nil {
			return err
		}
		chained, err := seal.WrapKey(active, next, dataKeyAD(purposeData))
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `UPDATE data_keys SET active = FALSE WHERE purpose = $1`, purposeData); err != nil {
			return fmt.Errorf("retire data key: %w", err)
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO data_keys (id, purpose, wrapped, kek_id, chained, chained_by, active, created_at) VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7)`,
			next.ID(), purposeData, w, kr.master.ID(), chained, active.ID(), t.db.tv(t.at)); err != nil {
			return fmt.Errorf("store data key: %w", err)
		}
		old = []seal.Key{active}
		return t.appendEvent(ctx, homeward.EntityAudit, 0, ActionKeyRotated, 0, map[string]string{"from": active.ID(), "to": next.ID()})
	})
	if err != nil {
		return res, err
	}
	rotated := time.Now()
	kr.mu.Lock()
	kr.data[next.ID()], kr.active, kr.checked = next, next, rotated
	kr.mu.Unlock()
	res.To = next.ID()
	for _, k := range old {
		res.From = append(res.From, k.ID())
	}

	total := 0
	for _, k := range old {
		n, err := db.countUnder(ctx, db.db, k)
		if err != nil {
			return res, err
		}
		total += n
	}
	done := 0
	report := func(n int) {
		done += n
		if progress != nil {
			progress(min(done, total), total)
		}
	}
	for {
		for _, from := range old {
			if err := db.moveOff(sys, from, next, &res, report); err != nil {
				return res, err
			}
		}
		// Writers in other processes follow the switch within activeRecheck
		// (keyring.activeKey); until then one may still seal under the old
		// key, so the old key is retired only after that, and only if the
		// last look finds nothing under it.
		if wait := activeRecheck - time.Since(rotated); wait > 0 {
			select {
			case <-time.After(wait + 100*time.Millisecond):
			case <-ctx.Done():
				return res, ctx.Err()
			}
		}
		left, err := db.retire(sys, old, next)
		if err != nil || left == 0 {
			if err == nil {
				kr.mu.Lock()
				for _, k := range old {
					delete(kr.data, k.ID())
				}
				kr.mu.Unlock()
			}
			return res, err
		}
	}
}

// sealedColumn is a column that holds one envelope per row under the data
// key, bound to rowAD(ad, id). Every such column is listed here, so that a
// re-encryption moves all of them and never retires a key something still
// needs.
type sealedColumn struct{ table, column, ad string }

var sealedColumns = []sealedColumn{
	{"cases", "sealed", "cases"}, {"located", "sealed", "located"},
	{"uploads", "sealed", "uploads"},
	{"attachments", "sealed", "attachments"}, {"attachments", "data", fileTable("attachments")},
	{"verifications", "sealed", "verifications"}, {"best_interests", "sealed", "best_interests"},
	{"handovers", "sealed", "handovers"}, {"reunifications", "sealed", "reunifications"},
	{"follow_ups", "sealed", "follow_ups"}, {"welfare_messages", "sealed", "welfare_messages"},
	{"welfare_messages", "photo", fileTable("welfare_messages")},
}

// sealedTexts are the text columns sealed by sealText, with the query of
// each row's ID, stored text and associated data.
var sealedTexts = []struct{ table, column, ad string }{
	{"matches", "explanation", `'match ' || case_id || ' ' || located_id || ' explanation'`},
	{"matches", "note", `'match ' || case_id || ' ' || located_id || ' note'`},
	{"match_decisions", "note", `'match decision ' || match_id`},
	{"list_entries", "person", `'list entry ' || list_id || ' ' || ref`},
	{"list_revisions", "body", `'list revision ' || list_id || ' ' || revision`},
	{"outbox_items", "body", `'outbox ' || id || ' body'`},
	{"outbox_items", "signed", `'outbox ' || id || ' signed'`},
	{"answers", "text", `'answer ' || uid || ' text'`},
	{"answers", "details", `'answer ' || uid || ' details'`},
	{"tasks", "detail", `'task ' || entry_id || ' ' || answer_id || ' detail'`},
	{"tasks", "note", `'task ' || entry_id || ' ' || answer_id || ' note'`},
}

// textPrefix is how every text sealed under k starts: the sealed JSON and
// the base64 of the envelope's first twelve bytes, which base64 renders
// alone (the magic, the kind and seven bytes of the key's id).
func textPrefix(k seal.Key) string {
	return sealedPrefix + base64.StdEncoding.EncodeToString(seal.EnvelopePrefix(k)[:12])
}

// countUnder counts the rows and record keys sealed under k.
func (db *DB) countUnder(ctx context.Context, q rowsQueryer, k seal.Key) (int, error) {
	p := seal.EnvelopePrefix(k)
	var parts []string
	for _, c := range sealedColumns {
		parts = append(parts, fmt.Sprintf(`(SELECT count(*) FROM %s WHERE substr(%s, 1, %d) = $1)`, c.table, c.column, envelopePrefixLen))
	}
	for _, c := range sealedTexts {
		parts = append(parts, fmt.Sprintf(`(SELECT count(*) FROM %s WHERE %s LIKE $2)`, c.table, c.column))
	}
	parts = append(parts, fmt.Sprintf(`(SELECT count(*) FROM record_keys WHERE substr(wrapped, 1, %d) = $1)`, envelopePrefixLen))
	parts = append(parts, fmt.Sprintf(`(SELECT count(*) FROM exchange_files WHERE substr(data, 1, %d) = $1)`, envelopePrefixLen))
	rows, err := q.QueryContext(ctx, `SELECT `+strings.Join(parts, " + "), p, textPrefix(k)+"%")
	if err != nil {
		return 0, fmt.Errorf("count what is sealed under %s: %w", k.ID(), err)
	}
	defer rows.Close()
	var n int
	if rows.Next() {
		err = rows.Scan(&n)
	}
	if err == nil {
		err = rows.Err()
	}
	if err != nil {
		return 0, fmt.Errorf("count what is sealed under %s: %w", k.ID(), err)
	}
	return n, nil
}

// moveOff moves everything sealed under from to next, batch by batch.
func (db *DB) moveOff(ctx context.Context, from, next seal.Key, res *ReencryptResult, report func(int)) error {
	for _, col := range sealedColumns {
		var after int64
		for {
			n, last, err := db.resealBatch(ctx, col, from, next, after)
			if err != nil {
				return err
			}
			switch col.table {
			case "cases":
				res.Cases += n
			case "located":
				res.Located += n
			default:
				res.Other += n
			}
			report(n)
			if n < reencryptBatch {
				break
			}
			after = last
		}
	}
	for i := range sealedTexts {
		var after int64
		for {
			n, last, err := db.resealTextBatch(ctx, i, from, next, after)
			if err != nil {
				return err
			}
			res.Other += n
			report(n)
			if n < reencryptBatch {
				break
			}
			after = last
		}
	}
	n, err := db.resealExchangeFiles(ctx, from, next)
	if err != nil {
		return err
	}
	res.Other += n
	report(n)
	var afterEntity string
	var afterID int64
	for {
		n, entity, id, err := db.rewrapRecordKeys(ctx, from, next, afterEntity, afterID)
		if err != nil {
			return err
		}
		res.RecordKeys += n
		report(n)
		if n < reencryptBatch {
			return nil
		}
		afterEntity, afterID = entity, id
	}
}

// resealBatch re-seals up to reencryptBatch rows of table after the ID
// after, returning how many and the last ID. A row updated meanwhile by a
// writer still on the old key is behind the cursor; retire finds it.
func (db *DB) resealBatch(ctx context.Context, col sealedColumn, from, next seal.Key, after int64) (n int, last int64, err error) {
	table := col.table
	err = db.write(ctx, func(t *tx) error {
		// Read whole before writing: PostgreSQL runs one query at a time on
		// a transaction.
		rows, err := t.QueryContext(ctx, fmt.Sprintf(`SELECT id, %s FROM %s WHERE id > $1 AND substr(%s, 1, %d) = $2 ORDER BY id LIMIT %d`,
			col.column, table, col.column, envelopePrefixLen, reencryptBatch), after, seal.EnvelopePrefix(from))
		if err != nil {
			return fmt.Errorf("read %s to re-encrypt: %w", table, err)
		}
		type row struct {
			id     int64
			sealed []byte
		}
		var rs []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.sealed); err != nil {
				rows.Close()
				return fmt.Errorf("read %s to re-encrypt: %w", table, err)
			}
			rs = append(rs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read %s to re-encrypt: %w", table, err)
		}
		if len(rs) == 0 {
			n, last = 0, after
			return nil
		}
		ids := make([]int64, len(rs))
		envs := make([][]byte, len(rs))
		for i, r := range rs {
			ad := rowAD(col.ad, r.id)
			b, err := seal.Open(from, r.sealed, ad)
			if err != nil {
				return &unsealError{table, r.id, err}
			}
			env, err := seal.Seal(next, b, ad)
			clear(b)
			if err != nil {
				return err
			}
			ids[i], envs[i] = r.id, env
		}
		if err := t.updateByID(ctx, table, col.column, ids, envs); err != nil {
			return fmt.Errorf("re-encrypt %s: %w", table, err)
		}
		n, last = len(rs), rs[len(rs)-1].id
		return t.appendEvent(ctx, homeward.EntityAudit, 0, ActionKeyReencrypted, 0, map[string]any{
			"from": from.ID(), "to": next.ID(), "table": table, "column": col.column, "rows": n, "first_id": rs[0].id, "last_id": last})
	})
	return n, last, err
}

// rewrapRecordKeys re-wraps up to reencryptBatch record keys after
// (afterEntity, afterID) in key order, returning how many and the last.
func (db *DB) rewrapRecordKeys(ctx context.Context, from, next seal.Key, afterEntity string, afterID int64) (n int, lastEntity string, lastID int64, err error) {
	err = db.write(ctx, func(t *tx) error {
		rows, err := t.QueryContext(ctx, fmt.Sprintf(`SELECT entity_type, entity_id, wrapped FROM record_keys
			WHERE (entity_type > $1 OR (entity_type = $1 AND entity_id > $2)) AND substr(wrapped, 1, %d) = $3
			ORDER BY entity_type, entity_id LIMIT %d`, envelopePrefixLen, reencryptBatch), afterEntity, afterID, seal.EnvelopePrefix(from))
		if err != nil {
			return fmt.Errorf("read record keys to re-wrap: %w", err)
		}
		var rs []recordKeyRow
		for rows.Next() {
			var r recordKeyRow
			if err := rows.Scan(&r.entity, &r.id, &r.wrapped); err != nil {
				rows.Close()
				return fmt.Errorf("read record keys to re-wrap: %w", err)
			}
			rs = append(rs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read record keys to re-wrap: %w", err)
		}
		if len(rs) == 0 {
			return nil
		}
		ents := make([]string, len(rs))
		ids := make([]int64, len(rs))
		ws := make([][]byte, len(rs))
		for i, r := range rs {
			ad := recordKeyAD(r.entity, r.id)
			k, err := seal.UnwrapKey(from, r.wrapped, ad)
			if err != nil {
				return fmt.Errorf("open the key of %s: %w", recordRef(r.entity, r.id), err)
			}
			if ws[i], err = seal.WrapKey(next, k, ad); err != nil {
				return err
			}
			ents[i], ids[i] = r.entity, r.id
		}
		if t.db.dialect == DialectPostgres {
			// One statement of three arrays, as updateByID.
			if _, err := t.ExecContext(ctx, `UPDATE record_keys SET wrapped = v.w FROM unnest($1::text[], $2::bigint[], $3::bytea[]) AS v(e, id, w)
				WHERE record_keys.entity_type = v.e AND record_keys.entity_id = v.id AND record_keys.wrapped IS NOT NULL`, ents, ids, ws); err != nil {
				return fmt.Errorf("re-wrap record keys: %w", err)
			}
		} else {
			stmt, err := t.PrepareContext(ctx, `UPDATE record_keys SET wrapped = $1 WHERE entity_type = $2 AND entity_id = $3 AND wrapped IS NOT NULL`)
			if err != nil {
				return fmt.Errorf("re-wrap record keys: %w", err)
			}
			defer stmt.Close()
			for i := range rs {
				if _, err := stmt.ExecContext(ctx, ws[i], ents[i], ids[i]); err != nil {
					return fmt.Errorf("re-wrap the key of %s: %w", recordRef(ents[i], ids[i]), err)
				}
			}
		}
		n = len(rs)
		lastEntity, lastID = rs[n-1].entity, rs[n-1].id
		return t.appendEvent(ctx, homeward.EntityAudit, 0, ActionKeyReencrypted, 0, map[string]any{
			"from": from.ID(), "to": next.ID(), "table": "record_keys", "rows": n})
	})
	return n, lastEntity, lastID, err
}

// retire deletes the old data keys when nothing is sealed under them any
// more, in the same transaction as the last look, so that no writer can
// seal under one in between; it returns how much was left otherwise.
func (db *DB) retire(ctx context.Context, old []seal.Key, next seal.Key) (int, error) {
	left := 0
	err := db.write(ctx, func(t *tx) error {
		var ids []string
		for _, k := range old {
			n, err := db.countUnder(ctx, t, k)
			if err != nil {
				return err
			}
			left += n
			ids = append(ids, k.ID())
		}
		if left > 0 {
			return nil
		}
		for _, id := range ids {
			if _, err := t.ExecContext(ctx, `DELETE FROM data_keys WHERE id = $1 AND purpose = $2 AND NOT active`, id, purposeData); err != nil {
				return fmt.Errorf("delete data key: %w", err)
			}
		}
		// The chain served servers started before the rotation; kept, it
		// would hand the new key to whoever finds the old one in a backup.
		if _, err := t.ExecContext(ctx, `UPDATE data_keys SET chained = NULL, chained_by = '' WHERE id = $1`, next.ID()); err != nil {
			return fmt.Errorf("unchain data key: %w", err)
		}
		return t.appendEvent(ctx, homeward.EntityAudit, 0, ActionKeyRetired, 0, map[string]any{"retired": ids, "data_key": next.ID()})
	})
	return left, err
}

// KeyStatus is what data_keys holds and how much is sealed under each key.
type KeyStatus struct {
	Keys []DataKeyStatus
	// Erased counts the record keys destroyed by erasure.
	Erased int
	// Clear counts rows an older version left in clear, not sealed yet.
	Clear int
	// Unknown counts rows and record keys under a key data_keys does not
	// hold (should be 0).
	Unknown int
}

// DataKeyStatus is one data_keys row.
type DataKeyStatus struct {
	ID, Purpose string
	WrappedBy   string // the master key's id, or "passphrase"
	Active      bool
	ChainedBy   string // during a re-encryption, the data key it replaces
	// Cases, Located and RecordKeys count what is sealed under the key.
	Cases, Located, RecordKeys int
}

// KeyStatus reads the key table and counts what each key seals. It needs
// no key: it reads ids, never opens an envelope.
func (db *DB) KeyStatus(ctx context.Context) (*KeyStatus, error) {
	rs, err := readDataKeys(ctx, db.db)
	if err != nil {
		return nil, err
	}
	st := &KeyStatus{}
	byID := map[string]*DataKeyStatus{}
	st.Keys = make([]DataKeyStatus, len(rs))
	for i, r := range rs {
		st.Keys[i] = DataKeyStatus{ID: r.id, Purpose: r.purpose, WrappedBy: r.kekID, Active: r.active, ChainedBy: r.chainedBy}
		byID[r.id] = &st.Keys[i]
	}
	for _, c := range []struct{ table, col string }{{"cases", "sealed"}, {"located", "sealed"}, {"record_keys", "wrapped"}} {
		rows, err := db.db.QueryContext(ctx, fmt.Sprintf(`SELECT substr(%[1]s, 1, %[2]d), count(*) FROM %[3]s WHERE %[1]s IS NOT NULL GROUP BY substr(%[1]s, 1, %[2]d)`,
			c.col, envelopePrefixLen, c.table))
		if err != nil {
			return nil, fmt.Errorf("count %s by key: %w", c.table, err)
		}
		for rows.Next() {
			var p []byte
			var n int
			if err := rows.Scan(&p, &n); err != nil {
				rows.Close()
				return nil, fmt.Errorf("count %s by key: %w", c.table, err)
			}
			k := byID[seal.EnvelopeKeyID(p)]
			switch {
			case k == nil:
				st.Unknown += n
			case c.table == "cases":
				k.Cases += n
			case c.table == "located":
				k.Located += n
			default:
				k.RecordKeys += n
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("count %s by key: %w", c.table, err)
		}
	}
	err = db.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM record_keys WHERE wrapped IS NULL),
		(SELECT count(*) FROM cases WHERE sealed IS NULL) + (SELECT count(*) FROM located WHERE sealed IS NULL)`).Scan(&st.Erased, &st.Clear)
	if err != nil {
		return nil, fmt.Errorf("count erased records: %w", err)
	}
	return st, nil
}

// resealTextBatch is resealBatch for the i-th of sealedTexts.
func (db *DB) resealTextBatch(ctx context.Context, i int, from, next seal.Key, after int64) (n int, last int64, err error) {
	col := sealedTexts[i]
	err = db.write(ctx, func(t *tx) error {
		rows, err := t.QueryContext(ctx, fmt.Sprintf(`SELECT id, %s, %s FROM %s WHERE id > $1 AND %s LIKE $2 ORDER BY id LIMIT %d`,
			col.column, col.ad, col.table, col.column, reencryptBatch), after, textPrefix(from)+"%")
		if err != nil {
			return fmt.Errorf("read %s to re-encrypt: %w", col.table, err)
		}
		type row struct {
			id         int64
			stored, ad string
		}
		var rs []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.stored, &r.ad); err != nil {
				rows.Close()
				return fmt.Errorf("read %s to re-encrypt: %w", col.table, err)
			}
			rs = append(rs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read %s to re-encrypt: %w", col.table, err)
		}
		if len(rs) == 0 {
			n, last = 0, after
			return nil
		}
		for _, r := range rs {
			var sd sealedData
			if err := json.Unmarshal([]byte(r.stored), &sd); err != nil {
				return fmt.Errorf("%s %d: damaged sealed text: %w", col.table, r.id, err)
			}
			ad := []byte("homeward text v1 " + r.ad)
			b, err := seal.Open(from, sd.Sealed, ad)
			if err != nil {
				return fmt.Errorf("open %s %d %s: %w", col.table, r.id, col.column, err)
			}
			env, err := seal.Seal(next, b, ad)
			if err != nil {
				return err
			}
			out, err := json.Marshal(sealedData{Sealed: env})
			if err != nil {
				return err
			}
			if _, err := t.ExecContext(ctx, `UPDATE `+col.table+` SET `+col.column+` = $1 WHERE id = $2`, string(out), r.id); err != nil {
				return fmt.Errorf("re-encrypt %s %d: %w", col.table, r.id, err)
			}
		}
		n, last = len(rs), rs[len(rs)-1].id
		return t.appendEvent(ctx, homeward.EntityAudit, 0, ActionKeyReencrypted, 0, map[string]any{
			"from": from.ID(), "to": next.ID(), "table": col.table, "column": col.column, "rows": n})
	})
	return n, last, err
}

// updateByID sets column to vals[i] on the row ids[i] of table: on
// PostgreSQL in one statement of two arrays (a statement a row cost a
// round trip each, fifteen seconds at 100,000 rows), on SQLite through one
// prepared statement, which costs no round trip.
func (t *tx) updateByID(ctx context.Context, table, column string, ids []int64, vals [][]byte) error {
	if t.db.dialect == DialectPostgres {
		_, err := t.ExecContext(ctx, `UPDATE `+table+` SET `+column+` = v.val FROM unnest($1::bigint[], $2::bytea[]) AS v(id, val) WHERE `+table+`.id = v.id`, ids, vals)
		return err
	}
	stmt, err := t.PrepareContext(ctx, `UPDATE `+table+` SET `+column+` = $1 WHERE id = $2`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, id := range ids {
		if _, err := stmt.ExecContext(ctx, vals[i], id); err != nil {
			return fmt.Errorf("row %d: %w", id, err)
		}
	}
	return nil
}

// resealExchangeFiles moves the files waiting to travel with documents,
// keyed by their hash rather than an ID; there are few, and they go once
// sent, so one transaction takes them all.
func (db *DB) resealExchangeFiles(ctx context.Context, from, next seal.Key) (int, error) {
	n := 0
	err := db.write(ctx, func(t *tx) error {
		rows, err := t.QueryContext(ctx, fmt.Sprintf(`SELECT sha256, data FROM exchange_files WHERE substr(data, 1, %d) = $1`, envelopePrefixLen), seal.EnvelopePrefix(from))
		if err != nil {
			return fmt.Errorf("read exchange files: %w", err)
		}
		type file struct {
			sha  string
			data []byte
		}
		var fs []file
		for rows.Next() {
			var f file
			if err := rows.Scan(&f.sha, &f.data); err != nil {
				rows.Close()
				return err
			}
			fs = append(fs, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, f := range fs {
			ad := rowAD("exchange_files "+f.sha, 0)
			b, err := seal.Open(from, f.data, ad)
			if err != nil {
				return fmt.Errorf("open exchange file %s: %w", f.sha, err)
			}
			env, err := seal.Seal(next, b, ad)
			if err != nil {
				return err
			}
			if _, err := t.ExecContext(ctx, `UPDATE exchange_files SET data = $1 WHERE sha256 = $2`, env, f.sha); err != nil {
				return fmt.Errorf("re-encrypt exchange file %s: %w", f.sha, err)
			}
		}
		n = len(fs)
		if n == 0 {
			return nil
		}
		return t.appendEvent(ctx, homeward.EntityAudit, 0, ActionKeyReencrypted, 0, map[string]any{
			"from": from.ID(), "to": next.ID(), "table": "exchange_files", "rows": n})
	})
	return n, err
}
