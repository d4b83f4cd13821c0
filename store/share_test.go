package store

import (
	"testing"

	"github.com/homeward-project/homeward"
)

// sightings reports, for each way an organisation can come upon a record,
// whether the case and the located record show through it.
func sightings(t *testing.T, db *DB, w world, org int64, caseID, locID int64, caseName, locName string) map[string]bool {
	t.Helper()
	ctx := w.as(org, homeward.RoleCaseworker)
	cases, located, events := NewCaseService(db), NewLocatedService(db), NewEventService(db)
	got := map[string]bool{}

	_, err := cases.FindCaseByID(ctx, caseID)
	got["case by id"] = err == nil
	if err != nil {
		wantCode(t, err, homeward.ENOTFOUND)
	}
	cs, _, err := cases.FindCases(ctx, homeward.CaseFilter{Limit: 100})
	mustNil(t, err)
	got["case in the list"] = len(cs) > 0
	cs, _, err = cases.FindCases(ctx, homeward.CaseFilter{Query: caseName, Limit: 100})
	mustNil(t, err)
	got["case in a search"] = len(cs) > 0
	counts, err := cases.CountCasesByStage(ctx)
	mustNil(t, err)
	n := 0
	for _, k := range counts {
		n += k
	}
	got["case in the counts"] = n > 0
	evs, err := events.FindEvents(w.as(org, homeward.RoleLiaison), homeward.EventFilter{EntityType: homeward.EntityCase, EntityID: caseID})
	got["case history"] = err == nil && len(evs) > 0

	_, err = located.FindLocatedByID(ctx, locID)
	got["located by id"] = err == nil
	if err != nil {
		wantCode(t, err, homeward.ENOTFOUND)
	}
	ls, _, err := located.FindLocated(ctx, homeward.LocatedFilter{Limit: 100})
	mustNil(t, err)
	got["located in the list"] = len(ls) > 0
	ls, _, err = located.FindLocated(ctx, homeward.LocatedFilter{Query: locName, Limit: 100})
	mustNil(t, err)
	got["located in a search"] = len(ls) > 0
	byIDs, err := located.FindLocatedByIDs(ctx, []int64{locID})
	mustNil(t, err)
	got["located among ids"] = len(byIDs) > 0
	evs, err = events.FindEvents(w.as(org, homeward.RoleLiaison), homeward.EventFilter{EntityType: homeward.EntityLocated, EntityID: locID})
	got["located history"] = err == nil && len(evs) > 0
	return got
}

// A share names a kind of record, a record and an organisation; a check that
// ignores any of the three shows records nobody shared. Three organisations
// and a case and a located record with the same id tell these apart: sharing
// located record 1 with B must not show B case 1, and a record shared with
// B only must stay hidden from C.
func TestSharingShowsOnlyTheSharedRecordToTheOrganisationItNames(t *testing.T) {
	caseViews := []string{"case by id", "case in the list", "case in a search", "case in the counts", "case history"}
	locViews := []string{"located by id", "located in the list", "located in a search", "located among ids", "located history"}
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		orgC := &homeward.Org{Name: "Mission C", Kind: homeward.OrgNGO}
		mustNil(t, NewOrgService(db).CreateOrg(w.sys, orgC))
		owner := w.as(w.orgA, homeward.RoleCaseworker)
		c := &homeward.Case{GivenName: "Ярина", FamilyName: "Спільненко"}
		mustNil(t, NewCaseService(db).CreateCase(owner, c))
		l := &homeward.LocatedRecord{GivenName: "Остап", FamilyName: "Знайденко"}
		mustNil(t, NewLocatedService(db).CreateLocated(owner, l))
		if c.ID != l.ID {
			t.Fatalf("case %d and located record %d: the test needs the same id", c.ID, l.ID)
		}
		look := func(org int64) map[string]bool {
			return sightings(t, db, w, org, c.ID, l.ID, c.FamilyName, l.FamilyName)
		}
		want := func(step string, org int64, name string, seesCase, seesLoc bool) {
			t.Helper()
			got := look(org)
			for _, v := range caseViews {
				if got[v] != seesCase {
					t.Errorf("%s: %s: %s shows %v, want %v", step, name, v, got[v], seesCase)
				}
			}
			for _, v := range locViews {
				if got[v] != seesLoc {
					t.Errorf("%s: %s: %s shows %v, want %v", step, name, v, got[v], seesLoc)
				}
			}
		}

		want("before any share", w.orgA, "the owner", true, true)
		want("before any share", w.orgB, "B", false, false)
		want("before any share", orgC.ID, "C", false, false)

		mustNil(t, NewLocatedService(db).ShareLocated(owner, l.ID, w.orgB))
		want("located shared with B", w.orgB, "B", false, true)
		want("located shared with B", orgC.ID, "C", false, false)

		mustNil(t, NewCaseService(db).ShareCase(owner, c.ID, w.orgB))
		want("both shared with B", w.orgB, "B", true, true)
		want("both shared with B", orgC.ID, "C", false, false)
		want("both shared with B", w.orgA, "the owner", true, true)
	})
}
