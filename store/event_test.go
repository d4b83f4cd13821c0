package store

import (
	"errors"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
)

// buildLog writes a few ordinary events and returns how many there are.
func buildLog(t *testing.T, db *DB) (world, int64) {
	t.Helper()
	w := newWorld(t, db)
	cases := NewCaseService(db)
	ctx := w.as(w.orgA, homeward.RoleCaseworker)
	c := &homeward.Case{GivenName: "Тарас", FamilyName: "Вигаданий"}
	mustNil(t, cases.CreateCase(ctx, c))
	c.Notes = "seen in a shelter"
	mustNil(t, cases.UpdateCase(ctx, c))
	_, err := cases.FindCaseByID(ctx, c.ID)
	mustNil(t, err)
	mustNil(t, cases.ShareCase(ctx, c.ID, w.orgB))
	return w, eventCount(t, db)
}

func TestVerifyChainNamesTheFirstTamperedEvent(t *testing.T) {
	tests := []struct {
		name       string
		tamper     func(t *testing.T, db *DB)
		wantID     int64
		wantReason string
	}{
		{"edited data", func(t *testing.T, db *DB) {
			exec(t, db, `UPDATE events SET data = $1 WHERE id = 4`, `[{"field":"notes","new":"something else"}]`)
		}, 4, "hash mismatch"},
		{"edited time", func(t *testing.T, db *DB) {
			exec(t, db, `UPDATE events SET at = $1 WHERE id = 3`, db.tv(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)))
		}, 3, "hash mismatch"},
		{"edited actor", func(t *testing.T, db *DB) {
			exec(t, db, `UPDATE events SET actor_id = actor_id + 1 WHERE id = 5`)
		}, 5, "hash mismatch"},
		// Moving an event to another organisation or record must break the
		// chain as surely as editing its data: the log would otherwise say
		// a record was shown to an organisation it never was.
		{"edited organisation", func(t *testing.T, db *DB) {
			exec(t, db, `UPDATE events SET org_id = org_id + 1 WHERE id = 3`)
		}, 3, "hash mismatch"},
		{"edited entity type", func(t *testing.T, db *DB) {
			exec(t, db, `UPDATE events SET entity_type = $1 WHERE id = 4`, homeward.EntityLocated)
		}, 4, "hash mismatch"},
		{"edited entity id", func(t *testing.T, db *DB) {
			exec(t, db, `UPDATE events SET entity_id = entity_id + 1 WHERE id = 6`)
		}, 6, "hash mismatch"},
		{"edited with the hash recomputed", func(t *testing.T, db *DB) {
			ev := readEvent(t, db, 3)
			ev.Action = homeward.ActionView
			exec(t, db, `UPDATE events SET action = $1, hash = $2 WHERE id = 3`, ev.Action, ev.ComputeHash())
		}, 4, "broken link"},
		{"removed", func(t *testing.T, db *DB) {
			exec(t, db, `DELETE FROM events WHERE id = 2`)
		}, 3, "gap in sequence"},
		{"removed first", func(t *testing.T, db *DB) {
			exec(t, db, `DELETE FROM events WHERE id = 1`)
		}, 2, "gap in sequence"},
		{"removed last", func(t *testing.T, db *DB) {
			exec(t, db, `DELETE FROM events WHERE id = (SELECT max(id) FROM events)`)
		}, 7, "gap in sequence"},
		{"swapped", func(t *testing.T, db *DB) {
			exec(t, db, `UPDATE events SET id = -1 WHERE id = 2`)
			exec(t, db, `UPDATE events SET id = 2 WHERE id = 4`)
			exec(t, db, `UPDATE events SET id = 4 WHERE id = -1`)
		}, 2, "broken link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachDB(t, func(t *testing.T, db *DB) {
				w, n := buildLog(t, db)
				// The first event is the creation of the database's keys.
				if n != 7 {
					t.Fatalf("log has %d events, the cases below assume 7", n)
				}
				events := NewEventService(db)
				got, err := events.VerifyChain(w.sys)
				if err != nil || got != n {
					t.Fatalf("untouched log: verified %d of %d: %v", got, n, err)
				}
				tt.tamper(t, db)
				_, err = events.VerifyChain(w.sys)
				var ce *homeward.ChainError
				if !errors.As(err, &ce) {
					t.Fatalf("tampered log verified: %v", err)
				}
				if ce.EventID != tt.wantID || ce.Reason != tt.wantReason {
					t.Fatalf("chain error at %d (%s), want %d (%s)", ce.EventID, ce.Reason, tt.wantID, tt.wantReason)
				}
			})
		})
	}
}

func TestStoredEventsHashTheSameAfterReading(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w, _ := buildLog(t, db)
		// As stored: FindEvents returns sealed data opened, which the hash
		// does not cover.
		evs := rawEvents(t, db)
		_ = w
		for i, ev := range evs {
			if ev.ComputeHash() != ev.Hash {
				t.Errorf("event %d hashes differently after reading back", ev.ID)
			}
			if i+1 < len(evs) && ev.PrevHash != evs[i+1].Hash {
				t.Errorf("event %d does not link to event %d", ev.ID, evs[i+1].ID)
			}
		}
	})
}

func TestEventLogAccess(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w, n := buildLog(t, db)
		events := NewEventService(db)
		_, err := events.FindEvents(w.as(w.orgA, homeward.RoleCaseworker), homeward.EventFilter{})
		wantCode(t, err, homeward.EFORBIDDEN)
		_, err = events.VerifyChain(w.as(w.orgA, homeward.RoleCaseworker))
		wantCode(t, err, homeward.EFORBIDDEN)
		// A case's history is visible to whoever may see the case: org A owns
		// case 1 and shared it with B.
		for _, org := range []int64{w.orgA, w.orgB} {
			evs, err := events.FindEvents(w.as(org, homeward.RoleLiaison), homeward.EventFilter{EntityType: homeward.EntityCase, EntityID: 1})
			mustNil(t, err)
			if len(evs) != 4 {
				t.Errorf("org %d sees %d events of the case, want 4", org, len(evs))
			}
		}
		evs, err := events.FindEvents(w.as(w.orgA, homeward.RoleAdmin), homeward.EventFilter{})
		mustNil(t, err)
		if int64(len(evs)) >= n || len(evs) == 0 {
			t.Errorf("admin of A sees %d of %d events, want those of A only", len(evs), n)
		}
		id, hash, err := events.Head(w.sys)
		mustNil(t, err)
		if last := readEvent(t, db, n); id != n || hash != last.Hash {
			t.Errorf("head (%d, %s), want the last event (%d, %s)", id, hash, n, last.Hash)
		}
		_, _, err = events.Head(w.as(w.orgA, homeward.RoleSupervisor))
		wantCode(t, err, homeward.EFORBIDDEN)
	})
}

func exec(t *testing.T, db *DB, q string, args ...any) {
	t.Helper()
	if _, err := db.db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func readEvent(t *testing.T, db *DB, id int64) *homeward.Event {
	t.Helper()
	rows, err := db.db.Query(`SELECT `+eventColumns+` FROM events WHERE id = $1`, id)
	mustNil(t, err)
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("no event %d", id)
	}
	var ev homeward.Event
	timeErr, err := scanEvent(rows, &ev)
	mustNil(t, err)
	mustNil(t, timeErr)
	return &ev
}

func TestAChangeWhoseEventFailsIsRolledBack(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		cases := NewCaseService(db)
		ctx := w.as(w.orgA, homeward.RoleCaseworker)
		c := &homeward.Case{GivenName: "Марта"}
		mustNil(t, cases.CreateCase(ctx, c))
		// Occupy the next event ID behind the store's back, so that the
		// update's event cannot be written.
		next := eventCount(t, db) + 1
		exec(t, db, `INSERT INTO events (id, at, actor_id, org_id, entity_type, entity_id, action, data, prev_hash, hash)
			VALUES ($1, $2, 0, 0, 'case', 0, 'view', '', '', '')`, next, db.tv(time.Now()))
		edit := *c
		edit.Notes = "must not be stored"
		if err := cases.UpdateCase(ctx, &edit); err == nil {
			t.Fatal("update succeeded although its event could not be written")
		}
		exec(t, db, `DELETE FROM events WHERE id = $1`, next)
		got, err := cases.FindCaseByID(w.sys, c.ID)
		mustNil(t, err)
		if got.Notes != "" || got.Version != 1 {
			t.Fatalf("update without its event was kept: notes %q, version %d", got.Notes, got.Version)
		}
	})
}

// rawEvents reads the log as stored, newest first.
func rawEvents(t *testing.T, db *DB) []*homeward.Event {
	t.Helper()
	rows, err := db.db.Query(`SELECT ` + eventColumns + ` FROM events ORDER BY id DESC`)
	mustNil(t, err)
	defer rows.Close()
	var evs []*homeward.Event
	for rows.Next() {
		ev := new(homeward.Event)
		timeErr, err := scanEvent(rows, ev)
		mustNil(t, err)
		mustNil(t, timeErr)
		evs = append(evs, ev)
	}
	mustNil(t, rows.Err())
	return evs
}
