package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/store"
)

// installationDir is one installation of a command-line test: a database
// and a key file in a directory of its own.
type installationDir struct {
	t        *testing.T
	db, keys string
}

func newInstallationDir(t *testing.T, name string) *installationDir {
	dir := t.TempDir()
	in := &installationDir{t: t, db: filepath.Join(dir, name+".db"), keys: filepath.Join(dir, "keys", name+".key")}
	// The first command on a new database creates the key file and says so.
	var notice bytes.Buffer
	db, err := openDB(context.Background(), in.db, &keyFlags{file: &in.keys, passEnv: new(string)}, &notice)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !strings.Contains(notice.String(), "Created the key file "+in.keys) || !strings.Contains(notice.String(), "Losing it loses the data") {
		t.Fatalf("the first start said %q, want where the key file is and that losing it loses the data", notice.String())
	}
	if err := store.NewOrgService(db).CreateOrg(homeward.NewContextWithActor(context.Background(), homeward.SystemActor()),
		&homeward.Org{Name: name, Kind: homeward.OrgAgency}); err != nil {
		t.Fatal(err)
	}
	return in
}

func (in *installationDir) run(args ...string) (int, string, string) {
	return in.runWithKey(in.keys, args...)
}

func (in *installationDir) runWithKey(key string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), append(args, "--db", in.db, "--key-file", key), &out, &errOut)
	return code, out.String(), errOut.String()
}

func (in *installationDir) must(args ...string) string {
	in.t.Helper()
	code, out, errOut := in.run(args...)
	if code != 0 {
		in.t.Fatalf("homeward %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

var fingerprintLine = regexp.MustCompile(`(?m)^Fingerprint: ([0-9A-F ]{39})$`)

func TestPartyCommandsMakeKeysTrustPartiesAndRefuseAWrongKey(t *testing.T) {
	origin, mediator := newInstallationDir(t, "origin"), newInstallationDir(t, "mediator")
	out := origin.must("party", "init", "--name", "Origin (test)")
	if !strings.Contains(out, "BEGIN HOMEWARD PARTY") {
		t.Fatalf("party init said:\n%s", out)
	}
	if fi, err := os.Stat(origin.keys); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", fi, err)
	}
	if code, _, errOut := origin.run("party", "init", "--name", "Again"); code != exitCode(homeward.Errorf(homeward.ECONFLICT, "")) || !strings.Contains(errOut, "already") {
		t.Fatalf("a second init: exit %d, %s", code, errOut)
	}
	mediator.must("party", "init", "--name", "Mediator (test)", "--kind", "mediator")
	card := mediator.must("party", "show")
	m := fingerprintLine.FindStringSubmatch(card)
	if m == nil {
		t.Fatalf("party show printed no fingerprint:\n%s", card)
	}
	cardFile := filepath.Join(t.TempDir(), "mediator.card")
	os.WriteFile(cardFile, []byte("Hello, here is our card:\n\n"+card), 0o600)
	out = origin.must("party", "add", cardFile)
	if !strings.Contains(out, "Not trusted yet") {
		t.Fatalf("party add said:\n%s", out)
	}
	if code, _, errOut := origin.run("party", "confirm", "2", strings.Replace(m[1], m[1][:4], "0000", 1)); code != 3 || !strings.Contains(errOut, "does not match") {
		t.Fatalf("confirming a wrong fingerprint: exit %d, %s", code, errOut)
	}
	origin.must("party", "confirm", "2", strings.ToLower(m[1]))
	if list := origin.must("party", "list"); !strings.Contains(list, "trusted") || !strings.Contains(list, "this installation") {
		t.Fatalf("party list:\n%s", list)
	}
	origin.must("party", "add", "--offline", "--name", "Paper counterpart (test)", "--kind", "counterpart")

	// The keys unlock only with their own key file.
	other := newInstallationDir(t, "other")
	other.must("party", "init", "--name", "Other (test)")
	code, _, errOut := origin.runWithKey(other.keys, "bundle", "inspect", cardFile)
	if code == 0 || !strings.Contains(errOut, "is not this database's key") {
		t.Fatalf("another key file: exit %d, %s", code, errOut)
	}
	code, _, errOut = origin.runWithKey(filepath.Join(t.TempDir(), "missing.key"), "bundle", "inspect", cardFile)
	if code == 0 || !strings.Contains(errOut, "There is no key file at") {
		t.Fatalf("a missing key file: exit %d, %s", code, errOut)
	}
}

func TestBundleCommandsCarryAListFromOriginToMediator(t *testing.T) {
	ctx := context.Background()
	origin, mediator, counterpart := newInstallationDir(t, "origin"), newInstallationDir(t, "mediator"), newInstallationDir(t, "counterpart")
	origin.must("party", "init", "--name", "Origin (test)")
	mediator.must("party", "init", "--name", "Mediator (test)", "--kind", "mediator")
	counterpart.must("party", "init", "--name", "Counterpart (test)", "--kind", "counterpart")
	cards := map[*installationDir]string{}
	for _, in := range []*installationDir{origin, mediator, counterpart} {
		f := filepath.Join(t.TempDir(), "card")
		os.WriteFile(f, []byte(in.must("party", "show")), 0o600)
		cards[in] = f
	}
	fp := func(in *installationDir) string {
		return fingerprintLine.FindStringSubmatch(in.must("party", "show"))[1]
	}
	origin.must("party", "add", cards[mediator], "--confirm", fp(mediator))
	mediator.must("party", "add", cards[origin], "--confirm", fp(origin))
	origin.must("party", "add", cards[counterpart], "--confirm", fp(counterpart))
	mediator.must("party", "add", cards[counterpart], "--confirm", fp(counterpart))

	// A sealed list waits in the origin's outbox.
	db, err := openDB(ctx, origin.db, &keyFlags{file: &origin.keys, passEnv: new(string)}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	sys := homeward.NewContextWithActor(ctx, homeward.Actor{System: true, Role: homeward.RoleAdmin, OrgID: 1})
	ls := store.NewListService(db)
	ch := &homeward.Channel{Name: "CLI (test)", MediatorID: 2, CounterpartID: 3}
	if err := ls.CreateChannel(sys, ch); err != nil {
		t.Fatal(err)
	}
	c := &homeward.Case{OrgID: 1, GivenName: "Вигадана", FamilyName: "Дитина", Stage: homeward.StageVerified, Consents: homeward.Consents{ShareMediator: true}}
	if err := store.NewCaseService(db).CreateCase(sys, c); err != nil {
		t.Fatal(err)
	}
	l := &homeward.ReturnList{ChannelID: ch.ID, Title: "CLI list"}
	if err := ls.CreateList(sys, l); err != nil {
		t.Fatal(err)
	}
	asUser := func(id int64, r homeward.Role) context.Context {
		return homeward.NewContextWithActor(ctx, homeward.Actor{UserID: id, OrgID: 1, Role: r})
	}
	l, _, err = ls.AddEntries(sys, l.ID, []int64{c.ID}, l.Version)
	if err == nil {
		l, err = ls.RequestSeal(asUser(1, homeward.RoleSupervisor), l.ID, l.Version)
	}
	if err == nil {
		l, err = ls.Seal(asUser(2, homeward.RoleSupervisor), l.ID, l.Version)
	}
	if err == nil {
		_, err = store.NewBundleLedger(db).QueueList(sys, l.ID, l.Version)
	}
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	file := filepath.Join(t.TempDir(), "first.hwb")
	out := origin.must("bundle", "create", "--org", "1", "--channel", ch.UID, "--to", fp(mediator), "--out", file)
	if !strings.Contains(out, "sequence 1") || !strings.Contains(out, "1 list") {
		t.Fatalf("bundle create said: %s", out)
	}
	if out := mediator.must("bundle", "inspect", file); !strings.Contains(out, `"sequence": 1`) || !strings.Contains(out, "passes every check") {
		t.Fatalf("bundle inspect said: %s", out)
	}
	if out := mediator.must("bundle", "open", file, "--org", "1"); !strings.Contains(out, "Opened bundle") {
		t.Fatalf("bundle open said: %s", out)
	}
	if out := mediator.must("bundle", "open", file, "--org", "1"); !strings.Contains(out, "Opened bundle") {
		t.Fatalf("opening an identical copy again said: %s", out)
	}
	damaged, _ := os.ReadFile(file)
	damaged[len(damaged)/2] ^= 1
	os.WriteFile(file, damaged, 0o600)
	code, _, errOut := mediator.run("bundle", "open", file, "--org", "1")
	if code != 3 || !strings.Contains(errOut, "damaged") && !strings.Contains(errOut, "altered") {
		t.Fatalf("a damaged bundle: exit %d, %s", code, errOut)
	}
}
