package store

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
)

func fullLocated() *homeward.LocatedRecord {
	asOf := time.Date(2023, 9, 1, 0, 0, 0, 0, time.UTC)
	return &homeward.LocatedRecord{
		GivenName:    "Марьяна",
		FamilyName:   "Тестенко",
		Patronymic:   "Алексеевна",
		Sex:          homeward.SexFemale,
		BirthDate:    homeward.BirthDate{Year: 2014, Month: 2, Day: 28, Precision: homeward.PrecisionDay, AgeAsOf: &asOf},
		BirthPlace:   "Херсон",
		LocationKind: homeward.LocationFoster,
		Institution:  "invented foster family",
		Region:       "Invented Oblast",
		ObservedAt:   homeward.NewDate(2023, time.August, 30),
		Source:       homeward.SourceCounterpartList,
		SourceRef:    "list 4, line 17",
		Reliability:  homeward.ReliabilityMedium,
		Notes:        "synthetic test record",
		ImportKey:    "list-4:17",
	}
}

func TestLocatedRoundTripsEveryField(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		located := NewLocatedService(db)
		ctx := w.as(w.orgB, homeward.RoleCaseworker)
		r := fullLocated()
		mustNil(t, located.CreateLocated(ctx, r))
		got, err := located.FindLocatedByID(ctx, r.ID)
		mustNil(t, err)
		if !reflect.DeepEqual(got, r) {
			t.Fatalf("read back differs:\n got %+v\nwant %+v", got, r)
		}
		got.Region = "Another Invented Oblast"
		got.ObservedAt = homeward.Date{}
		got.BirthDate = homeward.BirthDate{Year: 2014, Precision: homeward.PrecisionYear}
		mustNil(t, located.UpdateLocated(ctx, got))
		again, err := located.FindLocatedByID(ctx, r.ID)
		mustNil(t, err)
		if !reflect.DeepEqual(again, got) {
			t.Fatalf("read back after update differs:\n got %+v\nwant %+v", again, got)
		}
		stale := *r
		wantCode(t, located.UpdateLocated(ctx, &stale), homeward.ECONFLICT)
	})
}

func TestLocatedRecordIsScopedAndSharable(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		located := NewLocatedService(db)
		owner := w.as(w.orgB, homeward.RoleCaseworker)
		other := w.as(w.orgA, homeward.RoleSupervisor)
		r := &homeward.LocatedRecord{GivenName: "Олег", Source: homeward.SourceNGOReport}
		mustNil(t, located.CreateLocated(owner, r))
		_, err := located.FindLocatedByID(other, r.ID)
		wantCode(t, err, homeward.ENOTFOUND)
		_, err = located.FindLocatedByID(w.as(w.orgB, homeward.RoleAnalyst), r.ID)
		wantCode(t, err, homeward.EFORBIDDEN)
		mustNil(t, located.ShareLocated(owner, r.ID, w.orgA))
		if _, err := located.FindLocatedByID(other, r.ID); err != nil {
			t.Fatalf("shared record: %v", err)
		}
		list, total, err := located.FindLocated(other, homeward.LocatedFilter{Source: homeward.SourceNGOReport, Query: "олег"})
		mustNil(t, err)
		if total != 1 || len(list) != 1 || list[0].ID != r.ID {
			t.Fatalf("shared record search: %d of %d", len(list), total)
		}
	})
}

func TestImportIsAllOrNothingAndSkipsDuplicates(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		located := NewLocatedService(db)
		cases := NewCaseService(db)
		ctx := w.as(w.orgA, homeward.RoleCaseworker)
		batch := func(n int) []*homeward.LocatedRecord {
			var rs []*homeward.LocatedRecord
			for i := range n {
				rs = append(rs, &homeward.LocatedRecord{GivenName: fmt.Sprint("Дитина", i), ImportKey: fmt.Sprint("row-", i)})
			}
			return rs
		}
		before := eventCount(t, db)
		bad := batch(3)
		bad[2].Sex = "unknown"
		_, _, err := located.ImportLocated(ctx, bad, nil)
		wantCode(t, err, homeward.EINVALID)
		// A duplicate key inside a batch is skipped, not an error; a fault in
		// the middle of the batch must undo the rows before it.
		failing := batch(3)
		failing[1].OrgID = 0
		_, _, err = located.ImportLocated(w.sys, failing, nil)
		wantCode(t, err, homeward.EINVALID)
		if _, total, _ := located.FindLocated(ctx, homeward.LocatedFilter{}); total != 0 {
			t.Fatalf("refused imports stored %d records", total)
		}
		if n := eventCount(t, db); n != before {
			t.Fatalf("refused imports appended %d events", n-before)
		}

		var progress []int
		first := batch(1200)
		created, skipped, err := located.ImportLocated(ctx, first, func(done int) { progress = append(progress, done) })
		mustNil(t, err)
		if created != 1200 || skipped != 0 {
			t.Fatalf("first import: created %d skipped %d", created, skipped)
		}
		if !reflect.DeepEqual(progress, []int{500, 1000, 1200}) {
			t.Errorf("progress calls %v", progress)
		}
		if first[0].ID == 0 || first[0].OrgID != w.orgA || first[0].Version != 1 {
			t.Errorf("imported record not filled in: %+v", first[0])
		}
		if n := eventCount(t, db) - before; n != 1201 {
			t.Errorf("first import appended %d events, want 1200 creates and 1 import", n)
		}
		created, skipped, err = located.ImportLocated(ctx, batch(1201), nil)
		mustNil(t, err)
		if created != 1 || skipped != 1200 {
			t.Fatalf("re-import: created %d skipped %d, want 1 and 1200", created, skipped)
		}
		// Another organisation's import keys are its own.
		created, _, err = located.ImportLocated(w.as(w.orgB, homeward.RoleCaseworker), batch(2), nil)
		mustNil(t, err)
		if created != 2 {
			t.Fatalf("other organisation's import created %d, want 2", created)
		}

		cs := []*homeward.Case{{GivenName: "А", ImportKey: "c1"}, {GivenName: "Б", ImportKey: "c1"}, {GivenName: "В", ImportKey: "c2"}}
		created, skipped, err = cases.ImportCases(ctx, cs, nil)
		mustNil(t, err)
		if created != 2 || skipped != 1 {
			t.Fatalf("case import: created %d skipped %d, want 2 and 1", created, skipped)
		}
		if cs[1].ID != 0 || cs[2].Reference == "" || cs[0].Reference == cs[2].Reference {
			t.Errorf("case import filled in %+v %+v %+v", cs[0], cs[1], cs[2])
		}
		_, err = NewEventService(db).VerifyChain(w.sys)
		mustNil(t, err)
	})
}
