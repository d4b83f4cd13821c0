package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

func TestLoginRedirectsOnlyToACleanLocalPath(t *testing.T) {
	tests := []struct {
		next, want string
	}{
		{"/cases", "/cases"},
		{"/cases?q=Ivanka&stage=located", "/cases?q=Ivanka&stage=located"},
		{"/cases/12/edit", "/cases/12/edit"},
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"/./\\evil.example", "/"},
		{"/.//evil.example", "/"},
		{"/%09/evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/%5Cevil.example", "/"},
		{"/%2F/evil.example", "/"},
		{"/%2f%2fevil.example", "/"},
		{"/a/../\\evil.example", "/"},
		{"/%0d%0aSet-Cookie:x=y", "/"},
		{"/\u200b/evil.example", "/"},
		{"https://evil.example/", "/"},
		{"evil.example", "/"},
		{"/%zz", "/"},
	}
	eachBackend(t, func(t *testing.T, e *env) {
		e.user("worker-a")
		for _, tt := range tests {
			t.Run(url.PathEscape(tt.next), func(t *testing.T) {
				c := e.client()
				r := c.postForm("/login", url.Values{"login": {"worker-a"}, "password": {testPassword}, "next": {tt.next}})
				if r.status != http.StatusSeeOther || r.header.Get("Location") != tt.want {
					t.Errorf("next=%q: status %d, Location %q; want %q", tt.next, r.status, r.header.Get("Location"), tt.want)
				}
				r = c.postForm("/lang", url.Values{"lang": {"en"}, "next": {tt.next}})
				if r.header.Get("Location") != tt.want {
					t.Errorf("language switch next=%q: Location %q; want %q", tt.next, r.header.Get("Location"), tt.want)
				}
			})
		}
	})
}
