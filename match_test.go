package homeward

import (
	"math"
	"strings"
	"testing"
)

func TestCheckMatchDecision(t *testing.T) {
	sup1 := Actor{UserID: 1, OrgID: 1, Role: RoleSupervisor}
	sup2 := Actor{UserID: 2, OrgID: 1, Role: RoleAdmin}
	worker := Actor{UserID: 3, OrgID: 1, Role: RoleCaseworker}
	analyst := Actor{UserID: 4, OrgID: 1, Role: RoleAnalyst}
	tests := []struct {
		name   string
		status MatchStatus
		by     Actor
		d      MatchDecision
		want   MatchStatus
		code   string
		says   string
	}{
		{"supervisor's first confirmation proposes", MatchCandidate, sup1, MatchDecision{Action: MatchConfirm}, MatchProposed, "", ""},
		{"second supervisor confirms", MatchProposed, sup2, MatchDecision{Action: MatchConfirm}, MatchConfirmed, "", ""},
		{"proposer cannot confirm", MatchProposed, sup1, MatchDecision{Action: MatchConfirm}, "", EFORBIDDEN, "four-eyes"},
		{"caseworker cannot propose", MatchCandidate, worker, MatchDecision{Action: MatchPropose}, "", EFORBIDDEN, "supervisor"},
		{"caseworker cannot confirm", MatchProposed, worker, MatchDecision{Action: MatchConfirm}, "", EFORBIDDEN, "supervisor"},
		{"caseworker may reject a candidate", MatchCandidate, worker, MatchDecision{Action: MatchReject, Reason: RejectDifferentFamily}, MatchRejected, "", ""},
		{"caseworker cannot overrule a proposal", MatchProposed, worker, MatchDecision{Action: MatchReject, Reason: RejectDifferentFamily}, "", EFORBIDDEN, "overrule"},
		{"analyst decides nothing", MatchCandidate, analyst, MatchDecision{Action: MatchUnsure}, "", EFORBIDDEN, "role"},
		{"rejection needs a reason", MatchCandidate, sup1, MatchDecision{Action: MatchReject}, "", EINVALID, "reason"},
		{"other reason needs a note", MatchCandidate, sup1, MatchDecision{Action: MatchReject, Reason: RejectOther}, "", EINVALID, "note"},
		{"revocation needs a note", MatchConfirmed, sup1, MatchDecision{Action: MatchRevoke}, "", EINVALID, "note"},
		{"revocation returns to candidate", MatchRejected, sup1, MatchDecision{Action: MatchRevoke, Note: "wrong family"}, MatchCandidate, "", ""},
		{"caseworker cannot revoke", MatchRejected, worker, MatchDecision{Action: MatchRevoke, Note: "x"}, "", EFORBIDDEN, "supervisor"},
		{"confirmed cannot be rejected without revoking", MatchConfirmed, sup2, MatchDecision{Action: MatchReject, Reason: RejectDifferentPerson}, "", EINVALID, "revoke"},
		{"rejected cannot be proposed without revoking", MatchRejected, sup2, MatchDecision{Action: MatchPropose}, "", EINVALID, "revoke"},
		{"candidate has nothing to revoke", MatchCandidate, sup2, MatchDecision{Action: MatchRevoke, Note: "x"}, "", EINVALID, "no decision"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Match{Status: tt.status, ProposedBy: sup1.UserID}
			got, _, err := CheckMatchDecision(m, tt.d, tt.by)
			if ErrorCode(err) != tt.code {
				t.Fatalf("err = %v, want code %q", err, tt.code)
			}
			if err != nil && !strings.Contains(ErrorMessage(err), tt.says) {
				t.Fatalf("message %q does not say %q", ErrorMessage(err), tt.says)
			}
			if got != tt.want {
				t.Fatalf("status = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMatchValidateRefusesScoresThatCannotBeStored(t *testing.T) {
	inf := math.Inf(1)
	for _, m := range []Match{
		{CaseID: 1, LocatedID: 2, Probability: math.NaN()},
		{CaseID: 1, LocatedID: 2, Probability: 1.01},
		{CaseID: 1, LocatedID: 2, Weight: inf},
		{CaseID: 1, LocatedID: 2, Explanation: []MatchEvidence{{Weight: -inf}}},
		{CaseID: 0, LocatedID: 2},
	} {
		if err := m.Validate(); ErrorCode(err) != EINVALID {
			t.Errorf("Validate(%+v) = %v, want EINVALID", m, err)
		}
	}
}

func TestFieldsHashChangesWhenAValueMovesBetweenFields(t *testing.T) {
	if FieldsHash("ab", "c") == FieldsHash("a", "bc") {
		t.Fatal("moving text between fields kept the hash")
	}
	first, again := FieldsHash("Олена", "2014-03-02"), FieldsHash("Олена", "2014-03-02")
	if first != again {
		t.Fatal("the hash is not deterministic")
	}
}
