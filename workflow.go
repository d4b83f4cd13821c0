package homeward

import (
	"context"
)

// ActionTransition is the case event of a stage change; its data holds
// from, to and the close reason.
const ActionTransition = "transition"

// TransitionFacts is what the guards of the workflow look at: the facts about
// a case that the store reads inside the transaction that moves it, and the
// role of the person moving it.
type TransitionFacts struct {
	Role Role // of the actor; the system actor is an administrator

	ConsentTracing        bool // the inquirer or legal representative consented to tracing
	ConfirmedMatch        bool // at least one match of the case is confirmed (four eyes)
	Verifications         int  // verification records of the case
	VerificationApproved  bool // a verification with outcome confirmed, approved by a second supervisor
	ConsentShareMediator  bool // consent to share the case with a mediator
	OnSealedList          bool // the case is an entry of a sealed return list
	ReturnAgreed          bool // the latest answer to its latest list entry agreed the return
	BestInterestsReturn   bool // a best-interests record decided for return
	HandoverRecorded      bool
	ReunificationRecorded bool
	FollowUps             int // follow-up visits recorded

	CloseReason CloseReason // the reason given when moving to closed
}

// guard is one condition of a transition: what it needs, in words a user
// reads, and whether the facts meet it.
type guard struct {
	code  string // EINVALID for a missing fact, EFORBIDDEN for a role
	field string
	need  string
	met   func(f TransitionFacts) bool
}

var (
	guardWriter = guard{EFORBIDDEN, "", "a role that may change records (caseworker, supervisor or administrator)",
		func(f TransitionFacts) bool { return f.Role.CanWriteRecords() }}
	guardSupervisor = guard{EFORBIDDEN, "", "a supervisor or administrator",
		func(f TransitionFacts) bool { return f.Role.IsSupervisorRank() }}
	guardConsentTracing = guard{EINVALID, "consents.tracing", "the consent to tracing of the inquirer or legal representative",
		func(f TransitionFacts) bool { return f.ConsentTracing }}
	guardConfirmedMatch = guard{EINVALID, "", "a confirmed match (proposed by one supervisor and confirmed by another)",
		func(f TransitionFacts) bool { return f.ConfirmedMatch }}
	guardVerification = guard{EINVALID, "", "at least one verification record (documents, photo comparison, interview, DNA or testimony)",
		func(f TransitionFacts) bool { return f.Verifications > 0 }}
	guardVerificationApproved = guard{EINVALID, "", "a verification with outcome confirmed, approved by a second supervisor (not the one who recorded it)",
		func(f TransitionFacts) bool { return f.VerificationApproved }}
	guardConsentMediator = guard{EINVALID, "consents.share_mediator", "consent to share the case with a mediator",
		func(f TransitionFacts) bool { return f.ConsentShareMediator }}
	guardSealedList = guard{EINVALID, "", "an entry on a return list sealed by a second supervisor",
		func(f TransitionFacts) bool { return f.OnSealedList }}
	guardReturnAgreed = guard{EINVALID, "", "the other side's answer “return agreed” to the case's list entry",
		func(f TransitionFacts) bool { return f.ReturnAgreed }}
	guardBestInterests = guard{EINVALID, "", "a best-interests record that decided for return",
		func(f TransitionFacts) bool { return f.BestInterestsReturn }}
	guardHandover = guard{EINVALID, "", "a handover record (date, place, route or third country, escort, direction of return)",
		func(f TransitionFacts) bool { return f.HandoverRecorded }}
	guardReunification = guard{EINVALID, "", "a reunification record (with whom, their relation, proof of it)",
		func(f TransitionFacts) bool { return f.ReunificationRecorded }}
	guardFollowUp = guard{EINVALID, "", "at least one follow-up visit (date, who, findings, risk flags)",
		func(f TransitionFacts) bool { return f.FollowUps > 0 }}
	guardCloseReason = guard{EINVALID, "close_reason", "a close reason from the list (reunified, reunified elsewhere, duplicate, withdrawn, reached adulthood, deceased, not found)",
		func(f TransitionFacts) bool { return f.CloseReason.Valid() }}
	// Closing as reunified claims a reunification; the record must say so.
	guardReunifiedClose = guard{EINVALID, "close_reason", "a reunification record to close as reunified",
		func(f TransitionFacts) bool { return f.CloseReason != CloseReunified || f.ReunificationRecorded }}
)

// forward is the next stage of the way home, and the conditions to reach it.
var forward = map[Stage]struct {
	to     Stage
	guards []guard
}{
	StageRegistered: {StageTracing, []guard{guardConsentTracing}},
	StageTracing:    {StageLocated, []guard{guardConfirmedMatch}},
	StageLocated:    {StageVerified, []guard{guardVerification, guardVerificationApproved}},
	StageVerified:   {StageListed, []guard{guardConsentMediator, guardSealedList}},
	StageListed:     {StageAgreed, []guard{guardReturnAgreed, guardBestInterests}},
	StageAgreed:     {StageHandedOver, []guard{guardHandover}},
	StageHandedOver: {StageReunified, []guard{guardReunification}},
	StageReunified:  {StageMonitoring, []guard{guardFollowUp}},
	StageMonitoring: {StageClosed, nil}, // closing has its own guards, below
	StageReopened:   {StageTracing, nil},
	StageClosed:     {StageReopened, nil},
}

// backToTracing are the stages from which a case may go back to tracing
// when the identification fails (a revoked match, a refuted verification):
// before a handover, nothing has yet happened to the child.
var backToTracing = map[Stage]bool{StageLocated: true, StageVerified: true, StageListed: true, StageAgreed: true}

// transitionGuards returns the guards of the move from one stage to
// another, and false when the workflow has no such move.
func transitionGuards(from, to Stage) ([]guard, bool) {
	switch {
	case !from.Valid() || !to.Valid() || from == to:
		return nil, false
	case to == StageClosed:
		// Closing ends the search for a child: a supervisor's decision.
		return []guard{guardSupervisor, guardCloseReason, guardReunifiedClose}, true
	case from == StageClosed && to == StageReopened:
		return []guard{guardSupervisor}, true
	case to == StageTracing && backToTracing[from]:
		return []guard{guardSupervisor}, true
	}
	if next, ok := forward[from]; ok && next.to == to {
		return append([]guard{guardWriter}, next.guards...), true
	}
	return nil, false
}

// CheckTransition says whether a case may move from one stage to another
// given the facts. A move the workflow does not have, or a condition not
// met, is EINVALID; a role that may not make the move is EFORBIDDEN. The
// message names exactly what is missing.
func CheckTransition(from, to Stage, f TransitionFacts) error {
	if !to.Valid() {
		return FieldErrorf(EINVALID, "stage", "Unknown stage %q.", to)
	}
	if !from.Valid() {
		return FieldErrorf(EINVALID, "stage", "The case is at an unknown stage %q.", from)
	}
	gs, ok := transitionGuards(from, to)
	if !ok {
		if from == to {
			return FieldErrorf(EINVALID, "stage", "The case is already at stage %s.", to)
		}
		return FieldErrorf(EINVALID, "stage", "A case cannot move from %s to %s.%s", from, to, nextHint(from))
	}
	for _, g := range gs {
		if !g.met(f) {
			return &Error{Code: g.code, Field: g.field, Message: "Moving the case from " + string(from) + " to " + string(to) + " needs " + g.need + "."}
		}
	}
	return nil
}

func nextHint(from Stage) string {
	if next, ok := forward[from]; ok {
		return " The next stage is " + string(next.to) + "."
	}
	return ""
}

// NextStage returns the next stage of the way home after s, and false for
// a stage with none.
func NextStage(s Stage) (Stage, bool) {
	next, ok := forward[s]
	return next.to, ok
}

// AllowedTransitions lists the stages a case at from may move to, in
// workflow order, whether or not their conditions are met.
func AllowedTransitions(from Stage) []Stage {
	var out []Stage
	for _, to := range Stages {
		if _, ok := transitionGuards(from, to); ok {
			out = append(out, to)
		}
	}
	return out
}

// StepNeed is one condition of the next stage, and whether it is met.
type StepNeed struct {
	Stage Stage  `json:"stage"` // the stage the condition leads to
	Need  string `json:"need"`
	Met   bool   `json:"met"`
}

// NextStepNeeds lists what the next stage after s needs and which of it the
// facts meet, for the case page. Closing is always possible with a reason
// and is not listed, except as the step after monitoring.
func NextStepNeeds(s Stage, f TransitionFacts) []StepNeed {
	to, ok := NextStage(s)
	if !ok {
		return nil
	}
	gs, _ := transitionGuards(s, to)
	out := make([]StepNeed, 0, len(gs))
	for _, g := range gs {
		out = append(out, StepNeed{Stage: to, Need: g.need, Met: g.met(f)})
	}
	return out
}

// WorkflowService moves cases through the workflow and keeps the records
// the guards look at. Every method authorises from the actor, scopes to the
// case's organisation, and appends an event to the case in the same
// transaction as its change; the records are never changed or deleted
// afterwards (a correction is a new record).
type WorkflowService interface {
	// Transition moves a case to stage to if version is the case's current
	// version and the guards pass on facts read in the same transaction;
	// reason is required to close and ignored otherwise.
	Transition(ctx context.Context, caseID int64, to Stage, version int, reason CloseReason) (*Case, error)
	// Facts returns the facts the guards would look at now, for NextStepNeeds.
	Facts(ctx context.Context, caseID int64) (TransitionFacts, error)
	// FactsForCases returns the facts of many cases at once, keyed by case
	// ID; cases the actor may not see are absent, not an error.
	FactsForCases(ctx context.Context, ids []int64) (map[int64]TransitionFacts, error)

	// AddVerification records a verification; any role that writes records may.
	AddVerification(ctx context.Context, v *Verification) error
	// ApproveVerification approves a verification; only a supervisor who did
	// not record it may.
	ApproveVerification(ctx context.Context, id int64, version int) (*Verification, error)
	FindVerifications(ctx context.Context, caseID int64) ([]*Verification, error)
	// FindVerificationsForCases returns the verifications of many cases at
	// once, keyed by case ID, each list oldest first; cases the actor may
	// not see are absent, not an error.
	FindVerificationsForCases(ctx context.Context, ids []int64) (map[int64][]*Verification, error)
	// FindUnapprovedVerifications lists the verifications of the actor's
	// organisation awaiting approval that the actor did not record: those
	// waiting on them, oldest first.
	FindUnapprovedVerifications(ctx context.Context) ([]*Verification, error)

	SaveBestInterests(ctx context.Context, b *BestInterests) error
	FindBestInterests(ctx context.Context, caseID int64) ([]*BestInterests, error)

	RecordHandover(ctx context.Context, h *Handover) error
	FindHandovers(ctx context.Context, caseID int64) ([]*Handover, error)

	RecordReunification(ctx context.Context, r *Reunification) error
	FindReunifications(ctx context.Context, caseID int64) ([]*Reunification, error)

	AddFollowUp(ctx context.Context, v *FollowUp) error
	FindFollowUps(ctx context.Context, caseID int64) ([]*FollowUp, error)
}
