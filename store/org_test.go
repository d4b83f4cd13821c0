package store

import (
	"testing"

	"github.com/homeward-project/homeward"
)

func TestOnlyTheFirstOrganisationsAdministratorsCreateOrganisations(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		orgs := NewOrgService(db)
		before := eventCount(t, db)
		wantCode(t, orgs.CreateOrg(w.as(w.orgB, homeward.RoleAdmin), &homeward.Org{Name: "Partner C", Kind: homeward.OrgNGO}), homeward.EFORBIDDEN)
		if n := eventCount(t, db) - before; n != 0 {
			t.Errorf("a refused creation appended %d events", n)
		}
		mustNil(t, orgs.CreateOrg(w.as(w.orgA, homeward.RoleAdmin), &homeward.Org{Name: "Partner C", Kind: homeward.OrgNGO}))
	})
}

func TestLookAlikeOrganisationNamesAreRefused(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"Hоmeward", false},  // Cyrillic о
		{"HOMEWARD", false},  // case
		{"H0meward", false},  // zero
		{"Home-ward", false}, // punctuation
		{"Homeward East", true},
		{"Агенція Б", true},
	}
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		orgs := NewOrgService(db)
		admin := w.as(w.orgA, homeward.RoleAdmin)
		mustNil(t, orgs.CreateOrg(admin, &homeward.Org{Name: "Homeward", Kind: homeward.OrgAgency}))
		for _, tt := range tests {
			err := orgs.CreateOrg(admin, &homeward.Org{Name: tt.name, Kind: homeward.OrgNGO})
			if tt.ok {
				mustNil(t, err)
			} else {
				wantCode(t, err, homeward.ECONFLICT)
			}
		}
		// Renaming to a look-alike is refused too; keeping one's own name is not.
		b, err := orgs.FindOrgByID(w.sys, w.orgB)
		mustNil(t, err)
		b.Name = "Hоmewаrd"
		wantCode(t, orgs.UpdateOrg(w.sys, b), homeward.ECONFLICT)
		b.Name = "NGO B"
		b.Kind = homeward.OrgMediator
		mustNil(t, orgs.UpdateOrg(w.sys, b))
	})
}
