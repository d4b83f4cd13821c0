package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
)

func TestAdminCreatesAUserWhoseOneTimePasswordWorks(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		admin := e.login("admin-a")
		r := admin.postForm("/admin/users", url.Values{"login": {"new-worker"}, "display_name": {"New Worker"},
			"role": {"caseworker"}, "org_id": {fmt.Sprint(e.orgA.ID)}})
		if r.status != http.StatusCreated {
			t.Fatalf("create user: status %d: %s", r.status, r.body)
		}
		m := regexp.MustCompile(`<p class="secret"><code>([^<]+)</code>`).FindStringSubmatch(r.body)
		if m == nil {
			t.Fatalf("the new password is not shown")
		}
		c := e.client()
		if r := c.postForm("/login", url.Values{"login": {"new-worker"}, "password": {m[1]}}); r.status != http.StatusSeeOther {
			t.Fatalf("log in with the shown password: status %d", r.status)
		}
		if r := admin.get("/admin/users"); strings.Contains(r.body, m[1]) {
			t.Errorf("the password is shown again")
		}
	})
}

func TestAdminChangesARoleAndDisablesAUser(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		admin := e.login("admin-a")
		worker := e.login("worker-a")
		u := e.user("worker-a")
		r := admin.postForm(fmt.Sprintf("/admin/users/%d", u.ID), url.Values{"role": {"supervisor"}, "version": {fmt.Sprint(u.Version)}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("change role: status %d: %s", r.status, r.body)
		}
		got, err := e.usvc.FindUserByID(e.as("admin-a"), u.ID)
		if err != nil || got.Role != homeward.RoleSupervisor {
			t.Fatalf("role after change: %v, %v", got, err)
		}
		r = admin.postForm(fmt.Sprintf("/admin/users/%d", u.ID), url.Values{"role": {"supervisor"}, "disabled": {"1"}, "version": {fmt.Sprint(got.Version)}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("disable: status %d: %s", r.status, r.body)
		}
		if r := worker.get("/cases"); r.status != http.StatusSeeOther {
			t.Errorf("a disabled user's session still works: status %d", r.status)
		}
		if r := e.client().postForm("/login", url.Values{"login": {"worker-a"}, "password": {testPassword}}); r.status == http.StatusSeeOther {
			t.Errorf("a disabled user logged in")
		}
	})
}

func TestAdminPagesAreForAdministratorsOnly(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		worker := e.login("worker-a")
		for _, p := range []string{"/admin/users", "/admin/orgs"} {
			if r := worker.get(p); r.status != http.StatusForbidden {
				t.Errorf("GET %s as a caseworker: status %d, want 403", p, r.status)
			}
		}
		if r := worker.postForm("/admin/orgs", url.Values{"name": {"Rogue"}, "kind": {"ngo"}}); r.status != http.StatusForbidden {
			t.Errorf("create an organisation as a caseworker: status %d, want 403", r.status)
		}
	})
}

func TestAdminCreatesAndRenamesAnOrganisation(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		admin := e.login("admin-a")
		r := admin.postForm(fmt.Sprintf("/admin/orgs/%d", e.orgA.ID), url.Values{"name": {"Agency A renamed"}, "kind": {"agency"}, "version": {fmt.Sprint(e.orgA.Version)}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("rename: status %d: %s", r.status, r.body)
		}
		r = admin.postForm(fmt.Sprintf("/admin/orgs/%d", e.orgA.ID), url.Values{"name": {"Stale rename"}, "kind": {"agency"}, "version": {fmt.Sprint(e.orgA.Version)}})
		if r.status != http.StatusConflict || !strings.Contains(r.body, `value="Stale rename"`) {
			t.Errorf("stale rename: status %d, want 409 keeping the input", r.status)
		}
		if r := admin.get("/admin/orgs"); !strings.Contains(r.body, "Agency A renamed") {
			t.Errorf("the list lacks the renamed organisation")
		}
		r = admin.postForm("/admin/orgs", url.Values{"name": {"Mediator C"}, "kind": {"mediator"}})
		if r.status != http.StatusSeeOther && r.status != http.StatusForbidden {
			t.Fatalf("create: status %d: %s", r.status, r.body)
		}
	})
}

func TestExportOfTheFilteredListAsCSVAndXLSX(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.newCase("worker-a", "Kira", "Exportenko")
		e.newCase("worker-a", "Lesia", "Otherenko")
		cl := e.login("worker-a")
		r := cl.get("/cases/export?format=csv&q=exportenko")
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV export: status %d, type %q", r.status, r.header.Get("Content-Type"))
		}
		if !strings.Contains(r.body, "Exportenko") || strings.Contains(r.body, "Otherenko") {
			t.Errorf("CSV export ignores the filter: %q", r.body)
		}
		r = cl.get("/cases/export?format=xlsx")
		if r.status != http.StatusOK || !strings.HasPrefix(r.body, "PK") || !strings.Contains(r.header.Get("Content-Disposition"), ".xlsx") {
			t.Errorf("XLSX export: status %d, disposition %q", r.status, r.header.Get("Content-Disposition"))
		}
		if r := cl.get("/located/export?format=pdf"); r.status != http.StatusBadRequest {
			t.Errorf("unknown format: status %d, want 400", r.status)
		}
	})
}
