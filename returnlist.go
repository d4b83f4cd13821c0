package homeward

import (
	"strings"
	"time"
)

// List event actions, recorded on the list and, where a child is
// concerned, on the case.
const (
	ActionListCreate       = "list_create"
	ActionListAdd          = "list_add"    // entries added; on the case: the case entered a list
	ActionListRemove       = "list_remove" // an entry removed from the working revision
	ActionListProfile      = "list_profile"
	ActionListSealRequest  = "list_seal_request"
	ActionListSeal         = "list_seal" // a second supervisor sealed a revision
	ActionListRevise       = "list_revise"
	ActionListSend         = "list_send"
	ActionListReceive      = "list_receive" // a list (or a new revision) arrived in a bundle
	ActionListState        = "list_state"   // acknowledged, forwarded… as reported by the mediator
	ActionListWithdraw     = "list_withdraw"
	ActionListClose        = "list_close"
	ActionListForward      = "list_forward" // the mediator forwarded a list
	ActionListAnswer       = "list_answer"
	ActionListExport       = "list_export"
	ActionListLink         = "list_link" // candidates of an incoming list's entries found
	ActionListCarryForward = "list_carry_forward"
)

// ListDirection says whose a list is, seen from this installation.
type ListDirection string

const (
	ListOutgoing ListDirection = "outgoing" // our own requests
	ListIncoming ListDirection = "incoming" // the other side's requests, for us to answer
	ListRelayed  ListDirection = "relayed"  // carried by us as the mediator
)

// ListState is where a list stands. An outgoing list goes draft → sealed →
// sent → acknowledged → forwarded → partly answered → answered → closed;
// received lists start at received. Any list may be withdrawn.
type ListState string

const (
	ListDraft          ListState = "draft"
	ListSealed         ListState = "sealed"
	ListSent           ListState = "sent"
	ListAcknowledged   ListState = "acknowledged"
	ListForwarded      ListState = "forwarded"
	ListReceived       ListState = "received"
	ListPartlyAnswered ListState = "partly_answered"
	ListAnswered       ListState = "answered"
	ListClosed         ListState = "closed"
	ListWithdrawn      ListState = "withdrawn"
)

// ListStates lists every state in order.
var ListStates = []ListState{ListDraft, ListSealed, ListSent, ListAcknowledged, ListForwarded, ListReceived,
	ListPartlyAnswered, ListAnswered, ListClosed, ListWithdrawn}

// listRank orders the states of a list on its way, so that reports
// arriving out of order (an answer before the mediator's notice that it
// forwarded) never move a list back.
var listRank = map[ListState]int{ListDraft: 0, ListSealed: 1, ListSent: 2, ListAcknowledged: 3, ListReceived: 3,
	ListForwarded: 4, ListPartlyAnswered: 5, ListAnswered: 6, ListClosed: 7, ListWithdrawn: 8}

// Advance returns the later of s and to on the way of a list: a list is
// never moved back by a report that arrives late.
func (s ListState) Advance(to ListState) ListState {
	if listRank[to] > listRank[s] {
		return to
	}
	return s
}

// Final reports whether nothing more happens to a list in this state.
func (s ListState) Final() bool { return s == ListClosed || s == ListWithdrawn }

// DisclosureProfile says what of a child leaves with a list. Contacts of
// the family and the case's notes never leave in any profile: the handover
// is arranged through the mediator, and a mediator's database must never
// hold a way to reach a family.
type DisclosureProfile string

const (
	// ProfileMinimal: the names with their other spellings, sex, birth date
	// and place, the last place and date seen, the circumstances, the legal
	// representative's relation and basis, and the linked siblings' entries.
	ProfileMinimal DisclosureProfile = "minimal"
	// ProfileStandard adds distinguishing marks and the names and relations
	// of the family members who seek the child.
	ProfileStandard DisclosureProfile = "standard"
	// ProfileFull adds the photos and scans marked for sharing with liaisons.
	ProfileFull DisclosureProfile = "full"
)

// DisclosureProfiles lists the profiles from least to most.
var DisclosureProfiles = []DisclosureProfile{ProfileMinimal, ProfileStandard, ProfileFull}

// Valid reports whether p is a known profile.
func (p DisclosureProfile) Valid() bool {
	for _, v := range DisclosureProfiles {
		if p == v {
			return true
		}
	}
	return false
}

// Includes reports whether p discloses everything q does; nothing
// includes Never.
func (p DisclosureProfile) Includes(q DisclosureProfile) bool {
	rank := func(x DisclosureProfile) int {
		for i, v := range DisclosureProfiles {
			if x == v {
				return i
			}
		}
		return -1
	}
	return rank(q) >= 0 && rank(p) >= rank(q)
}

// ReturnList is one list of children in a phase of a channel. Its entries
// are edited in a working revision; sealing freezes the revision, and a
// later change starts the next revision, which supersedes it once sealed.
type ReturnList struct {
	ID        int64         `json:"id"`
	UID       string        `json:"uid"` // the same in every installation; entry references start with it
	OrgID     int64         `json:"org_id"`
	ChannelID int64         `json:"channel_id"`
	PhaseID   int64         `json:"phase_id"`
	Phase     int           `json:"phase"` // the phase's number
	Direction ListDirection `json:"direction"`
	// AuthorID is the party whose list it is: ours for an outgoing list,
	// the requesting side's for a received one.
	AuthorID int64             `json:"author_id"`
	Title    string            `json:"title"`
	Profile  DisclosureProfile `json:"profile"`
	State    ListState         `json:"state"`

	// Revision is the working revision; SealedRevision the last sealed
	// (0 before the first seal). Revision > SealedRevision while a change
	// after a seal is being prepared.
	Revision       int `json:"revision"`
	SealedRevision int `json:"sealed_revision"`
	// SealRequestedBy is who asked for the working revision to be sealed;
	// a supervisor other than them seals it.
	SealRequestedBy int64      `json:"seal_requested_by,omitempty"`
	SealRequestedAt *time.Time `json:"seal_requested_at,omitempty"`

	Entries  int `json:"entries"`  // in the working revision
	Answered int `json:"answered"` // of those, with an answer

	Version   int       `json:"version"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Editable reports whether entries can be added or removed now: an
// outgoing list not withdrawn or closed. Editing a sealed list starts a
// new revision.
func (l *ReturnList) Editable() bool { return l.Direction == ListOutgoing && !l.State.Final() }

// Validate checks a list before it is stored.
func (l *ReturnList) Validate() error {
	switch {
	case strings.TrimSpace(l.Title) == "":
		return FieldErrorf(EINVALID, "title", "A list needs a title.")
	case len([]rune(l.Title)) > MaxNameLength:
		return FieldErrorf(EINVALID, "title", "The title is longer than %d characters.", MaxNameLength)
	case !l.Profile.Valid():
		return FieldErrorf(EINVALID, "profile", "Choose the disclosure profile (minimal, standard or full).")
	}
	return nil
}

// EntryState is where an entry stands in its list.
type EntryState string

const (
	EntryPending  EntryState = "pending"  // not answered yet
	EntryAnswered EntryState = "answered" // the latest answer is in Answer
	EntryRemoved  EntryState = "removed"  // taken off the list in a later revision
)

// ListEntry is one child on a list. On an outgoing list it is a case of
// ours; on a received list, the person as disclosed to us. Ref is the
// reference both sides and the mediator use for the entry.
type ListEntry struct {
	ID       int64  `json:"id"`
	ListID   int64  `json:"list_id"`
	Ref      string `json:"ref"`
	Position int    `json:"position"`
	CaseID   int64  `json:"case_id,omitempty"` // outgoing lists only
	// Person is what was disclosed: frozen at the seal of an outgoing
	// list, as received on the others. Before the first seal it is what
	// would leave now.
	Person DisclosedChild `json:"person"`

	AddedRevision   int `json:"added_revision"`
	RemovedRevision int `json:"removed_revision,omitempty"`

	State  EntryState `json:"state"`
	Answer AnswerCode `json:"answer,omitempty"` // the latest answer's code
	// AnsweredAt is when the latest answer was recorded here.
	AnsweredAt *time.Time `json:"answered_at,omitempty"`

	// CarriedFrom is the entry of the previous phase this one continues,
	// and CarriedTo the entry of the next phase that continues this one.
	CarriedFrom    string `json:"carried_from,omitempty"`
	CarriedFromID  int64  `json:"carried_from_id,omitempty"`
	CarriedToID    int64  `json:"carried_to_id,omitempty"`
	LocatedID      int64  `json:"located_id,omitempty"` // the record an answer's location created
	CandidateCount int    `json:"candidates,omitempty"` // received lists: candidates found among our records

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ListRevision is a sealed (or received) revision of a list: the document
// that leaves, byte for byte, and who sealed it.
type ListRevision struct {
	ListID          int64      `json:"list_id"`
	Revision        int        `json:"revision"`
	Entries         int        `json:"entries"`
	BodyHash        string     `json:"body_hash"` // hex SHA-256 of the document
	SealRequestedBy int64      `json:"seal_requested_by,omitempty"`
	SealedBy        int64      `json:"sealed_by,omitempty"`
	SealedAt        time.Time  `json:"sealed_at"`
	SentAt          *time.Time `json:"sent_at,omitempty"`
	SupersededAt    *time.Time `json:"superseded_at,omitempty"`
}

// ListDiff is what changed from one revision of a list to another.
type ListDiff struct {
	From    int           `json:"from"`
	To      int           `json:"to"`
	Added   []string      `json:"added,omitempty"`   // entry references
	Removed []string      `json:"removed,omitempty"` // entry references
	Changed []EntryChange `json:"changed,omitempty"`
}

// EntryChange is how one entry's disclosed fields changed between revisions.
type EntryChange struct {
	Ref    string   `json:"ref"`
	Fields []Change `json:"fields"`
}

// ListFilter selects lists.
type ListFilter struct {
	ChannelID int64
	PhaseID   int64
	Direction ListDirection
	CaseID    int64 // lists the case is on
}
