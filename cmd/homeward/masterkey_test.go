package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/homeward-project/homeward/seal"
)

// A database's records open with the key they were sealed under, from
// wherever it comes: a key file, HOMEWARD_KEY, or a passphrase; any other
// is refused with a message naming what was given.
func TestCommandsUnlockWithAKeyFileTheVariableOrAPassphrase(t *testing.T) {
	f := newImportFixture(t) // created with the key file of TestMain
	file := f.file("cases.csv", "Прізвище;Ім'я\nКлюченко;Марта\n")
	if code, _, errOut := f.run("import", "--kind", "case", "--org", "1", file); code != 0 {
		t.Fatalf("import with the key file: exit %d, %s", code, errOut)
	}
	key, err := seal.LoadKeyFile(os.Getenv("HOMEWARD_KEY_FILE"))
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing.key")

	// The key itself in HOMEWARD_KEY, with no key file at hand.
	t.Setenv("HOMEWARD_KEY", key.Export())
	out := filepath.Join(f.dir, "out.csv")
	if code, _, errOut := f.run("export", "--kind", "case", "--org", "1", "--out", out, "--key-file", missing); code != 0 {
		t.Fatalf("export with HOMEWARD_KEY: exit %d, %s", code, errOut)
	}
	if b, err := os.ReadFile(out); err != nil || !strings.Contains(string(b), "Марта") {
		t.Fatalf("the export with HOMEWARD_KEY holds %q (%v)", b, err)
	}
	other, err := seal.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOMEWARD_KEY", other.Export())
	if code, _, errOut := f.run("export", "--kind", "case", "--org", "1", "--out", out); code == 0 || !strings.Contains(errOut, "is not this database's key") || !strings.Contains(errOut, "HOMEWARD_KEY") {
		t.Fatalf("export with another key in HOMEWARD_KEY: exit %d, %s", code, errOut)
	}
	t.Setenv("HOMEWARD_KEY", "not a key")
	if code, _, errOut := f.run("export", "--kind", "case", "--org", "1", "--out", out); code == 0 || !strings.Contains(errOut, "HOMEWARD_KEY does not hold a Homeward key") {
		t.Fatalf("export with junk in HOMEWARD_KEY: exit %d, %s", code, errOut)
	}
	os.Unsetenv("HOMEWARD_KEY")

	// A passphrase wraps the keys of a database created with it, and only
	// that passphrase opens them.
	t.Setenv("TEST_PASSPHRASE", "a long synthetic test passphrase")
	g := newImportFixtureWith(t, &keyFlags{file: &missing, passEnv: ptr("TEST_PASSPHRASE")})
	file = g.file("cases.csv", "Прізвище;Ім'я\nФразенко;Ольга\n")
	if code, _, errOut := g.run("import", "--kind", "case", "--org", "1", "--passphrase-env", "TEST_PASSPHRASE", file); code != 0 {
		t.Fatalf("import with the passphrase: exit %d, %s", code, errOut)
	}
	t.Setenv("TEST_PASSPHRASE", "another long test passphrase")
	if code, _, errOut := g.run("export", "--kind", "case", "--org", "1", "--out", out, "--passphrase-env", "TEST_PASSPHRASE"); code == 0 || !strings.Contains(errOut, "the passphrase given does not open them") {
		t.Fatalf("export with another passphrase: exit %d, %s", code, errOut)
	}
	if code, _, errOut := g.run("export", "--kind", "case", "--org", "1", "--out", out); code == 0 || !strings.Contains(errOut, "wrapped by a passphrase") {
		t.Fatalf("export with the key file of a passphrase database: exit %d, %s", code, errOut)
	}
}
