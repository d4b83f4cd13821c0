package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/seal"
)

// Erasure destroys a record's personal data and keeps its place: the row
// stays, its sealed fields replaced by empty ones, so that matches, lists
// and counts that point at it still resolve; its events stay in the chain,
// which hashes what is stored, and become unreadable as the key they are
// sealed under is destroyed. The erase event itself is clear: who erased
// what, when, for which coded reason.

// eraseKind is what differs between erasing a case and a located record.
type eraseKind struct {
	table, alias, columns, entity, what string
	matchColumn                         string // the record's column in matches
	// scan reads the row and returns its organisation.
	scan func(db *DB, ctx context.Context, r rowScanner) (org int64, err error)
	// empty is the sealed personal fields of an erased record, as JSON.
	empty any
}

var caseErase = eraseKind{
	table: "cases", alias: "c", columns: caseColumns, entity: homeward.EntityCase, what: "case", matchColumn: "case_id",
	scan: func(db *DB, ctx context.Context, r rowScanner) (int64, error) {
		c, err := db.scanCase(ctx, r)
		if err != nil {
			return 0, err
		}
		return c.OrgID, nil
	},
	empty: casePersonal{},
}

var locatedErase = eraseKind{
	table: "located", alias: "l", columns: locatedColumns, entity: homeward.EntityLocated, what: "located record", matchColumn: "located_id",
	scan: func(db *DB, ctx context.Context, r rowScanner) (int64, error) {
		l, err := db.scanLocated(ctx, r)
		if err != nil {
			return 0, err
		}
		return l.OrgID, nil
	},
	empty: locatedPersonal{},
}

// EraseCase destroys the personal data of a case and of its events. reason
// is one of homeward.EraseReasons. Administrators and supervisors of the
// owning organisation may erase; erasing twice is ECONFLICT.
func (s *CaseService) EraseCase(ctx context.Context, id int64, reason string) error {
	return s.db.erase(ctx, caseErase, id, reason)
}

// EraseLocated is EraseCase for a located record.
func (s *LocatedService) EraseLocated(ctx context.Context, id int64, reason string) error {
	return s.db.erase(ctx, locatedErase, id, reason)
}

func canErase(a homeward.Actor) error {
	switch {
	case a.System:
		return nil
	case a.UserID == 0:
		return errNoActor
	case !a.Role.IsSupervisorRank():
		return homeward.Errorf(homeward.EFORBIDDEN, "Only administrators and supervisors may erase a record.")
	}
	return nil
}

func (db *DB) erase(ctx context.Context, k eraseKind, id int64, reason string) error {
	a := homeward.ActorFromContext(ctx)
	if err := canErase(a); err != nil {
		return err
	}
	if db.keys == nil {
		return errLocked
	}
	ref := recordRef(k.entity, id)
	err := db.write(ctx, func(t *tx) error {
		var args []any
		arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
		q := `SELECT ` + k.columns + ` FROM ` + k.table + ` ` + k.alias + ` WHERE ` + k.alias + `.id = ` + arg(id) +
			` AND ` + visibleClause(a, k.alias, k.entity, arg)
		org, err := k.scan(db, ctx, t.QueryRowContext(ctx, q, args...))
		if err != nil {
			return scanErr(err, k.what, id)
		}
		if !a.System && org != a.OrgID {
			return homeward.Errorf(homeward.EFORBIDDEN, "Only the organisation that holds a record may erase it.")
		}
		// After the checks of who may: a caller who may not learns nothing
		// of the record from an error about the reason.
		if err := homeward.ValidateEraseReason(reason); err != nil {
			return err
		}

		// The key row decides whether the record was erased already; a
		// record without one (no event ever sealed) gets one, erased, so
		// that the next erasure sees it.
		var erased int
		if err := t.QueryRowContext(ctx, `SELECT count(*) FROM record_keys WHERE entity_type = $1 AND entity_id = $2 AND wrapped IS NULL`,
			k.entity, id).Scan(&erased); err != nil {
			return fmt.Errorf("read record key: %w", err)
		}
		if erased > 0 {
			return homeward.Errorf(homeward.ECONFLICT, "This %s was erased already.", k.what)
		}
		res, err := t.ExecContext(ctx, `UPDATE record_keys SET wrapped = NULL, erased_at = $1, erased_by = $2 WHERE entity_type = $3 AND entity_id = $4`,
			db.tv(t.at), t.actor.UserID, k.entity, id)
		if err != nil {
			return fmt.Errorf("destroy the key of %s: %w", ref, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("destroy the key of %s: %w", ref, err)
		} else if n == 0 {
			if _, err := t.ExecContext(ctx, `INSERT INTO record_keys (entity_type, entity_id, wrapped, erased_at, erased_by) VALUES ($1, $2, NULL, $3, $4)`,
				k.entity, id, db.tv(t.at), t.actor.UserID); err != nil {
				return fmt.Errorf("record the erasure of %s: %w", ref, err)
			}
		}
		// The transaction's own copy, so that nothing later in it seals
		// under the destroyed key.
		delete(t.rkeys, ref)
		db.keys.forgetRecordKey(ref)

		// Every token of the record, not only those its current names
		// give: a token left behind would still find it by a former name.
		tt := tokenTables[k.entity]
		if _, err := t.ExecContext(ctx, `DELETE FROM `+tt[0]+` WHERE `+tt[1]+` = $1`, id); err != nil {
			return fmt.Errorf("drop %s from the name index: %w", ref, err)
		}

		b, err := json.Marshal(k.empty)
		if err != nil {
			return err
		}
		dk, err := db.keys.activeKey(ctx, t)
		if err != nil {
			return err
		}
		sealed, err := seal.Seal(dk, b, rowAD(k.table, id))
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `UPDATE `+k.table+` SET sealed = $1, version = version + 1, updated_at = $2 WHERE id = $3`,
			sealed, db.tv(t.at), id); err != nil {
			return fmt.Errorf("erase %s: %w", ref, err)
		}

		// Matches keep their explanation and decision notes in clear, and
		// an explanation quotes both records' names ("Александр is the
		// Russian form of Олександр"): they go with the record. The pair
		// and its decisions stay, as the other record's history.
		if _, err := t.ExecContext(ctx, `UPDATE match_decisions SET note = '' WHERE match_id IN (SELECT id FROM matches WHERE `+k.matchColumn+` = $1)`, id); err != nil {
			return fmt.Errorf("erase the match notes of %s: %w", ref, err)
		}
		if _, err := t.ExecContext(ctx, `UPDATE matches SET explanation = '[]', note = '' WHERE `+k.matchColumn+` = $1`, id); err != nil {
			return fmt.Errorf("erase the matches of %s: %w", ref, err)
		}
		if k.entity == homeward.EntityCase {
			if err := t.eraseCaseRecords(ctx, dk, id); err != nil {
				return fmt.Errorf("erase the records of %s: %w", ref, err)
			}
		}
		return t.appendEvent(ctx, k.entity, id, homeward.ActionErase, org, map[string]string{"reason": reason})
	})
	// Again after commit: a reader may have cached the key between the
	// first forget and the commit.
	db.keys.forgetRecordKey(ref)
	return err
}

// caseRecords are the tables whose rows belong to one case and hold its
// personal data under the data key: erasing the case empties them too.
// The rows stay (their outcomes, dates and decisions are the workflow's
// history); their sealed fields become the sealed empty object, and an
// attachment's or message's content goes.
var caseRecords = []string{"verifications", "best_interests", "handovers", "reunifications", "follow_ups", "attachments", "welfare_messages"}

func (t *tx) eraseCaseRecords(ctx context.Context, dk seal.Key, caseID int64) error {
	for _, table := range caseRecords {
		ids, err := queryIDs(ctx, t, `SELECT id FROM `+table+` WHERE case_id = $1`, caseID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			empty, err := seal.Seal(dk, []byte("{}"), rowAD(table, id))
			if err != nil {
				return err
			}
			set := `sealed = $1`
			args := []any{empty}
			switch table {
			case "attachments":
				content, err := seal.Seal(dk, nil, rowAD(fileTable(table), id))
				if err != nil {
					return err
				}
				set, args = `sealed = $1, data = $2, size = 0`, append(args, content)
			case "welfare_messages":
				set = `sealed = $1, photo = NULL`
			}
			if _, err := t.ExecContext(ctx, `UPDATE `+table+` SET `+set+` WHERE id = $`+fmt.Sprint(len(args)+1), append(args, id)...); err != nil {
				return fmt.Errorf("erase %s %d: %w", table, id, err)
			}
		}
	}
	// The persons the case's list entries carry.
	rows, err := t.QueryContext(ctx, `SELECT list_id, ref FROM list_entries WHERE case_id = $1`, caseID)
	if err != nil {
		return err
	}
	type entry struct {
		list int64
		ref  string
	}
	var es []entry
	for rows.Next() {
		var e entry
		if err := rows.Scan(&e.list, &e.ref); err != nil {
			rows.Close()
			return err
		}
		es = append(es, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, e := range es {
		empty, err := t.sealPerson(ctx, e.list, e.ref, []byte("{}"))
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `UPDATE list_entries SET person = $1 WHERE list_id = $2 AND ref = $3`, empty, e.list, e.ref); err != nil {
			return fmt.Errorf("erase list entry %s: %w", e.ref, err)
		}
	}
	return nil
}
