package homeward

import (
	"encoding/json"
	"testing"
	"time"
)

// Every field of an event is part of what its hash covers: an event moved to
// another organisation or record must no longer verify, or the log could be
// rewritten to say a record was shown to someone it never was.
func TestEventHashCoversEveryField(t *testing.T) {
	base := func() Event {
		return Event{
			ID: 7, At: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), ActorID: 3, OrgID: 2,
			EntityType: EntityCase, EntityID: 11, Action: ActionShare,
			Data: json.RawMessage(`{"org":5}`), PrevHash: "abc",
		}
	}
	tests := []struct {
		name string
		edit func(e *Event)
	}{
		{"id", func(e *Event) { e.ID = 8 }},
		{"time", func(e *Event) { e.At = e.At.Add(time.Microsecond) }},
		{"actor", func(e *Event) { e.ActorID = 4 }},
		{"organisation", func(e *Event) { e.OrgID = 1 }},
		{"entity type", func(e *Event) { e.EntityType = EntityLocated }},
		{"entity id", func(e *Event) { e.EntityID = 12 }},
		{"action", func(e *Event) { e.Action = ActionView }},
		{"data", func(e *Event) { e.Data = json.RawMessage(`{"org":6}`) }},
		{"previous hash", func(e *Event) { e.PrevHash = "abd" }},
		// Length-prefixed fields: moving a digit from one field to the next
		// must not give the same encoding.
		{"digit moved from organisation to entity id", func(e *Event) { e.OrgID, e.EntityID = 21, 1 }},
	}
	b := base()
	want := b.ComputeHash()
	for _, tt := range tests {
		e := base()
		tt.edit(&e)
		if got := e.ComputeHash(); got == want {
			t.Errorf("editing the %s leaves the hash unchanged", tt.name)
		}
	}
}
