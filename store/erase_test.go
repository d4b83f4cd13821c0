package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
)

func TestErasingACaseDestroysItsPersonalDataAndKeepsTheLogWhole(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		db.SetHeadKey([]byte("test head key, not from a key file"))
		w := newWorld(t, db)
		worker := w.as(w.orgA, homeward.RoleCaseworker)
		admin := w.as(w.orgA, homeward.RoleAdmin)
		cases, located := NewCaseService(db), NewLocatedService(db)
		c := fullCase()
		mustNil(t, cases.CreateCase(worker, c))
		c.Notes = "changed notes"
		mustNil(t, cases.UpdateCase(worker, c))
		if _, err := cases.FindCaseByID(worker, c.ID); err != nil {
			t.Fatal(err)
		}
		l := &homeward.LocatedRecord{GivenName: "Ірина", FamilyName: "Вигадана"}
		mustNil(t, located.CreateLocated(worker, l))
		// A match explanation quotes names in clear.
		m := candidate(c.ID, l.ID, 0.9, "c1", "l1")
		m.Explanation[0].Reason = "Тестенко in both"
		if _, _, err := NewMatchService(db).SaveCandidates(w.sys, []homeward.Match{m}); err != nil {
			t.Fatal(err)
		}
		secrets := []string{"Тестенко", "Мар'яна", "Олешки"}
		// Sealed, the explanation is not in clear even before erasure; it
		// opens to the names.
		if found, err := db.FindText(context.Background(), secrets); err != nil || len(found) != 0 {
			t.Fatalf("before erasure FindText = %v, %v; want nothing in clear", found, err)
		}
		if ms, _, err := NewMatchService(db).FindMatches(w.sys, homeward.MatchFilter{CaseID: c.ID}); err != nil || len(ms) != 1 || ms[0].Explanation[0].Reason != "Тестенко in both" {
			t.Fatalf("before erasure the match reads %+v, %v", ms, err)
		}

		wantCode(t, cases.EraseCase(worker, c.ID, homeward.EraseDataSubjectRequest), homeward.EFORBIDDEN)
		wantCode(t, cases.EraseCase(w.as(w.orgB, homeward.RoleAdmin), c.ID, homeward.EraseDataSubjectRequest), homeward.ENOTFOUND)
		err := cases.EraseCase(admin, c.ID, "she asked, Мар'яна Тестенко")
		var fe *homeward.Error
		if !errors.As(err, &fe) || fe.Code != homeward.EINVALID || fe.Field != "reason" {
			t.Fatalf("erase with a free-text reason: %v, want EINVALID on reason", err)
		}
		mustNil(t, cases.EraseCase(admin, c.ID, homeward.EraseDataSubjectRequest))

		got, err := cases.FindCaseByID(admin, c.ID)
		mustNil(t, err)
		if got.GivenName != "" || got.FamilyName != "" || got.OtherNames != nil || got.Family != nil || got.Notes != "" ||
			got.BirthPlace != "" || !got.LastSeenDate.IsZero() || got.BirthDate.EstimatedAge != 0 || got.Version != c.Version+1 {
			t.Fatalf("erased case reads %+v, want empty personal fields at version %d", got, c.Version+1)
		}
		if cs, n, err := cases.FindCases(admin, homeward.CaseFilter{Query: "Тестенко"}); err != nil || n != 0 || len(cs) != 0 {
			t.Fatalf("search by the former name: %d cases, %v; want none", n, err)
		}
		var toks int
		mustNil(t, db.db.QueryRow(`SELECT count(*) FROM case_tokens WHERE case_id = $1`, c.ID).Scan(&toks))
		if toks != 0 {
			t.Fatalf("%d tokens left in the name index", toks)
		}

		evs, err := NewEventService(db).FindEvents(admin, homeward.EventFilter{EntityType: homeward.EntityCase, EntityID: c.ID})
		mustNil(t, err)
		var erase *homeward.Event
		erased := 0
		for _, ev := range evs {
			if ev.Action == homeward.ActionErase {
				erase = ev
			}
		}
		if erase == nil {
			t.Fatal("no erase event")
		}
		if erase.Action != homeward.ActionErase || erase.Erased || string(erase.Data) != `{"reason":"data_subject_request"}` || erase.ActorID != w.orgA*100+1 {
			t.Fatalf("newest event %+v, want the erase event by the admin with its reason", erase)
		}
		for _, ev := range evs {
			switch {
			case ev == erase:
			case ev.Erased && ev.Data == nil:
				erased++
			case ev.Erased:
				t.Fatalf("erased event %d still has data %s", ev.ID, ev.Data)
			case ev.Action == homeward.ActionView && ev.Data == nil:
			default:
				t.Fatalf("event %d (%s) still reads after erasure: %s", ev.ID, ev.Action, ev.Data)
			}
		}
		if erased < 3 { // create, update, proposed match
			t.Fatalf("%d events erased, want the create, update and match events at least", erased)
		}

		var wrapped []byte
		var erasedBy int64
		var erasedAt sql.NullString
		mustNil(t, db.db.QueryRow(`SELECT wrapped, CAST(erased_at AS TEXT), erased_by FROM record_keys WHERE entity_type = $1 AND entity_id = $2`,
			homeward.EntityCase, c.ID).Scan(&wrapped, &erasedAt, &erasedBy))
		if wrapped != nil || !erasedAt.Valid || erasedBy != erase.ActorID {
			t.Fatalf("record key row: wrapped %x, erased at %v by %d; want NULL, set, by %d", wrapped, erasedAt, erasedBy, erase.ActorID)
		}
		if found, err := db.FindText(context.Background(), secrets); err != nil || len(found) != 0 {
			t.Fatalf("after erasure FindText = %v, %v; want nothing", found, err)
		}
		var expl string
		mustNil(t, db.db.QueryRow(`SELECT explanation FROM matches WHERE case_id = $1`, c.ID).Scan(&expl))
		if expl != "[]" {
			t.Fatalf("match explanation after erasure: %s", expl)
		}

		wantCode(t, cases.EraseCase(admin, c.ID, homeward.EraseDuplicate), homeward.ECONFLICT)
		got.GivenName = "Нове"
		wantCode(t, cases.UpdateCase(admin, got), homeward.ECONFLICT)

		// Another process, which never held the key in its cache, and whose
		// unlock must not take the clear erase event for one to seal.
		before := eventCount(t, db)
		again, err := Open(context.Background(), db.dsn)
		mustNil(t, err)
		defer again.Close()
		again.SetHeadKey([]byte("test head key, not from a key file"))
		if _, err := again.Unlock(context.Background(), db.keys.master); err != nil {
			t.Fatal(err)
		}
		if n := eventCount(t, again); n != before {
			t.Fatalf("reopening appended %d events", n-before)
		}
		rep, err := NewEventService(again).Audit(w.sys, AuditOptions{})
		if err != nil {
			t.Fatalf("audit after erasure: %v", err)
		}
		if len(rep.Erasures) != 1 {
			t.Fatalf("erasures %+v, want one", rep.Erasures)
		}
		e := rep.Erasures[0]
		if e.EntityType != homeward.EntityCase || e.EntityID != c.ID || e.Event != erase.ID || e.By != erase.ActorID ||
			!e.At.Equal(erase.At) || e.Events != erased {
			t.Fatalf("erasure %+v, want case %d by %d at %v, event %d, %d events", e, c.ID, erase.ActorID, erase.At, erase.ID, erased)
		}
		if rep.Records[homeward.EntityLocated] != 1 {
			t.Fatalf("records checked %v", rep.Records)
		}
	})
}

func TestErasingALocatedRecord(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		worker := w.as(w.orgA, homeward.RoleCaseworker)
		super := w.as(w.orgA, homeward.RoleSupervisor)
		located := NewLocatedService(db)
		l := fullLocated()
		mustNil(t, located.CreateLocated(worker, l))
		l.Institution = "Інший вигаданий заклад"
		mustNil(t, located.UpdateLocated(worker, l))
		wantCode(t, located.EraseLocated(worker, l.ID, homeward.EraseDuplicate), homeward.EFORBIDDEN)
		wantCode(t, located.EraseLocated(super, l.ID, ""), homeward.EINVALID)
		mustNil(t, located.EraseLocated(super, l.ID, homeward.EraseDuplicate))
		got, err := located.FindLocatedByID(super, l.ID)
		mustNil(t, err)
		if got.GivenName != "" || got.FamilyName != "" || got.Institution != "" || got.Region != "" || got.Notes != "" || got.BirthDate.Year != 0 {
			t.Fatalf("erased located record reads %+v", got)
		}
		if ls, n, err := located.FindLocated(super, homeward.LocatedFilter{Query: "Тестенко"}); err != nil || n != 0 || len(ls) != 0 {
			t.Fatalf("search by the former name: %d, %v", n, err)
		}
		wantCode(t, located.EraseLocated(super, l.ID, homeward.EraseDuplicate), homeward.ECONFLICT)
		rep, err := NewEventService(db).Audit(w.sys, AuditOptions{})
		mustNil(t, err)
		if len(rep.Erasures) != 1 || rep.Erasures[0].EntityType != homeward.EntityLocated || rep.Erasures[0].EntityID != l.ID || rep.Erasures[0].Events != 2 {
			t.Fatalf("erasures %+v", rep.Erasures)
		}
	})
}

func TestAKeyDestroyedWithoutAnEraseEventFailsTheAudit(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		c := &homeward.Case{GivenName: "Олена", FamilyName: "Зразкова"}
		mustNil(t, NewCaseService(db).CreateCase(w.as(w.orgA, homeward.RoleCaseworker), c))
		if _, err := db.db.Exec(`UPDATE record_keys SET wrapped = NULL WHERE entity_type = $1 AND entity_id = $2`, homeward.EntityCase, c.ID); err != nil {
			t.Fatal(err)
		}
		_, err := NewEventService(db).Audit(w.sys, AuditOptions{})
		if !isRecordError(err, homeward.EntityCase, c.ID, "") || !strings.Contains(err.Error(), "without an erase event") {
			t.Fatalf("audit of a key destroyed behind the log's back: %v, want a record error", err)
		}
	})
}

func TestTheSystemMayEraseAndTheEraseEventIsClear(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		c := &homeward.Case{GivenName: "Олена", FamilyName: "Зразкова"}
		mustNil(t, NewCaseService(db).CreateCase(w.as(w.orgA, homeward.RoleCaseworker), c))
		mustNil(t, NewCaseService(db).EraseCase(w.sys, c.ID, homeward.EraseRetention))
		var data string
		var org, actor int64
		mustNil(t, db.db.QueryRow(`SELECT data, org_id, actor_id FROM events WHERE action = $1`, homeward.ActionErase).Scan(&data, &org, &actor))
		var d map[string]string
		if err := json.Unmarshal([]byte(data), &d); err != nil || d["reason"] != homeward.EraseRetention || org != w.orgA || actor != 0 {
			t.Fatalf("stored erase event %s, org %d, actor %d", data, org, actor)
		}
	})
}

func TestErasingACaseEmptiesItsAttachmentsAndListEntries(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		worker := w.as(w.orgA, homeward.RoleCaseworker)
		c := fullCase()
		mustNil(t, NewCaseService(db).CreateCase(worker, c))
		at := &homeward.Attachment{CaseID: c.ID, Filename: "фото-Ерасенко.jpg", ContentType: "image/jpeg", Data: []byte("synthetic photo")}
		atts := NewAttachmentService(db)
		mustNil(t, atts.CreateAttachment(worker, at))
		mustNil(t, NewCaseService(db).EraseCase(w.as(w.orgA, homeward.RoleAdmin), c.ID, homeward.EraseDuplicate))
		got, err := atts.FindAttachmentByID(worker, at.ID)
		mustNil(t, err)
		if got.Filename != "" || len(got.Data) != 0 {
			t.Fatalf("the erased case's attachment reads %q, %d bytes", got.Filename, len(got.Data))
		}
	})
}

// A read of an erased record is an event in clear, and a later unlock does
// not take it for a clear event of an older version to seal in place.
func TestReadsOfAnErasedRecordAreNotSealedAgain(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		c := fullCase()
		mustNil(t, NewCaseService(db).CreateCase(w.as(w.orgA, homeward.RoleCaseworker), c))
		mustNil(t, NewCaseService(db).EraseCase(w.as(w.orgA, homeward.RoleAdmin), c.ID, homeward.EraseDuplicate))
		_, err := NewCaseService(db).FindCaseByID(w.as(w.orgA, homeward.RoleCaseworker), c.ID)
		mustNil(t, err)
		before := eventCount(t, db)
		again := reopen(t, db)
		defer again.Close()
		if n := eventCount(t, again); n != before {
			t.Fatalf("unlocking again appended %d events", n-before)
		}
		if _, err := NewEventService(again).Audit(w.sys, AuditOptions{}); err != nil {
			t.Fatal(err)
		}
	})
}
