package homeward

import (
	"strings"
	"time"
)

// Channel and phase event actions.
const (
	ActionChannelCreate = "channel_create"
	ActionPhaseOpen     = "phase_open"
)

// ChannelRole is the part this installation plays in a channel.
type ChannelRole string

const (
	RoleOrigin      ChannelRole = "origin"      // opened the channel
	RoleMediator    ChannelRole = "mediator"    // carries between the two sides
	RoleCounterpart ChannelRole = "counterpart" // the other side
)

// Channel is the standing arrangement through which returns are
// negotiated: an origin, a mediator and a counterpart, each a party, one of
// them this installation. Lists go either way through it; the mediator
// carries them. Its UID is the same in every installation of the channel.
type Channel struct {
	ID    int64  `json:"id"`
	UID   string `json:"uid"`
	OrgID int64  `json:"org_id"`
	Name  string `json:"name"`

	OriginID      int64 `json:"origin_id"`
	MediatorID    int64 `json:"mediator_id"`
	CounterpartID int64 `json:"counterpart_id"`
	// Role is what this installation is in the channel, derived from which
	// of the three parties is Self.
	Role ChannelRole `json:"role"`

	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// OtherSide returns the side that is not side (origin ↔ counterpart).
func (c *Channel) OtherSide(party int64) int64 {
	switch party {
	case c.OriginID:
		return c.CounterpartID
	case c.CounterpartID:
		return c.OriginID
	}
	return 0
}

// RoleOf returns the role of a party in the channel, or "".
func (c *Channel) RoleOf(party int64) ChannelRole {
	switch party {
	case c.OriginID:
		return RoleOrigin
	case c.MediatorID:
		return RoleMediator
	case c.CounterpartID:
		return RoleCounterpart
	}
	return ""
}

// Validate checks a channel before it is stored.
func (c *Channel) Validate() error {
	switch {
	case strings.TrimSpace(c.Name) == "":
		return FieldErrorf(EINVALID, "name", "A channel needs a name.")
	case len([]rune(c.Name)) > MaxNameLength:
		return FieldErrorf(EINVALID, "name", "The name is longer than %d characters.", MaxNameLength)
	case c.MediatorID == 0:
		return FieldErrorf(EINVALID, "mediator_id", "Choose the mediator.")
	case c.CounterpartID == 0:
		return FieldErrorf(EINVALID, "counterpart_id", "Choose the counterpart.")
	case c.MediatorID == c.CounterpartID || c.OriginID == c.MediatorID || c.OriginID == c.CounterpartID:
		return FieldErrorf(EINVALID, "counterpart_id", "The origin, the mediator and the counterpart are three different parties.")
	}
	return nil
}

// Phase is one round of a channel: the lists each side sends in it and the
// answers to them. What is unanswered or needs more data is carried into
// the next phase.
type Phase struct {
	ID        int64     `json:"id"`
	ChannelID int64     `json:"channel_id"`
	Number    int       `json:"number"`
	OpenedBy  int64     `json:"opened_by"`
	OpenedAt  time.Time `json:"opened_at"`
}
