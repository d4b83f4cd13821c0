package store

import (
	"fmt"
	"testing"

	"github.com/homeward-project/homeward"
)

// Imports insert rows with IDs they reserve themselves; a record created
// afterwards must still get a new ID, and each create event must name its
// record.
func TestImportReservesIDsThatLaterRecordsDoNotReuse(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		ctx := w.as(w.orgA, homeward.RoleCaseworker)
		located := NewLocatedService(db)
		cases := NewCaseService(db)

		before := &homeward.LocatedRecord{GivenName: "Перший"}
		mustNil(t, located.CreateLocated(ctx, before))
		// More rows than one INSERT carries, with a repeat inside the batch.
		rs := make([]*homeward.LocatedRecord, importChunk+7)
		for i := range rs {
			rs[i] = &homeward.LocatedRecord{GivenName: fmt.Sprint("Дитина", i), ImportKey: fmt.Sprint("k", i)}
		}
		rs[importChunk+3].ImportKey = "k2"
		created, skipped, err := located.ImportLocated(ctx, rs, nil)
		mustNil(t, err)
		if created != len(rs)-1 || skipped != 1 {
			t.Fatalf("created %d skipped %d, want %d and 1", created, skipped, len(rs)-1)
		}
		if rs[importChunk+3].ID != 0 {
			t.Errorf("the repeated key was given ID %d", rs[importChunk+3].ID)
		}
		seen := map[int64]bool{before.ID: true}
		for i, r := range rs {
			if r.ID == 0 {
				continue
			}
			if seen[r.ID] {
				t.Fatalf("row %d got ID %d twice", i, r.ID)
			}
			seen[r.ID] = true
			got, err := located.FindLocatedByID(ctx, r.ID)
			mustNil(t, err)
			if got.GivenName != r.GivenName {
				t.Fatalf("record %d holds %q, want %q", r.ID, got.GivenName, r.GivenName)
			}
			if i%97 == 0 {
				evs, err := NewEventService(db).FindEvents(ctx, homeward.EventFilter{EntityType: homeward.EntityLocated, EntityID: r.ID})
				mustNil(t, err)
				if len(evs) == 0 || evs[len(evs)-1].Action != homeward.ActionCreate {
					t.Fatalf("record %d has no create event: %v", r.ID, evs)
				}
			}
		}
		after := &homeward.LocatedRecord{GivenName: "Останній"}
		mustNil(t, located.CreateLocated(ctx, after))
		if seen[after.ID] {
			t.Fatalf("a record created after the import reused ID %d", after.ID)
		}

		cs := []*homeward.Case{{GivenName: "А", ImportKey: "a"}, {GivenName: "Б", ImportKey: "b"}}
		_, _, err = cases.ImportCases(ctx, cs, nil)
		mustNil(t, err)
		c := &homeward.Case{GivenName: "В"}
		mustNil(t, cases.CreateCase(ctx, c))
		if c.ID == cs[0].ID || c.ID == cs[1].ID || c.Reference == cs[0].Reference || c.Reference == cs[1].Reference {
			t.Fatalf("created case %d %s collides with imported %d %s, %d %s", c.ID, c.Reference, cs[0].ID, cs[0].Reference, cs[1].ID, cs[1].Reference)
		}
		_, err = NewEventService(db).VerifyChain(w.sys)
		mustNil(t, err)
	})
}
