package main

import (
	"github.com/homeward-project/homeward/seal"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeyRotateMovesTheInstallationToANewKey(t *testing.T) {
	in := newInstallationDir(t, "origin")
	in.must("party", "init", "--name", "Origin (test)")
	csv := filepath.Join(t.TempDir(), "cases.csv")
	writeFile(t, csv, "Прізвище;Ім'я\nРотаційна;Олена\nКлючова;Марта\n")
	in.must("import", "--kind", "case", "--org", "1", csv)
	status := in.must("key", "status")
	if !strings.Contains(status, "data key") || !strings.Contains(status, "2 cases") {
		t.Fatalf("key status before:\n%s", status)
	}

	next := filepath.Join(t.TempDir(), "new.key")
	out := in.must("key", "rotate", "--new-key-file", next, "--reencrypt")
	if !strings.Contains(out, "now wrapped by the key") || !strings.Contains(out, "Re-encrypted 2 cases") {
		t.Fatalf("key rotate said:\n%s", out)
	}
	// The new key opens everything: records, the signed head, the party keys.
	code, out, errOut := in.runWithKey(next, "audit", "verify")
	if code != 0 || !strings.Contains(out, "records: 2 cases") || !strings.Contains(out, "head: signed") {
		t.Fatalf("audit verify with the new key: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := in.runWithKey(next, "party", "show"); code != 0 || !strings.Contains(out, "Fingerprint") {
		t.Fatalf("party show with the new key: exit %d\n%s%s", code, out, errOut)
	}
	// The old one opens nothing.
	if code, _, errOut := in.run("export", "--kind", "case", "--org", "1", "--out", filepath.Join(t.TempDir(), "x.csv")); code == 0 || !strings.Contains(errOut, "is not this database's key") {
		t.Fatalf("export with the old key: exit %d, %s", code, errOut)
	}
	status = in.must("key", "status")
	if strings.Count(status, "data key") != 1 || !strings.Contains(status, "2 cases") {
		t.Fatalf("key status after: one data key with both cases, got\n%s", status)
	}
	// The current key given in HOMEWARD_KEY: the party keys go to the new
	// key file all the same, not back under the key in the variable.
	k, err := seal.LoadKeyFile(next)
	if err != nil {
		t.Fatal(err)
	}
	third := filepath.Join(t.TempDir(), "third.key")
	t.Setenv("HOMEWARD_KEY", k.Export())
	in.must("key", "rotate", "--new-key-file", third)
	os.Unsetenv("HOMEWARD_KEY")
	if code, out, errOut := in.runWithKey(third, "party", "show"); code != 0 || !strings.Contains(out, "Fingerprint") {
		t.Fatalf("party show with the key rotated to from HOMEWARD_KEY: exit %d\n%s%s", code, out, errOut)
	}
	// A rotation never overwrites a key file.
	if code, _, errOut := in.runWithKey(third, "key", "rotate", "--new-key-file", third); code == 0 || !strings.Contains(errOut, "never overwrites") {
		t.Fatalf("rotate onto an existing file: exit %d, %s", code, errOut)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
