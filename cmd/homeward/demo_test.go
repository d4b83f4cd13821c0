package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/linkage/synth"
	"github.com/homeward-project/homeward/store"
)

func TestDemoLoadsEveryRoleAndSyntheticRecords(t *testing.T) {
	ctx := context.Background()
	db, err := openDB(ctx, filepath.Join(t.TempDir(), "demo.db"), nil, io.Discard)
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

func TestDemoCarriesAFirstPhaseThroughAMediator(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := openDB(ctx, filepath.Join(dir, "homeward.db"), nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, _, err := loadDemo(ctx, db, synth.Config{Reports: 20, Located: 60, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	org, err := demoOrgID(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	id, err := loadDemoExchange(ctx, db, dir, org, "kx7q-zr2m-fw9p-t4vb")
	if err != nil {
		t.Fatal(err)
	}
	// The keys the demo sealed open again with its key file.
	keys := keyFlags{file: ptr(filepath.Join(dir, "homeward.key")), passEnv: ptr("")}
	again, err := keys.unlockIdentity(ctx, db)
	if err != nil || again.Public().Fingerprint() != id.Public().Fingerprint() {
		t.Fatalf("unlock the demo's keys: %v", err)
	}
	liaison := homeward.NewContextWithActor(ctx, homeward.Actor{System: true, Role: homeward.RoleAdmin, OrgID: org})
	ls, err := store.NewListService(db).FindLists(liaison, homeward.ListFilter{Direction: homeward.ListOutgoing})
	if err != nil || len(ls) != 1 {
		t.Fatalf("demo lists: %d, %v", len(ls), err)
	}
	if ls[0].State != homeward.ListAnswered || ls[0].Answered != len(demoChildren) {
		t.Fatalf("the demo's first phase is %s with %d answers", ls[0].State, ls[0].Answered)
	}
	for _, name := range []string{"mediator.db", "counterpart.db"} {
		key := filepath.Join(dir, strings.TrimSuffix(name, ".db")+".key")
		peer, err := openDB(ctx, filepath.Join(dir, name), &keyFlags{file: &key, passEnv: new(string)}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.NewEventService(peer).VerifyChain(homeward.NewContextWithActor(ctx, homeward.SystemActor())); err != nil {
			t.Errorf("%s event chain: %v", name, err)
		}
		// Its liaison signs in with the demo's password and sees its list.
		u, err := store.NewUserService(peer).Authenticate(ctx, "liaison", "kx7q-zr2m-fw9p-t4vb", "127.0.0.1")
		if err != nil {
			t.Fatalf("%s: the liaison cannot sign in: %v", name, err)
		}
		if ls, err := store.NewListService(peer).FindLists(homeward.NewContextWithActor(ctx, homeward.ActorOf(u)), homeward.ListFilter{}); err != nil || len(ls) != 1 {
			t.Errorf("%s: the liaison sees %d lists (%v), want the one received", name, len(ls), err)
		}
		peer.Close()
	}
}
