package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/store"
)

// tracedCase stores a synthetic case with consent to tracing, so that it
// can start tracing.
func (e *env) tracedCase(login, given, family string, share bool) *homeward.Case {
	e.t.Helper()
	c := &homeward.Case{GivenName: given, FamilyName: family, Sex: homeward.SexMale,
		BirthDate: homeward.BirthDate{Year: 2014, Month: 6, Day: 2, Precision: homeward.PrecisionDay},
		Consents:  homeward.Consents{Tracing: true, ShareMediator: share}}
	if err := e.cases.CreateCase(e.as(login), c); err != nil {
		e.t.Fatalf("create case: %v", err)
	}
	return c
}

func (e *env) located(login, given, family, institution string) *homeward.LocatedRecord {
	e.t.Helper()
	r := &homeward.LocatedRecord{GivenName: given, FamilyName: family, Sex: homeward.SexMale, Institution: institution,
		BirthDate: homeward.BirthDate{Year: 2014, Month: 2, Day: 6, Precision: homeward.PrecisionDay}}
	if err := e.locsvc.CreateLocated(e.as(login), r); err != nil {
		e.t.Fatalf("create located record: %v", err)
	}
	return r
}

// candidate saves a candidate pair as the background matcher would, and
// returns it as stored.
func (e *env) candidate(c *homeward.Case, r *homeward.LocatedRecord, p float64) *homeward.Match {
	e.t.Helper()
	m := homeward.Match{CaseID: c.ID, LocatedID: r.ID, Probability: p, Weight: 9.5, Model: "test",
		CaseFieldsHash: homeward.FieldsHash(c.GivenName), LocatedFieldsHash: homeward.FieldsHash(r.GivenName),
		Explanation: []homeward.MatchEvidence{
			{Comparison: "given name", Level: "equivalent", Weight: 4.1, Reason: "Александр is the Russian form of Олександр"},
			{Comparison: "date of birth", Level: "day and month swapped", Weight: 3.2, Reason: "birth date day and month swapped"},
			{Comparison: "siblings", Level: "sibling matched", Weight: 2.0, Reason: "a sibling is listed at the same institution"},
		}}
	if _, _, err := e.matches.SaveCandidates(e.sys, []homeward.Match{m}); err != nil {
		e.t.Fatalf("save candidate: %v", err)
	}
	ms, _, err := e.matches.FindMatches(e.sys, homeward.MatchFilter{CaseID: c.ID, LocatedID: r.ID})
	if err != nil || len(ms) != 1 {
		e.t.Fatalf("find candidate: %v %v", ms, err)
	}
	return ms[0]
}

func (e *env) match(id int64) *homeward.Match {
	e.t.Helper()
	m, err := e.matches.FindMatchByID(e.sys, id)
	if err != nil {
		e.t.Fatalf("find match: %v", err)
	}
	return m
}

func (e *env) caseNow(id int64) *homeward.Case {
	e.t.Helper()
	c, err := e.cases.FindCaseByID(e.sys, id)
	if err != nil {
		e.t.Fatalf("find case: %v", err)
	}
	return c
}

// decide posts a decision form for a match at its current version.
func (c *client) decide(m *homeward.Match, action string, extra ...string) response {
	c.e.t.Helper()
	v := url.Values{"action": {action}, "version": {fmt.Sprint(c.e.match(m.ID).Version)}, "next": {"/review"}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return c.postForm(fmt.Sprintf("/matches/%d", m.ID), v, "Accept-Language", "en")
}

// move posts the transition form of a case at its current version.
func (c *client) move(caseID int64, to string, extra ...string) response {
	c.e.t.Helper()
	v := url.Values{"to": {to}, "version": {fmt.Sprint(c.e.caseNow(caseID).Version)}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return c.postForm(fmt.Sprintf("/cases/%d/transition", caseID), v, "Accept-Language", "en")
}

func TestCasePageListsCandidatesBestFirstWithTheirExplanation(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.tracedCase("worker-a", "Oleksandr", "Kandydatenko", false)
		weak := e.located("worker-a", "Olesia", "Kandydatenko", "Synthetic home 2")
		strong := e.located("worker-a", "Aleksandr", "Kandidatenko", "Synthetic home 1")
		e.candidate(c, weak, 0.41)
		e.candidate(c, strong, 0.93)
		cl := e.login("worker-a")
		page := cl.get(fmt.Sprintf("/cases/%d", c.ID), "Accept-Language", "en")
		if page.status != http.StatusOK {
			t.Fatalf("case page: status %d", page.status)
		}
		for _, want := range []string{"Candidate located records", "93.0 %", "41.0 %", "Александр is the Russian form of Олександр",
			"birth date day and month swapped", "Kandidatenko Aleksandr", "The two records side by side", "Sibling evidence",
			"a sibling is listed at the same institution", "Candidate"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("case page lacks %q", want)
			}
		}
		if strings.Index(page.body, "93.0 %") > strings.Index(page.body, "41.0 %") {
			t.Errorf("the weaker candidate is listed first")
		}
		loc := cl.get(fmt.Sprintf("/located/%d", strong.ID), "Accept-Language", "en")
		for _, want := range []string{"Candidate cases", "93.0 %", c.Reference, "Александр is the Russian form of Олександр"} {
			if !strings.Contains(loc.body, want) {
				t.Errorf("located page lacks %q", want)
			}
		}
	})
}

func TestCaseworkerCannotConfirmAMatchOrApproveAVerification(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.tracedCase("worker-a", "Bohdan", "Caseworkenko", false)
		m := e.candidate(c, e.located("worker-a", "Bogdan", "Caseworkenko", ""), 0.9)
		v := &homeward.Verification{CaseID: c.ID, Method: homeward.VerifyDocuments, Outcome: homeward.OutcomeConfirmed,
			PerformedBy: "Test lab", PerformedOn: homeward.NewDate(2026, 1, 10)}
		if err := e.workflow.AddVerification(e.as("worker-a"), v); err != nil {
			t.Fatal(err)
		}
		worker := e.login("worker-a2")
		tok := e.token("worker-a2")
		auth := []string{"Authorization", "Bearer " + tok}
		tests := []struct {
			name string
			do   func() response
		}{
			{"confirm form", func() response { return worker.decide(m, "confirm") }},
			{"confirm API", func() response {
				return worker.send("POST", fmt.Sprintf("/api/v1/matches/%d/decisions", m.ID), "application/json",
					strings.NewReader(fmt.Sprintf(`{"action":"confirm","version":%d}`, m.Version)), auth...)
			}},
			{"approve form", func() response {
				return worker.postForm(fmt.Sprintf("/verifications/%d/approve", v.ID), url.Values{"version": {fmt.Sprint(v.Version)}, "case": {fmt.Sprint(c.ID)}})
			}},
			{"approve API", func() response {
				return worker.send("POST", fmt.Sprintf("/api/v1/verifications/%d/approval", v.ID), "application/json",
					strings.NewReader(fmt.Sprintf(`{"version":%d}`, v.Version)), auth...)
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if r := tt.do(); r.status != http.StatusForbidden {
					t.Errorf("status %d, want 403: %s", r.status, r.body)
				}
			})
		}
		if got := e.match(m.ID); got.Status != homeward.MatchCandidate {
			t.Errorf("match status %s after a caseworker's confirmation", got.Status)
		}
		page := worker.get(fmt.Sprintf("/cases/%d", c.ID), "Accept-Language", "en")
		if strings.Contains(page.body, fmt.Sprintf(`id="confirm-%d"`, m.ID)) || strings.Contains(page.body, fmt.Sprintf(`id="approve-%d"`, v.ID)) {
			t.Errorf("a caseworker is offered a confirm or approve button")
		}
		if !strings.Contains(page.body, fmt.Sprintf(`id="reject-%d"`, m.ID)) {
			t.Errorf("a caseworker is not offered to reject a candidate")
		}
	})
}

func TestRefusedTransitionShowsTheMissingCondition(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		noConsent := e.newCase("worker-a", "Iryna", "Guardenko")
		traced := e.tracedCase("worker-a", "Petro", "Guardenko", false)
		cl := e.login("super-a")
		if r := cl.move(traced.ID, "tracing"); r.status != http.StatusSeeOther {
			t.Fatalf("registered → tracing with consent: status %d: %s", r.status, r.body)
		}
		tests := []struct {
			name   string
			caseID int64
			to     string
			lang   string
			extra  []string
			status int
			want   string
		}{
			{"tracing needs consent", noConsent.ID, "tracing", "en", nil, 422, "needs the consent to tracing of the inquirer or legal representative"},
			{"tracing needs consent, in Ukrainian", noConsent.ID, "tracing", "uk", nil, 422, "згода заявника чи законного представника на розшук"},
			{"located needs a confirmed match", traced.ID, "located", "en", nil, 422, "needs a confirmed match (proposed by one supervisor and confirmed by another)"},
			{"closing needs a reason", traced.ID, "closed", "en", nil, 422, "a close reason from the list"},
			{"no such move", traced.ID, "handed_over", "en", nil, 422, "cannot move from tracing to handed_over"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				v := url.Values{"to": {tt.to}, "version": {fmt.Sprint(e.caseNow(tt.caseID).Version)}}
				r := cl.postForm(fmt.Sprintf("/cases/%d/transition", tt.caseID), v, "Accept-Language", tt.lang)
				if r.status != tt.status {
					t.Fatalf("status %d, want %d", r.status, tt.status)
				}
				if !strings.Contains(r.body, tt.want) {
					t.Errorf("the page does not say %q", tt.want)
				}
			})
		}
		page := cl.get(fmt.Sprintf("/cases/%d", traced.ID), "Accept-Language", "en")
		hist := page.body[strings.Index(page.body, `id="history-h"`):]
		if !strings.Contains(hist, "Stage changed") || !strings.Contains(hist, "<td>Stage</td><td>Registered</td><td>Tracing</td>") {
			t.Errorf("the timeline does not show the transition")
		}
		if !strings.Contains(page.body, `id="needs"`) || !strings.Contains(page.body, "What the next stage needs") {
			t.Errorf("the case page does not say what the next stage needs")
		}
	})
}

func TestReviewQueueConfirmationNeedsTwoDifferentSupervisors(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.tracedCase("worker-a", "Oleksandr", "Reviewenko", false)
		m := e.candidate(c, e.located("worker-a", "Aleksandr", "Revyuenko", ""), 0.88)
		low := e.candidate(e.tracedCase("worker-a", "Mykola", "Lowenko", false), e.located("worker-a", "Nikolai", "Lowenko", ""), 0.2)
		first, second := e.login("super-a"), e.login("super-a2")

		q := first.get("/review", "Accept-Language", "en")
		if !strings.Contains(q.body, fmt.Sprintf(`id="match-%d"`, m.ID)) || !strings.Contains(q.body, fmt.Sprintf(`id="confirm-%d"`, m.ID)) {
			t.Fatalf("the queue does not offer the candidate to confirm")
		}
		if strings.Contains(q.body, fmt.Sprintf(`id="match-%d"`, low.ID)) {
			t.Errorf("the queue lists a candidate below the threshold")
		}
		if r := first.get("/review?min=0.1", "Accept-Language", "en"); !strings.Contains(r.body, fmt.Sprintf(`id="match-%d"`, low.ID)) {
			t.Errorf("a lower threshold does not list the weaker candidate")
		}
		if r := first.get("/review?min=2", "Accept-Language", "en"); r.status != http.StatusUnprocessableEntity {
			t.Errorf("threshold 2: status %d, want 422", r.status)
		}

		if r := first.decide(m, "confirm"); r.status != http.StatusSeeOther || r.header.Get("Location") != "/review" {
			t.Fatalf("first confirmation: status %d, location %q: %s", r.status, r.header.Get("Location"), r.body)
		}
		if got := e.match(m.ID); got.Status != homeward.MatchProposed {
			t.Fatalf("after the first confirmation the match is %s, want proposed", got.Status)
		}
		if r := first.decide(m, "confirm"); r.status != http.StatusForbidden || !strings.Contains(r.body, "four-eyes") {
			t.Errorf("the proposer confirming again: status %d, want 403 naming the four-eyes rule", r.status)
		}
		// The second supervisor sees it waiting on them.
		if r := second.get("/cases", "Accept-Language", "en"); !strings.Contains(r.body, fmt.Sprintf(`href="/matches/%d"`, m.ID)) {
			t.Errorf("the proposed match is not waiting on the second supervisor")
		}
		if r := second.get("/review?status=proposed", "Accept-Language", "en"); !strings.Contains(r.body, "Confirm (second supervisor)") {
			t.Errorf("the second supervisor is not offered the second confirmation")
		}
		if r := second.decide(m, "confirm"); r.status != http.StatusSeeOther {
			t.Fatalf("second confirmation: status %d: %s", r.status, r.body)
		}
		if got := e.match(m.ID); got.Status != homeward.MatchConfirmed || got.ProposedBy == got.DecidedBy {
			t.Fatalf("after the second confirmation: %s by %d and %d", got.Status, got.ProposedBy, got.DecidedBy)
		}
		if r := second.move(c.ID, "tracing"); r.status != http.StatusSeeOther {
			t.Fatalf("to tracing: %d", r.status)
		}
		if r := second.move(c.ID, "located"); r.status != http.StatusSeeOther {
			t.Fatalf("to located with a confirmed match: status %d: %s", r.status, r.body)
		}
		page := first.get(fmt.Sprintf("/matches/%d", m.ID), "Accept-Language", "en")
		for _, want := range []string{"Proposed", "Confirmed", "Test super-a", "Test super-a2"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the match history lacks %q", want)
			}
		}
	})
}

func TestRejectionNeedsAReasonAndRevocationANote(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.tracedCase("worker-a", "Taras", "Rejectenko", false)
		m := e.candidate(c, e.located("worker-a", "Taras", "Rejektenko", ""), 0.7)
		sup := e.login("super-a")
		steps := []struct {
			name   string
			action string
			extra  []string
			status int
			after  homeward.MatchStatus
		}{
			{"reject without a reason", "reject", nil, 422, homeward.MatchCandidate},
			{"reject for another reason without a note", "reject", []string{"reason", "other"}, 422, homeward.MatchCandidate},
			{"reject with a reason", "reject", []string{"reason", "different_birth_date", "note", "born in another year"}, 303, homeward.MatchRejected},
			{"revoke without a note", "revoke", nil, 422, homeward.MatchRejected},
			{"revoke with a note", "revoke", []string{"note", "the birth certificate was misread"}, 303, homeward.MatchCandidate},
			{"not sure", "not_sure", nil, 303, homeward.MatchNotSure},
		}
		for _, st := range steps {
			r := sup.decide(m, st.action, st.extra...)
			if r.status != st.status {
				t.Fatalf("%s: status %d, want %d: %s", st.name, r.status, st.status, r.body)
			}
			if got := e.match(m.ID).Status; got != st.after {
				t.Fatalf("%s: status %s, want %s", st.name, got, st.after)
			}
		}
		page := sup.get(fmt.Sprintf("/matches/%d", m.ID), "Accept-Language", "en")
		for _, want := range []string{"A different birth date", "born in another year", "Revoked", "the birth certificate was misread", "Marked not sure"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the match history lacks %q", want)
			}
		}
	})
}

// upload posts a file to a case's attachment form.
func (c *client) attach(caseID int64, name string, data []byte) response {
	c.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return c.send("POST", fmt.Sprintf("/cases/%d/attachments", caseID), mw.FormDataContentType(), &buf)
}

// pngBytes is a 1×1 PNG: enough for the store to see an image.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func TestCaseGoesHomeThroughThePages(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.tracedCase("worker-a", "Oleksandr", "Homeenko", true)
		m := e.candidate(c, e.located("worker-a", "Aleksandr", "Khomeenko", ""), 0.95)
		worker, first, second := e.login("worker-a"), e.login("super-a"), e.login("super-a2")
		path := fmt.Sprintf("/cases/%d", c.ID)
		if r := first.decide(m, "confirm"); r.status != http.StatusSeeOther {
			t.Fatalf("propose: %d", r.status)
		}
		if r := second.decide(m, "confirm"); r.status != http.StatusSeeOther {
			t.Fatalf("confirm: %d", r.status)
		}
		for _, to := range []string{"tracing", "located"} {
			if r := worker.move(c.ID, to); r.status != http.StatusSeeOther {
				t.Fatalf("to %s: status %d: %s", to, r.status, r.body)
			}
		}
		if r := worker.attach(c.ID, "certificate.png", pngBytes); r.status != http.StatusSeeOther {
			t.Fatalf("upload: status %d: %s", r.status, r.body)
		}
		atts, err := e.attach.FindAttachments(e.as("worker-a"), c.ID)
		if err != nil || len(atts) != 1 {
			t.Fatalf("attachments: %v %v", atts, err)
		}
		if r := worker.get(path+"/records/verification", "Accept-Language", "en"); r.status != 200 || !strings.Contains(r.body, "certificate.png") {
			t.Fatalf("verification form: status %d, or it does not offer the attachment as evidence", r.status)
		}
		// A form with a bad date keeps what was typed.
		r := worker.postForm(path+"/records/verification", url.Values{"method": {"documents"}, "outcome": {"confirmed"},
			"performed_by": {"Synthetic registry office"}, "performed_on": {"31.02.2026"}}, "Accept-Language", "en")
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="Synthetic registry office"`) {
			t.Fatalf("bad date: status %d, or the input was lost", r.status)
		}
		records := []struct {
			kind string
			form url.Values
		}{
			{"verification", url.Values{"method": {"documents"}, "outcome": {"confirmed"}, "performed_by": {"Synthetic registry office"},
				"performed_on": {"10.01.2026"}, "notes": {"birth certificate matches"}, "evidence": {fmt.Sprint(atts[0].ID)}}},
		}
		for _, rec := range records {
			if r := worker.postForm(path+"/records/"+rec.kind, rec.form, "Accept-Language", "en"); r.status != http.StatusSeeOther {
				t.Fatalf("%s: status %d: %s", rec.kind, r.status, r.body)
			}
		}
		if r := worker.move(c.ID, "verified"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "approved by a second supervisor") {
			t.Fatalf("verified without approval: status %d", r.status)
		}
		vs, _ := e.workflow.FindVerifications(e.as("worker-a"), c.ID)
		if r := first.postForm(fmt.Sprintf("/verifications/%d/approve", vs[0].ID), url.Values{"version": {fmt.Sprint(vs[0].Version)}, "case": {fmt.Sprint(c.ID)}}); r.status != http.StatusSeeOther {
			t.Fatalf("approve: status %d: %s", r.status, r.body)
		}
		if r := worker.move(c.ID, "verified"); r.status != http.StatusSeeOther {
			t.Fatalf("to verified: status %d: %s", r.status, r.body)
		}
		// Listed is the seal of a list the case is on, with consent to
		// share; agreed needs the other side's answer.
		if r := worker.move(c.ID, "listed"); r.status != http.StatusUnprocessableEntity {
			t.Fatalf("listed without a sealed list: status %d", r.status)
		}
		list := e.sealedListOf(e.exchangeReady(), c)
		if got := e.caseNow(c.ID); got.Stage != homeward.StageListed {
			t.Fatalf("the seal left the case %s, want listed", got.Stage)
		}
		entry := e.entryOf(list, c.ID)
		if r := e.login("liaison-a").postForm(fmt.Sprintf("/entries/%d/answers", entry.ID), url.Values{"code": {"return_agreed"},
			"answered_on": {"25.01.2026"}, "their_ref": {"CP-0001"}}); r.status != http.StatusSeeOther {
			t.Fatalf("answer: status %d: %s", r.status, r.body)
		}
		steps := []struct {
			kind string
			form url.Values
			to   string
		}{
			{"best-interests", url.Values{"child_wishes": {"wants to go home"}, "assessment": {"family able to care"}, "panel": {"Panel member one\nPanel member two"},
				"decision": {"return"}, "decided_on": {"01.02.2026"}}, "agreed"},
			{"handover", url.Values{"handover_on": {"15.02.2026"}, "place": {"Synthetic border point"}, "third_country": {"Synthetic third country"},
				"escort": {"Synthetic escort"}, "from_country": {"RU"}, "to_country": {"UA"}}, "handed_over"},
			{"reunification", url.Values{"reunified_on": {"16.02.2026"}, "with_whom": {"Synthetic mother"}, "relation": {"mother"}, "proof": {"birth certificate"}}, "reunified"},
			{"follow-up", url.Values{"visited_on": {"01.03.2026"}, "visitor": {"Synthetic social worker"}, "findings": {"settling in"}, "risk_flags": {"trauma", "schooling"}}, "monitoring"},
		}
		for _, st := range steps {
			if st.kind != "" {
				if r := worker.postForm(path+"/records/"+st.kind, st.form, "Accept-Language", "en"); r.status != http.StatusSeeOther {
					t.Fatalf("%s: status %d: %s", st.kind, r.status, r.body)
				}
			}
			if r := worker.move(c.ID, st.to); r.status != http.StatusSeeOther {
				t.Fatalf("to %s: status %d: %s", st.to, r.status, r.body)
			}
		}
		if r := worker.move(c.ID, "closed", "close_reason", "reunified"); r.status != http.StatusForbidden {
			t.Errorf("a caseworker closing: status %d, want 403", r.status)
		}
		if r := first.move(c.ID, "closed", "close_reason", "reunified"); r.status != http.StatusSeeOther {
			t.Fatalf("close: status %d: %s", r.status, r.body)
		}
		if r := worker.get(fmt.Sprintf("/attachments/%d", atts[0].ID)); r.status != 200 || r.header.Get("Content-Type") != "image/png" || r.body != string(pngBytes) {
			t.Errorf("attachment: status %d, type %q", r.status, r.header.Get("Content-Type"))
		}
		if r := e.login("worker-b").get(fmt.Sprintf("/attachments/%d", atts[0].ID)); r.status != http.StatusNotFound && r.status != http.StatusForbidden {
			t.Errorf("another organisation opening the attachment: status %d", r.status)
		}
		page := worker.get(path, "Accept-Language", "en")
		for _, want := range []string{"Closed", "Synthetic registry office", "Approved by Test super-a", "Return to the family",
			"Synthetic border point", "RU → UA", "Synthetic mother", "Trauma", "Schooling", "certificate.png", atts[0].SHA256} {
			if !strings.Contains(page.body, want) {
				t.Errorf("case page lacks %q", want)
			}
		}
		hist := page.body[strings.Index(page.body, `id="history-h"`):]
		for _, want := range []string{"Match proposed", "Match confirmed", "Verification recorded", "Verification approved",
			"Best-interests determination recorded", "Handover recorded", "Reunification recorded", "Follow-up visit recorded",
			"Attachment added", "Attachment opened", "Put on a return list", "Return list sealed", "Answer recorded", "Return agreed",
			"<td>Monitoring</td><td>Closed</td>"} {
			if !strings.Contains(hist, want) {
				t.Errorf("timeline lacks %q", want)
			}
		}
		if n, err := store.NewEventService(e.db).VerifyChain(e.sys); err != nil || n == 0 {
			t.Errorf("the event chain does not verify after the way home: %d events, %v", n, err)
		}
	})
}

func TestCaseListCountsStagesAndShowsWorkWaiting(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ready := e.tracedCase("worker-a", "Vira", "Readyenko", false)
		e.newCase("worker-a", "Nadiia", "Waitenko")
		cl := e.login("worker-a")
		r := cl.get("/cases", "Accept-Language", "en")
		counts := r.body[strings.Index(r.body, `id="stage-counts"`):]
		if !strings.Contains(counts, "Registered</span> <strong>2</strong>") {
			t.Errorf("the counts do not show two registered cases")
		}
		waiting := r.body[strings.Index(r.body, `id="waiting-h"`):]
		waiting = waiting[:strings.Index(waiting, "</section>")]
		if !strings.Contains(waiting, ready.Reference+" can move to the next stage") || strings.Count(waiting, "<li>") != 1 {
			t.Errorf("waiting on me does not list just the case with consent:\n%s", waiting)
		}
	})
}

func TestAPICarriesAMatchDecisionAndTheWorkflow(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.tracedCase("worker-a", "Oleksandr", "Apienko", false)
		m := e.candidate(c, e.located("worker-a", "Aleksandr", "Apienko", ""), 0.9)
		cl := e.client()
		one, two := []string{"Authorization", "Bearer " + e.token("super-a")}, []string{"Authorization", "Bearer " + e.token("super-a2")}
		call := func(method, path, body string, auth []string) (response, map[string]any) {
			t.Helper()
			var rd *strings.Reader
			ct := ""
			if body != "" {
				rd, ct = strings.NewReader(body), "application/json"
			} else {
				rd = strings.NewReader("")
			}
			r := cl.send(method, "/api/v1"+path, ct, rd, auth...)
			var out map[string]any
			json.Unmarshal([]byte(r.body), &out)
			return r, out
		}
		if r, out := call("GET", "/matches?min=0.5", "", one); r.status != 200 || out["total"] != float64(1) {
			t.Fatalf("review queue: status %d: %s", r.status, r.body)
		}
		if r, out := call("POST", fmt.Sprintf("/matches/%d/decisions", m.ID), fmt.Sprintf(`{"action":"confirm","version":%d}`, m.Version), one); r.status != 200 || out["status"] != "proposed" {
			t.Fatalf("propose: status %d: %s", r.status, r.body)
		}
		if r, _ := call("POST", fmt.Sprintf("/matches/%d/decisions", m.ID), fmt.Sprintf(`{"action":"confirm","version":%d}`, m.Version+1), one); r.status != 403 {
			t.Errorf("the proposer confirming: status %d, want 403", r.status)
		}
		if r, out := call("POST", fmt.Sprintf("/matches/%d/decisions", m.ID), fmt.Sprintf(`{"action":"confirm","version":%d}`, m.Version+1), two); r.status != 200 || out["status"] != "confirmed" {
			t.Fatalf("confirm: status %d: %s", r.status, r.body)
		}
		if r, out := call("GET", fmt.Sprintf("/matches/%d/history", m.ID), "", one); r.status != 200 || len(out["items"].([]any)) != 2 {
			t.Errorf("history: status %d: %s", r.status, r.body)
		}
		if r, out := call("GET", fmt.Sprintf("/cases/%d/matches", c.ID), "", one); r.status != 200 || out["total"] != float64(1) {
			t.Errorf("matches of the case: status %d: %s", r.status, r.body)
		}
		r, out := call("GET", fmt.Sprintf("/cases/%d/workflow", c.ID), "", one)
		if r.status != 200 || out["stage"] != "registered" || len(out["next"].([]any)) == 0 {
			t.Fatalf("workflow: status %d: %s", r.status, r.body)
		}
		version := int(out["version"].(float64))
		if r, _ := call("POST", fmt.Sprintf("/cases/%d/transitions", c.ID), fmt.Sprintf(`{"to":"located","version":%d}`, version), one); r.status != 422 {
			t.Errorf("registered → located: status %d, want 422", r.status)
		}
		for _, to := range []string{"tracing", "located"} {
			r, out := call("POST", fmt.Sprintf("/cases/%d/transitions", c.ID), fmt.Sprintf(`{"to":%q,"version":%d}`, to, version), one)
			if r.status != 200 || out["stage"] != to {
				t.Fatalf("to %s: status %d: %s", to, r.status, r.body)
			}
			version = int(out["version"].(float64))
		}
		r = cl.send("POST", fmt.Sprintf("/api/v1/cases/%d/attachments?filename=photo.png", c.ID), "image/png", bytes.NewReader(pngBytes), one...)
		var att homeward.Attachment
		if json.Unmarshal([]byte(r.body), &att); r.status != 201 || att.SHA256 == "" {
			t.Fatalf("attachment: status %d: %s", r.status, r.body)
		}
		if r := cl.send("GET", fmt.Sprintf("/api/v1/attachments/%d/content", att.ID), "", nil, two...); r.status != 200 || r.body != string(pngBytes) {
			t.Errorf("attachment content: status %d", r.status)
		}
		r, out = call("POST", fmt.Sprintf("/cases/%d/verifications", c.ID), fmt.Sprintf(`{"method":"photo_comparison","outcome":"confirmed","performed_by":"Synthetic expert","performed_on":"2026-01-12","attachment_ids":[%d]}`, att.ID), one)
		if r.status != 201 {
			t.Fatalf("verification: status %d: %s", r.status, r.body)
		}
		vid := int64(out["id"].(float64))
		if r, _ := call("POST", fmt.Sprintf("/verifications/%d/approval", vid), `{"version":1}`, one); r.status != 403 {
			t.Errorf("approval by the recorder: status %d, want 403", r.status)
		}
		if r, out := call("POST", fmt.Sprintf("/verifications/%d/approval", vid), `{"version":1}`, two); r.status != 200 || out["approved_by"] == nil {
			t.Errorf("approval: status %d: %s", r.status, r.body)
		}
		if r, _ := call("POST", fmt.Sprintf("/cases/%d/handovers", c.ID), `{"handover_on":"2026-02-01","place":"x"}`, one); r.status != 422 {
			t.Errorf("incomplete handover: status %d, want 422", r.status)
		}
		for _, path := range []string{"verifications", "best-interests", "handovers", "reunifications", "follow-ups", "attachments"} {
			if r, out := call("GET", fmt.Sprintf("/cases/%d/%s", c.ID, path), "", one); r.status != 200 || out["items"] == nil {
				t.Errorf("%s: status %d: %s", path, r.status, r.body)
			}
		}
		if r, out := call("GET", "/cases/counts", "", one); r.status != 200 || len(out["items"].([]any)) != len(homeward.Stages) {
			t.Errorf("counts: status %d: %s", r.status, r.body)
		}
		if r, _ := call("GET", "/me/waiting", "", one); r.status != 200 {
			t.Errorf("waiting: status %d: %s", r.status, r.body)
		}
	})
}
