package web_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/store"
)

// pageViews returns the view events the page request of login appended,
// as "case 12" / "located 7", and the distinct times they were written at.
func (e *env) pageViews(login string, after int64) ([]string, map[time.Time]bool) {
	e.t.Helper()
	evs, err := store.NewEventService(e.db).FindEvents(e.sys, homeward.EventFilter{ActorID: e.user(login).ID, Limit: 1000})
	if err != nil {
		e.t.Fatalf("find events: %v", err)
	}
	var out []string
	at := map[time.Time]bool{}
	for _, ev := range evs {
		if ev.ID > after && ev.Action == homeward.ActionView {
			out = append(out, fmt.Sprintf("%s %d", ev.EntityType, ev.EntityID))
			at[ev.At] = true
		}
	}
	slices.Sort(out)
	return out, at
}

func (e *env) lastEventID() int64 {
	e.t.Helper()
	evs, err := store.NewEventService(e.db).FindEvents(e.sys, homeward.EventFilter{Limit: 1})
	if err != nil || len(evs) != 1 {
		e.t.Fatalf("find the last event: %v", err)
	}
	return evs[0].ID
}

func TestReviewQueueAndCasePageRecordOneViewPerRecordShown(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c1 := e.tracedCase("worker-a", "Oleksandr", "Viewenko", false)
		c2 := e.tracedCase("worker-a", "Mykola", "Viewenko", false)
		l1 := e.located("worker-a", "Aleksandr", "Vyuenko", "")
		l2 := e.located("worker-a", "Nikolai", "Vyuenko", "")
		hidden := e.located("worker-b", "Aleksei", "Vyuenko", "") // organisation B's, not shared
		e.candidate(c1, l1, 0.91)
		e.candidate(c2, l2, 0.9)
		e.candidate(c1, hidden, 0.95)
		e.candidate(c2, l1, 0.8) // l1 shown twice, viewed once
		e.user("super-a")
		e.user("worker-a")
		sup, worker := e.login("super-a"), e.login("worker-a")

		tests := []struct {
			name  string
			cl    *client
			login string
			path  string
			want  []string
			times int // distinct transactions the views were written in
		}{
			{"the review queue views each shown record once, in one transaction per side", sup, "super-a", "/review",
				[]string{fmt.Sprintf("case %d", c1.ID), fmt.Sprintf("case %d", c2.ID),
					fmt.Sprintf("located %d", l1.ID), fmt.Sprintf("located %d", l2.ID)}, 2},
			{"a case page views the case and its visible candidates, not another organisation's record", worker, "worker-a", fmt.Sprintf("/cases/%d", c1.ID),
				[]string{fmt.Sprintf("case %d", c1.ID), fmt.Sprintf("located %d", l1.ID)}, 2},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				after := e.lastEventID()
				if r := tt.cl.get(tt.path, "Accept-Language", "en"); r.status != http.StatusOK {
					t.Fatalf("GET %s: status %d", tt.path, r.status)
				}
				got, at := e.pageViews(tt.login, after)
				want := slices.Clone(tt.want)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Fatalf("GET %s recorded views %v, want %v", tt.path, got, want)
				}
				if len(at) > tt.times {
					t.Errorf("GET %s wrote its views in %d transactions, want at most %d", tt.path, len(at), tt.times)
				}
			})
		}
	})
}

// waitingSection returns the "waiting on me" panel of the case list.
func waitingSection(t *testing.T, cl *client) string {
	t.Helper()
	r := cl.get("/cases", "Accept-Language", "en")
	i := strings.Index(r.body, `id="waiting-h"`)
	if r.status != http.StatusOK || i < 0 {
		t.Fatalf("case list: status %d, no waiting panel", r.status)
	}
	w := r.body[i:]
	return w[:strings.Index(w, "</section>")]
}

func TestWaitingPanelOffersAVerificationToTheOtherSupervisorOnly(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.tracedCase("worker-a", "Oleksandr", "Verifenko", false)
		m := e.candidate(c, e.located("worker-a", "Aleksandr", "Verifenko", ""), 0.9)
		for _, login := range []string{"super-a", "super-a2"} {
			if _, err := e.matches.Decide(e.as(login), m.ID, homeward.MatchDecision{Action: homeward.MatchConfirm, Version: e.match(m.ID).Version}); err != nil {
				t.Fatalf("confirm as %s: %v", login, err)
			}
		}
		for _, to := range []homeward.Stage{homeward.StageTracing, homeward.StageLocated} {
			if _, err := e.workflow.Transition(e.as("worker-a"), c.ID, to, e.caseNow(c.ID).Version, ""); err != nil {
				t.Fatalf("move to %s: %v", to, err)
			}
		}
		v := &homeward.Verification{CaseID: c.ID, Method: homeward.VerifyDNA, Outcome: homeward.OutcomeConfirmed,
			PerformedBy: "synthetic laboratory", PerformedOn: homeward.NewDate(2026, time.March, 2)}
		if err := e.workflow.AddVerification(e.as("super-a"), v); err != nil {
			t.Fatal(err)
		}
		awaits := "A verification of " + c.Reference + " awaits your approval"
		if w := waitingSection(t, e.login("super-a2")); !strings.Contains(w, awaits) || strings.Contains(w, "can move to the next stage") {
			t.Errorf("the other supervisor's panel does not offer just the approval:\n%s", w)
		}
		if w := waitingSection(t, e.login("super-a")); strings.Contains(w, awaits) {
			t.Errorf("the supervisor who recorded the verification is asked to approve it:\n%s", w)
		}
	})
}

func TestCasePageHintsSiblingsAtTheSameInstitutionReadingThemOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		sib := e.tracedCase("worker-a", "Mariia", "Sestrenko", false)
		c := &homeward.Case{GivenName: "Oleksandr", FamilyName: "Sestrenko", Consents: homeward.Consents{Tracing: true}, Siblings: []int64{sib.ID}}
		if err := e.cases.CreateCase(e.as("worker-a"), c); err != nil {
			t.Fatal(err)
		}
		l1 := e.located("worker-a", "Aleksandr", "Sestrenko", "Synthetic home 7")
		l2 := e.located("worker-a", "Aleksei", "Sestrenko", "Synthetic home 7")
		l3 := e.located("worker-a", "Aleksandr", "Sestrenko", "Synthetic home 9")
		ls := e.located("worker-a", "Mariia", "Sestrenko", "synthetic home 7 ")
		for _, l := range []*homeward.LocatedRecord{l1, l2, l3} {
			e.candidate(c, l, 0.8)
		}
		hinted := e.candidate(sib, ls, 0.7)
		cl := e.login("worker-a")
		after := e.lastEventID()
		page := cl.get(fmt.Sprintf("/cases/%d", c.ID), "Accept-Language", "en")
		if page.status != http.StatusOK {
			t.Fatalf("case page: status %d", page.status)
		}
		if n := strings.Count(page.body, fmt.Sprintf(`<a href="/matches/%d">`, hinted.ID)); n != 2 {
			t.Errorf("the sibling's candidate is hinted %d times, want 2 (the two candidates at its institution)", n)
		}
		got, _ := e.pageViews("worker-a", after)
		want := []string{fmt.Sprintf("case %d", c.ID)}
		for _, l := range []*homeward.LocatedRecord{l1, l2, l3, ls} {
			want = append(want, fmt.Sprintf("located %d", l.ID))
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("the case page recorded views %v, want each record once: %v", got, want)
		}
	})
}
