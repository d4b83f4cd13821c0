package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestLoginSetsAProtectedSessionCookieAndLogoutEndsIt(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.user("worker-a")
		c := e.client()
		r := c.postForm("/login", url.Values{"login": {"worker-a"}, "password": {testPassword}, "next": {"/cases"}})
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/cases" {
			t.Fatalf("login: status %d, location %q", r.status, r.header.Get("Location"))
		}
		set := r.header.Get("Set-Cookie")
		for _, want := range []string{"homeward_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(set, want) {
				t.Errorf("session cookie %q lacks %s", set, want)
			}
		}
		if r := c.get("/cases"); r.status != http.StatusOK {
			t.Fatalf("after login /cases: status %d", r.status)
		}
		if r := c.postForm("/logout", nil); r.status != http.StatusSeeOther {
			t.Fatalf("logout: status %d", r.status)
		}
		if r := c.get("/cases"); r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/login") {
			t.Errorf("after logout /cases: status %d, location %q; want a redirect to log in", r.status, r.header.Get("Location"))
		}
	})
}

func TestLoginRefusesAWrongPasswordAndThrottles(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.user("worker-a")
		c := e.client()
		r := c.postForm("/login", url.Values{"login": {"worker-a"}, "password": {"not the password"}}, "Accept-Language", "en")
		if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "Wrong login or password.") {
			t.Fatalf("wrong password: status %d, want 401 with the message", r.status)
		}
		if strings.Contains(r.header.Get("Set-Cookie"), "homeward_session=") {
			t.Errorf("a failed login set a session cookie")
		}
		// Keep failing until the store throttles; it must within a few dozen tries.
		for i := 0; i < 50; i++ {
			r = c.postForm("/login", url.Values{"login": {"worker-a"}, "password": {"not the password"}}, "Accept-Language", "en")
			if r.status == http.StatusTooManyRequests {
				break
			}
		}
		if r.status != http.StatusTooManyRequests || !strings.Contains(r.body, "Too many attempts") {
			t.Fatalf("repeated wrong passwords: last status %d, want 429 with the message", r.status)
		}
	})
}

func TestPagesNeedALogin(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.client()
		r := c.get("/cases?q=x")
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/login?next=%2Fcases%3Fq%3Dx" {
			t.Errorf("GET /cases signed out: status %d, location %q", r.status, r.header.Get("Location"))
		}
		if r := c.postForm("/cases", url.Values{"given_name": {"X"}}); r.status != http.StatusUnauthorized {
			t.Errorf("POST /cases signed out: status %d, want 401", r.status)
		}
	})
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.login("worker-a")
		tests := []struct {
			name string
			hdr  []string
			want int
		}{
			{"cross-site fetch metadata", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, http.StatusForbidden},
			{"foreign origin without fetch metadata", []string{"Origin", "https://evil.example"}, http.StatusForbidden},
			{"same-origin fetch metadata", []string{"Sec-Fetch-Site", "same-origin"}, http.StatusSeeOther},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := c.postForm("/cases", url.Values{"given_name": {"Ivanka"}, "family_name": {"Synthetic"}}, tt.hdr...)
				if r.status != tt.want {
					t.Errorf("status %d, want %d", r.status, tt.want)
				}
			})
		}
		_, total, err := e.cases.FindCases(e.as("worker-a"), allCasesFilter())
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 {
			t.Errorf("%d cases stored, want only the same-origin one", total)
		}
	})
}

func TestBearerRequestsPassTheCrossOriginCheck(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		tok := e.token("worker-a")
		c := e.client()
		r := c.send(http.MethodPost, "/api/v1/cases", "application/json", strings.NewReader(`{"given_name":"Iryna","family_name":"Synthetic"}`),
			"Authorization", "Bearer "+tok, "Sec-Fetch-Site", "cross-site", "Origin", "https://tool.example")
		if r.status != http.StatusCreated {
			t.Errorf("bearer POST from another origin: status %d, want 201: %s", r.status, r.body)
		}
	})
}

func TestJunkBearerHeaderDoesNotSkipTheCrossOriginCheck(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.login("worker-a")
		tests := []struct{ name, method, path, ctype, body string }{
			{"page form", http.MethodPost, "/cases", "application/x-www-form-urlencoded", "given_name=Ivanka&family_name=Synthetic"},
			{"API", http.MethodPost, "/api/v1/cases", "application/json", `{"given_name":"Iryna","family_name":"Synthetic"}`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := c.send(tt.method, tt.path, tt.ctype, strings.NewReader(tt.body),
					"Authorization", "Bearer junk", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
				if r.status != http.StatusForbidden {
					t.Errorf("cross-site %s with a session cookie and a junk bearer header: status %d, want 403", tt.path, r.status)
				}
			})
		}
		_, total, err := e.cases.FindCases(e.as("worker-a"), allCasesFilter())
		if err != nil {
			t.Fatal(err)
		}
		if total != 0 {
			t.Errorf("%d cases stored by cross-site requests", total)
		}
	})
}
