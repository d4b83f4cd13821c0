package homeward

import (
	"strings"
	"testing"
)

// allMet is a case with every fact the workflow looks at, moved by a supervisor.
func allMet() TransitionFacts {
	return TransitionFacts{
		Role:                  RoleSupervisor,
		ConsentTracing:        true,
		ConfirmedMatch:        true,
		Verifications:         1,
		VerificationApproved:  true,
		ConsentShareMediator:  true,
		OnSealedList:          true,
		ReturnAgreed:          true,
		BestInterestsReturn:   true,
		HandoverRecorded:      true,
		ReunificationRecorded: true,
		FollowUps:             1,
		CloseReason:           CloseReunified,
	}
}

// missing takes away one condition; the refusal must carry code and a
// message containing says.
type missing struct {
	name string
	take func(f *TransitionFacts)
	code string
	says string
}

var (
	noWriter       = missing{"analyst", func(f *TransitionFacts) { f.Role = RoleAnalyst }, EFORBIDDEN, "role that may change records"}
	noSupervisor   = missing{"caseworker", func(f *TransitionFacts) { f.Role = RoleCaseworker }, EFORBIDDEN, "supervisor"}
	noCloseReason  = missing{"no close reason", func(f *TransitionFacts) { f.CloseReason = "" }, EINVALID, "close reason"}
	noReunifiedRec = missing{"closing as reunified without a reunification", func(f *TransitionFacts) { f.ReunificationRecorded = false }, EINVALID, "reunification record"}
	closeGuards    = []missing{noSupervisor, noCloseReason, noReunifiedRec}
	backGuards     = []missing{noSupervisor}
)

// allowedMoves is the workflow of DESIGN.md written out pair by pair, with
// each pair's conditions: every other pair of stages must be refused.
func allowedMoves() map[[2]Stage][]missing {
	m := map[[2]Stage][]missing{
		{StageRegistered, StageTracing}: {noWriter, {"no consent to tracing", func(f *TransitionFacts) { f.ConsentTracing = false }, EINVALID, "consent to tracing"}},
		{StageTracing, StageLocated}:    {noWriter, {"no confirmed match", func(f *TransitionFacts) { f.ConfirmedMatch = false }, EINVALID, "confirmed match"}},
		{StageLocated, StageVerified}: {noWriter,
			{"no verification", func(f *TransitionFacts) { f.Verifications = 0; f.VerificationApproved = false }, EINVALID, "at least one verification record"},
			{"verification not approved", func(f *TransitionFacts) { f.VerificationApproved = false }, EINVALID, "approved by a second supervisor"}},
		{StageVerified, StageListed}: {noWriter,
			{"no consent to share", func(f *TransitionFacts) { f.ConsentShareMediator = false }, EINVALID, "consent to share the case with a mediator"},
			{"not on a sealed list", func(f *TransitionFacts) { f.OnSealedList = false }, EINVALID, "return list sealed by a second supervisor"}},
		{StageListed, StageAgreed}: {noWriter,
			{"no agreed return", func(f *TransitionFacts) { f.ReturnAgreed = false }, EINVALID, "return agreed"},
			{"no best-interests decision", func(f *TransitionFacts) { f.BestInterestsReturn = false }, EINVALID, "best-interests record"}},
		{StageAgreed, StageHandedOver}:    {noWriter, {"no handover", func(f *TransitionFacts) { f.HandoverRecorded = false }, EINVALID, "handover record"}},
		{StageHandedOver, StageReunified}: {noWriter, {"no reunification", func(f *TransitionFacts) { f.ReunificationRecorded = false }, EINVALID, "reunification record"}},
		{StageReunified, StageMonitoring}: {noWriter, {"no follow-up", func(f *TransitionFacts) { f.FollowUps = 0 }, EINVALID, "follow-up visit"}},
		{StageClosed, StageReopened}:      backGuards,
		{StageReopened, StageTracing}:     {noWriter},
	}
	for _, s := range Stages {
		if s != StageClosed {
			m[[2]Stage{s, StageClosed}] = closeGuards
		}
	}
	for _, s := range []Stage{StageLocated, StageVerified, StageListed, StageAgreed} {
		m[[2]Stage{s, StageTracing}] = backGuards
	}
	return m
}

func TestTransitionTableCoversEveryStagePair(t *testing.T) {
	allowed := allowedMoves()
	for _, from := range Stages {
		for _, to := range Stages {
			guards, ok := allowed[[2]Stage{from, to}]
			name := string(from) + "_to_" + string(to)
			if !ok {
				t.Run(name+"/refused", func(t *testing.T) {
					err := CheckTransition(from, to, allMet())
					if ErrorCode(err) != EINVALID || ErrorField(err) != "stage" {
						t.Fatalf("CheckTransition(%s, %s) with every fact = %v, want EINVALID on stage", from, to, err)
					}
				})
				continue
			}
			t.Run(name+"/allowed_with_every_fact", func(t *testing.T) {
				if err := CheckTransition(from, to, allMet()); err != nil {
					t.Fatalf("CheckTransition(%s, %s) = %v, want nil", from, to, err)
				}
			})
			for _, g := range guards {
				t.Run(name+"/refused_"+strings.ReplaceAll(g.name, " ", "_"), func(t *testing.T) {
					f := allMet()
					g.take(&f)
					err := CheckTransition(from, to, f)
					if ErrorCode(err) != g.code {
						t.Fatalf("CheckTransition(%s, %s) without %s = %v, want code %s", from, to, g.name, err, g.code)
					}
					if !strings.Contains(ErrorMessage(err), g.says) {
						t.Fatalf("message %q does not name the missing condition %q", ErrorMessage(err), g.says)
					}
				})
			}
		}
	}
}

func TestTransitionRefusesUnknownStages(t *testing.T) {
	for _, c := range []struct{ from, to Stage }{{"lost", StageTracing}, {StageTracing, "found"}, {"", StageTracing}} {
		if err := CheckTransition(c.from, c.to, allMet()); ErrorCode(err) != EINVALID {
			t.Errorf("CheckTransition(%q, %q) = %v, want EINVALID", c.from, c.to, err)
		}
	}
}

func TestTransitionClosingAsReunifiedNeedsNoReunificationForOtherReasons(t *testing.T) {
	f := allMet()
	f.ReunificationRecorded = false
	f.CloseReason = CloseWithdrawn
	if err := CheckTransition(StageTracing, StageClosed, f); err != nil {
		t.Fatalf("closing as withdrawn without a reunification: %v", err)
	}
	f.CloseReason = "lost_interest"
	if err := CheckTransition(StageTracing, StageClosed, f); ErrorField(err) != "close_reason" {
		t.Fatalf("closing with an unknown reason = %v, want an error on close_reason", err)
	}
}

func TestNextStepNeedsListsTheNextStagesConditions(t *testing.T) {
	f := allMet()
	f.VerificationApproved = false
	needs := NextStepNeeds(StageLocated, f)
	var met, unmet []string
	for _, n := range needs {
		if n.Stage != StageVerified {
			t.Fatalf("need %+v is not for stage verified", n)
		}
		if n.Met {
			met = append(met, n.Need)
		} else {
			unmet = append(unmet, n.Need)
		}
	}
	if len(unmet) != 1 || !strings.Contains(unmet[0], "second supervisor") {
		t.Fatalf("unmet needs = %q, want only the approval", unmet)
	}
	if len(met) != 2 {
		t.Fatalf("met needs = %q, want the role and the verification record", met)
	}
	if got := NextStepNeeds(StageClosed, f); len(got) != 1 || got[0].Stage != StageReopened {
		t.Fatalf("NextStepNeeds(closed) = %+v, want reopening by a supervisor", got)
	}
}

func TestAllowedTransitionsFollowTheTable(t *testing.T) {
	allowed := allowedMoves()
	for _, from := range Stages {
		for _, to := range AllowedTransitions(from) {
			if _, ok := allowed[[2]Stage{from, to}]; !ok {
				t.Errorf("AllowedTransitions(%s) offers %s, which the workflow refuses", from, to)
			}
		}
	}
}
