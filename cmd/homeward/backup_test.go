package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"filippo.io/age"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/internal/dbtest"
	"github.com/homeward-project/homeward/linkage/synth"
	"github.com/homeward-project/homeward/seal"
	"github.com/homeward-project/homeward/store"
)

// backupFixture is an installation's key file and a way to run commands
// with it.
type backupFixture struct {
	t   *testing.T
	dir string
	key string
}

func newBackupFixture(t *testing.T) *backupFixture {
	t.Helper()
	dir := t.TempDir()
	key := filepath.Join(dir, "homeward.key")
	if _, err := seal.CreateKeyFile(key); err != nil {
		t.Fatal(err)
	}
	return &backupFixture{t: t, dir: dir, key: key}
}

func (f *backupFixture) run(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), append(args, "--key-file", f.key), &out, &errOut)
	return code, out.String(), errOut.String()
}

func (f *backupFixture) must(args ...string) string {
	f.t.Helper()
	code, out, errOut := f.run(args...)
	if code != 0 {
		f.t.Fatalf("homeward %s: exit %d: %s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// open opens dsn signing the head with the fixture's key, as the server
// started with the key file does.
func (f *backupFixture) open(dsn string) *store.DB {
	f.t.Helper()
	db, err := openDB(context.Background(), dsn, &keyFlags{file: &f.key, passEnv: new(string)}, io.Discard)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { db.Close() })
	return db
}

// seed fills dsn with the demo's synthetic records and returns the names
// and notes it holds, which no backup may show in clear.
func (f *backupFixture) seed(dsn string) []string {
	f.t.Helper()
	db := f.open(dsn)
	ctx := context.Background()
	if _, _, err := loadDemo(ctx, db, synth.Config{Reports: 30, Located: 150, Seed: 7}); err != nil {
		f.t.Fatal(err)
	}
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor())
	cs, _, err := store.NewCaseService(db).FindCases(sys, homeward.CaseFilter{Limit: 1000})
	if err != nil {
		f.t.Fatal(err)
	}
	ls, _, err := store.NewLocatedService(db).FindLocated(sys, homeward.LocatedFilter{Limit: 1000})
	if err != nil {
		f.t.Fatal(err)
	}
	var secrets []string
	add := func(ss ...string) {
		for _, s := range ss {
			if len(s) >= 6 {
				secrets = append(secrets, s)
			}
		}
	}
	for _, c := range cs {
		add(c.GivenName, c.FamilyName, c.Notes)
	}
	for _, l := range ls {
		add(l.GivenName, l.FamilyName, l.Notes)
	}
	if len(secrets) < 10 {
		f.t.Fatalf("the demo gave only %d names and notes to look for", len(secrets))
	}
	return secrets
}

func (f *backupFixture) backup(dsn string, extra ...string) string {
	f.t.Helper()
	out := filepath.Join(f.dir, fmt.Sprintf("backup-%d.age", len(f.t.Name())+len(extra)))
	f.must(append([]string{"backup", "--out", out, "--db", dsn}, extra...)...)
	return out
}

func TestBackupRestoresIntoEitherDatabaseAndVerifies(t *testing.T) {
	for _, tt := range []struct{ from, to string }{
		{store.DialectSQLite, store.DialectSQLite},
		{store.DialectPostgres, store.DialectPostgres},
		{store.DialectSQLite, store.DialectPostgres},
		{store.DialectPostgres, store.DialectSQLite},
	} {
		t.Run(tt.from+" to "+tt.to, func(t *testing.T) {
			f := newBackupFixture(t)
			src, dst := dbtest.DSN(t, tt.from), dbtest.DSN(t, tt.to)
			secrets := f.seed(src)
			file := f.backup(src)

			fi, err := os.Stat(file)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("backup file mode %v, want 0600", fi.Mode().Perm())
			}
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range secrets {
				if bytes.Contains(raw, []byte(s)) {
					t.Fatalf("the backup holds %q in clear", s)
				}
			}

			out := f.must("restore", file, "--db", dst)
			if !strings.Contains(out, "head signed") {
				t.Errorf("restore did not verify the signed head: %q", out)
			}
			out = f.must("audit", "verify", "--db", dst)
			if !strings.Contains(out, "head: signed") {
				t.Errorf("audit verify of the restored database: %q", out)
			}
			want := f.must("audit", "verify", "--db", src)
			if want != out {
				t.Errorf("the restored database verifies as\n%s\nthe original as\n%s", out, want)
			}
			// New rows continue after the restored ids, and their events
			// chain on from the restored head.
			db := f.open(dst)
			org := &homeward.Org{Name: "Agency After Restore", Kind: homeward.OrgAgency}
			if err := store.NewOrgService(db).CreateOrg(homeward.NewContextWithActor(context.Background(), homeward.SystemActor()), org); err != nil {
				t.Fatalf("create an org after restore: %v", err)
			}
			f.must("audit", "verify", "--db", dst)
		})
	}
}

func TestBackupWhileWritesContinueIsConsistent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, backend string) {
		f := newBackupFixture(t)
		src := dbtest.DSN(t, backend)
		f.seed(src)
		db := f.open(src)
		ctx := homeward.NewContextWithActor(context.Background(), homeward.SystemActor())
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var writes int
		var werr error
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				org := &homeward.Org{Name: fmt.Sprintf("Concurrent Agency %d", i), Kind: homeward.OrgAgency}
				if err := store.NewOrgService(db).CreateOrg(ctx, org); err != nil {
					werr = err
					return
				}
				writes++
			}
		}()
		var files []string
		for i := range 3 {
			out := filepath.Join(f.dir, fmt.Sprintf("during-%d.age", i))
			f.must("backup", "--out", out, "--db", src)
			files = append(files, out)
		}
		close(stop)
		wg.Wait()
		if werr != nil {
			t.Fatalf("writer: %v", werr)
		}
		if writes == 0 {
			t.Fatal("no write ran beside the backups")
		}
		for _, file := range files {
			dst := dbtest.DSN(t, store.DialectSQLite)
			f.must("restore", file, "--db", dst)
			f.must("audit", "verify", "--db", dst)
		}
	})
}

func TestRestoreRefusesATamperedBackupAndWritesNothing(t *testing.T) {
	f := newBackupFixture(t)
	src := dbtest.DSN(t, store.DialectSQLite)
	f.seed(src)
	file := f.backup(src)
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []int{40, len(raw) / 2, len(raw) - 20} {
		t.Run(fmt.Sprint(at), func(t *testing.T) {
			bad := bytes.Clone(raw)
			bad[at] ^= 0x01
			tampered := filepath.Join(t.TempDir(), "tampered.age")
			if err := os.WriteFile(tampered, bad, 0o600); err != nil {
				t.Fatal(err)
			}
			dst := dbtest.DSN(t, store.DialectSQLite)
			code, _, errOut := f.run("restore", tampered, "--db", dst)
			if code == 0 || !(strings.Contains(errOut, "damaged") || strings.Contains(errOut, "not encrypted to")) {
				t.Fatalf("restore of a backup with byte %d changed: exit %d, %q", at, code, errOut)
			}
			if _, err := os.Stat(dst); !os.IsNotExist(err) {
				t.Errorf("a refused restore left the database file %s (%v)", dst, err)
			}
		})
	}
	t.Run("cut short", func(t *testing.T) {
		cut := filepath.Join(t.TempDir(), "cut.age")
		if err := os.WriteFile(cut, raw[:len(raw)-1000], 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := f.run("restore", cut, "--db", dbtest.DSN(t, store.DialectSQLite))
		if code == 0 || !strings.Contains(errOut, "damaged") {
			t.Fatalf("restore of a backup cut short: exit %d, %q", code, errOut)
		}
	})
}

func TestRestoreRefusesADatabaseThatHoldsData(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, backend string) {
		f := newBackupFixture(t)
		src := dbtest.DSN(t, backend)
		f.seed(src)
		file := f.backup(src)
		code, _, errOut := f.run("restore", file, "--db", src)
		if code != 5 || !strings.Contains(errOut, "is not empty") || !strings.Contains(errOut, "table") {
			t.Fatalf("restore into the database backed up: exit %d, %q; want exit 5 naming the database and a table", code, errOut)
		}
		if backend == store.DialectPostgres && !strings.Contains(errOut, "search_path") {
			t.Errorf("the refusal does not name the database: %q", errOut)
		}
	})
}

func TestBackupToRecipientsOpensOnlyWithTheirIdentity(t *testing.T) {
	f := newBackupFixture(t)
	src := dbtest.DSN(t, store.DialectSQLite)
	f.seed(src)
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	idFile := filepath.Join(f.dir, "offsite.txt")
	if err := os.WriteFile(idFile, []byte(id.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	file := f.backup(src, "--to", id.Recipient().String())
	code, _, errOut := f.run("restore", file, "--db", dbtest.DSN(t, store.DialectSQLite))
	if code == 0 || !strings.Contains(errOut, "not encrypted to this installation's key") {
		t.Fatalf("restore of a backup to another recipient with the key file only: exit %d, %q", code, errOut)
	}
	f.must("restore", file, "--db", dbtest.DSN(t, store.DialectSQLite), "--identity-file", idFile)

	if code, _, errOut := f.run("backup", "--out", file, "--db", src, "--to", "age1notarecipient"); code != 2 || !strings.Contains(errOut, "--to") {
		t.Fatalf("backup to a bad recipient: exit %d, %q", code, errOut)
	}
}

func TestBackupIdentityIsAValidAgeKeyDerivedFromTheKeyFile(t *testing.T) {
	k, err := seal.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	a, err := backupIdentity(k)
	if err != nil {
		t.Fatalf("derived identity does not parse: %v", err)
	}
	b, _ := backupIdentity(k)
	if a.String() != b.String() {
		t.Fatal("the derived identity is not deterministic")
	}
	other, _ := seal.GenerateKey()
	if c, _ := backupIdentity(other); c.String() == a.String() {
		t.Fatal("two keys derive the same identity")
	}
}
