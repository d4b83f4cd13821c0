package main

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/internal/dbtest"
	"github.com/homeward-project/homeward/internal/synthdata"
	"github.com/homeward-project/homeward/linkage/synth"
	"github.com/homeward-project/homeward/seal"
	"github.com/homeward-project/homeward/store"
)

// BenchmarkBackupRestore backs up and restores 20,000 cases and 100,000
// located records (the sizes of DESIGN.md's load test), reporting the
// encrypted file's size.
func BenchmarkBackupRestore(b *testing.B) {
	for _, backend := range dbtest.Backends {
		b.Run(backend, func(b *testing.B) {
			f := &backupFixture{dir: b.TempDir()}
			f.key = filepath.Join(f.dir, "homeward.key")
			src := dbtest.DSN(b, backend)
			seedLarge(b, src, f.keyPath(b), benchCases, benchLocated)
			file := filepath.Join(f.dir, "bench.age")
			b.Run("backup", func(b *testing.B) {
				for b.Loop() {
					if code, _, errOut := f.runB("backup", "--out", file, "--db", src); code != 0 {
						b.Fatal(errOut)
					}
				}
				fi, _ := os.Stat(file)
				b.ReportMetric(float64(fi.Size())/(1<<20), "MiB")
			})
			b.Run("restore", func(b *testing.B) {
				for b.Loop() {
					dst := dbtest.DSN(b, backend)
					if code, _, errOut := f.runB("restore", file, "--db", dst); code != 0 {
						b.Fatal(errOut)
					}
				}
			})
		})
	}
}

func (f *backupFixture) keyPath(b *testing.B) string {
	if _, err := os.Stat(f.key); err != nil {
		if _, err := seal.CreateKeyFile(f.key); err != nil {
			b.Fatal(err)
		}
	}
	return f.key
}

func (f *backupFixture) runB(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), append(args, "--key-file", f.key), &out, &errOut)
	return code, out.String(), errOut.String()
}

// seedLarge imports synthetic cases and located records as loadbench does.
func seedLarge(b *testing.B, dsn, key string, cases, located int) {
	b.Helper()
	ctx := context.Background()
	db, err := openDB(ctx, dsn, &keyFlags{file: &key, passEnv: new(string)}, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor())
	org := &homeward.Org{Name: "Invented Agency", Kind: homeward.OrgAgency}
	if err := store.NewOrgService(db).CreateOrg(sys, org); err != nil {
		b.Fatal(err)
	}
	corpus := synth.Generate(synth.Config{Reports: cases, Located: located, Seed: 1})
	rng := rand.New(rand.NewPCG(1, 7))
	cs := make([]*homeward.Case, len(corpus.Reports))
	for i, row := range corpus.Reports {
		cs[i] = synthdata.Case(row, rng)
		cs[i].OrgID = org.ID
	}
	orgCtx := homeward.NewContextWithActor(ctx, homeward.Actor{System: true, Role: homeward.RoleAdmin, OrgID: org.ID})
	if _, _, err := store.NewCaseService(db).ImportCases(orgCtx, cs, nil); err != nil {
		b.Fatal(err)
	}
	recs := make([]*homeward.LocatedRecord, len(corpus.Located))
	for i, row := range corpus.Located {
		recs[i] = synthdata.Located(row, rng)
		recs[i].OrgID = org.ID
	}
	if _, _, err := store.NewLocatedService(db).ImportLocated(orgCtx, recs, nil); err != nil {
		b.Fatal(err)
	}
}

// The sizes BenchmarkBackupRestore loads.
var benchCases, benchLocated = 20000, 100000
