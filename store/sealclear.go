package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/homeward-project/homeward"
)

// Databases of versions before encryption at rest hold names in clear: in
// the personal columns of cases and located records, and in their events.
// The first unlock seals them in place. Rows are sealed in batches, each a
// transaction with an event; the events' data is sealed in one pass that
// also rewrites the chain's hashes from the first clear event on, as each
// hash covers the data as stored, and records the old head in an event so
// that a head written down before can still be traced.

// legacyCaseColumns are the clear columns of a case before 0007.
const legacyCaseColumns = `id, given_name, family_name, patronymic, other_names,
	birth_year, birth_month, birth_day, birth_precision, birth_estimated_age, birth_age_as_of, birth_place,
	last_seen_place, last_seen_date, distinguishing_marks, notes, family, siblings`

const legacyLocatedColumns = `id, given_name, family_name, patronymic,
	birth_year, birth_month, birth_day, birth_precision, birth_estimated_age, birth_age_as_of, birth_place,
	institution, region, source_ref, notes`

// clearedCase empties the clear columns once their values are sealed.
const clearedCase = `given_name = '', family_name = '', patronymic = '', other_names = '[]',
	birth_year = 0, birth_month = 0, birth_day = 0, birth_precision = '', birth_estimated_age = 0, birth_age_as_of = NULL,
	birth_place = '', last_seen_place = '', last_seen_date = '', distinguishing_marks = '', notes = '', family = '[]',
	siblings = '[]', search_text = ''`

const clearedLocated = `given_name = '', family_name = '', patronymic = '',
	birth_year = 0, birth_month = 0, birth_day = 0, birth_precision = '', birth_estimated_age = 0, birth_age_as_of = NULL,
	birth_place = '', institution = '', region = '', source_ref = '', notes = '', search_text = ''`

// ActionSealed records rows or events sealed in place.
const ActionSealed = "sealed_in_place"

const sealClearBatch = 1000

// clearEventCondition selects the events whose data an older version left
// in clear. Erase events and reads of an erased record are clear on
// purpose (there is no key left to seal them under, and they carry no
// personal data); reads name a match or an attachment, never a person. An erase event is clear by design (see sealEvent): without its
// exclusion, every unlock would find it and rehash the chain from it.
const clearEventCondition = `entity_type IN ('` + homeward.EntityCase + `', '` + homeward.EntityLocated + `') AND entity_id <> 0 AND data <> '' AND data NOT LIKE '` + sealedPrefix + `%'` +
	` AND action NOT IN ('` + homeward.ActionErase + `', '` + homeward.ActionView + `', '` + homeward.ActionAttachmentView + `')`

// sealClear seals what an older version left in clear and returns how many
// rows and events it sealed.
func (db *DB) sealClear(ctx context.Context) (int, error) {
	// Looked for without the write lock: every command unlocks, some while
	// a server writes, and only a database of an older version has any.
	var clear bool
	q := `SELECT EXISTS (SELECT 1 FROM cases WHERE sealed IS NULL) OR EXISTS (SELECT 1 FROM located WHERE sealed IS NULL)
		OR EXISTS (SELECT 1 FROM events WHERE ` + clearEventCondition + `)`
	for _, ct := range clearWorkflowTables {
		q += ` OR EXISTS (SELECT 1 FROM ` + ct.table + ` WHERE sealed IS NULL)`
	}
	for _, c := range sealedTexts {
		q += ` OR EXISTS (SELECT 1 FROM ` + c.table + ` WHERE ` + clearTextCondition(c.column) + `)`
	}
	if err := db.db.QueryRowContext(ctx, q).Scan(&clear); err != nil {
		return 0, fmt.Errorf("look for clear records: %w", err)
	}
	if !clear {
		return 0, nil
	}
	total := 0
	for _, entity := range []string{homeward.EntityCase, homeward.EntityLocated} {
		for {
			n, err := db.sealClearRows(ctx, entity)
			if err != nil {
				return total, err
			}
			total += n
			if n < sealClearBatch {
				break
			}
		}
	}
	n, err := db.sealClearEvents(ctx)
	n, err = db.sealClearWorkflow(ctx, n, err)
	if err != nil {
		return total + n, err
	}
	for i := range sealedTexts {
		for {
			k, err := db.sealClearTexts(ctx, i)
			n += k
			if err != nil {
				return total + n, err
			}
			if k < sealClearBatch {
				break
			}
		}
	}
	return total + n, db.compact(ctx)
}

// compact rewrites the database files once clear values were replaced:
// the old values stay in free pages and the WAL (SQLite) or dead row
// versions (PostgreSQL) until then, where a stolen file would show them.
func (db *DB) compact(ctx context.Context) error {
	stmts := []string{`PRAGMA wal_checkpoint(TRUNCATE)`, `VACUUM`, `PRAGMA wal_checkpoint(TRUNCATE)`}
	if db.dialect == DialectPostgres {
		tables := []string{"cases", "located", "events"}
		for _, ct := range clearWorkflowTables {
			tables = append(tables, ct.table)
		}
		for _, c := range sealedTexts {
			if !slices.Contains(tables, c.table) {
				tables = append(tables, c.table)
			}
		}
		stmts = []string{`VACUUM FULL ` + strings.Join(tables, ", ")}
	}
	for _, q := range stmts {
		if _, err := db.wdb.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("compact after sealing (%s): %w", q, err)
		}
	}
	return nil
}

func (db *DB) sealClearRows(ctx context.Context, entity string) (int, error) {
	n := 0
	err := db.write(ctx, func(t *tx) error {
		table, cols := "cases", legacyCaseColumns
		if entity == homeward.EntityLocated {
			table, cols = "located", legacyLocatedColumns
		}
		rows, err := t.QueryContext(ctx, `SELECT `+cols+` FROM `+table+` WHERE sealed IS NULL ORDER BY id LIMIT `+fmt.Sprint(sealClearBatch))
		if err != nil {
			return fmt.Errorf("read clear %s: %w", table, err)
		}
		type sealedRow struct {
			id     int64
			sealed []byte
		}
		var out []sealedRow
		k, err := db.keys.activeKey(ctx, t)
		if err != nil {
			rows.Close()
			return err
		}
		for rows.Next() {
			var id int64
			var sealed []byte
			var names []string
			if entity == homeward.EntityCase {
				c, err := scanLegacyCase(rows)
				if err != nil {
					rows.Close()
					return err
				}
				id, names = c.ID, caseNames(c)
				sealed, err = sealCase(k, c)
				if err != nil {
					rows.Close()
					return err
				}
			} else {
				l, err := scanLegacyLocated(rows)
				if err != nil {
					rows.Close()
					return err
				}
				id, names = l.ID, locatedNames(l)
				if sealed, err = sealLocated(k, l); err != nil {
					rows.Close()
					return err
				}
			}
			toks, err := db.recordTokens(names...)
			if err != nil {
				rows.Close()
				return err
			}
			t.addTokens(entity, id, toks)
			out = append(out, sealedRow{id, sealed})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		cleared := clearedCase
		if entity == homeward.EntityLocated {
			cleared = clearedLocated
		}
		for _, r := range out {
			if _, err := t.ExecContext(ctx, `UPDATE `+table+` SET sealed = $1, `+cleared+` WHERE id = $2`, r.sealed, r.id); err != nil {
				return fmt.Errorf("seal %s %d: %w", table, r.id, err)
			}
		}
		n = len(out)
		if n == 0 {
			return nil
		}
		return t.appendEvent(ctx, homeward.EntityAudit, 0, ActionSealed, 0, map[string]any{"table": table, "rows": n})
	})
	return n, err
}

func scanLegacyCase(r rowScanner) (*homeward.Case, error) {
	var c homeward.Case
	var otherNames, family, siblings string
	err := r.Scan(&c.ID, &c.GivenName, &c.FamilyName, &c.Patronymic, &otherNames,
		&c.BirthDate.Year, &c.BirthDate.Month, &c.BirthDate.Day, &c.BirthDate.Precision, &c.BirthDate.EstimatedAge,
		timePtrScan{&c.BirthDate.AgeAsOf}, &c.BirthPlace,
		&c.LastSeenPlace, dateScan{&c.LastSeenDate}, &c.DistinguishingMarks, &c.Notes, &family, &siblings)
	if err != nil {
		return nil, fmt.Errorf("read clear case: %w", err)
	}
	if err := decodeList(otherNames, &c.OtherNames); err != nil {
		return nil, fmt.Errorf("case %d other names: %w", c.ID, err)
	}
	if err := decodeList(family, &c.Family); err != nil {
		return nil, fmt.Errorf("case %d family: %w", c.ID, err)
	}
	if err := decodeList(siblings, &c.Siblings); err != nil {
		return nil, fmt.Errorf("case %d siblings: %w", c.ID, err)
	}
	return &c, nil
}

func scanLegacyLocated(r rowScanner) (*homeward.LocatedRecord, error) {
	var l homeward.LocatedRecord
	err := r.Scan(&l.ID, &l.GivenName, &l.FamilyName, &l.Patronymic,
		&l.BirthDate.Year, &l.BirthDate.Month, &l.BirthDate.Day, &l.BirthDate.Precision, &l.BirthDate.EstimatedAge,
		timePtrScan{&l.BirthDate.AgeAsOf}, &l.BirthPlace, &l.Institution, &l.Region, &l.SourceRef, &l.Notes)
	if err != nil {
		return nil, fmt.Errorf("read clear located record: %w", err)
	}
	return &l, nil
}

// sealClearEvents seals the clear data of case and located events and
// rewrites the chain from the first of them, in one transaction.
func (db *DB) sealClearEvents(ctx context.Context) (int, error) {
	clearEvent := clearEventCondition
	var first sql.NullInt64
	if err := db.db.QueryRowContext(ctx, `SELECT min(id) FROM events WHERE `+clearEvent).Scan(&first); err != nil {
		return 0, fmt.Errorf("look for clear events: %w", err)
	}
	if !first.Valid {
		return 0, nil
	}
	n := 0
	err := db.write(ctx, func(t *tx) error {
		oldHead := t.lastHash
		var prev string
		if first.Int64 > 1 {
			if err := t.QueryRowContext(ctx, `SELECT hash FROM events WHERE id = $1`, first.Int64-1).Scan(&prev); err != nil {
				return fmt.Errorf("read event %d: %w", first.Int64-1, err)
			}
		}
		rows, err := t.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE id >= $1 ORDER BY id`, first.Int64)
		if err != nil {
			return fmt.Errorf("read events: %w", err)
		}
		var evs []homeward.Event
		for rows.Next() {
			var ev homeward.Event
			timeErr, err := scanEvent(rows, &ev)
			if err == nil {
				err = timeErr
			}
			if err != nil {
				rows.Close()
				return fmt.Errorf("read events: %w", err)
			}
			evs = append(evs, ev)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i := range evs {
			ev := &evs[i]
			if ev.PrevHash != prev && i == 0 {
				return fmt.Errorf("event %d does not link to the one before it: run “homeward audit verify” before the upgrade", ev.ID)
			}
			if !isSealedData(ev.Data) {
				if err := t.sealEvent(ctx, ev, "", 0); err != nil {
					return err
				}
				if isSealedData(ev.Data) {
					n++
				}
			}
			ev.PrevHash = prev
			ev.Hash = ev.ComputeHash()
			prev = ev.Hash
		}
		if err := t.flushRecordKeys(ctx); err != nil {
			return err
		}
		for _, ev := range evs {
			if _, err := t.ExecContext(ctx, `UPDATE events SET data = $1, prev_hash = $2, hash = $3 WHERE id = $4`,
				string(ev.Data), ev.PrevHash, ev.Hash, ev.ID); err != nil {
				return fmt.Errorf("seal event %d: %w", ev.ID, err)
			}
		}
		t.lastHash = prev
		return t.appendEvent(ctx, homeward.EntityAudit, 0, ActionSealed, 0, map[string]any{
			"events": n, "from_event": first.Int64, "head_before": oldHead,
			"note": strings.TrimSpace("the chain was rehashed from from_event on: a head written down before this event is head_before"),
		})
	})
	return n, err
}

// clearTextCondition selects the values of a sealed text column an older
// version left in clear; an empty list or object says nothing.
func clearTextCondition(column string) string {
	return column + ` NOT IN ('', '[]', '{}') AND ` + column + ` NOT LIKE '` + sealedPrefix + `%'`
}

// sealClearTexts seals one batch of the i-th of sealedTexts in place.
func (db *DB) sealClearTexts(ctx context.Context, i int) (int, error) {
	col := sealedTexts[i]
	n := 0
	err := db.write(ctx, func(t *tx) error {
		rows, err := t.QueryContext(ctx, `SELECT id, `+col.column+`, `+col.ad+` FROM `+col.table+` WHERE `+clearTextCondition(col.column)+
			` ORDER BY id LIMIT `+fmt.Sprint(sealClearBatch))
		if err != nil {
			return fmt.Errorf("read clear %s: %w", col.table, err)
		}
		type row struct {
			id       int64
			text, ad string
		}
		var rs []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.text, &r.ad); err != nil {
				rows.Close()
				return err
			}
			rs = append(rs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range rs {
			sealed, err := db.sealText(ctx, t, r.ad, r.text)
			if err != nil {
				return err
			}
			if _, err := t.ExecContext(ctx, `UPDATE `+col.table+` SET `+col.column+` = $1 WHERE id = $2`, sealed, r.id); err != nil {
				return fmt.Errorf("seal %s %d: %w", col.table, r.id, err)
			}
		}
		n = len(rs)
		if n == 0 {
			return nil
		}
		return t.appendEvent(ctx, homeward.EntityAudit, 0, ActionSealed, 0, map[string]any{"table": col.table, "column": col.column, "rows": n})
	})
	return n, err
}
