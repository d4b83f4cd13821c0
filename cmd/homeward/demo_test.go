package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/linkage/synth"
	"github.com/homeward-project/homeward/store"
)

func TestDemoLoadsEveryRoleAndSyntheticRecords(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	logins, password, err := loadDemo(ctx, db, synth.Config{Reports: 40, Located: 200, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(logins) != len(demoUsers) || password == "" {
		t.Fatalf("got %d logins and password %q, want %d and a password", len(logins), password, len(demoUsers))
	}
	roles := map[homeward.Role]bool{}
	for _, u := range demoUsers {
		roles[u.role] = true
	}
	for _, r := range homeward.Roles {
		if !roles[r] {
			t.Errorf("no demo user has role %s", r)
		}
	}
	users := store.NewUserService(db)
	u, err := users.Authenticate(ctx, "caseworker", password, "127.0.0.1")
	if err != nil {
		t.Fatalf("demo caseworker cannot sign in: %v", err)
	}
	as := homeward.NewContextWithActor(ctx, homeward.ActorOf(u))
	_, cases, err := store.NewCaseService(db).FindCases(as, homeward.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	_, located, err := store.NewLocatedService(db).FindLocated(as, homeward.LocatedFilter{})
	if err != nil {
		t.Fatal(err)
	}
	// The agency holds about four fifths of the reports plus the NGO's shared
	// ones, and every located record.
	if cases < 20 || cases >= 40 || located != 200 {
		t.Errorf("agency caseworker sees %d cases and %d located records, want 20–39 and 200", cases, located)
	}
	if _, err := store.NewEventService(db).VerifyChain(homeward.NewContextWithActor(ctx, homeward.SystemActor())); err != nil {
		t.Errorf("demo event chain: %v", err)
	}
}
