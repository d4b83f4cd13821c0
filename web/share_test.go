package web_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/store"
)

// Over HTTP as in the store: sharing located record N with B shows B that
// record and not case N, and shows a third organisation nothing.
func TestSharedRecordShowsOnlyToTheOrganisationItIsSharedWith(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.newCase("worker-a", "Yaryna", "Sharenko")
		l := e.located("worker-a", "Ostap", "Sharenko", "")
		if c.ID != l.ID {
			t.Fatalf("case %d and located record %d: the test needs the same id", c.ID, l.ID)
		}
		orgC := &homeward.Org{Name: "Mission C", Kind: homeward.OrgNGO}
		if err := store.NewOrgService(e.db).CreateOrg(e.sys, orgC); err != nil {
			t.Fatal(err)
		}
		workerC := &homeward.User{Login: "worker-c", DisplayName: "Test worker-c", Role: homeward.RoleCaseworker, OrgID: orgC.ID}
		if err := e.usvc.CreateUser(e.sys, workerC, testPassword); err != nil {
			t.Fatal(err)
		}
		e.users["worker-c"] = workerC
		if err := e.locsvc.ShareLocated(e.as("worker-a"), l.ID, e.orgB.ID); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			login, path string
			want        int
		}{
			{"worker-b", fmt.Sprintf("/located/%d", l.ID), http.StatusOK},
			{"worker-b", fmt.Sprintf("/api/v1/located/%d", l.ID), http.StatusOK},
			{"worker-b", fmt.Sprintf("/cases/%d", c.ID), http.StatusNotFound},
			{"worker-b", fmt.Sprintf("/api/v1/cases/%d", c.ID), http.StatusNotFound},
			{"worker-b", fmt.Sprintf("/api/v1/cases/%d/events", c.ID), http.StatusNotFound},
			{"worker-c", fmt.Sprintf("/located/%d", l.ID), http.StatusNotFound},
			{"worker-c", fmt.Sprintf("/api/v1/located/%d", l.ID), http.StatusNotFound},
			{"worker-c", fmt.Sprintf("/cases/%d", c.ID), http.StatusNotFound},
		}
		clients, tokens := map[string]*client{}, map[string]string{}
		for _, login := range []string{"worker-b", "worker-c"} {
			clients[login], tokens[login] = e.login(login), e.token(login)
		}
		for _, tt := range tests {
			// Pages read the session, the API the token.
			r := clients[tt.login].get(tt.path, "Authorization", "Bearer "+tokens[tt.login])
			if r.status != tt.want {
				t.Errorf("%s GET %s: status %d, want %d", tt.login, tt.path, r.status, tt.want)
			}
		}
	})
}
