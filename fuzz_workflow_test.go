package homeward

import (
	"strings"
	"testing"
)

// FuzzCheckTransition feeds stage names and close reasons as a form or the
// JSON API would pass them: the guards must never panic, and a refusal must
// always carry a code and a message a user can read.
func FuzzCheckTransition(f *testing.F) {
	f.Add("tracing", "located", "", "supervisor", true)
	f.Add("closed", "reopened", "", "caseworker", false)
	f.Add("monitoring", "closed", "reunified", "admin", true)
	f.Add("", "\x00", "deceased", "analyst", false)
	f.Fuzz(func(t *testing.T, from, to, reason, role string, met bool) {
		facts := TransitionFacts{Role: Role(role), CloseReason: CloseReason(reason)}
		if met {
			facts = allMet()
			facts.Role, facts.CloseReason = Role(role), CloseReason(reason)
		}
		err := CheckTransition(Stage(from), Stage(to), facts)
		if err == nil {
			if _, ok := transitionGuards(Stage(from), Stage(to)); !ok {
				t.Fatalf("CheckTransition(%q, %q) allowed a move the workflow does not have", from, to)
			}
			return
		}
		if code := ErrorCode(err); code != EINVALID && code != EFORBIDDEN {
			t.Fatalf("refusal code %q", code)
		}
		if strings.TrimSpace(ErrorMessage(err)) == "" {
			t.Fatal("refusal without a message")
		}
	})
}

// FuzzMatchDecision feeds decisions as the review queue would post them.
func FuzzMatchDecision(f *testing.F) {
	f.Add("confirm", "", "", "candidate", "supervisor", int64(1))
	f.Add("reject", "other", "", "proposed", "caseworker", int64(2))
	f.Add("revoke", "", "why", "confirmed", "admin", int64(1))
	f.Fuzz(func(t *testing.T, action, reason, note, status, role string, user int64) {
		m := &Match{Status: MatchStatus(status), ProposedBy: 1}
		to, act, err := CheckMatchDecision(m, MatchDecision{Action: MatchAction(action), Reason: RejectReason(reason), Note: note},
			Actor{UserID: user, OrgID: 1, Role: Role(role)})
		if err != nil {
			if ErrorMessage(err) == "" || ErrorCode(err) == EINTERNAL {
				t.Fatalf("refusal %v", err)
			}
			return
		}
		if !to.Valid() || !act.Valid() {
			t.Fatalf("decision %q on %q gave status %q action %q", action, status, to, act)
		}
		if to == MatchConfirmed && (user == 1 || !Role(role).IsSupervisorRank()) {
			t.Fatalf("confirmation by user %d of role %q passed the four-eyes rule", user, role)
		}
	})
}
