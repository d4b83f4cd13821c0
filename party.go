package homeward

import (
	"context"
	"strings"
	"time"
)

// Entity types of the exchange with mediators.
const (
	EntityParty   = "party"
	EntityChannel = "channel"
	EntityList    = "list"
	EntityBundle  = "bundle"
)

// Party event actions.
const (
	ActionPartyInit    = "party_init"
	ActionPartyConfirm = "party_confirm"
	ActionPartyRetire  = "party_retire"
)

// PartyKind says what part another installation plays in a return.
type PartyKind string

const (
	PartyMediator    PartyKind = "mediator"    // carries lists and answers between the sides
	PartyCounterpart PartyKind = "counterpart" // the other side
	PartyAgency      PartyKind = "agency"      // another agency or NGO on our side
)

// PartyKinds lists every kind in display order.
var PartyKinds = []PartyKind{PartyMediator, PartyCounterpart, PartyAgency}

// Valid reports whether k is a known kind.
func (k PartyKind) Valid() bool {
	for _, v := range PartyKinds {
		if k == v {
			return true
		}
	}
	return false
}

// Party is an installation Homeward exchanges bundles with, or this
// installation itself (Self). A party is known by its public keys: an
// Ed25519 key that signs what it sends and an age X25519 recipient that
// what is sent to it is encrypted to. A party without keys is "offline":
// it is sent printed lists and spreadsheets, never bundles.
//
// Nothing is accepted from a party until a named person has compared its
// fingerprint over another channel and confirmed it, and nothing is
// accepted from a retired party.
type Party struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Kind        PartyKind `json:"kind"`
	Self        bool      `json:"self"`
	SigningKey  string    `json:"signing_key,omitempty"` // "ed25519:" + base64
	AgeKey      string    `json:"age_key,omitempty"`     // "age1…"
	Fingerprint string    `json:"fingerprint,omitempty"`

	ConfirmedBy  int64      `json:"confirmed_by,omitempty"`
	ConfirmedAt  *time.Time `json:"confirmed_at,omitempty"`
	RetiredBy    int64      `json:"retired_by,omitempty"`
	RetiredAt    *time.Time `json:"retired_at,omitempty"`
	RetireReason string     `json:"retire_reason,omitempty"`

	Version   int       `json:"version"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Online reports whether the party has keys, so that bundles can go to it.
func (p *Party) Online() bool { return p.SigningKey != "" && p.AgeKey != "" }

// Trusted reports whether bundles from the party may be opened.
func (p *Party) Trusted() bool {
	return p.Online() && (p.Self || p.ConfirmedAt != nil) && p.RetiredAt == nil
}

// MaxNameLength bounds names of parties, channels and lists.
const MaxNameLength = 200

// Validate checks a party before it is stored.
func (p *Party) Validate() error {
	switch {
	case strings.TrimSpace(p.Name) == "":
		return FieldErrorf(EINVALID, "name", "A party needs a name.")
	case len([]rune(p.Name)) > MaxNameLength:
		return FieldErrorf(EINVALID, "name", "The name is longer than %d characters.", MaxNameLength)
	case !p.Kind.Valid() && !p.Self:
		return FieldErrorf(EINVALID, "kind", "Unknown party kind %q (mediator, counterpart or agency).", p.Kind)
	case (p.SigningKey == "") != (p.AgeKey == ""):
		return FieldErrorf(EINVALID, "keys", "A party has both keys (signing and encryption) or neither.")
	case p.Online() && p.Fingerprint == "":
		return FieldErrorf(EINVALID, "fingerprint", "A party with keys needs their fingerprint.")
	}
	return nil
}

// PartyService keeps this installation's identity and the parties it
// trusts. Administrators of the installation's first organisation manage
// parties; liaisons, supervisors and administrators see them.
type PartyService interface {
	// Self returns this installation's party; ENOTFOUND before "homeward
	// party init".
	Self(ctx context.Context) (*Party, error)
	// InitSelf stores this installation's party and its secret keys,
	// already encrypted by the caller (sealed); only the system may.
	InitSelf(ctx context.Context, p *Party, sealedSecret []byte) error
	// SelfSecret returns the sealed secret keys; only the system may.
	SelfSecret(ctx context.Context) ([]byte, error)

	FindParties(ctx context.Context) ([]*Party, error)
	FindPartyByID(ctx context.Context, id int64) (*Party, error)
	// FindPartyByFingerprint returns the party with the fingerprint, in
	// any of the forms a person types, or ENOTFOUND.
	FindPartyByFingerprint(ctx context.Context, fingerprint string) (*Party, error)
	// AddParty stores a remote party, not yet trusted.
	AddParty(ctx context.Context, p *Party) error
	// ConfirmParty trusts a party once the fingerprint a person read out
	// over another channel equals the stored one.
	ConfirmParty(ctx context.Context, id int64, fingerprint string, version int) (*Party, error)
	// RetireParty stops trusting a party: its later bundles are refused.
	RetireParty(ctx context.Context, id int64, reason string, version int) (*Party, error)
}
