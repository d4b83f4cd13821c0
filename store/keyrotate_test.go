package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/seal"
)

// openWith opens db's database again and unlocks it with mk, signing the
// head with headKey, if any.
func openWith(t *testing.T, db *DB, mk MasterKey, headKey ...[]byte) (*DB, error) {
	t.Helper()
	again, err := Open(context.Background(), db.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { again.Close() })
	if len(headKey) > 0 {
		again.SetHeadKey(headKey[0])
	}
	_, err = again.Unlock(context.Background(), mk)
	return again, err
}

// rotationFixture is a database with cases and located records, and what
// they read back as.
type rotationFixture struct {
	w       world
	cases   []*homeward.Case
	located []*homeward.LocatedRecord
}

func newRotationFixture(t *testing.T, db *DB, n int) *rotationFixture {
	t.Helper()
	f := &rotationFixture{w: newWorld(t, db)}
	ctx := f.w.as(f.w.orgA, homeward.RoleCaseworker)
	for i := range n {
		c := fullCase()
		c.ImportKey = ""
		c.Siblings = nil
		c.GivenName += string(rune('a' + i))
		mustNil(t, NewCaseService(db).CreateCase(ctx, c))
		l := fullLocated()
		l.ImportKey = ""
		l.GivenName += string(rune('a' + i))
		mustNil(t, NewLocatedService(db).CreateLocated(ctx, l))
	}
	f.cases, f.located = f.read(t, db)
	return f
}

// read returns every record of the fixture as db reads it.
func (f *rotationFixture) read(t *testing.T, db *DB) ([]*homeward.Case, []*homeward.LocatedRecord) {
	t.Helper()
	ctx := f.w.as(f.w.orgA, homeward.RoleCaseworker)
	cs, _, err := NewCaseService(db).FindCases(ctx, homeward.CaseFilter{Limit: 1000})
	mustNil(t, err)
	ls, _, err := NewLocatedService(db).FindLocated(ctx, homeward.LocatedFilter{Limit: 1000})
	mustNil(t, err)
	if len(cs) == 0 || len(ls) == 0 {
		t.Fatalf("read %d cases and %d located records", len(cs), len(ls))
	}
	return cs, ls
}

func (f *rotationFixture) check(t *testing.T, db *DB) {
	t.Helper()
	cs, ls := f.read(t, db)
	if !reflect.DeepEqual(cs, f.cases) {
		t.Errorf("cases read back differ:\n got %+v\nwant %+v", cs, f.cases)
	}
	if !reflect.DeepEqual(ls, f.located) {
		t.Errorf("located records read back differ:\n got %+v\nwant %+v", ls, f.located)
	}
	for _, l := range f.located {
		evs, err := NewEventService(db).FindEvents(f.w.sys, homeward.EventFilter{EntityType: homeward.EntityLocated, EntityID: l.ID})
		mustNil(t, err)
		if len(evs) == 0 || len(evs[0].Data) == 0 || isSealedData(evs[0].Data) {
			t.Fatalf("the history of located %d does not open: %+v", l.ID, evs)
		}
	}
	if _, err := NewEventService(db).Audit(f.w.sys, AuditOptions{}); err != nil {
		t.Fatalf("audit: %v", err)
	}
}

// underKey counts the rows and record keys sealed under the data key id.
func underKey(t *testing.T, db *DB, id string) int {
	t.Helper()
	st, err := db.KeyStatus(context.Background())
	mustNil(t, err)
	for _, k := range st.Keys {
		if k.ID == id {
			return k.Cases + k.Located + k.RecordKeys
		}
	}
	return 0
}

func activeDataKey(t *testing.T, db *DB) string {
	t.Helper()
	st, err := db.KeyStatus(context.Background())
	mustNil(t, err)
	for _, k := range st.Keys {
		if k.Purpose == purposeData && k.Active {
			return k.ID
		}
	}
	t.Fatal("no active data key")
	return ""
}

func TestEnvelopePrefixLenMatchesSeal(t *testing.T) {
	k, err := seal.GenerateKey()
	mustNil(t, err)
	if n := len(seal.EnvelopePrefix(k)); n != envelopePrefixLen {
		t.Fatalf("len(seal.EnvelopePrefix) = %d, envelopePrefixLen = %d", n, envelopePrefixLen)
	}
}

func TestRewrapMovesTheDataKeysToANewMasterKey(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		f := newRotationFixture(t, db, 2)
		old := db.keys.master
		next := testMasterKey(t)
		mustNil(t, db.Rewrap(context.Background(), next))
		f.check(t, db)

		_, err := openWith(t, db, old)
		var wk *WrongKeyError
		if !errors.As(err, &wk) {
			t.Fatalf("unlock with the old master key: %v, want *WrongKeyError", err)
		}
		again, err := openWith(t, db, next)
		mustNil(t, err)
		f.check(t, again)

		// To a passphrase and back.
		pass := MasterKey{Passphrase: "a long test passphrase"}
		mustNil(t, again.Rewrap(context.Background(), pass))
		if _, err := openWith(t, db, next); !errors.As(err, &wk) {
			t.Fatalf("unlock with the key after rewrap to a passphrase: %v, want *WrongKeyError", err)
		}
		byPass, err := openWith(t, db, pass)
		mustNil(t, err)
		f.check(t, byPass)
		back := testMasterKey(t)
		mustNil(t, byPass.Rewrap(context.Background(), back))
		if _, err := openWith(t, db, pass); !errors.As(err, &wk) {
			t.Fatalf("unlock with the passphrase after rewrap to a key: %v, want *WrongKeyError", err)
		}
		final, err := openWith(t, db, back)
		mustNil(t, err)
		f.check(t, final)
		evs, err := NewEventService(final).FindEvents(f.w.sys, homeward.EventFilter{EntityType: homeward.EntityAudit})
		mustNil(t, err)
		n := 0
		for _, ev := range evs {
			if ev.Action == ActionKeyRewrap {
				n++
			}
		}
		if n != 3 {
			t.Fatalf("%d rewrap events, want 3", n)
		}
	})
}

func TestRewrapResignsTheHead(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		oldKey, newKey := testMasterKey(t), testMasterKey(t)
		db.SetHeadKey(oldKey.Key.Derive(HeadKeyPurpose))
		f := newRotationFixture(t, db, 1)
		mustNil(t, db.RewrapWithHeadKey(context.Background(), newKey, newKey.Key.Derive(HeadKeyPurpose)))
		again, err := openWith(t, db, newKey, newKey.Key.Derive(HeadKeyPurpose))
		mustNil(t, err)
		rep, err := NewEventService(again).Audit(f.w.sys, AuditOptions{})
		mustNil(t, err)
		// Signed from event 2: the keys' creation came before the head key.
		if !rep.HeadSigned || rep.SignedFrom != 2 {
			t.Fatalf("after rewrap: head signed %v from %d (%s)", rep.HeadSigned, rep.SignedFrom, rep.Unsigned)
		}
		// A writer still on the old head key is refused, not let to sign
		// over the new signature.
		// This handle follows its own rotation.
		l := fullLocated()
		l.ImportKey = ""
		mustNil(t, NewLocatedService(db).CreateLocated(f.w.as(f.w.orgA, homeward.RoleCaseworker), l))
		stale, err := Open(context.Background(), db.dsn)
		mustNil(t, err)
		defer stale.Close()
		stale.SetHeadKey(oldKey.Key.Derive(HeadKeyPurpose))
		// Unlocking only reads; the first write is refused.
		_, err = stale.Unlock(context.Background(), newKey)
		mustNil(t, err)
		l2 := fullLocated()
		l2.ImportKey = ""
		wantCode(t, NewLocatedService(stale).CreateLocated(f.w.as(f.w.orgA, homeward.RoleCaseworker), l2), homeward.EINTERNAL)
		if err := again.RewrapWithHeadKey(context.Background(), oldKey, nil); err == nil {
			t.Fatal("rewrap that would leave the head unsigned succeeded")
		}
	})
}

// fastRotation makes writers follow a rotation within milliseconds and
// re-encryption batches small.
func fastRotation(t *testing.T, batch int) {
	recheck, size := activeRecheck, reencryptBatch
	activeRecheck, reencryptBatch = 50*time.Millisecond, batch
	t.Cleanup(func() { activeRecheck, reencryptBatch = recheck, size })
}

func TestReencryptMovesEverythingToANewDataKey(t *testing.T) {
	fastRotation(t, 3)
	eachDB(t, func(t *testing.T, db *DB) {
		f := newRotationFixture(t, db, 7)
		// A server started before the rotation, and a master key changed
		// under it: it holds the old data key only and must follow the
		// chain to the new one.
		server := reopen(t, db)
		defer server.Close()
		mustNil(t, db.Rewrap(context.Background(), testMasterKey(t)))
		oldID := activeDataKey(t, db)
		var calls, lastDone, lastTotal int
		serverRead := false
		res, err := db.Reencrypt(context.Background(), func(done, total int) {
			calls++
			lastDone, lastTotal = done, total
			if !serverRead && done > 0 {
				// The first batch moved the first case: the server reads it
				// under the new key.
				serverRead = true
				if _, err := NewCaseService(server).FindCaseByID(f.w.as(f.w.orgA, homeward.RoleCaseworker), f.cases[len(f.cases)-1].ID); err != nil {
					t.Errorf("the running server reads a re-encrypted case: %v", err)
				}
			}
		})
		mustNil(t, err)
		if res.Cases != 7 || res.Located != 7 || res.RecordKeys != 14 || len(res.From) != 1 || res.From[0] != oldID || res.To == oldID {
			t.Fatalf("result %+v", res)
		}
		if calls < 5 || lastDone != lastTotal || lastTotal != 28 {
			t.Fatalf("progress called %d times, last %d of %d", calls, lastDone, lastTotal)
		}
		st, err := db.KeyStatus(context.Background())
		mustNil(t, err)
		if len(st.Keys) != 2 || underKey(t, db, res.To) != 28 {
			t.Fatalf("key status after re-encryption: %+v", st)
		}
		for _, k := range st.Keys {
			if k.ChainedBy != "" {
				t.Fatalf("data key %s still chained by %s", k.ID, k.ChainedBy)
			}
		}
		var n int
		mustNil(t, db.db.QueryRow(`SELECT (SELECT count(*) FROM data_keys WHERE id = $1) +
			(SELECT count(*) FROM cases WHERE substr(sealed, 1, 13) <> $2) +
			(SELECT count(*) FROM located WHERE substr(sealed, 1, 13) <> $2) +
			(SELECT count(*) FROM record_keys WHERE substr(wrapped, 1, 13) <> $2)`,
			oldID, seal.EnvelopePrefix(db.keys.active)).Scan(&n))
		if n != 0 {
			t.Fatalf("%d rows still name the old data key", n)
		}
		f.check(t, db)
		f.check(t, server)

		// The server writes under the new key.
		l := fullLocated()
		l.ImportKey = ""
		mustNil(t, NewLocatedService(server).CreateLocated(f.w.as(f.w.orgA, homeward.RoleCaseworker), l))
		var sealed []byte
		mustNil(t, db.db.QueryRow(`SELECT sealed FROM located WHERE id = $1`, l.ID).Scan(&sealed))
		if got := seal.EnvelopeKeyID(sealed); got != res.To {
			t.Fatalf("the server sealed a new record under %s, want %s", got, res.To)
		}
		var w []byte
		mustNil(t, db.db.QueryRow(`SELECT wrapped FROM record_keys WHERE entity_type = $1 AND entity_id = $2`, homeward.EntityLocated, l.ID).Scan(&w))
		if got := seal.EnvelopeKeyID(w); got != res.To {
			t.Fatalf("the server wrapped a new record key under %s, want %s", got, res.To)
		}
	})
}

func TestReencryptInterruptedResumes(t *testing.T) {
	fastRotation(t, 2)
	eachDB(t, func(t *testing.T, db *DB) {
		f := newRotationFixture(t, db, 5)
		oldID := activeDataKey(t, db)
		ctx, cancel := context.WithCancel(context.Background())
		_, err := db.Reencrypt(ctx, func(done, total int) { cancel() })
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted re-encryption: %v, want context.Canceled", err)
		}
		st, err := db.KeyStatus(context.Background())
		mustNil(t, err)
		if len(st.Keys) != 3 || underKey(t, db, oldID) == 0 {
			t.Fatalf("after the interruption: %+v", st)
		}
		// Half moved: both keys open what they seal, here and in a restart.
		f.check(t, db)
		restarted := reopen(t, db)
		f.check(t, restarted)
		restarted.Close()
		res, err := db.Reencrypt(context.Background(), nil)
		mustNil(t, err)
		if len(res.From) != 1 || res.From[0] != oldID || res.Cases+res.Located+res.RecordKeys == 0 {
			t.Fatalf("resumed: %+v", res)
		}
		if underKey(t, db, oldID) != 0 || activeDataKey(t, db) != res.To {
			t.Fatal("the resumed re-encryption left rows under the old key")
		}
		st, err = db.KeyStatus(context.Background())
		mustNil(t, err)
		if len(st.Keys) != 2 || underKey(t, db, res.To) != 20 {
			t.Fatalf("key status: %+v", st)
		}
		f.check(t, db)
		restarted = reopen(t, db)
		defer restarted.Close()
		f.check(t, restarted)
	})
}

// Everything else sealed under the data key moves too: a match's
// explanation and note (text), an attachment's name and content, an
// upload. A key retired with any of them left would lose them.
func TestReencryptMovesEveryOtherSealedValue(t *testing.T) {
	fastRotation(t, 3)
	eachDB(t, func(t *testing.T, db *DB) {
		f := newRotationFixture(t, db, 2)
		worker := f.w.as(f.w.orgA, homeward.RoleCaseworker)
		m := candidate(f.cases[0].ID, f.located[0].ID, 0.9, "c1", "l1")
		m.Explanation[0].Reason = "Ключенко in both"
		_, _, err := NewMatchService(db).SaveCandidates(f.w.sys, []homeward.Match{m})
		mustNil(t, err)
		at := &homeward.Attachment{CaseID: f.cases[0].ID, Filename: "фото-Ключенко.jpg", ContentType: "image/jpeg", Data: []byte("synthetic photo bytes")}
		mustNil(t, NewAttachmentService(db).CreateAttachment(worker, at))
		up := &homeward.Upload{Kind: homeward.EntityCase, Filename: "список.csv", Data: []byte("Прізвище\nКлюченко\n")}
		mustNil(t, NewUploadService(db).CreateUpload(worker, up))
		oldID, old := activeDataKey(t, db), db.keys.active
		if n, err := db.countUnder(context.Background(), db.db, old); err != nil || n != 4+4+4 {
			t.Fatalf("before: %d sealed under the data key (%v), want 4 rows, 4 record keys and 4 others", n, err)
		}

		res, err := db.Reencrypt(context.Background(), nil)
		mustNil(t, err)
		// The explanation, the attachment's name and content, the upload.
		if res.Other != 4 {
			t.Fatalf("moved %d other values, want 4: %+v", res.Other, res)
		}
		if n, err := db.countUnder(context.Background(), db.db, old); err != nil || n != 0 {
			t.Fatalf("after: %d still sealed under the old key (%v)", n, err)
		}
		var n int
		mustNil(t, db.db.QueryRow(`SELECT count(*) FROM data_keys WHERE id = $1`, oldID).Scan(&n))
		if n != 0 {
			t.Fatal("the old data key is still stored")
		}
		ms, _, err := NewMatchService(db).FindMatches(f.w.sys, homeward.MatchFilter{CaseID: f.cases[0].ID})
		mustNil(t, err)
		if len(ms) != 1 || ms[0].Explanation[0].Reason != "Ключенко in both" {
			t.Fatalf("the match reads %+v after re-encryption", ms)
		}
		got, err := NewAttachmentService(db).FindAttachmentByID(worker, at.ID)
		mustNil(t, err)
		if got.Filename != at.Filename || string(got.Data) != "synthetic photo bytes" {
			t.Fatalf("the attachment reads %q %q after re-encryption", got.Filename, got.Data)
		}
		u, err := NewUploadService(db).FindUploadByID(worker, up.ID)
		mustNil(t, err)
		if u.Filename != up.Filename || string(u.Data) != string(up.Data) {
			t.Fatalf("the upload reads %q %q after re-encryption", u.Filename, u.Data)
		}
	})
}
