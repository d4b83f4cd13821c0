package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/homeward-project/homeward/web"
)

func TestSessionsAndTokensEndOnPasswordChangeResetAndDisable(t *testing.T) {
	tests := []struct {
		name string
		act  func(t *testing.T, e *env, victim *client)
	}{
		{"own password change", func(t *testing.T, e *env, victim *client) {
			r := victim.postForm("/account/password", url.Values{"current": {testPassword}, "new": {"a brand new secret"}, "confirm": {"a brand new secret"}})
			if r.status != http.StatusOK {
				t.Fatalf("change password: status %d", r.status)
			}
			// The browser that changed it goes on in a new session.
			if r := victim.get("/account"); r.status != http.StatusOK {
				t.Errorf("the changing browser was signed out: status %d", r.status)
			}
		}},
		{"administrator's reset", func(t *testing.T, e *env, _ *client) {
			r := e.login("admin-a").postForm("/admin/users/"+strconv.FormatInt(e.user("super-a").ID, 10)+"/password", nil)
			if r.status != http.StatusOK {
				t.Fatalf("reset: status %d", r.status)
			}
		}},
		{"disable", func(t *testing.T, e *env, _ *client) {
			setDisabled(t, e, true)
		}},
		{"disable and enable again", func(t *testing.T, e *env, _ *client) {
			setDisabled(t, e, true)
			setDisabled(t, e, false)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachBackend(t, func(t *testing.T, e *env) {
				victim := e.login("super-a")
				other := e.login("super-a")
				tok := e.token("super-a")
				tt.act(t, e, victim)
				if r := other.get("/account"); r.status != http.StatusSeeOther {
					t.Errorf("another session of the user still open: status %d", r.status)
				}
				if r := e.client().get("/api/v1/me", "Authorization", "Bearer "+tok); r.status != http.StatusUnauthorized {
					t.Errorf("the user's API token still works: status %d", r.status)
				}
			})
		})
	}
}

// setDisabled disables or enables super-a through the administration page.
func setDisabled(t *testing.T, e *env, disabled bool) {
	t.Helper()
	u, err := e.usvc.FindUserByID(e.sys, e.user("super-a").ID)
	if err != nil {
		t.Fatal(err)
	}
	v := url.Values{"role": {string(u.Role)}, "version": {strconv.Itoa(u.Version)}}
	if disabled {
		v.Set("disabled", "1")
	}
	if r := e.login("admin-a").postForm("/admin/users/"+strconv.FormatInt(u.ID, 10), v); r.status != http.StatusSeeOther {
		t.Fatalf("set disabled %v: status %d", disabled, r.status)
	}
}

func TestLoginThrottleDoesNotLockOutTheUserFromAnotherAddress(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.user("admin-a")
		cfg := e.cfg
		cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
		proxied := httptest.NewServer(web.NewServer(cfg).Handler())
		defer proxied.Close()
		login := func(srv *httptest.Server, from, password string) int {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/login", strings.NewReader(url.Values{"login": {"admin-a"}, "password": {password}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", from)
			return e.client().do(req).status
		}
		for i := range 5 {
			if st := login(proxied, "198.51.100.7", "not the password"); st != http.StatusUnauthorized {
				t.Fatalf("wrong guess %d: status %d", i+1, st)
			}
		}
		if st := login(proxied, "198.51.100.7", testPassword); st != http.StatusTooManyRequests {
			t.Errorf("the guessing address is not throttled: status %d", st)
		}
		if st := login(proxied, "192.0.2.10", testPassword); st != http.StatusSeeOther {
			t.Errorf("the rightful user from another address is locked out: status %d", st)
		}
		// A client that is not a trusted proxy cannot pick its address.
		for range 5 {
			login(e.srv, "203.0.113.1", "not the password")
		}
		if st := login(e.srv, "203.0.113.2", testPassword); st != http.StatusTooManyRequests {
			t.Errorf("X-Forwarded-For from an untrusted peer was believed: status %d", st)
		}
	})
}

func TestSecureCookiesSendHSTS(t *testing.T) {
	e := newEnv(t, "sqlite")
	e.user("worker-a")
	cfg := e.cfg
	cfg.SecureCookies = true
	srv := httptest.NewServer(web.NewServer(cfg).Handler())
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/login", strings.NewReader(url.Values{"login": {"worker-a"}, "password": {testPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r := e.client().do(req)
	if !strings.Contains(r.header.Get("Set-Cookie"), "Secure") {
		t.Errorf("session cookie %q is not Secure", r.header.Get("Set-Cookie"))
	}
	if !strings.HasPrefix(r.header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("no HSTS header with secure cookies")
	}
	if r := e.client().get("/login"); r.header.Get("Strict-Transport-Security") != "" {
		t.Errorf("HSTS sent without secure cookies")
	}
}

func TestAccountPageListsAndRevokesTokens(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		cl := e.login("worker-a")
		r := cl.postForm("/account/tokens", url.Values{"name": {"nightly sync"}, "days": {"7"}})
		m := regexp.MustCompile(`<p class="secret"><code>([^<]+)</code>`).FindStringSubmatch(r.body)
		if r.status != http.StatusOK || m == nil || !strings.Contains(r.body, "nightly sync") {
			t.Fatalf("create token: status %d, or token not shown and listed", r.status)
		}
		if r := cl.postForm("/account/tokens", url.Values{"name": {"forever"}, "days": {"5000"}}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("a 5000-day token: status %d, want 422", r.status)
		}
		id := regexp.MustCompile(`action="/account/tokens/(\d+)/revoke"`).FindStringSubmatch(r.body)
		if id == nil {
			t.Fatal("no revoke button")
		}
		if r := cl.postForm("/account/tokens/"+id[1]+"/revoke", nil); r.status != http.StatusOK || strings.Contains(r.body, "nightly sync") {
			t.Errorf("revoke: status %d, or the token is still listed", r.status)
		}
		if r := e.client().get("/api/v1/me", "Authorization", "Bearer "+m[1]); r.status != http.StatusUnauthorized {
			t.Errorf("a revoked token works: status %d", r.status)
		}
	})
}

func TestAPIListsCreatesAndRevokesTokens(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		tok := e.token("worker-a")
		c := e.client()
		r := c.send(http.MethodPost, "/api/v1/me/tokens", "application/json", strings.NewReader(`{"name":"ci","expires_in_days":30}`), "Authorization", "Bearer "+tok)
		m := regexp.MustCompile(`"secret": "([^"]+)"`).FindStringSubmatch(r.body)
		id := regexp.MustCompile(`"id": (\d+)`).FindStringSubmatch(r.body)
		if r.status != http.StatusCreated || m == nil || id == nil {
			t.Fatalf("create: status %d: %s", r.status, r.body)
		}
		if r := c.get("/api/v1/me/tokens", "Authorization", "Bearer "+m[1]); r.status != http.StatusOK || strings.Count(r.body, `"expires_at"`) != 2 || strings.Contains(r.body, m[1]) {
			t.Errorf("list: status %d: %s", r.status, r.body)
		}
		if r := c.send(http.MethodDelete, "/api/v1/me/tokens/"+id[1], "", nil, "Authorization", "Bearer "+tok); r.status != http.StatusNoContent {
			t.Errorf("revoke: status %d: %s", r.status, r.body)
		}
		if r := c.get("/api/v1/me", "Authorization", "Bearer "+m[1]); r.status != http.StatusUnauthorized {
			t.Errorf("the revoked token works: status %d", r.status)
		}
		if r := c.send(http.MethodPost, "/api/v1/me/tokens", "application/json", strings.NewReader(`{"name":"x","expires_in_days":400}`), "Authorization", "Bearer "+tok); r.status != http.StatusUnprocessableEntity {
			t.Errorf("a 400-day token: status %d, want 422", r.status)
		}
	})
}
