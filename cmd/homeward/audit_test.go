package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/linkage/synth"
	"github.com/homeward-project/homeward/store"
)

func TestUserAndAuditCommands(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "homeward.db")
	db, err := openDB(ctx, dsn, nil, io.Discard)
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
	db, err = openDB(ctx, dsn, nil, io.Discard)
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
	if code != 0 || !strings.Contains(out, "ok: 5 events verified") {
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

// signedFixture is a database written by commands that had the key file,
// with imported cases, and a way to run commands against it.
func signedFixture(t *testing.T) (f *importFixture, key string, cmd func(args ...string) (int, string, string)) {
	t.Helper()
	f = newImportFixture(t)
	// The key the fixture's database was created with (see TestMain).
	key = os.Getenv("HOMEWARD_KEY_FILE")
	cmd = func(args ...string) (int, string, string) {
		return f.run(append(args, "--key-file", key)...)
	}
	file := f.file("cases.csv", "Прізвище;Ім'я;Дата народження\nТестенко;Олена;05.03.2015\nЗразкова;Ірина;06.03.2014\nВигаданий;Петро;07.03.2013\n")
	if code, out, errOut := cmd("import", "--kind", "case", "--org", "1", file); code != 0 {
		t.Fatalf("import: exit %d, %q %q", code, out, errOut)
	}
	if code, out, errOut := cmd("user", "add", "--org", "1", "--login", "tester", "--role", "caseworker", "--name", "Test User"); code != 0 {
		t.Fatalf("user add: exit %d, %q %q", code, out, errOut)
	}
	return f, key, cmd
}

func (f *importFixture) sql(q string, args ...any) {
	f.t.Helper()
	raw, err := sql.Open("sqlite", f.dsn)
	if err != nil {
		f.t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(q, args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

func TestAuditVerifySignsTheHeadAndChecksRows(t *testing.T) {
	f, _, cmd := signedFixture(t)
	code, out, errOut := cmd("audit", "verify")
	if code != 0 || !strings.Contains(out, "head: signed") || !strings.Contains(out, "3 cases") {
		t.Fatalf("audit verify of an untouched log: exit %d, %q %q", code, out, errOut)
	}
	head := regexp.MustCompile(`hash ([0-9a-f]{64})`).FindStringSubmatch(out)
	if head == nil {
		t.Fatalf("audit verify printed no head hash: %q", out)
	}
	if code, out, errOut := cmd("audit", "verify", "--expect-head", head[1]); code != 0 {
		t.Fatalf("audit verify against its own head: exit %d, %q %q", code, out, errOut)
	}
	if code, _, errOut := cmd("audit", "verify", "--expect-head", strings.Repeat("0", 64)); code == 0 || !strings.Contains(errOut, "anchored") {
		t.Fatalf("audit verify against a head not in the log: exit %d, %q", code, errOut)
	}
	// Without the key it still verifies the chain, and says what it could
	// not check.
	code, out, errOut = f.run("audit", "verify", "--key-file", filepath.Join(t.TempDir(), "none.key"))
	if code != 0 || !strings.Contains(out, "warning: the head is signed, but no key") {
		t.Fatalf("audit verify without the key: exit %d, %q %q", code, out, errOut)
	}
}

func TestAuditVerifyFailsOnTamperingNamingWhatItFound(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(f *importFixture)
		want   string
	}{
		{"tail cut and head rewritten", func(f *importFixture) {
			f.sql(`DELETE FROM events WHERE id > 2`)
			f.sql(`UPDATE event_head SET last_id = 2, last_hash = (SELECT hash FROM events WHERE id = 2)`)
		}, "signature of the head (event 2) does not hold"},
		{"tail cut, head rewritten, signature removed", func(f *importFixture) {
			f.sql(`DELETE FROM events WHERE id > 2`)
			f.sql(`UPDATE event_head SET last_id = 2, last_hash = (SELECT hash FROM events WHERE id = 2), mac = ''`)
		}, "the head is unsigned"},
		{"all events deleted", func(f *importFixture) {
			f.sql(`DELETE FROM events`)
			f.sql(`UPDATE event_head SET last_id = 0, last_hash = '', mac = ''`)
		}, "the log holds no events, but the database holds 3 cases"},
		{"a case row's sealed fields replaced by another's", func(f *importFixture) {
			f.sql(`UPDATE cases SET sealed = (SELECT sealed FROM cases WHERE id = 3) WHERE id = 2`)
		}, "case 2: its sealed fields do not open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, cmd := signedFixture(t)
			tt.tamper(f)
			code, out, errOut := cmd("audit", "verify")
			if code == 0 || !strings.Contains(errOut, tt.want) {
				t.Fatalf("audit verify after %s: exit %d, %q %q; want it to fail saying %q", tt.name, code, out, errOut, tt.want)
			}
		})
	}
}

func TestAuditVerifyPassesOnTheDemo(t *testing.T) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "demo.db")
	db, err := openDB(ctx, dsn, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := loadDemo(ctx, db, synth.Config{Reports: 40, Located: 200, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rep, err := store.NewEventService(db).Audit(homeward.NewContextWithActor(ctx, homeward.SystemActor()), store.AuditOptions{})
	if err != nil || !rep.HeadSigned || rep.Records[homeward.EntityCase] == 0 {
		t.Fatalf("audit of the demo: %+v, %v", rep, err)
	}
}

func TestPartyInitSignsTheHeadWithTheKeyItCreates(t *testing.T) {
	in := newInstallationDir(t, "origin")
	in.must("party", "init", "--name", "Origin (test)")
	if out := in.must("audit", "verify"); !strings.Contains(out, "head: signed") {
		t.Fatalf("audit verify after party init:\n%s", out)
	}
}
