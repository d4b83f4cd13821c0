package homeward

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"
)

// Case event actions for matches. Match events are recorded on the case, so
// that the case's timeline shows every decision about it; their data names
// the match and the located record.
const (
	ActionMatchCandidate = "match_candidate" // a new candidate was saved
	ActionMatchReopen    = "match_reopen"    // a rejected pair came back because a compared field changed
	ActionMatchPropose   = "match_propose"
	ActionMatchConfirm   = "match_confirm"
	ActionMatchReject    = "match_reject"
	ActionMatchNotSure   = "match_not_sure"
	ActionMatchRevoke    = "match_revoke"
	ActionMatchRescore   = "match_rescore" // the engine scored a pair again and something changed
)

// MatchStatus is where a candidate pair stands in review.
type MatchStatus string

const (
	MatchCandidate MatchStatus = "candidate" // proposed by the linkage engine, undecided
	MatchProposed  MatchStatus = "proposed"  // one supervisor confirmed; a second must
	MatchConfirmed MatchStatus = "confirmed" // two different supervisors confirmed
	MatchRejected  MatchStatus = "rejected"
	MatchNotSure   MatchStatus = "not_sure"
)

// MatchStatuses lists every status in review order.
var MatchStatuses = []MatchStatus{MatchCandidate, MatchProposed, MatchConfirmed, MatchRejected, MatchNotSure}

// Valid reports whether s is a known status.
func (s MatchStatus) Valid() bool {
	for _, v := range MatchStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// MatchAction is a decision a person takes about a candidate pair.
type MatchAction string

const (
	// MatchPropose is the first supervisor's confirmation. MatchConfirm on
	// a pair nobody has proposed yet counts as the proposal, so that a review
	// queue needs one "confirm" key for both people.
	MatchPropose MatchAction = "propose"
	MatchConfirm MatchAction = "confirm"
	MatchReject  MatchAction = "reject"
	MatchUnsure  MatchAction = "not_sure"
	// MatchRevoke undoes the standing decision and returns the pair to
	// candidate; the decision stays in the history.
	MatchRevoke MatchAction = "revoke"
)

// MatchActions lists every action.
var MatchActions = []MatchAction{MatchPropose, MatchConfirm, MatchReject, MatchUnsure, MatchRevoke}

// Valid reports whether a is a known action.
func (a MatchAction) Valid() bool {
	for _, v := range MatchActions {
		if a == v {
			return true
		}
	}
	return false
}

// RejectReason is the listed reason for rejecting a candidate pair.
type RejectReason string

const (
	RejectDifferentPerson      RejectReason = "different_person"
	RejectDifferentBirthDate   RejectReason = "different_birth_date"
	RejectDifferentFamily      RejectReason = "different_family"
	RejectDuplicateRecord      RejectReason = "duplicate_record"
	RejectInsufficientEvidence RejectReason = "insufficient_evidence"
	RejectOther                RejectReason = "other" // the note must say why
)

// RejectReasons lists every reject reason in display order.
var RejectReasons = []RejectReason{
	RejectDifferentPerson, RejectDifferentBirthDate, RejectDifferentFamily,
	RejectDuplicateRecord, RejectInsufficientEvidence, RejectOther,
}

// Valid reports whether r is a known reason.
func (r RejectReason) Valid() bool {
	for _, v := range RejectReasons {
		if r == v {
			return true
		}
	}
	return false
}

// MatchEvidence is one comparison's part in a candidate's score: the level
// it reached, the weight of that level and why, in words a caseworker reads
// ("Александр is the Russian form of Олександр").
type MatchEvidence struct {
	Comparison string  `json:"comparison"`
	Level      string  `json:"level"`
	Weight     float64 `json:"weight"`
	Reason     string  `json:"reason,omitempty"`
	// ReasonFormat and ReasonArgs hold Reason as an English format with %s
	// verbs and its arguments, so that it can be shown in the reader's
	// language; Reason is their English rendering.
	ReasonFormat string   `json:"reason_format,omitempty"`
	ReasonArgs   []string `json:"reason_args,omitempty"`
}

// Match is a candidate pair of a case and a located record, with the
// engine's score and the people's standing decision about it.
type Match struct {
	ID        int64 `json:"id"`
	OrgID     int64 `json:"org_id"` // the case's organisation, which decides
	CaseID    int64 `json:"case_id"`
	LocatedID int64 `json:"located_id"`

	Probability float64         `json:"probability"`
	Weight      float64         `json:"weight"`
	Explanation []MatchEvidence `json:"explanation,omitempty"`
	// Model identifies the linkage model that scored the pair.
	Model string `json:"model,omitempty"`
	// CaseFieldsHash and LocatedFieldsHash are FieldsHash of the values the
	// model compares on each side: a rejected pair comes back as a candidate
	// only when one of them changes.
	CaseFieldsHash    string `json:"case_fields_hash,omitempty"`
	LocatedFieldsHash string `json:"located_fields_hash,omitempty"`

	Status     MatchStatus  `json:"status"`
	Reason     RejectReason `json:"reason,omitempty"` // of a rejection
	Note       string       `json:"note,omitempty"`   // of the last decision
	ProposedBy int64        `json:"proposed_by,omitempty"`
	ProposedAt *time.Time   `json:"proposed_at,omitempty"`
	DecidedBy  int64        `json:"decided_by,omitempty"` // who took the standing decision
	DecidedAt  *time.Time   `json:"decided_at,omitempty"`

	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks a candidate before it is saved.
func (m *Match) Validate() error {
	if m.CaseID <= 0 {
		return FieldErrorf(EINVALID, "case_id", "A candidate needs a case.")
	}
	if m.LocatedID <= 0 {
		return FieldErrorf(EINVALID, "located_id", "A candidate needs a located record.")
	}
	if !(m.Probability >= 0 && m.Probability <= 1) { // also refuses NaN
		return FieldErrorf(EINVALID, "probability", "Probability %v is not between 0 and 1.", m.Probability)
	}
	// Infinite weights cannot be written as JSON nor compared in SQL.
	if math.IsNaN(m.Weight) || math.IsInf(m.Weight, 0) {
		return FieldErrorf(EINVALID, "weight", "Weight %v is not a finite number.", m.Weight)
	}
	for i, e := range m.Explanation {
		if math.IsNaN(e.Weight) || math.IsInf(e.Weight, 0) {
			return FieldErrorf(EINVALID, "explanation["+strconv.Itoa(i)+"].weight", "Weight %v is not a finite number.", e.Weight)
		}
	}
	return nil
}

// FieldsHash returns the hex SHA-256 of the values, each length-prefixed so
// that moving text from one field to the next changes the hash. The linkage
// side passes the values its model compares, in the model's field order.
func FieldsHash(values ...string) string {
	h := sha256.New()
	for _, v := range values {
		h.Write([]byte(strconv.Itoa(len(v))))
		h.Write([]byte{':'})
		h.Write([]byte(v))
		h.Write([]byte{';'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// MatchDecision is what a person decides about a candidate pair. Version is
// the match version the person saw; a decision on a stale version is ECONFLICT.
type MatchDecision struct {
	Action  MatchAction  `json:"action"`
	Reason  RejectReason `json:"reason,omitempty"` // required to reject
	Note    string       `json:"note,omitempty"`   // required to revoke and with RejectOther
	Version int          `json:"version"`
}

// Validate checks a decision's own fields; whether it may be taken depends
// on the match and the person (see CheckMatchDecision).
func (d *MatchDecision) Validate() error {
	if err := (lengths{
		{"note", d.Note, MaxTextLength},
	}).check(); err != nil {
		return err
	}
	if !d.Action.Valid() {
		return FieldErrorf(EINVALID, "action", "Unknown decision %q.", Excerpt(string(d.Action)))
	}
	switch d.Action {
	case MatchReject:
		if d.Reason == "" {
			return FieldErrorf(EINVALID, "reason", "A rejection needs a reason from the list.")
		}
		if !d.Reason.Valid() {
			return FieldErrorf(EINVALID, "reason", "Unknown reason %q.", d.Reason)
		}
		if d.Reason == RejectOther && strings.TrimSpace(d.Note) == "" {
			return FieldErrorf(EINVALID, "note", "A rejection for another reason needs a note saying why.")
		}
	case MatchRevoke:
		if strings.TrimSpace(d.Note) == "" {
			return FieldErrorf(EINVALID, "note", "Revoking a decision needs a note saying why.")
		}
	default:
		if d.Reason != "" {
			return FieldErrorf(EINVALID, "reason", "Only a rejection takes a reason from the list; write it in the note.")
		}
	}
	return nil
}

// CheckMatchDecision says whether the actor may take decision d on a match
// in its current state, and returns the status the match moves to and the
// action as recorded (a first confirmation is recorded as a proposal).
// Proposing and confirming need supervisor rank; a confirmation must come
// from a different person than the proposal (the four-eyes rule).
func CheckMatchDecision(m *Match, d MatchDecision, a Actor) (MatchStatus, MatchAction, error) {
	if err := d.Validate(); err != nil {
		return "", "", err
	}
	if !a.System && !a.Role.CanWriteRecords() {
		return "", "", Errorf(EFORBIDDEN, "Your role may not decide about matches.")
	}
	supervisor := a.System || a.Role.IsSupervisorRank()
	act := d.Action
	if act == MatchConfirm && m.Status != MatchProposed {
		act = MatchPropose
	}
	switch act {
	case MatchPropose:
		if !supervisor {
			return "", "", Errorf(EFORBIDDEN, "Only a supervisor may confirm a match.")
		}
		if m.Status != MatchCandidate && m.Status != MatchNotSure {
			return "", "", Errorf(EINVALID, "A %s match cannot be proposed; revoke its decision first.", m.Status)
		}
		return MatchProposed, MatchPropose, nil
	case MatchConfirm: // m is proposed
		if !supervisor {
			return "", "", Errorf(EFORBIDDEN, "Only a supervisor may confirm a match.")
		}
		if !a.System && a.UserID == m.ProposedBy {
			return "", "", Errorf(EFORBIDDEN, "You proposed this match; the four-eyes rule needs a second supervisor, not the one who proposed it, to confirm it.")
		}
		return MatchConfirmed, MatchConfirm, nil
	case MatchReject:
		if m.Status == MatchProposed && !supervisor {
			return "", "", Errorf(EFORBIDDEN, "Only a supervisor may overrule a supervisor's proposal.")
		}
		if m.Status == MatchRejected || m.Status == MatchConfirmed {
			return "", "", Errorf(EINVALID, "A %s match cannot be rejected; revoke its decision first.", m.Status)
		}
		return MatchRejected, MatchReject, nil
	case MatchUnsure:
		if m.Status == MatchProposed && !supervisor {
			return "", "", Errorf(EFORBIDDEN, "Only a supervisor may overrule a supervisor's proposal.")
		}
		if m.Status != MatchCandidate && m.Status != MatchProposed {
			return "", "", Errorf(EINVALID, "A %s match cannot be marked not sure; revoke its decision first.", m.Status)
		}
		return MatchNotSure, MatchUnsure, nil
	case MatchRevoke:
		if !supervisor {
			return "", "", Errorf(EFORBIDDEN, "Only a supervisor may revoke a decision about a match.")
		}
		if m.Status == MatchCandidate {
			return "", "", Errorf(EINVALID, "The match has no decision to revoke.")
		}
		return MatchCandidate, MatchRevoke, nil
	}
	return "", "", FieldErrorf(EINVALID, "action", "Unknown decision %q.", Excerpt(string(d.Action)))
}

// MatchHistoryEntry is one decision about a match as it was taken. Entries
// are never changed or removed; a revocation is an entry of its own.
type MatchHistoryEntry struct {
	ID      int64        `json:"id"`
	MatchID int64        `json:"match_id"`
	Action  MatchAction  `json:"action"` // or "reopen" when a changed record brought a rejected pair back
	From    MatchStatus  `json:"from"`
	To      MatchStatus  `json:"to"`
	Reason  RejectReason `json:"reason,omitempty"`
	Note    string       `json:"note,omitempty"`
	ActorID int64        `json:"actor_id"` // 0 for the system
	At      time.Time    `json:"at"`
}

// MatchReopen is the history action of a rejected pair that came back as a
// candidate because a compared field changed on either side.
const MatchReopen MatchAction = "reopen"

// MatchFilter selects matches. Zero fields do not filter.
type MatchFilter struct {
	CaseID         int64
	LocatedID      int64
	Status         []MatchStatus // any of these
	MinProbability float64
	OrgID          int64 // the case's organisation
	// NotProposedBy, with Status proposed, finds the proposals awaiting a
	// second supervisor's confirmation: those someone else proposed.
	NotProposedBy int64
	Offset        int
	Limit         int // 0: the service's default
}

// MatchService keeps candidate pairs and the decisions about them. Every
// method scopes to what the actor may see (both the case and the located
// record), and every change appends an event to the case in the same
// transaction.
type MatchService interface {
	// SaveCandidates upserts the engine's candidates by (case, located
	// record). A new pair is stored as a candidate; an existing pair keeps
	// its decision and gets the new score; a rejected pair stays rejected
	// unless its CaseFieldsHash or LocatedFieldsHash changed, and then
	// returns to candidate with a "reopen" entry in its history.
	SaveCandidates(ctx context.Context, ms []Match) (created, updated int, err error)
	// FindMatches returns one page of matches, best first, and the total.
	FindMatches(ctx context.Context, f MatchFilter) ([]*Match, int, error)
	FindMatchByID(ctx context.Context, id int64) (*Match, error)
	// Decide applies a person's decision and returns the match as stored.
	Decide(ctx context.Context, id int64, d MatchDecision) (*Match, error)
	// MatchHistory returns every decision about a match, oldest first.
	MatchHistory(ctx context.Context, id int64) ([]*MatchHistoryEntry, error)
}
