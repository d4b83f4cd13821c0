package web_test

import (
	"net/http"
	"net/url"
	"regexp"
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
