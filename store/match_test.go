package store

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
)

// asUser is an actor with a chosen user ID, for a second person of the same role.
func asUser(org, user int64, role homeward.Role) context.Context {
	return homeward.NewContextWithActor(context.Background(), homeward.Actor{UserID: user, OrgID: org, Role: role})
}

// pairWorld is one case and one located record of organisation A, and the
// candidate pair between them saved by the system.
type pairWorld struct {
	world
	db      *DB
	matches *MatchService
	caseID  int64
	locID   int64
	m       *homeward.Match
}

func candidate(caseID, locID int64, p float64, caseHash, locHash string) homeward.Match {
	return homeward.Match{
		CaseID: caseID, LocatedID: locID, Probability: p, Weight: 7.5, Model: "model-1",
		Explanation: []homeward.MatchEvidence{
			{Comparison: "given name", Level: "equivalent", Weight: 4.1, Reason: "Александр is the Russian form of Олександр"},
			{Comparison: "birth date", Level: "day and month swapped", Weight: 2.2},
		},
		CaseFieldsHash: caseHash, LocatedFieldsHash: locHash,
	}
}

func newPairWorld(t *testing.T, db *DB) pairWorld {
	t.Helper()
	w := newWorld(t, db)
	worker := w.as(w.orgA, homeward.RoleCaseworker)
	c := &homeward.Case{GivenName: "Олександр", FamilyName: "Пробний", Consents: homeward.Consents{Tracing: true}}
	mustNil(t, NewCaseService(db).CreateCase(worker, c))
	l := &homeward.LocatedRecord{GivenName: "Александр", FamilyName: "Пробный"}
	mustNil(t, NewLocatedService(db).CreateLocated(worker, l))
	ms := NewMatchService(db)
	created, updated, err := ms.SaveCandidates(w.sys, []homeward.Match{candidate(c.ID, l.ID, 0.93, "c1", "l1")})
	mustNil(t, err)
	if created != 1 || updated != 0 {
		t.Fatalf("SaveCandidates = %d created, %d updated; want 1, 0", created, updated)
	}
	got, n, err := ms.FindMatches(w.sys, homeward.MatchFilter{CaseID: c.ID})
	mustNil(t, err)
	if n != 1 || len(got) != 1 {
		t.Fatalf("FindMatches found %d, want 1", n)
	}
	return pairWorld{world: w, db: db, matches: ms, caseID: c.ID, locID: l.ID, m: got[0]}
}

func (p pairWorld) decide(t *testing.T, ctx context.Context, d homeward.MatchDecision) *homeward.Match {
	t.Helper()
	m, err := p.matches.FindMatchByID(p.sys, p.m.ID)
	mustNil(t, err)
	d.Version = m.Version
	m, err = p.matches.Decide(ctx, p.m.ID, d)
	if err != nil {
		t.Fatalf("Decide(%s): %v", d.Action, err)
	}
	return m
}

func TestSavedCandidateRoundTrips(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		p := newPairWorld(t, db)
		m := p.m
		want := candidate(p.caseID, p.locID, 0.93, "c1", "l1")
		if m.Status != homeward.MatchCandidate || m.OrgID != p.orgA || m.Version != 1 || m.Probability != want.Probability ||
			m.Weight != want.Weight || m.Model != want.Model || m.CaseFieldsHash != "c1" || m.LocatedFieldsHash != "l1" {
			t.Fatalf("stored match = %+v", m)
		}
		if len(m.Explanation) != 2 || !reflect.DeepEqual(m.Explanation[0], want.Explanation[0]) {
			t.Fatalf("explanation = %+v, want %+v", m.Explanation, want.Explanation)
		}
		evs, err := NewEventService(db).FindEvents(p.sys, homeward.EventFilter{EntityType: homeward.EntityCase, EntityID: p.caseID})
		mustNil(t, err)
		if evs[0].Action != homeward.ActionMatchCandidate {
			t.Fatalf("last case event = %s, want %s", evs[0].Action, homeward.ActionMatchCandidate)
		}
	})
}

func TestMatchConfirmationNeedsTwoSupervisors(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		p := newPairWorld(t, db)
		sup := p.as(p.orgA, homeward.RoleSupervisor)
		admin := p.as(p.orgA, homeward.RoleAdmin)
		worker := p.as(p.orgA, homeward.RoleCaseworker)

		_, err := p.matches.Decide(worker, p.m.ID, homeward.MatchDecision{Action: homeward.MatchConfirm, Version: p.m.Version})
		wantCode(t, err, homeward.EFORBIDDEN)

		m := p.decide(t, sup, homeward.MatchDecision{Action: homeward.MatchConfirm, Note: "same scar"})
		if m.Status != homeward.MatchProposed || m.ProposedBy == 0 {
			t.Fatalf("after the first confirmation status = %s proposed by %d, want proposed", m.Status, m.ProposedBy)
		}

		_, err = p.matches.Decide(sup, p.m.ID, homeward.MatchDecision{Action: homeward.MatchConfirm, Version: m.Version})
		wantCode(t, err, homeward.EFORBIDDEN)
		if !strings.Contains(homeward.ErrorMessage(err), "four-eyes") {
			t.Fatalf("refusal %q does not name the four-eyes rule", homeward.ErrorMessage(err))
		}
		_, err = p.matches.Decide(worker, p.m.ID, homeward.MatchDecision{Action: homeward.MatchConfirm, Version: m.Version})
		wantCode(t, err, homeward.EFORBIDDEN)
		_, err = p.matches.Decide(admin, p.m.ID, homeward.MatchDecision{Action: homeward.MatchConfirm, Version: m.Version - 1})
		wantCode(t, err, homeward.ECONFLICT)

		m = p.decide(t, admin, homeward.MatchDecision{Action: homeward.MatchConfirm})
		if m.Status != homeward.MatchConfirmed {
			t.Fatalf("after the second supervisor status = %s, want confirmed", m.Status)
		}
		stored, err := p.matches.FindMatchByID(sup, p.m.ID)
		mustNil(t, err)
		if stored.Status != homeward.MatchConfirmed || stored.Version != m.Version {
			t.Fatalf("stored match %+v differs from the returned one %+v", stored, m)
		}
	})
}

func TestRejectedCandidateStaysRejectedUntilACompareFieldChanges(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		p := newPairWorld(t, db)
		_, err := p.matches.Decide(p.as(p.orgA, homeward.RoleSupervisor), p.m.ID,
			homeward.MatchDecision{Action: homeward.MatchReject, Version: p.m.Version})
		wantCode(t, err, homeward.EINVALID) // no reason

		p.decide(t, p.as(p.orgA, homeward.RoleCaseworker), homeward.MatchDecision{
			Action: homeward.MatchReject, Reason: homeward.RejectDifferentFamily, Note: "mother's name differs"})

		// A restart: the matcher rebuilds its index from a fresh connection
		// and saves the same pair again, rescored but with the same fields.
		again := reopen(t, db)
		defer again.Close()
		ms := NewMatchService(again)
		created, updated, err := ms.SaveCandidates(p.sys, []homeward.Match{candidate(p.caseID, p.locID, 0.97, "c1", "l1")})
		mustNil(t, err)
		if created != 0 || updated != 0 {
			t.Fatalf("re-saving a rejected pair: %d created, %d updated; want none", created, updated)
		}
		m, err := ms.FindMatchByID(p.sys, p.m.ID)
		mustNil(t, err)
		if m.Status != homeward.MatchRejected || m.Reason != homeward.RejectDifferentFamily || m.Probability != 0.93 {
			t.Fatalf("after re-saving the same fields: %+v, want rejected and untouched", m)
		}
		undecided, _, err := ms.FindMatches(p.sys, homeward.MatchFilter{Status: []homeward.MatchStatus{homeward.MatchCandidate}})
		mustNil(t, err)
		if len(undecided) != 0 {
			t.Fatalf("the review queue offers %d candidates, want 0", len(undecided))
		}

		// The located record was corrected in a compared field.
		created, updated, err = ms.SaveCandidates(p.sys, []homeward.Match{candidate(p.caseID, p.locID, 0.97, "c1", "l2")})
		mustNil(t, err)
		if created != 0 || updated != 1 {
			t.Fatalf("re-saving with a changed field: %d created, %d updated; want 0, 1", created, updated)
		}
		m, err = ms.FindMatchByID(p.sys, p.m.ID)
		mustNil(t, err)
		if m.Status != homeward.MatchCandidate || m.Reason != "" || m.Probability != 0.97 || m.LocatedFieldsHash != "l2" {
			t.Fatalf("after a compared field changed: %+v, want a rescored candidate", m)
		}
		h, err := ms.MatchHistory(p.sys, p.m.ID)
		mustNil(t, err)
		if len(h) != 2 || h[0].Action != homeward.MatchReject || h[1].Action != homeward.MatchReopen || h[1].From != homeward.MatchRejected {
			t.Fatalf("history = %+v, want the rejection then the reopening", h)
		}
	})
}

func TestSaveCandidatesKeepsDecisionsAndRescores(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		p := newPairWorld(t, db)
		p.decide(t, p.as(p.orgA, homeward.RoleSupervisor), homeward.MatchDecision{Action: homeward.MatchPropose})
		before := eventCount(t, db)
		_, updated, err := p.matches.SaveCandidates(p.sys, []homeward.Match{candidate(p.caseID, p.locID, 0.95, "c2", "l1")})
		mustNil(t, err)
		if got := eventCount(t, db) - before; got != 1 {
			t.Fatalf("rescoring appended %d events, want 1", got)
		}
		// Reading the match records views of its case and located record.
		m, err := p.matches.FindMatchByID(p.sys, p.m.ID)
		mustNil(t, err)
		if updated != 1 || m.Status != homeward.MatchProposed || m.Probability != 0.95 || m.CaseFieldsHash != "c2" {
			t.Fatalf("rescoring a proposed pair: updated %d, match %+v; want it proposed with the new score", updated, m)
		}
		before = eventCount(t, db)
		_, updated, err = p.matches.SaveCandidates(p.sys, []homeward.Match{candidate(p.caseID, p.locID, 0.95, "c2", "l1")})
		mustNil(t, err)
		if updated != 0 || eventCount(t, db)-before != 0 {
			t.Fatalf("saving an unchanged pair updated %d and appended events", updated)
		}
	})
}

func TestRevokedDecisionStaysInHistory(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		p := newPairWorld(t, db)
		sup := p.as(p.orgA, homeward.RoleSupervisor)
		admin := p.as(p.orgA, homeward.RoleAdmin)
		p.decide(t, sup, homeward.MatchDecision{Action: homeward.MatchPropose})
		p.decide(t, admin, homeward.MatchDecision{Action: homeward.MatchConfirm})
		_, err := p.matches.Decide(sup, p.m.ID, homeward.MatchDecision{Action: homeward.MatchRevoke, Version: 3})
		wantCode(t, err, homeward.EINVALID) // a revocation needs its reason
		_, err = p.matches.Decide(p.as(p.orgA, homeward.RoleCaseworker), p.m.ID, homeward.MatchDecision{Action: homeward.MatchRevoke, Note: "x", Version: 3})
		wantCode(t, err, homeward.EFORBIDDEN)
		m := p.decide(t, sup, homeward.MatchDecision{Action: homeward.MatchRevoke, Note: "DNA refuted the identity"})
		if m.Status != homeward.MatchCandidate || m.ProposedBy != 0 {
			t.Fatalf("after revocation: %+v, want an undecided candidate", m)
		}
		h, err := p.matches.MatchHistory(sup, p.m.ID)
		mustNil(t, err)
		want := []homeward.MatchAction{homeward.MatchPropose, homeward.MatchConfirm, homeward.MatchRevoke}
		if len(h) != len(want) {
			t.Fatalf("history has %d entries, want %d", len(h), len(want))
		}
		for i, e := range h {
			if e.Action != want[i] || e.ActorID == 0 || e.At.IsZero() {
				t.Errorf("history[%d] = %+v, want action %s with who and when", i, e, want[i])
			}
		}
		if h[2].From != homeward.MatchConfirmed || h[2].To != homeward.MatchCandidate || h[2].Note != "DNA refuted the identity" {
			t.Fatalf("revocation entry = %+v", h[2])
		}
		evs, err := NewEventService(db).FindEvents(sup, homeward.EventFilter{EntityType: homeward.EntityCase, EntityID: p.caseID})
		mustNil(t, err)
		if evs[0].Action != homeward.ActionMatchRevoke || !strings.Contains(string(evs[0].Data), `"from":"confirmed"`) {
			t.Fatalf("last case event = %s %s, want the revocation", evs[0].Action, evs[0].Data)
		}
	})
}

func TestFindMatchesScopesAndOrdersBestFirst(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		p := newPairWorld(t, db)
		worker := p.as(p.orgA, homeward.RoleCaseworker)
		l2 := &homeward.LocatedRecord{GivenName: "Саша", FamilyName: "Пробная"}
		mustNil(t, NewLocatedService(db).CreateLocated(worker, l2))
		_, _, err := p.matches.SaveCandidates(worker, []homeward.Match{candidate(p.caseID, l2.ID, 0.99, "c1", "x")})
		mustNil(t, err)

		got, total, err := p.matches.FindMatches(worker, homeward.MatchFilter{CaseID: p.caseID})
		mustNil(t, err)
		if total != 2 || got[0].LocatedID != l2.ID || got[1].LocatedID != p.locID {
			t.Fatalf("FindMatches = %d matches, first located %d; want 2 with the better one first", total, got[0].LocatedID)
		}
		got, _, err = p.matches.FindMatches(worker, homeward.MatchFilter{MinProbability: 0.95})
		mustNil(t, err)
		if len(got) != 1 || got[0].LocatedID != l2.ID {
			t.Fatalf("FindMatches above 0.95 = %d matches, want the one at 0.99", len(got))
		}
		got, _, err = p.matches.FindMatches(worker, homeward.MatchFilter{LocatedID: p.locID})
		mustNil(t, err)
		if len(got) != 1 || got[0].CaseID != p.caseID {
			t.Fatalf("FindMatches by located record = %d matches, want 1", len(got))
		}

		other := p.as(p.orgB, homeward.RoleSupervisor)
		got, total, err = p.matches.FindMatches(other, homeward.MatchFilter{})
		mustNil(t, err)
		if total != 0 || len(got) != 0 {
			t.Fatalf("another organisation sees %d matches, want 0", total)
		}
		_, err = p.matches.FindMatchByID(other, p.m.ID)
		wantCode(t, err, homeward.ENOTFOUND)
		_, _, err = p.matches.FindMatches(p.as(p.orgA, homeward.RoleAnalyst), homeward.MatchFilter{})
		wantCode(t, err, homeward.EFORBIDDEN)
		_, _, err = p.matches.SaveCandidates(other, []homeward.Match{candidate(p.caseID, p.locID, 0.5, "", "")})
		wantCode(t, err, homeward.ENOTFOUND)
	})
}

func TestDecisionOnASharedCaseBelongsToItsOrganisation(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		p := newPairWorld(t, db)
		mustNil(t, NewCaseService(db).ShareCase(p.as(p.orgA, homeward.RoleCaseworker), p.caseID, p.orgB))
		mustNil(t, NewLocatedService(db).ShareLocated(p.as(p.orgA, homeward.RoleCaseworker), p.locID, p.orgB))
		other := p.as(p.orgB, homeward.RoleSupervisor)
		m, err := p.matches.FindMatchByID(other, p.m.ID)
		mustNil(t, err)
		_, err = p.matches.Decide(other, m.ID, homeward.MatchDecision{Action: homeward.MatchPropose, Version: m.Version})
		wantCode(t, err, homeward.EFORBIDDEN)
	})
}

func TestSaveCandidatesTakesTheLastScoreOfAPairGivenTwice(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		p := newPairWorld(t, db)
		l := &homeward.LocatedRecord{GivenName: "Олесь"}
		mustNil(t, NewLocatedService(db).CreateLocated(p.as(p.orgA, homeward.RoleCaseworker), l))
		created, updated, err := p.matches.SaveCandidates(p.sys, []homeward.Match{
			candidate(p.caseID, l.ID, 0.6, "c1", "a"), candidate(p.caseID, l.ID, 0.7, "c1", "b"),
		})
		mustNil(t, err)
		got, _, err := p.matches.FindMatches(p.sys, homeward.MatchFilter{LocatedID: l.ID})
		mustNil(t, err)
		if created != 1 || updated != 0 || len(got) != 1 || got[0].Probability != 0.7 || got[0].LocatedFieldsHash != "b" {
			t.Fatalf("created %d updated %d, matches %+v; want one pair at 0.7", created, updated, got)
		}
		_, _, err = p.matches.SaveCandidates(p.sys, []homeward.Match{candidate(p.caseID, 9999, 0.6, "", "")})
		wantCode(t, err, homeward.ENOTFOUND)
		_, _, err = p.matches.SaveCandidates(p.sys, []homeward.Match{candidate(p.caseID, l.ID, 1.5, "", "")})
		wantCode(t, err, homeward.EINVALID)
	})
}

func TestReviewQueueShowsProposalsAwaitingASecondSupervisor(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		p := newPairWorld(t, db)
		sup := p.as(p.orgA, homeward.RoleSupervisor)
		admin := p.as(p.orgA, homeward.RoleAdmin)
		p.decide(t, sup, homeward.MatchDecision{Action: homeward.MatchPropose})
		awaiting := func(ctx context.Context) int {
			a := homeward.ActorFromContext(ctx)
			_, n, err := p.matches.FindMatches(ctx, homeward.MatchFilter{Status: []homeward.MatchStatus{homeward.MatchProposed}, NotProposedBy: a.UserID})
			mustNil(t, err)
			return n
		}
		if got := awaiting(sup); got != 0 {
			t.Fatalf("the proposer has %d proposals waiting on them, want 0", got)
		}
		if got := awaiting(admin); got != 1 {
			t.Fatalf("the second supervisor has %d proposals waiting on them, want 1", got)
		}
	})
}
