package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/internal/dbtest"
)

func TestASupervisorErasesACaseFromItsPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, backend string) {
		e := newEnv(t, backend)
		c := &homeward.Case{GivenName: "Стиранна", FamilyName: "Забуваненко", Notes: "Стирана-нотатка-77"}
		if err := e.cases.CreateCase(e.as("worker-a"), c); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/cases/%d", c.ID)
		if r := e.login("worker-a").get(path); r.status != http.StatusOK || strings.Contains(r.body, `id="erase-form"`) {
			t.Fatalf("a caseworker's case page: status %d, erase form shown %v", r.status, strings.Contains(r.body, `id="erase-form"`))
		}
		if r := e.login("worker-a").postForm(path+"/erase", url.Values{"reason": {"duplicate"}, "confirm": {c.Reference}}); r.status != http.StatusForbidden {
			t.Fatalf("a caseworker's erasure: status %d", r.status)
		}
		sup := e.login("super-a")
		if r := sup.get(path); !strings.Contains(r.body, `id="erase-form"`) {
			t.Fatal("the supervisor's case page has no erase form")
		}
		r := sup.postForm(path+"/erase", url.Values{"reason": {"duplicate"}, "confirm": {"HW-0000-000000"}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "щоб підтвердити стирання") {
			t.Fatalf("erasure with the wrong reference: status %d", r.status)
		}
		if r := sup.postForm(path+"/erase", url.Values{"reason": {"duplicate"}, "confirm": {strings.ToLower(c.Reference)}}); r.status != http.StatusSeeOther {
			t.Fatalf("erasure: status %d: %s", r.status, r.body)
		}
		r = sup.get(path)
		if r.status != http.StatusOK || strings.Contains(r.body, "Стиранна") || strings.Contains(r.body, "Стирана-нотатка-77") || !strings.Contains(r.body, "Персональні дані стерто") {
			t.Fatalf("the erased case's page: status %d, still names the child or no erasure in its history", r.status)
		}
		// Through the API, a second time: refused, nothing left to erase.
		if r := sup.send(http.MethodPost, fmt.Sprintf("/api/v1/cases/%d/erase", c.ID), "application/json", strings.NewReader(`{"reason": "duplicate"}`), "Origin", e.srv.URL); r.status != http.StatusConflict {
			t.Fatalf("a second erasure through the API: status %d: %s", r.status, r.body)
		}
	})
}
