package store

import (
	"context"
	"testing"

	"github.com/homeward-project/homeward"
)

// A list carries the names of the children it asks for: its entries, its
// revisions and what waits in the outbox hold them sealed, and they read
// back whole.
func TestAListHoldsItsChildrenSealed(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		x := newExchangeWorld(t, db)
		c := x.verifiedCase(t, "Листислава", "Запечатаненко", homeward.SexFemale)
		secrets := []string{"Листислава", "Запечатаненко"}
		// Built, not sealed yet.
		draft := &homeward.ReturnList{ChannelID: x.ch.ID, Title: "Draft list"}
		mustNil(t, x.lists.CreateList(x.liaison, draft))
		_, _, err := x.lists.AddEntries(x.liaison, draft.ID, []int64{c.ID}, draft.Version)
		mustNil(t, err)
		if found, err := db.FindText(context.Background(), secrets); err != nil || len(found) > 0 {
			t.Fatalf("a draft list holds in clear: %v (%v)", found, err)
		}
		l := x.sealedList(t, c)
		es := x.entries(t, l.ID)
		if len(es) != 1 || es[0].Person.GivenName != "Листислава" {
			t.Fatalf("the entry reads %+v", es)
		}
		if found, err := db.FindText(context.Background(), secrets); err != nil || len(found) > 0 {
			t.Fatalf("the database holds in clear: %v (%v)", found, err)
		}
	})
}
