package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/store"
)

func TestUserAndAuditCommands(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "homeward.db")
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	org := &homeward.Org{Name: "Invented Agency", Kind: homeward.OrgAgency}
	if err := store.NewOrgService(db).CreateOrg(homeward.NewContextWithActor(ctx, homeward.SystemActor()), org); err != nil {
		t.Fatal(err)
	}
	db.Close()

	cmd := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(ctx, append(args, "--db", dsn), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	code, out, errOut := cmd("user", "add", "--org", "1", "--login", "tester", "--role", "caseworker", "--name", "Test User")
	if code != 0 {
		t.Fatalf("user add: exit %d: %s", code, errOut)
	}
	password := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(out)
	if password == nil {
		t.Fatalf("user add printed no password: %q", out)
	}
	db, err = store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.NewUserService(db).Authenticate(ctx, "tester", password[1], "127.0.0.1"); err != nil {
		t.Fatalf("printed password does not sign in: %v", err)
	}
	db.Close()

	if code, _, _ := cmd("user", "add", "--org", "1", "--login", "other", "--role", "wizard"); code != 3 {
		t.Errorf("user add with an unknown role: exit %d, want 3", code)
	}
	if code, out, _ := cmd("user", "passwd", "--login", "TESTER"); code != 0 || !strings.Contains(out, "new password for tester") {
		t.Errorf("user passwd: exit %d, %q", code, out)
	}
	if code, out, _ := cmd("user", "list"); code != 0 || !strings.Contains(out, "tester") {
		t.Errorf("user list: exit %d, %q", code, out)
	}

	code, out, errOut = cmd("audit", "verify")
	if code != 0 || !strings.Contains(out, "ok: 4 events verified") {
		t.Fatalf("audit verify of an untouched log: exit %d, %q %q", code, out, errOut)
	}
	raw, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE events SET actor_id = 42 WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	code, _, errOut = cmd("audit", "verify")
	if code == 0 || !strings.Contains(errOut, "event 2") {
		t.Fatalf("audit verify of a tampered log: exit %d, %q", code, errOut)
	}
}
