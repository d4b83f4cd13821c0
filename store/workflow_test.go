package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
)

// move transitions the case and fails the test on a refusal.
func (p pairWorld) move(t *testing.T, wf *WorkflowService, ctx context.Context, to homeward.Stage, reason homeward.CloseReason) *homeward.Case {
	t.Helper()
	p.sameFactsInBatch(t, wf, ctx)
	c, err := wf.Transition(ctx, p.caseID, to, p.version(t), reason)
	if err != nil {
		t.Fatalf("Transition to %s: %v", to, err)
	}
	if c.Stage != to {
		t.Fatalf("Transition to %s left the case at %s", to, c.Stage)
	}
	return c
}

// refused checks that a move is refused with code and a message naming the
// missing condition.
func (p pairWorld) refused(t *testing.T, wf *WorkflowService, ctx context.Context, to homeward.Stage, code, says string) {
	t.Helper()
	_, err := wf.Transition(ctx, p.caseID, to, p.version(t), "")
	wantCode(t, err, code)
	if !strings.Contains(homeward.ErrorMessage(err), says) {
		t.Fatalf("refusal %q does not say %q", homeward.ErrorMessage(err), says)
	}
}

// sameFactsInBatch checks that the batched facts of the case are the facts
// the guards read one case at a time; the walk through the workflow sets
// each of them in turn.
func (p pairWorld) sameFactsInBatch(t *testing.T, wf *WorkflowService, ctx context.Context) {
	t.Helper()
	one, err := wf.Facts(ctx, p.caseID)
	mustNil(t, err)
	many, err := wf.FactsForCases(ctx, []int64{p.caseID, p.caseID})
	mustNil(t, err)
	if len(many) != 1 || many[p.caseID] != one {
		t.Fatalf("FactsForCases = %+v, want only %+v", many, one)
	}
}

func (p pairWorld) version(t *testing.T) int {
	t.Helper()
	var v int
	mustNil(t, p.db.db.QueryRow(`SELECT version FROM cases WHERE id = $1`, p.caseID).Scan(&v))
	return v
}

func day(d int) homeward.Date { return homeward.NewDate(2026, time.March, d) }

// TestWorkflowCarriesACaseHomeThroughEveryGuard walks one case from
// registration to closing, trying each stage before its condition is met,
// and checks that the event log still verifies.
func TestWorkflowCarriesACaseHomeThroughEveryGuard(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		p := newPairWorld(t, db)
		wf := NewWorkflowService(db)
		worker := p.as(p.orgA, homeward.RoleCaseworker)
		sup := p.as(p.orgA, homeward.RoleSupervisor)
		admin := p.as(p.orgA, homeward.RoleAdmin)
		inv := homeward.EINVALID

		p.move(t, wf, worker, homeward.StageTracing, "")
		p.refused(t, wf, worker, homeward.StageVerified, inv, "cannot move from tracing to verified")
		p.refused(t, wf, worker, homeward.StageLocated, inv, "confirmed match")
		p.decide(t, sup, homeward.MatchDecision{Action: homeward.MatchConfirm})
		p.refused(t, wf, worker, homeward.StageLocated, inv, "confirmed match") // proposed is not enough
		p.decide(t, admin, homeward.MatchDecision{Action: homeward.MatchConfirm})
		p.move(t, wf, worker, homeward.StageLocated, "")

		p.refused(t, wf, worker, homeward.StageVerified, inv, "at least one verification record")
		v := &homeward.Verification{CaseID: p.caseID, Method: homeward.VerifyDNA, Outcome: homeward.OutcomeConfirmed,
			PerformedBy: "synthetic laboratory", PerformedOn: day(2)}
		mustNil(t, wf.AddVerification(sup, v))
		p.refused(t, wf, worker, homeward.StageVerified, inv, "approved by a second supervisor")
		_, err := wf.ApproveVerification(worker, v.ID, v.Version)
		wantCode(t, err, homeward.EFORBIDDEN)
		_, err = wf.ApproveVerification(sup, v.ID, v.Version)
		wantCode(t, err, homeward.EFORBIDDEN)
		if !strings.Contains(homeward.ErrorMessage(err), "four-eyes") {
			t.Fatalf("self-approval refusal %q does not name the four-eyes rule", homeward.ErrorMessage(err))
		}
		av, err := wf.ApproveVerification(admin, v.ID, v.Version)
		mustNil(t, err)
		if !av.Approved() || av.ApprovedBy == av.RecordedBy {
			t.Fatalf("approved verification = %+v", av)
		}
		_, err = wf.ApproveVerification(admin, v.ID, av.Version)
		wantCode(t, err, homeward.EINVALID) // already approved
		p.move(t, wf, worker, homeward.StageVerified, "")

		p.refused(t, wf, worker, homeward.StageListed, inv, "consent to share")
		cases := NewCaseService(db)
		c, err := cases.FindCaseByID(worker, p.caseID)
		mustNil(t, err)
		c.Consents.ShareMediator = true
		mustNil(t, cases.UpdateCase(worker, c))
		p.refused(t, wf, worker, homeward.StageListed, inv, "return list sealed by a second supervisor")
		// Sealing a list with the case on it lists the case.
		x := exchangeOn(t, db, p.world)
		l := x.sealedList(t, c)
		if got := x.stage(t, p.caseID); got != homeward.StageListed {
			t.Fatalf("case at %s after its list was sealed, want listed", got)
		}
		p.sameFactsInBatch(t, wf, worker)

		p.refused(t, wf, worker, homeward.StageAgreed, inv, "return agreed")
		mustNil(t, x.lists.RecordAnswer(x.liaison, x.entries(t, l.ID)[0].ID, &homeward.Answer{Code: homeward.AnswerReturnAgreed, On: day(4)}))
		p.refused(t, wf, worker, homeward.StageAgreed, inv, "best-interests")
		bi := &homeward.BestInterests{CaseID: p.caseID, ChildWishes: "wants to go home", Assessment: "no risk found",
			Panel: []string{"Panel Member One", " ", "Panel Member Two"}, Decision: homeward.BestInterestsReturn, DecidedOn: day(5)}
		mustNil(t, wf.SaveBestInterests(worker, bi))
		p.move(t, wf, worker, homeward.StageAgreed, "")

		p.refused(t, wf, worker, homeward.StageHandedOver, inv, "handover record")
		h := &homeward.Handover{CaseID: p.caseID, HandoverOn: day(10), Place: "synthetic border post", ThirdCountry: "Belarus",
			Escort: "mediator's officer", FromCountry: "RU", ToCountry: "UA"}
		mustNil(t, wf.RecordHandover(worker, h))
		p.move(t, wf, worker, homeward.StageHandedOver, "")

		p.refused(t, wf, worker, homeward.StageReunified, inv, "reunification record")
		r := &homeward.Reunification{CaseID: p.caseID, ReunifiedOn: day(11), WithWhom: "the mother", Relation: "mother", Proof: "birth certificate"}
		mustNil(t, wf.RecordReunification(worker, r))
		p.move(t, wf, worker, homeward.StageReunified, "")

		p.refused(t, wf, worker, homeward.StageMonitoring, inv, "follow-up visit")
		fu := &homeward.FollowUp{CaseID: p.caseID, VisitedOn: day(25), Visitor: "caseworker", Findings: "settled at school",
			RiskFlags: []homeward.RiskFlag{homeward.RiskTrauma, homeward.RiskSchooling, homeward.RiskTrauma}}
		mustNil(t, wf.AddFollowUp(worker, fu))
		p.move(t, wf, worker, homeward.StageMonitoring, "")

		_, err = wf.Transition(worker, p.caseID, homeward.StageClosed, p.version(t), homeward.CloseReunified)
		wantCode(t, err, homeward.EFORBIDDEN)
		_, err = wf.Transition(sup, p.caseID, homeward.StageClosed, p.version(t), "")
		wantCode(t, err, homeward.EINVALID)
		_, err = wf.Transition(sup, p.caseID, homeward.StageClosed, p.version(t)-1, homeward.CloseReunified)
		wantCode(t, err, homeward.ECONFLICT)
		closed := p.move(t, wf, sup, homeward.StageClosed, homeward.CloseReunified)
		if closed.CloseReason != homeward.CloseReunified {
			t.Fatalf("closed case reason = %q", closed.CloseReason)
		}
		p.move(t, wf, sup, homeward.StageReopened, "")
		reopened, err := cases.FindCaseByID(sup, p.caseID)
		mustNil(t, err)
		if reopened.Stage != homeward.StageReopened || reopened.CloseReason != "" {
			t.Fatalf("reopened case = %s %q, want reopened without a close reason", reopened.Stage, reopened.CloseReason)
		}
		p.move(t, wf, worker, homeward.StageTracing, "")

		// Every step is in the case's timeline.
		evs, err := NewEventService(db).FindEvents(sup, homeward.EventFilter{EntityType: homeward.EntityCase, EntityID: p.caseID, Limit: 200})
		mustNil(t, err)
		seen := map[string]int{}
		for _, e := range evs {
			seen[e.Action]++
		}
		for action, n := range map[string]int{
			homeward.ActionTransition: 11, homeward.ActionMatchPropose: 1, homeward.ActionMatchConfirm: 1,
			homeward.ActionVerificationAdd: 1, homeward.ActionVerificationApprove: 1, homeward.ActionBestInterests: 1,
			homeward.ActionHandover: 1, homeward.ActionReunification: 1, homeward.ActionFollowUp: 1,
		} {
			if seen[action] != n {
				t.Errorf("timeline has %d %s events, want %d", seen[action], action, n)
			}
		}
		n, err := NewEventService(db).VerifyChain(p.sys)
		if err != nil {
			t.Fatalf("VerifyChain after the workflow: %v", err)
		}
		if n != eventCount(t, db) {
			t.Fatalf("VerifyChain checked %d events of %d", n, eventCount(t, db))
		}

		// The records read back as written.
		vs, err := wf.FindVerifications(worker, p.caseID)
		mustNil(t, err)
		if len(vs) != 1 || !vs[0].Approved() || vs[0].PerformedOn != day(2) || vs[0].Method != homeward.VerifyDNA {
			t.Fatalf("verifications = %+v", vs)
		}
		bis, err := wf.FindBestInterests(worker, p.caseID)
		mustNil(t, err)
		if len(bis) != 1 || len(bis[0].Panel) != 2 || bis[0].Decision != homeward.BestInterestsReturn {
			t.Fatalf("best-interests records = %+v", bis)
		}
		hs, err := wf.FindHandovers(worker, p.caseID)
		mustNil(t, err)
		if len(hs) != 1 || *hs[0] != *h {
			t.Fatalf("handovers = %+v, want %+v", hs[0], h)
		}
		rs, err := wf.FindReunifications(worker, p.caseID)
		mustNil(t, err)
		if len(rs) != 1 || *rs[0] != *r {
			t.Fatalf("reunifications = %+v, want %+v", rs[0], r)
		}
		fus, err := wf.FindFollowUps(worker, p.caseID)
		mustNil(t, err)
		if len(fus) != 1 || len(fus[0].RiskFlags) != 2 || fus[0].Findings != fu.Findings {
			t.Fatalf("follow-ups = %+v", fus)
		}
	})
}

func TestWorkflowRecordsRefuseOtherOrganisationsAndBadInput(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		p := newPairWorld(t, db)
		wf := NewWorkflowService(db)
		mustNil(t, NewCaseService(db).ShareCase(p.as(p.orgA, homeward.RoleCaseworker), p.caseID, p.orgB))
		good := homeward.Handover{CaseID: p.caseID, HandoverOn: day(1), Place: "p", Route: "r", Escort: "e", FromCountry: "UA", ToCountry: "RU"}
		tests := []struct {
			name string
			ctx  context.Context
			h    homeward.Handover
			code string
		}{
			{"shared organisation reads but may not record", p.as(p.orgB, homeward.RoleSupervisor), good, homeward.EFORBIDDEN},
			{"analyst may not record", p.as(p.orgA, homeward.RoleAnalyst), good, homeward.EFORBIDDEN},
			{"liaison may not record", p.as(p.orgA, homeward.RoleLiaison), good, homeward.EFORBIDDEN},
			{"unknown case", p.as(p.orgA, homeward.RoleCaseworker), func() homeward.Handover { h := good; h.CaseID = 999; return h }(), homeward.ENOTFOUND},
			{"no route nor third country", p.as(p.orgA, homeward.RoleCaseworker), func() homeward.Handover { h := good; h.Route = ""; return h }(), homeward.EINVALID},
			{"same country both ways", p.as(p.orgA, homeward.RoleCaseworker), func() homeward.Handover { h := good; h.ToCountry = "ua"; return h }(), homeward.EINVALID},
		}
		before := eventCount(t, db)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h := tt.h
				wantCode(t, wf.RecordHandover(tt.ctx, &h), tt.code)
			})
		}
		if got := eventCount(t, db); got != before {
			t.Fatalf("refused records appended %d events", got-before)
		}
		_, err := wf.Transition(p.as(p.orgB, homeward.RoleSupervisor), p.caseID, homeward.StageTracing, 1, "")
		wantCode(t, err, homeward.EFORBIDDEN)
		hs, err := wf.FindHandovers(p.as(p.orgB, homeward.RoleSupervisor), p.caseID)
		mustNil(t, err)
		if len(hs) != 0 {
			t.Fatalf("found %d handovers, want none", len(hs))
		}
		_, err = wf.FindHandovers(p.as(p.orgA, homeward.RoleAnalyst), p.caseID)
		wantCode(t, err, homeward.EFORBIDDEN)
	})
}

func TestCaseworkerRecordsButCannotApproveAVerification(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		p := newPairWorld(t, db)
		wf := NewWorkflowService(db)
		worker := p.as(p.orgA, homeward.RoleCaseworker)
		sup := p.as(p.orgA, homeward.RoleSupervisor)

		// A refuted verification, even approved, does not verify an identity.
		r := &homeward.Verification{CaseID: p.caseID, Method: homeward.VerifyDNA, Outcome: homeward.OutcomeRefuted,
			PerformedBy: "synthetic laboratory", PerformedOn: day(4)}
		mustNil(t, wf.AddVerification(worker, r))
		_, err := wf.ApproveVerification(sup, r.ID, r.Version)
		mustNil(t, err)
		f, err := wf.Facts(worker, p.caseID)
		mustNil(t, err)
		if f.Verifications != 1 || f.VerificationApproved {
			t.Fatalf("facts after an approved refutation = %+v, want one verification and no approval", f)
		}

		v := &homeward.Verification{CaseID: p.caseID, Method: homeward.VerifyInterview, Outcome: homeward.OutcomeConfirmed,
			PerformedBy: "caseworker", PerformedOn: day(3)}
		mustNil(t, wf.AddVerification(worker, v))
		// Another caseworker is a second person, but not of supervisor rank.
		_, err = wf.ApproveVerification(asUser(p.orgA, 4242, homeward.RoleCaseworker), v.ID, v.Version)
		wantCode(t, err, homeward.EFORBIDDEN)
		_, err = wf.ApproveVerification(sup, v.ID, v.Version+1)
		wantCode(t, err, homeward.ECONFLICT)
		_, err = wf.ApproveVerification(p.as(p.orgB, homeward.RoleSupervisor), v.ID, v.Version)
		wantCode(t, err, homeward.ENOTFOUND)
		_, err = wf.ApproveVerification(sup, v.ID, v.Version)
		mustNil(t, err)
		f, err = wf.Facts(worker, p.caseID)
		mustNil(t, err)
		if f.Verifications != 2 || !f.VerificationApproved || f.Role != homeward.RoleCaseworker || !f.ConsentTracing {
			t.Fatalf("facts after approval = %+v", f)
		}
	})
}

func TestVerificationEvidenceMustBeAttachmentsOfTheCase(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		p := newPairWorld(t, db)
		worker := p.as(p.orgA, homeward.RoleCaseworker)
		other := &homeward.Case{GivenName: "Інша", Consents: homeward.Consents{Tracing: true}}
		mustNil(t, NewCaseService(db).CreateCase(worker, other))
		atts := NewAttachmentService(db)
		mine := &homeward.Attachment{CaseID: p.caseID, Filename: "scan.png", Data: pngBytes}
		theirs := &homeward.Attachment{CaseID: other.ID, Filename: "scan.png", Data: pngBytes}
		mustNil(t, atts.CreateAttachment(worker, mine))
		mustNil(t, atts.CreateAttachment(worker, theirs))
		wf := NewWorkflowService(db)
		v := homeward.Verification{CaseID: p.caseID, Method: homeward.VerifyDocuments, Outcome: homeward.OutcomeConfirmed,
			PerformedBy: "caseworker", PerformedOn: day(3), AttachmentIDs: []int64{mine.ID, theirs.ID}}
		wantCode(t, wf.AddVerification(worker, &v), homeward.EINVALID)
		v.AttachmentIDs = []int64{mine.ID, mine.ID}
		mustNil(t, wf.AddVerification(worker, &v))
		vs, err := wf.FindVerifications(worker, p.caseID)
		mustNil(t, err)
		if len(vs) != 1 || len(vs[0].AttachmentIDs) != 1 || vs[0].AttachmentIDs[0] != mine.ID {
			t.Fatalf("verifications = %+v, want one with the case's attachment once", vs)
		}
	})
}

func TestUnapprovedVerificationsWaitOnOtherSupervisors(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		p := newPairWorld(t, db)
		wf := NewWorkflowService(db)
		sup := p.as(p.orgA, homeward.RoleSupervisor)
		admin := p.as(p.orgA, homeward.RoleAdmin)
		v := &homeward.Verification{CaseID: p.caseID, Method: homeward.VerifyPhotoComparison, Outcome: homeward.OutcomeInconclusive,
			PerformedBy: "supervisor", PerformedOn: day(7)}
		mustNil(t, wf.AddVerification(sup, v))
		for _, tt := range []struct {
			name string
			ctx  context.Context
			want int
		}{
			{"recorder", sup, 0},
			{"second supervisor", admin, 1},
			{"caseworker", p.as(p.orgA, homeward.RoleCaseworker), 0},
			{"other organisation", p.as(p.orgB, homeward.RoleSupervisor), 0},
		} {
			vs, err := wf.FindUnapprovedVerifications(tt.ctx)
			mustNil(t, err)
			if len(vs) != tt.want {
				t.Errorf("%s: %d verifications wait on them, want %d", tt.name, len(vs), tt.want)
			}
		}
	})
}
