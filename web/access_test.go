package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/store"
)

// eventsSince returns the events of login appended after event after, oldest
// first, as "action entity id" with their data.
func (e *env) eventsSince(login string, after int64) (got []string, data []string) {
	e.t.Helper()
	evs, err := store.NewEventService(e.db).FindEvents(e.sys, homeward.EventFilter{ActorID: e.user(login).ID, Limit: 1000})
	if err != nil {
		e.t.Fatalf("find events: %v", err)
	}
	slices.Reverse(evs)
	for _, ev := range evs {
		if ev.ID > after {
			got = append(got, fmt.Sprintf("%s %s %d", ev.Action, ev.EntityType, ev.EntityID))
			data = append(data, string(ev.Data))
		}
	}
	return got, data
}

func TestListsSearchesExportsAndMatchesRecordAnEventWithoutNames(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.tracedCase("worker-a", "Zlatoslava", "Accessenko", false)
		l := e.located("worker-a", "Zlatoslava", "Akcesenko", "")
		m := e.candidate(c, l, 0.91)
		cl := e.login("super-a")
		tests := []struct {
			path string
			want []string // actions appended, in order
			data string   // a fragment the last event's data holds
		}{
			{"/cases", []string{"list case 0"}, `"rows":1`},
			{"/cases?q=Zlatoslava", []string{"search case 0"}, `"query":true`},
			{"/cases/export?format=csv", []string{"export case 0"}, `"format":"csv"`},
			{"/api/v1/cases", []string{"list case 0"}, `"total":1`},
			{"/api/v1/cases/export?format=xlsx", []string{"export case 0"}, `"format":"xlsx"`},
			{"/located", []string{"list located 0"}, `"rows":1`},
			{"/located/export", []string{"export located 0"}, `"rows":1`},
			{"/api/v1/located?q=Akcesenko", []string{"search located 0"}, `"query":true`},
			{"/api/v1/matches", []string{"list match 0"}, `"rows":1`},
			{fmt.Sprintf("/api/v1/cases/%d/matches", c.ID), []string{"list match 0"}, fmt.Sprintf(`"case_id":%d`, c.ID)},
			{fmt.Sprintf("/api/v1/matches/%d", m.ID), []string{fmt.Sprintf("view case %d", c.ID), fmt.Sprintf("view located %d", l.ID)}, fmt.Sprintf(`"match_id":%d`, m.ID)},
		}
		for _, tt := range tests {
			t.Run(tt.path, func(t *testing.T) {
				after := e.lastEventID()
				if r := cl.get(tt.path, "Accept-Language", "en"); r.status != http.StatusOK {
					t.Fatalf("GET %s: status %d", tt.path, r.status)
				}
				got, data := e.eventsSince("super-a", after)
				if !slices.Equal(got, tt.want) {
					t.Fatalf("GET %s appended %v, want %v", tt.path, got, tt.want)
				}
				last := data[len(data)-1]
				if !strings.Contains(last, tt.data) {
					t.Errorf("GET %s: event data %s lacks %s", tt.path, last, tt.data)
				}
				for _, d := range data {
					if strings.Contains(d, "Zlatoslava") || strings.Contains(d, "ccesenko") || strings.Contains(d, "kcesenko") {
						t.Errorf("GET %s: event data %s holds a name", tt.path, d)
					}
				}
			})
		}
		t.Run("review queue", func(t *testing.T) {
			after := e.lastEventID()
			if r := cl.get("/review", "Accept-Language", "en"); r.status != http.StatusOK {
				t.Fatalf("GET /review: status %d", r.status)
			}
			got, _ := e.eventsSince("super-a", after)
			if !slices.Contains(got, "list match 0") {
				t.Errorf("GET /review appended %v, want a list of matches among them", got)
			}
		})
	})
}

func TestDownloadingAnImportsRejectedRowsRecordsAnExport(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		cl := e.login("worker-a")
		form := url.Values{"col.0": {"family_name"}, "col.1": {"given_name"}, "col.2": {"birth_date"}, "col.3": {"region"}, "col.4": {""}, "keep_good": {"1"}}
		mapping := cl.upload("/import/located", "children.csv", badLocatedCSV).header.Get("Location")
		r := cl.postForm(mapping, form, "Accept-Language", "en")
		link := regexp.MustCompile(`href="(/imports/(\d+)/rejected\?[^"]*format=csv[^"]*)"`).FindStringSubmatch(r.body)
		if link == nil {
			t.Fatalf("no link to the rejected rows: status %d", r.status)
		}
		after := e.lastEventID()
		if rej := cl.get(strings.ReplaceAll(link[1], "&amp;", "&")); rej.status != http.StatusOK {
			t.Fatalf("rejected rows file: status %d", rej.status)
		}
		got, data := e.eventsSince("worker-a", after)
		if want := []string{"export import " + link[2]}; !slices.Equal(got, want) {
			t.Fatalf("downloading the rejected rows appended %v, want %v", got, want)
		}
		if strings.Contains(data[0], "enko") {
			t.Errorf("export event data %s holds a name", data[0])
		}
	})
}
