package homeward

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// Entity types named in events.
const (
	EntityCase    = "case"
	EntityLocated = "located"
	EntityUser    = "user"
	EntityOrg     = "org"
	EntityImport  = "import"
)

// Event actions.
const (
	ActionCreate = "create"
	ActionUpdate = "update"
	ActionView   = "view"
	ActionShare  = "share"
	ActionImport = "import"
	ActionExport = "export"
	ActionLogin  = "login"
	ActionLogout = "logout"
	// ActionErase destroys a record's personal data (see CaseService.EraseCase).
	ActionErase = "erase"
)

// Change is one field's old and new value in an update event.
type Change struct {
	Field string `json:"field"`
	Old   any    `json:"old,omitempty"`
	New   any    `json:"new,omitempty"`
}

// Event is one entry of the append-only event log. Each event's Hash is
// SHA-256 over the previous event's hash and this event's canonical encoding,
// so that altering, removing or reordering any stored event breaks the chain
// from that event on.
type Event struct {
	ID         int64           `json:"id"` // position in the chain, 1-based, gapless
	At         time.Time       `json:"at"`
	ActorID    int64           `json:"actor_id"` // 0 for the system
	OrgID      int64           `json:"org_id"`
	EntityType string          `json:"entity_type"`
	EntityID   int64           `json:"entity_id"`
	Action     string          `json:"action"`
	Data       json.RawMessage `json:"data,omitempty"` // e.g. []Change; stored byte for byte
	PrevHash   string          `json:"prev_hash"`
	Hash       string          `json:"hash"`
	// Erased is set on an event read back whose record was erased: its
	// data was sealed under the record's key, which is destroyed. The hash
	// covers the sealed data as stored, so the chain still verifies.
	Erased bool `json:"erased,omitempty"`
}

// Canonical returns the encoding the hash covers. Times are UTC at microsecond
// precision, the finest both SQLite text and PostgreSQL timestamps keep.
func (e *Event) Canonical() []byte {
	b := make([]byte, 0, 128+len(e.Data))
	field := func(s string) {
		b = strconv.AppendInt(b, int64(len(s)), 10)
		b = append(b, ':')
		b = append(b, s...)
		b = append(b, ';')
	}
	field(strconv.FormatInt(e.ID, 10))
	field(e.At.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano))
	field(strconv.FormatInt(e.ActorID, 10))
	field(strconv.FormatInt(e.OrgID, 10))
	field(e.EntityType)
	field(strconv.FormatInt(e.EntityID, 10))
	field(e.Action)
	field(string(e.Data))
	return b
}

// ComputeHash returns the hex SHA-256 of the previous hash and the canonical encoding.
func (e *Event) ComputeHash() string {
	h := sha256.New()
	h.Write([]byte(e.PrevHash))
	h.Write([]byte{'\n'})
	h.Write(e.Canonical())
	return hex.EncodeToString(h.Sum(nil))
}

// EventFilter selects events.
type EventFilter struct {
	EntityType string
	EntityID   int64
	ActorID    int64
	Offset     int
	Limit      int
}

// ChainError names the first event at which the chain no longer verifies.
type ChainError struct {
	EventID int64  // the event that was altered, or that follows a removed one
	Reason  string // "hash mismatch", "broken link", "gap in sequence"
}

func (e *ChainError) Error() string {
	return "event chain broken at event " + strconv.FormatInt(e.EventID, 10) + ": " + e.Reason
}

// EventService reads the event log. Events are appended by the services that
// change records, never through this interface.
type EventService interface {
	FindEvents(ctx context.Context, f EventFilter) ([]*Event, error)
	// VerifyChain walks the whole log; it returns the number of events checked
	// and a *ChainError for the first event that fails.
	VerifyChain(ctx context.Context) (int64, error)
	// RecordAccess appends an event for a read of many records at once (a
	// list, a search, an export); callers show or send nothing unless it
	// succeeds.
	RecordAccess(ctx context.Context, a Access) error
}

// HeadError says the event log's head cannot be trusted: its signature does
// not hold, it is missing, or it disagrees with a head anchored elsewhere.
// Events cut from the end of the log leave no gap in the chain; only the
// head shows them.
type HeadError struct {
	Reason string
}

func (e *HeadError) Error() string { return "event log head: " + e.Reason }

// RecordError names the first stored record whose row disagrees with the
// state its events produce: the row was edited behind the log's back.
type RecordError struct {
	EntityType string
	EntityID   int64
	Field      string // "" when the record as a whole is at fault
	Reason     string
}

func (e *RecordError) Error() string {
	s := e.EntityType + " " + strconv.FormatInt(e.EntityID, 10)
	if e.Field != "" {
		s += ", field " + e.Field
	}
	return s + ": " + e.Reason
}
