package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestLocatedFormCreatesUpdatesAndReportsAConflict(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		cl := e.login("worker-a")
		form := url.Values{"given_name": {"Bohdana"}, "family_name": {"Foundenko"}, "birth_date": {"2012"}, "location_kind": {"foster_family"},
			"region": {"Synthetic oblast"}, "observed_at": {"01.06.2024"}, "source": {"ngo_report"}, "reliability": {"medium"}}
		r := cl.postForm("/located", form, "Accept-Language", "en")
		if r.status != http.StatusSeeOther {
			t.Fatalf("create: status %d: %s", r.status, r.body)
		}
		path := r.header.Get("Location")
		page := cl.get(path, "Accept-Language", "en")
		for _, want := range []string{"Foundenko", "Foster family", "01.06.2024", "NGO report", "Medium", "year only"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("located page lacks %q", want)
			}
		}
		form.Set("version", "1")
		form.Set("institution", "Synthetic family")
		if r := cl.postForm(path, form); r.status != http.StatusSeeOther {
			t.Fatalf("update: status %d: %s", r.status, r.body)
		}
		form.Set("institution", "Stale edit")
		r = cl.postForm(path, form, "Accept-Language", "en")
		if r.status != http.StatusConflict || !strings.Contains(r.body, "Someone else changed this record") || !strings.Contains(r.body, `value="Stale edit"`) {
			t.Errorf("stale update: status %d, want 409 with the message and the input kept", r.status)
		}
		if list := cl.get("/located?q=foundenko&source=ngo_report"); !strings.Contains(list.body, fmt.Sprintf(`href="%s"`, path)) {
			t.Errorf("the list filtered by name and source lacks the record")
		}
	})
}
