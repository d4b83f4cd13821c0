package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
)

func TestSecondFactorIsAskedOnceTurnedOn(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		cl := e.login("super-a")
		r := cl.get("/account")
		m := regexp.MustCompile(`id="totp-secret"><code>([A-Z2-7]+)</code>`).FindStringSubmatch(r.body)
		if m == nil {
			t.Fatalf("no second-factor secret offered: %s", r.body)
		}
		secret := m[1]
		if r := cl.postForm("/account/totp", url.Values{"secret": {secret}, "code": {"000000"}}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("a wrong code turned it on: status %d", r.status)
		}
		// The code of the previous step (within the drift allowed) turns it
		// on, and the current one signs in: a code is never used twice.
		prev, _ := homeward.TOTPCode(secret, time.Now().Add(-30*time.Second))
		if r := cl.postForm("/account/totp", url.Values{"secret": {secret}, "code": {prev}}); r.status != http.StatusOK {
			t.Fatalf("turn on: status %d", r.status)
		}
		login := func(code string) int {
			return e.client().postForm("/login", url.Values{"login": {"super-a"}, "password": {testPassword}, "code": {code}}).status
		}
		if st := login(""); st != http.StatusUnauthorized {
			t.Errorf("signed in without a code: status %d", st)
		}
		if st := login(prev); st != http.StatusUnauthorized {
			t.Errorf("signed in with a used code: status %d", st)
		}
		now, _ := homeward.TOTPCode(secret, time.Now())
		if st := login(now); st != http.StatusSeeOther {
			t.Errorf("the current code did not sign in: status %d", st)
		}
		// Another user without a second factor signs in as before.
		e.login("worker-a")
	})
}

func TestAnOrganisationCanRequireTheSecondFactor(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		admin := e.login("admin-a")
		org, err := e.cfg.Orgs.FindOrgByID(e.sys, e.orgA.ID)
		if err != nil {
			t.Fatal(err)
		}
		r := admin.postForm("/admin/orgs/"+strconv.FormatInt(org.ID, 10), url.Values{"name": {org.Name}, "kind": {string(org.Kind)},
			"version": {strconv.Itoa(org.Version)}, "require_totp": {"1"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("require the second factor: status %d: %s", r.status, r.body)
		}
		if r := admin.get("/cases"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/account") {
			t.Errorf("an administrator without a second factor reached /cases: status %d, location %q", r.status, r.header.Get("Location"))
		}
		if r := admin.postForm("/cases", url.Values{"given_name": {"Ivanka"}}); r.status != http.StatusForbidden {
			t.Errorf("an administrator without a second factor posted a case: status %d", r.status)
		}
		if r := e.client().get("/api/v1/cases", "Authorization", "Bearer "+e.token("super-a")); r.status != http.StatusForbidden {
			t.Errorf("a supervisor without a second factor used the API: status %d", r.status)
		}
		if r := e.login("worker-a").get("/cases"); r.status != http.StatusOK {
			t.Errorf("a caseworker was held back: status %d", r.status)
		}
		// Once on, the administrator works again.
		m := regexp.MustCompile(`id="totp-secret"><code>([A-Z2-7]+)</code>`).FindStringSubmatch(admin.get("/account").body)
		if m == nil {
			t.Fatal("no secret offered")
		}
		code, _ := homeward.TOTPCode(m[1], time.Now())
		if r := admin.postForm("/account/totp", url.Values{"secret": {m[1]}, "code": {code}}); r.status != http.StatusOK {
			t.Fatalf("turn on: status %d", r.status)
		}
		if r := admin.get("/cases"); r.status != http.StatusOK {
			t.Errorf("with a second factor: status %d", r.status)
		}
	})
}

func TestAnAdministratorTurnsOffALostSecondFactor(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		u := e.user("super-a")
		secret, _ := homeward.NewTOTPSecret()
		code, _ := homeward.TOTPCode(secret, time.Now())
		if err := e.usvc.EnableTOTP(e.as("super-a"), u.ID, secret, code); err != nil {
			t.Fatal(err)
		}
		path := "/admin/users/" + strconv.FormatInt(u.ID, 10) + "/totp/off"
		if r := e.login("worker-a").postForm(path, nil); r.status != http.StatusForbidden {
			t.Errorf("a caseworker turned it off: status %d", r.status)
		}
		admin := e.login("admin-a")
		if r := admin.get("/admin/users"); !strings.Contains(r.body, `action="`+path+`"`) {
			t.Errorf("no button to turn it off on the users page")
		}
		if r := admin.postForm(path, nil); r.status != http.StatusSeeOther {
			t.Fatalf("turn off: status %d", r.status)
		}
		e.login("super-a") // signs in without a code again
	})
}
