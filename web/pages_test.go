package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestPagesRenderInBothLanguages(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.newCase("admin-a", "Olena", "Testenko")
		cl := e.login("admin-a")
		for _, lang := range []string{"uk", "en"} {
			for _, p := range []string{"/", "/cases", "/cases/new", fmt.Sprintf("/cases/%d", c.ID), fmt.Sprintf("/cases/%d/edit", c.ID),
				"/located", "/located/new", "/import/cases", "/import/located", "/admin/users", "/admin/orgs",
				fmt.Sprintf("/admin/orgs/%d/edit", e.orgA.ID), "/account"} {
				r := cl.get(p, "Accept-Language", lang)
				if r.status != http.StatusOK {
					t.Errorf("GET %s in %s: status %d: %s", p, lang, r.status, r.body)
					continue
				}
				if !strings.Contains(r.body, `<html lang="`+lang+`">`) {
					t.Errorf("GET %s with Accept-Language %s is not in %s", p, lang, lang)
				}
			}
		}
	})
}

func TestLanguageSwitchOverridesTheBrowser(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		cl := e.login("worker-a")
		r := cl.postForm("/lang", url.Values{"lang": {"en"}, "next": {"/cases"}}, "Accept-Language", "uk")
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/cases" {
			t.Fatalf("switch: status %d, location %q", r.status, r.header.Get("Location"))
		}
		r = cl.get("/cases", "Accept-Language", "uk")
		if !strings.Contains(r.body, `<html lang="en">`) || !strings.Contains(r.body, ">Cases</h1>") {
			t.Errorf("after switching to English the page is not in English")
		}
	})
}
