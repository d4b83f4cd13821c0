package store

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/homeward-project/homeward"
)

// testdata/legacy-0006.db was written by Homeward at schema 6, before
// encryption at rest: the first server start (its organisation and
// administrator), then "homeward import" of two cases and one located
// record, all synthetic. Its names and notes are in clear columns, the
// search text, an index and the events.
var legacySecrets = []string{"Златослава", "Легасенко", "Олександр", "Давниченко", "Стара-нотатка-1001", "Стара-нотатка-1002", "Legasenko", "Old-located-note-2001"}

func TestAClearDatabaseIsSealedInPlace(t *testing.T) {
	for _, backend := range []string{DialectSQLite, DialectPostgres} {
		t.Run(backend, func(t *testing.T) { testSealInPlace(t, backend) })
	}
}

func testSealInPlace(t *testing.T, backend string) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "homeward.db")
	raw, err := os.ReadFile("testdata/legacy-0006.db")
	mustNil(t, err)
	if !bytes.Contains(raw, []byte("Стара-нотатка-1001")) {
		t.Fatal("the fixture is not the clear database it should be")
	}
	mustNil(t, os.WriteFile(path, raw, 0o600))
	db, err := Open(ctx, path)
	mustNil(t, err)
	defer db.Close()
	if backend == DialectPostgres {
		// The same clear database on PostgreSQL: copied there by a backup
		// of the locked file, which copies rows as they are.
		var buf bytes.Buffer
		_, err := db.Backup(ctx, &buf)
		mustNil(t, err)
		db = openLockedTestDB(t, DialectPostgres)
		_, err = db.Restore(ctx, &buf)
		mustNil(t, err)
		path = ""
	}
	res, err := db.Unlock(ctx, testMasterKey(t))
	mustNil(t, err)
	// Three rows and their three create events.
	if !res.Created || res.Migrated != 6 {
		t.Fatalf("unlock: %+v, want new keys and 6 rows and events sealed", res)
	}
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor())
	if found, err := db.FindText(ctx, legacySecrets); err != nil || len(found) > 0 {
		t.Errorf("after sealing, the tables hold %v (%v)", found, err)
	}
	for _, f := range []string{path, path + "-wal"} {
		if path == "" {
			break
		}
		b, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		mustNil(t, err)
		for _, s := range legacySecrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s still holds %q", filepath.Base(f), s)
			}
		}
	}
	cs, total, err := NewCaseService(db).FindCases(sys, homeward.CaseFilter{Query: "Zlatoslava"})
	mustNil(t, err)
	if total != 1 || cs[0].GivenName != "Златослава" || cs[0].Notes != "Стара-нотатка-1001" {
		t.Fatalf("search after sealing: %d cases %+v", total, cs)
	}
	evs, err := NewEventService(db).FindEvents(sys, homeward.EventFilter{EntityType: homeward.EntityCase, EntityID: cs[0].ID})
	mustNil(t, err)
	if len(evs) == 0 || !bytes.Contains(evs[len(evs)-1].Data, []byte("Златослава")) {
		t.Fatalf("the case's create event does not open to its names: %+v", evs)
	}
	rep, err := NewEventService(db).Audit(sys, AuditOptions{})
	if err != nil || rep.Records[homeward.EntityCase] != 2 || rep.Records[homeward.EntityLocated] != 1 {
		t.Fatalf("audit after sealing: %+v, %v", rep, err)
	}
	// A second unlock finds nothing left to seal.
	again := reopen(t, db)
	defer again.Close()
	if n, err := again.sealClear(ctx); err != nil || n != 0 {
		t.Fatalf("sealing again: %d, %v", n, err)
	}
}

// A match an older version stored with its explanation in clear is sealed
// in place, and reads back the same.
func TestAClearMatchExplanationIsSealedInPlace(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		p := newPairWorld(t, db)
		m := candidate(p.caseID, p.locID, 0.9, "c1", "l1")
		m.Explanation[0].Reason = "Старенко in both"
		_, _, err := NewMatchService(db).SaveCandidates(p.sys, []homeward.Match{m})
		mustNil(t, err)
		exec(t, db, `UPDATE matches SET explanation = $1 WHERE case_id = $2`, encodeList(m.Explanation), p.caseID)
		if found, _ := db.FindText(context.Background(), []string{"Старенко"}); len(found) != 1 {
			t.Fatalf("the clear explanation is not where the test put it: %v", found)
		}
		n, err := db.sealClear(context.Background())
		mustNil(t, err)
		if n != 1 {
			t.Fatalf("sealed %d, want the one explanation", n)
		}
		if found, _ := db.FindText(context.Background(), []string{"Старенко"}); len(found) != 0 {
			t.Fatalf("after sealing: %v", found)
		}
		ms, _, err := NewMatchService(db).FindMatches(p.sys, homeward.MatchFilter{CaseID: p.caseID})
		mustNil(t, err)
		if len(ms) != 1 || ms[0].Explanation[0].Reason != "Старенко in both" {
			t.Fatalf("the match reads %+v", ms)
		}
	})
}
