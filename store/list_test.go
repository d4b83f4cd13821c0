package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
)

// The list query reads own and shared records apart and merges them; pages
// must still come out newest first without gaps or repeats, and the totals
// (kept by triggers when there is no filter) must match the records.
func TestListsMergeOwnAndSharedRecordsInPageOrder(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		clock := setClock(db, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
		cases := NewCaseService(db)
		located := NewLocatedService(db)
		a := w.as(w.orgA, homeward.RoleCaseworker)
		b := w.as(w.orgB, homeward.RoleCaseworker)

		// Own and shared records alternate in time, some created in one
		// import (one timestamp, told apart by ID).
		var want []int64 // newest first, as A sees them
		shared := map[int64]bool{}
		for i := range 7 {
			clock.advance(time.Minute)
			c := &homeward.Case{GivenName: "Свій"}
			mustNil(t, cases.CreateCase(a, c))
			clock.advance(time.Minute)
			o := &homeward.Case{GivenName: "Чужий"}
			mustNil(t, cases.CreateCase(b, o))
			want = append([]int64{c.ID}, want...)
			if i%2 == 0 {
				mustNil(t, cases.ShareCase(b, o.ID, w.orgA))
				shared[o.ID] = true
				want = append([]int64{o.ID}, want...)
			}
		}
		clock.advance(time.Minute)
		batch := []*homeward.Case{{GivenName: "Свій", FamilyName: "Імпорт", ImportKey: "i1"}, {GivenName: "Свій", FamilyName: "Імпорт", ImportKey: "i2"}}
		_, _, err := cases.ImportCases(a, batch, nil)
		mustNil(t, err)
		want = append([]int64{batch[1].ID, batch[0].ID}, want...)

		var got []int64
		for offset := 0; ; offset += 3 {
			page, total, err := cases.FindCases(a, homeward.CaseFilter{Offset: offset, Limit: 3})
			mustNil(t, err)
			if total != len(want) {
				t.Fatalf("total %d, want %d", total, len(want))
			}
			if len(page) == 0 {
				break
			}
			for _, c := range page {
				got = append(got, c.ID)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("pages list %v, want %v", got, want)
		}
		_, total, err := cases.FindCases(a, homeward.CaseFilter{Query: "чужий"})
		mustNil(t, err)
		if total != 4 {
			t.Errorf("search total %d, want the 4 shared cases", total)
		}
		// A search pages in Go; the page must be the same slice of the order.
		var found []int64 // the cases "свій" finds: A's own, newest first
		for _, id := range want {
			if !shared[id] {
				found = append(found, id)
			}
		}
		page, total, err := cases.FindCases(a, homeward.CaseFilter{Query: "свій", Offset: 2, Limit: 3})
		mustNil(t, err)
		var ids []int64
		for _, c := range page {
			ids = append(ids, c.ID)
		}
		if total != len(found) || fmt.Sprint(ids) != fmt.Sprint(found[2:5]) {
			t.Errorf("search page %v of %d, want %v of %d", ids, total, found[2:5], len(found))
		}
		_, total, err = cases.FindCases(b, homeward.CaseFilter{})
		mustNil(t, err)
		if total != 7 {
			t.Errorf("B's total %d, want 7", total)
		}
		// Stage counts are kept by triggers; a stage change moves a case.
		moved, err := cases.FindCaseByID(a, want[0])
		mustNil(t, err)
		moved.Consents.Tracing = true
		mustNil(t, cases.UpdateCase(a, moved))
		startTracing(t, db, a, moved)
		counts, err := cases.CountCasesByStage(a)
		mustNil(t, err)
		if counts[homeward.StageRegistered] != len(want)-1 || counts[homeward.StageTracing] != 1 || len(counts) != 2 {
			t.Errorf("stage counts %v, want %d registered and 1 tracing", counts, len(want)-1)
		}

		rs := make([]*homeward.LocatedRecord, 5)
		for i := range rs {
			rs[i] = &homeward.LocatedRecord{GivenName: fmt.Sprint("Знайдений", i), ImportKey: fmt.Sprint("l", i)}
		}
		_, _, err = located.ImportLocated(b, rs, nil)
		mustNil(t, err)
		mustNil(t, located.ShareLocated(b, rs[3].ID, w.orgA))
		mustNil(t, located.CreateLocated(a, &homeward.LocatedRecord{GivenName: "Свій"}))
		for _, tc := range []struct {
			ctx  string
			want int
		}{{"A", 2}, {"B", 5}} {
			ctx := a
			if tc.ctx == "B" {
				ctx = b
			}
			list, total, err := located.FindLocated(ctx, homeward.LocatedFilter{})
			mustNil(t, err)
			if total != tc.want || len(list) != tc.want {
				t.Errorf("%s sees %d located records of %d, want %d", tc.ctx, len(list), total, tc.want)
			}
		}
	})
}
