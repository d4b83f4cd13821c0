package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
)

// auditWorld is a database whose head is signed, with edited, moved and
// imported cases and located records: every kind of event that shapes a
// row.
func auditWorld(t *testing.T, db *DB) (w world, caseID, locID int64) {
	t.Helper()
	db.SetHeadKey([]byte("test head key, not from a key file"))
	w = newWorld(t, db)
	ctx := w.as(w.orgA, homeward.RoleCaseworker)
	cases, located := NewCaseService(db), NewLocatedService(db)
	c := fullCase()
	mustNil(t, cases.CreateCase(ctx, c))
	c.Notes, c.Siblings = "changed notes", nil
	mustNil(t, cases.UpdateCase(ctx, c))
	plain := &homeward.Case{GivenName: "Олена", FamilyName: "Зразкова", Consents: homeward.Consents{Tracing: true}}
	mustNil(t, cases.CreateCase(ctx, plain))
	if _, err := NewWorkflowService(db).Transition(ctx, plain.ID, homeward.StageTracing, plain.Version, ""); err != nil {
		t.Fatalf("move to tracing: %v", err)
	}
	l := fullLocated()
	mustNil(t, located.CreateLocated(ctx, l))
	l.Institution = "Інший вигаданий заклад"
	mustNil(t, located.UpdateLocated(ctx, l))
	if _, _, err := located.ImportLocated(ctx, []*homeward.LocatedRecord{{GivenName: "Ірина", ImportKey: "row-1"}}, nil); err != nil {
		t.Fatalf("import: %v", err)
	}
	if _, err := cases.FindCaseByID(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	return w, c.ID, l.ID
}

func TestAuditPassesOnAnUntouchedSignedLog(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w, _, _ := auditWorld(t, db)
		events := NewEventService(db)
		rep, err := events.Audit(w.sys, AuditOptions{})
		if err != nil {
			t.Fatalf("audit of an untouched log: %v", err)
		}
		if !rep.HeadSigned || rep.Events != eventCount(t, db) || rep.Records[homeward.EntityCase] != 2 || rep.Records[homeward.EntityLocated] != 2 {
			t.Fatalf("report %+v, want a signed head over every event and 2 + 2 records checked", rep)
		}
		// A head written down earlier is still in the grown log.
		var early string
		mustNil(t, db.db.QueryRow(`SELECT hash FROM events WHERE id = 3`).Scan(&early))
		mustNil(t, NewCaseService(db).CreateCase(w.as(w.orgA, homeward.RoleCaseworker), &homeward.Case{GivenName: "Петро"}))
		if _, err := events.Audit(w.sys, AuditOptions{ExpectHead: early}); err != nil {
			t.Fatalf("audit against an earlier anchored head: %v", err)
		}
		if _, err := events.Audit(w.sys, AuditOptions{ExpectHead: strings.Repeat("ab", 32)}); !isHeadError(err, "anchored") {
			t.Fatalf("audit against a head not in the log: %v, want a head error", err)
		}
	})
}

func isHeadError(err error, says string) bool {
	var he *homeward.HeadError
	return errors.As(err, &he) && strings.Contains(he.Error(), says)
}

func TestAuditFindsTamperingTheChainAloneMisses(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, db *DB, caseID, locID int64)
		check  func(err error, caseID, locID int64) bool
		want   string
	}{
		{"tail cut and head rewritten", func(t *testing.T, db *DB, _, _ int64) {
			cutTail(t, db, 2, false)
		}, func(err error, _, _ int64) bool { return isHeadError(err, "signature") }, "a head error about the signature"},
		{"tail cut, head rewritten and its signature removed", func(t *testing.T, db *DB, _, _ int64) {
			cutTail(t, db, 2, true)
		}, func(err error, _, _ int64) bool { return isHeadError(err, "unsigned") }, "a head error saying it is unsigned"},
		{"all events deleted", func(t *testing.T, db *DB, _, _ int64) {
			exec(t, db, `DELETE FROM events`)
			exec(t, db, `UPDATE event_head SET last_id = 0, last_hash = '', mac = ''`)
		}, func(err error, _, _ int64) bool { return isHeadError(err, "no events") }, "a head error saying the log holds no events"},
		// Whoever edits a sealed row needs the data key; one who has it (an
		// insider with the key file) is still caught by the events.
		{"a case's name edited in its row", func(t *testing.T, db *DB, caseID, _ int64) {
			c, err := db.scanCase(context.Background(), db.db.QueryRow(`SELECT `+caseColumns+` FROM cases WHERE id = $1`, caseID))
			mustNil(t, err)
			c.GivenName = "Підмінене"
			sealed, err := sealCase(db.keys.active, c)
			mustNil(t, err)
			exec(t, db, `UPDATE cases SET sealed = $1 WHERE id = $2`, sealed, caseID)
		}, func(err error, caseID, _ int64) bool {
			return isRecordError(err, homeward.EntityCase, caseID, "given_name")
		}, "a record error naming the case and given_name"},
		{"a located record's institution edited", func(t *testing.T, db *DB, _, locID int64) {
			l, err := db.scanLocated(context.Background(), db.db.QueryRow(`SELECT `+locatedColumns+` FROM located WHERE id = $1`, locID))
			mustNil(t, err)
			l.Institution = "Elsewhere"
			sealed, err := sealLocated(db.keys.active, l)
			mustNil(t, err)
			exec(t, db, `UPDATE located SET sealed = $1 WHERE id = $2`, sealed, locID)
		}, func(err error, _, locID int64) bool {
			return isRecordError(err, homeward.EntityLocated, locID, "institution")
		}, "a record error naming the located record and institution"},
		{"a case's sealed fields copied from another record", func(t *testing.T, db *DB, caseID, _ int64) {
			exec(t, db, `UPDATE cases SET sealed = (SELECT sealed FROM located ORDER BY id LIMIT 1) WHERE id = $1`, caseID)
		}, func(err error, caseID, _ int64) bool {
			return isRecordError(err, homeward.EntityCase, caseID, "")
		}, "a record error naming the case"},
		{"a case moved without an event", func(t *testing.T, db *DB, caseID, _ int64) {
			exec(t, db, `UPDATE cases SET stage = 'reunified' WHERE id = $1`, caseID)
		}, func(err error, caseID, _ int64) bool {
			return isRecordError(err, homeward.EntityCase, caseID, "stage")
		}, "a record error naming the case and stage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachDB(t, func(t *testing.T, db *DB) {
				w, caseID, locID := auditWorld(t, db)
				tt.tamper(t, db, caseID, locID)
				_, err := NewEventService(db).Audit(w.sys, AuditOptions{})
				if !tt.check(err, caseID, locID) {
					t.Fatalf("audit after %s: %v, want %s", tt.name, err, tt.want)
				}
			})
		})
	}
}

func isRecordError(err error, entity string, id int64, field string) bool {
	var re *homeward.RecordError
	return errors.As(err, &re) && re.EntityType == entity && re.EntityID == id && re.Field == field
}

// cutTail deletes the last n events and rewrites the head to the new last
// event, as someone with write access to the database could.
func cutTail(t *testing.T, db *DB, n int64, dropMAC bool) {
	t.Helper()
	last := eventCount(t, db) - n
	var hash string
	mustNil(t, db.db.QueryRow(`SELECT hash FROM events WHERE id = $1`, last).Scan(&hash))
	exec(t, db, `DELETE FROM events WHERE id > $1`, last)
	exec(t, db, `UPDATE event_head SET last_id = $1, last_hash = $2`, last, hash)
	if dropMAC {
		exec(t, db, `UPDATE event_head SET mac = ''`)
	}
	// The chain alone cannot tell.
	if _, err := NewEventService(db).VerifyChain(homeward.NewContextWithActor(t.Context(), homeward.SystemActor())); err != nil {
		t.Fatalf("the chain of a cut log should still verify: %v", err)
	}
}

func TestAuditWithoutAKeySaysTheHeadIsUnchecked(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		mustNil(t, NewCaseService(db).CreateCase(w.as(w.orgA, homeward.RoleCaseworker), &homeward.Case{GivenName: "Олена"}))
		rep, err := NewEventService(db).Audit(w.sys, AuditOptions{})
		if err != nil || rep.HeadSigned || !strings.Contains(rep.Unsigned, "unsigned") {
			t.Fatalf("audit without a key: %+v, %v; want it to pass and say the head is unsigned", rep, err)
		}
	})
}

func TestWritersRefuseAHeadTheyCannotVouchFor(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w, _, _ := auditWorld(t, db)
		ctx := w.as(w.orgA, homeward.RoleCaseworker)
		cases := NewCaseService(db)

		// Without the key, a signed head may not be replaced by an unsigned one.
		db.SetHeadKey(nil)
		wantCode(t, cases.CreateCase(ctx, &homeward.Case{GivenName: "Петро"}), homeward.EINVALID)

		// With the key, a head whose signature does not hold is not signed
		// over: the cut stays visible.
		db.SetHeadKey([]byte("test head key, not from a key file"))
		cutTail(t, db, 2, false)
		wantCode(t, cases.CreateCase(ctx, &homeward.Case{GivenName: "Петро"}), homeward.EINTERNAL)
		if _, err := NewEventService(db).Audit(w.sys, AuditOptions{}); !isHeadError(err, "signature") {
			t.Fatalf("audit after a refused write on a cut log: %v, want the signature error", err)
		}
	})
}

func TestAnUnsignedHeadIsSignedAfreshOnlyOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db) // written without a key, as before signing
		ctx := w.as(w.orgA, homeward.RoleCaseworker)
		cases := NewCaseService(db)
		events := NewEventService(db)
		db.SetHeadKey([]byte("test head key, not from a key file"))
		mustNil(t, cases.CreateCase(ctx, &homeward.Case{GivenName: "Олена"}))
		rep, err := events.Audit(w.sys, AuditOptions{})
		// Events 1 to 3 (the keys, two organisations) were written unsigned.
		if err != nil || !rep.HeadSigned || rep.SignedFrom != 4 {
			t.Fatalf("audit after signing began: %+v, %v; want signed from event 4", rep, err)
		}
		// Removing the signature to have the next write sign a cut log
		// afresh shows as a second start of signing.
		cutTail(t, db, 1, true)
		mustNil(t, cases.CreateCase(ctx, &homeward.Case{GivenName: "Петро"}))
		if _, err := events.Audit(w.sys, AuditOptions{}); !isHeadError(err, "signed afresh") {
			t.Fatalf("audit after the signature was removed and signed again: %v, want a head error", err)
		}
	})
}
