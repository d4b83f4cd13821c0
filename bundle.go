package homeward

import (
	"strings"
	"time"
)

// Bundle event actions.
const (
	ActionBundleCreate   = "bundle_create"
	ActionBundleOpen     = "bundle_open"
	ActionBundleHold     = "bundle_hold" // a gap in the sequence: held until the missing bundle arrives
	ActionBundleRefuse   = "bundle_refuse"
	ActionBundleReceipt  = "bundle_receipt" // the recipient's signed receipt came back
	ActionBundleGap      = "bundle_gap_accept"
	ActionBundleDownload = "bundle_download"
)

// BundleDirection says whether a bundle left or arrived.
type BundleDirection string

const (
	BundleOut BundleDirection = "out"
	BundleIn  BundleDirection = "in"
)

// BundleStatus is where a bundle stands. Out: created, then received when
// the recipient's receipt or acknowledgement comes back. In: opened (its
// content stored), held (waiting for a missing earlier bundle), or refused
// (nothing of it stored, the reason kept).
type BundleStatus string

const (
	BundleCreated  BundleStatus = "created"
	BundleReceived BundleStatus = "received"
	BundleOpened   BundleStatus = "opened"
	BundleHeld     BundleStatus = "held"
	BundleRefused  BundleStatus = "refused"
)

// Bundle is the record of a bundle file that left or arrived: its manifest's
// facts, never its content (which is stored, for an opened bundle, as the
// records it carried).
type Bundle struct {
	ID        int64           `json:"id"`
	UID       string          `json:"uid,omitempty"`
	OrgID     int64           `json:"org_id"`
	Direction BundleDirection `json:"direction"`
	Status    BundleStatus    `json:"status"`
	ChannelID int64           `json:"channel_id,omitempty"`
	SenderID  int64           `json:"sender_id,omitempty"` // party
	ToID      int64           `json:"to_id,omitempty"`     // party
	// Sequence is the bundle's number on its stream (sender, channel,
	// recipient); 0 for a bundle of receipts only, which is outside any
	// stream.
	Sequence     int64  `json:"sequence"`
	Previous     string `json:"previous,omitempty"`
	ManifestHash string `json:"manifest_hash,omitempty"`
	FileHash     string `json:"file_hash"` // hex SHA-256 of the file as it arrived or left
	Size         int64  `json:"size"`
	Documents    int    `json:"documents"`
	// Kinds counts the documents by kind: {"list": 1, "message": 2}.
	Kinds map[string]int `json:"kinds,omitempty"`

	Reason string `json:"reason,omitempty"` // refused or held: the reason code
	Detail string `json:"detail,omitempty"` // in words

	SentAt     time.Time  `json:"sent_at"` // the manifest's creation time
	ExpiresAt  time.Time  `json:"expires_at"`
	ReceivedAt *time.Time `json:"received_at,omitempty"` // out: when the recipient said it opened it
	CreatedBy  int64      `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"` // when this installation made or took it
}

// Document kinds carried in bundles.
const (
	DocList    = "list"
	DocAnswers = "answers"
	DocMessage = "message"
	DocReceipt = "receipt" // of a bundle or of a message
	DocNotice  = "notice"  // a list's state: acknowledged, forwarded, withdrawn
)

// ListDocument is a revision of a list as it leaves: the document its
// author signs, so that the mediator who carries it cannot change it.
type ListDocument struct {
	UID      string            `json:"uid"`
	Revision int               `json:"revision"`
	Phase    int               `json:"phase"`
	Title    string            `json:"title"`
	Profile  DisclosureProfile `json:"profile"`
	SealedAt time.Time         `json:"sealed_at"`
	Entries  []EntryDocument   `json:"entries"`
	// Removed are the references of entries of earlier revisions no
	// longer on the list.
	Removed []string `json:"removed,omitempty"`
}

// EntryDocument is one child on a list document.
type EntryDocument struct {
	Ref         string         `json:"ref"`
	Person      DisclosedChild `json:"person"`
	CarriedFrom string         `json:"carried_from,omitempty"`
}

// AnswersDocument carries answers about entries of one list.
type AnswersDocument struct {
	ListUID string           `json:"list_uid"`
	Answers []AnswerDocument `json:"answers"`
}

// AnswerDocument is one answer as it travels.
type AnswerDocument struct {
	UID      string        `json:"uid"`
	EntryRef string        `json:"entry_ref"`
	Code     AnswerCode    `json:"code"`
	On       Date          `json:"answered_on"`
	TheirRef string        `json:"their_ref,omitempty"`
	Text     string        `json:"text,omitempty"`
	Details  AnswerDetails `json:"details"`
	Corrects string        `json:"corrects,omitempty"`
}

// MessageDocument is a welfare message as it travels.
type MessageDocument struct {
	UID       string    `json:"uid"`
	ListUID   string    `json:"list_uid"`
	EntryRef  string    `json:"entry_ref"`
	Text      string    `json:"text"`
	Photo     string    `json:"photo,omitempty"` // the SHA-256 of the photo file beside the document
	PhotoType string    `json:"photo_type,omitempty"`
	WrittenAt time.Time `json:"written_at"`
}

// ReceiptDocument says a bundle was opened or a message delivered or read.
type ReceiptDocument struct {
	// Of a bundle.
	BundleUID    string `json:"bundle_uid,omitempty"`
	Sequence     int64  `json:"sequence,omitempty"`
	ManifestHash string `json:"manifest_hash,omitempty"`
	// Of a message.
	MessageUID string      `json:"message_uid,omitempty"`
	Kind       ReceiptKind `json:"kind,omitempty"`

	At time.Time `json:"at"`
}

// NoticeDocument reports a list's state to its author (the mediator's
// acknowledgement and forwarding) or to the others (withdrawn).
type NoticeDocument struct {
	ListUID  string    `json:"list_uid"`
	Revision int       `json:"revision"`
	State    ListState `json:"state"`
	Reason   string    `json:"reason,omitempty"`
	At       time.Time `json:"at"`
}

// RefusedError is a bundle refused by a check: Reason is a stable code
// (damaged, replay, gap…), Err the message a person reads.
type RefusedError struct {
	Reason string
	Err    *Error
}

func (e *RefusedError) Error() string { return "bundle refused (" + e.Reason + "): " + e.Err.Message }

// Unwrap lets ErrorCode and ErrorMessage see the message.
func (e *RefusedError) Unwrap() error { return e.Err }

// Refused returns a refusal with a reason code and a message.
func Refused(reason, format string, args ...any) *RefusedError {
	return &RefusedError{Reason: reason, Err: FieldErrorf(EINVALID, "bundle", format, args...)}
}

// Refusal reasons the stream checks give, and those of the bundle format
// (package exchange, which has the rest) that the stream checks again: one
// spelling, so that a reason is stored, counted and translated once.
const (
	RefuseNotAddressed      = "not_addressed"
	RefuseUnknownSender     = "unknown_sender"
	RefuseMalformedManifest = "malformed_manifest"
	RefuseFileHash          = "file_hash"

	RefuseReplay           = "replay"
	RefuseSequenceConflict = "sequence_conflict"
	RefusePreviousMismatch = "previous_mismatch"
	RefuseWrongChannel     = "wrong_channel"
	RefuseBadDocument      = "bad_document"
)

// InboundDocument is one verified document of an arriving bundle.
type InboundDocument struct {
	Kind   string
	Author string // fingerprint
	// Signed is the document as it arrived, kept to be relayed unchanged;
	// Body its body, as its author signed it.
	Signed []byte
	Body   []byte

	List    *ListDocument
	Answers *AnswersDocument
	Message *MessageDocument
	Receipt *ReceiptDocument
	Notice  *NoticeDocument
}

// ChannelDescriptor names a channel and its parties in a manifest.
type ChannelDescriptor struct {
	UID         string
	Name        string
	Origin      string // fingerprints
	Mediator    string
	Counterpart string
}

// BundleAck acknowledges the bundles of a stream up to a sequence number.
type BundleAck struct {
	BundleUID string
	Sender    string // fingerprint of the stream's sender
	Sequence  int64
	Hash      string
}

// InboundBundle is an arriving bundle whose signature, addressing, expiry
// and file hashes have been checked, and whose documents have been
// verified against their authors' keys. What is left to check needs the
// stream's state: duplicates, replays, gaps, the previous hash.
type InboundBundle struct {
	UID          string
	Channel      ChannelDescriptor
	Sender       string // fingerprints
	To           string
	Sequence     int64
	Previous     string
	ManifestHash string
	FileHash     string
	Size         int64
	SentAt       time.Time
	ExpiresAt    time.Time
	Acks         []BundleAck
	Documents    []InboundDocument
	Files        map[string][]byte // attachments by SHA-256
	// File is the bundle as it arrived, kept only while it is held.
	File []byte
}

// MaxListEntries bounds the entries of one list: the largest lists carried
// so far had a few thousand children.
const MaxListEntries = 20000

// Validate checks a list document that arrived, before anything of it is
// stored; the error names the entry.
func (d *ListDocument) Validate() error {
	switch {
	case d.UID == "" || len(d.UID) > 64:
		return Errorf(EINVALID, "The list has no identifier.")
	case d.Revision < 1 || d.Phase < 1:
		return Errorf(EINVALID, "The list %s has no revision or phase.", d.UID)
	case strings.TrimSpace(d.Title) == "" || len([]rune(d.Title)) > MaxNameLength:
		return Errorf(EINVALID, "The list %s has no title, or one longer than %d characters.", d.UID, MaxNameLength)
	case !d.Profile.Valid():
		return Errorf(EINVALID, "The list %s has an unknown disclosure profile %q.", d.UID, d.Profile)
	case len(d.Entries) > MaxListEntries:
		return Errorf(EINVALID, "The list %s has %d entries; at most %d are accepted.", d.UID, len(d.Entries), MaxListEntries)
	}
	seen := map[string]bool{}
	for i, e := range d.Entries {
		p := &e.Person
		switch {
		case e.Ref == "" || len(e.Ref) > 64:
			return Errorf(EINVALID, "Entry %d of list %s has no reference.", i+1, d.UID)
		case seen[e.Ref]:
			return Errorf(EINVALID, "The list %s has the entry %s twice.", d.UID, e.Ref)
		case strings.TrimSpace(p.GivenName) == "" && strings.TrimSpace(p.FamilyName) == "":
			return Errorf(EINVALID, "Entry %s of list %s has no name.", e.Ref, d.UID)
		case !p.Sex.Valid():
			return Errorf(EINVALID, "Entry %s of list %s has an unknown sex %q.", e.Ref, d.UID, p.Sex)
		case !p.Circumstance.Valid():
			return Errorf(EINVALID, "Entry %s of list %s has an unknown circumstance %q.", e.Ref, d.UID, p.Circumstance)
		}
		if err := p.BirthDate.Validate("birth_date"); err != nil {
			return Errorf(EINVALID, "Entry %s of list %s: %s", e.Ref, d.UID, ErrorMessage(err))
		}
		if f, ok := tooLong(p); ok {
			return Errorf(EINVALID, "Entry %s of list %s: the %s is too long.", e.Ref, d.UID, f)
		}
		seen[e.Ref] = true
	}
	return nil
}

// tooLong reports a field of a disclosed child longer than a record keeps.
func tooLong(p *DisclosedChild) (string, bool) {
	for _, f := range []struct{ name, v string }{
		{"given name", p.GivenName}, {"family name", p.FamilyName}, {"patronymic", p.Patronymic},
		{"birthplace", p.BirthPlace}, {"last place seen", p.LastSeenPlace}, {"legal representative", p.LegalRepRelation + p.LegalRepBasis},
		{"distinguishing marks", p.DistinguishingMarks},
	} {
		if len([]rune(f.v)) > MaxAnswerText {
			return f.name, true
		}
	}
	if len(p.OtherNames) > 50 || len(p.Seekers) > 50 || len(p.Siblings) > 50 || len(p.Photos) > 20 {
		return "list of names, seekers, siblings or photos", true
	}
	for _, n := range p.OtherNames {
		if len([]rune(n.Name)) > MaxNameLength {
			return "other name", true
		}
	}
	for _, s := range p.Seekers {
		if len([]rune(s.Name))+len([]rune(s.Relation)) > MaxNameLength*2 {
			return "seeker", true
		}
	}
	return "", false
}

// Answer returns the answer a document carries, to validate and store.
func (d *AnswerDocument) Answer() Answer {
	return Answer{UID: d.UID, EntryRef: d.EntryRef, Code: d.Code, On: d.On, TheirRef: d.TheirRef, Text: d.Text, Details: d.Details,
		Corrects: d.Corrects, Source: AnswerByBundle}
}
