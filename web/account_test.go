package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestAccountPageIssuesATokenTheAPIAccepts(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		cl := e.login("worker-a")
		r := cl.postForm("/account/tokens", url.Values{"name": {"spreadsheet robot"}})
		m := regexp.MustCompile(`id="new-token">\s*<p>[^<]*</p>\s*<p class="secret"><code>([^<]+)</code>`).FindStringSubmatch(r.body)
		if r.status != http.StatusOK || m == nil {
			t.Fatalf("create token: status %d, token not shown", r.status)
		}
		api := e.client().send("GET", "/api/v1/me", "", nil, "Authorization", "Bearer "+m[1])
		if api.status != http.StatusOK || !strings.Contains(api.body, `"login": "worker-a"`) {
			t.Errorf("the token does not authenticate: status %d: %s", api.status, api.body)
		}
		if r := cl.get("/account"); strings.Contains(r.body, m[1]) {
			t.Errorf("the token is shown again")
		}
	})
}

func TestAccountPageChangesThePasswordOnlyWithTheCurrentOne(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		cl := e.login("worker-a")
		r := cl.postForm("/account/password", url.Values{"current": {"wrong password"}, "new": {"a brand new secret"}, "confirm": {"a brand new secret"}})
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("wrong current password: status %d, want 422", r.status)
		}
		r = cl.postForm("/account/password", url.Values{"current": {testPassword}, "new": {"a brand new secret"}, "confirm": {"a brand new secret"}})
		if r.status != http.StatusOK {
			t.Fatalf("change: status %d: %s", r.status, r.body)
		}
		if r := e.client().postForm("/login", url.Values{"login": {"worker-a"}, "password": {"a brand new secret"}}); r.status != http.StatusSeeOther {
			t.Errorf("log in with the new password: status %d", r.status)
		}
	})
}

func TestMoreRowsAddsEmptyRowsWithoutSaving(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		cl := e.login("worker-a")
		r := cl.postForm("/cases", url.Values{"given_name": {"Roksolana"}, "more": {"1"}, "fm_count": {"2"}})
		if r.status != http.StatusOK || !strings.Contains(r.body, `name="fm.4.name"`) || !strings.Contains(r.body, `value="Roksolana"`) {
			t.Errorf("more rows: status %d, or rows or input missing", r.status)
		}
		if _, n, _ := e.cases.FindCases(e.as("worker-a"), allCasesFilter()); n != 0 {
			t.Errorf("asking for more rows saved the case")
		}
	})
}
