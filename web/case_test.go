package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
)

func TestAnotherOrganisationsCaseIsHiddenByURLAndAPI(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.newCase("worker-a", "Sofiia", "Hiddenko")
		other := e.login("worker-b")
		tok := e.token("worker-b")
		tests := []struct {
			name   string
			do     func() response
			denied bool
		}{
			{"case page", func() response { return other.get(fmt.Sprintf("/cases/%d", c.ID)) }, true},
			{"edit page", func() response { return other.get(fmt.Sprintf("/cases/%d/edit", c.ID)) }, true},
			{"form post", func() response {
				return other.postForm(fmt.Sprintf("/cases/%d", c.ID), url.Values{"given_name": {"Changed"}, "version": {"1"}, "stage": {"registered"}})
			}, true},
			{"API read", func() response {
				return other.send(http.MethodGet, fmt.Sprintf("/api/v1/cases/%d", c.ID), "", nil, "Authorization", "Bearer "+tok)
			}, true},
			{"API events", func() response {
				return other.send(http.MethodGet, fmt.Sprintf("/api/v1/cases/%d/events", c.ID), "", nil, "Authorization", "Bearer "+tok)
			}, true},
			{"API update", func() response {
				return other.send(http.MethodPut, fmt.Sprintf("/api/v1/cases/%d", c.ID), "application/json",
					strings.NewReader(`{"given_name":"Changed","version":1}`), "Authorization", "Bearer "+tok)
			}, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := tt.do()
				if r.status != http.StatusNotFound && r.status != http.StatusForbidden {
					t.Errorf("status %d, want 404 or 403", r.status)
				}
				if strings.Contains(r.body, "Sofiia") {
					t.Errorf("the response shows the other organisation's child")
				}
			})
		}
		if r := other.get("/cases?q=Hiddenko"); strings.Contains(r.body, c.Reference) {
			t.Errorf("the case list of another organisation shows the case")
		}
		got, err := e.cases.FindCaseByID(e.as("worker-a"), c.ID)
		if err != nil || got.GivenName != "Sofiia" {
			t.Errorf("the case changed: %v %v", got, err)
		}
	})
}

// caseFormValues is the form as the edit page would send it.
func caseFormValues(c *homeward.Case, given string) url.Values {
	return url.Values{
		"version": {fmt.Sprint(c.Version)}, "given_name": {given}, "family_name": {c.FamilyName},
		"birth_date": {c.BirthDate.Display()}, "stage": {string(c.Stage)}, "sex": {string(c.Sex)},
		"fm_count": {"1"}, "fm.0.name": {"Maryna Synthetic"}, "fm.0.relation": {"mother"}, "fm.0.legal_rep": {"1"},
		"consent_tracing": {"1"},
	}
}

func TestConcurrentEditShowsAConflictAndKeepsTheInput(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.newCase("worker-a", "Daryna", "Racenko")
		first, second := e.login("worker-a"), e.login("worker-a2")
		path := fmt.Sprintf("/cases/%d", c.ID)
		// Both opened the form at the same version; the first saves.
		if r := first.postForm(path, caseFormValues(c, "Darynka")); r.status != http.StatusSeeOther {
			t.Fatalf("first save: status %d: %s", r.status, r.body)
		}
		r := second.postForm(path, caseFormValues(c, "Dariia"), "Accept-Language", "en")
		if r.status != http.StatusConflict {
			t.Fatalf("second save: status %d, want 409", r.status)
		}
		if !strings.Contains(r.body, "Someone else changed this case") {
			t.Errorf("the conflict page does not say what happened")
		}
		if !strings.Contains(r.body, `value="Dariia"`) {
			t.Errorf("the conflict page lost the user's input")
		}
		if !strings.Contains(r.body, "Given name") {
			t.Errorf("the conflict page does not name the field changed meanwhile")
		}
		got, err := e.cases.FindCaseByID(e.as("worker-a"), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.GivenName != "Darynka" {
			t.Errorf("stored given name %q, want the first save's", got.GivenName)
		}
		if len(got.Family) != 1 || !got.Family[0].LegalRep || !got.Consents.Tracing || got.Consents.RecordedAt == nil {
			t.Errorf("family or consents not saved from the form: %+v %+v", got.Family, got.Consents)
		}
		// Saving again from the conflict page is a deliberate overwrite at the new version.
		v := caseFormValues(got, "Dariia")
		if r := second.postForm(path, v); r.status != http.StatusSeeOther {
			t.Errorf("save after the conflict: status %d", r.status)
		}
	})
}

func TestCaseFormCreatesACaseAndShowsItsHistory(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		sib := e.newCase("worker-a", "Petro", "Brotherenko")
		cl := e.login("worker-a")
		r := cl.postForm("/cases", url.Values{
			"given_name": {"Mariia"}, "family_name": {"Brotherenko"}, "patronymic": {"Ivanivna"}, "sex": {"f"},
			"birth_date": {"05.2014"}, "last_seen_date": {"24.02.2022"}, "last_seen_place": {"Synthetic town"},
			"circumstance": {"deportation"}, "on_count": {"1"}, "on.0.name": {"Мария"}, "on.0.script": {"ru"},
			"siblings": {sib.Reference}, "consent_dna": {"1"},
		}, "Accept-Language", "en")
		if r.status != http.StatusSeeOther {
			t.Fatalf("create: status %d: %s", r.status, r.body)
		}
		page := cl.get(r.header.Get("Location"), "Accept-Language", "en")
		for _, want := range []string{"Brotherenko Mariia Ivanivna", "05.2014", "24.02.2022", "Мария", "Deportation",
			fmt.Sprintf(`href="/cases/%d"`, sib.ID), "History", "Created"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("case page lacks %q", want)
			}
		}
	})
}

func TestCaseFormRefusesABadDateAndKeepsTheInput(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		cl := e.login("worker-a")
		r := cl.postForm("/cases", url.Values{"given_name": {"Yana"}, "birth_date": {"31.02.2015"}}, "Accept-Language", "en")
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d, want 422", r.status)
		}
		if !strings.Contains(r.body, `value="31.02.2015"`) || !strings.Contains(r.body, `value="Yana"`) {
			t.Errorf("the form lost the input")
		}
		if !strings.Contains(r.body, `id="birth_date" name="birth_date" value="31.02.2015" aria-describedby="birth_date_hint" aria-invalid="true"`) {
			t.Errorf("the birth date is not marked invalid")
		}
	})
}

func TestAnalystSeesFiguresButNoRecords(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.newCase("worker-a", "Zlata", "Figurenko")
		cl := e.login("analyst-a")
		if r := cl.get("/"); r.status != http.StatusOK || strings.Contains(r.body, "Figurenko") {
			t.Errorf("overview: status %d or shows a name", r.status)
		}
		if r := cl.get("/cases"); r.status != http.StatusForbidden {
			t.Errorf("case list for an analyst: status %d, want 403", r.status)
		}
	})
}

func TestAnotherOrganisationsLocatedRecordIsHiddenByURLAndAPI(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		rec := &homeward.LocatedRecord{GivenName: "Nadiia", FamilyName: "Secretenko"}
		if err := e.locsvc.CreateLocated(e.as("worker-a"), rec); err != nil {
			t.Fatal(err)
		}
		other := e.login("worker-b")
		tok := e.token("worker-b")
		for _, r := range []response{
			other.get(fmt.Sprintf("/located/%d", rec.ID)),
			other.get(fmt.Sprintf("/located/%d/edit", rec.ID)),
			other.send(http.MethodGet, fmt.Sprintf("/api/v1/located/%d", rec.ID), "", nil, "Authorization", "Bearer "+tok),
			other.send(http.MethodGet, fmt.Sprintf("/api/v1/located/%d/events", rec.ID), "", nil, "Authorization", "Bearer "+tok),
		} {
			if r.status != http.StatusNotFound && r.status != http.StatusForbidden {
				t.Errorf("status %d, want 404 or 403", r.status)
			}
			if strings.Contains(r.body, "Nadiia") {
				t.Errorf("the response shows the other organisation's child")
			}
		}
	})
}

func TestCasePageHistoryNamesTheChangedFields(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.newCase("worker-a", "Oleh", "Historenko")
		cl := e.login("worker-a")
		v := caseFormValues(c, "Olezhyk")
		if r := cl.postForm(fmt.Sprintf("/cases/%d", c.ID), v); r.status != http.StatusSeeOther {
			t.Fatalf("save: status %d", r.status)
		}
		page := cl.get(fmt.Sprintf("/cases/%d", c.ID), "Accept-Language", "en")
		hist := page.body[strings.Index(page.body, `id="history-h"`):]
		for _, want := range []string{"Changed", "Test worker-a", "<td>Given name</td><td>Oleh</td><td>Olezhyk</td>"} {
			if !strings.Contains(hist, want) {
				t.Errorf("history lacks %q", want)
			}
		}
	})
}
