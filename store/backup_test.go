package store

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
)

// backupOf fills db with a few organisations and returns its clear backup.
func backupOf(t testing.TB, db *DB) []byte {
	t.Helper()
	ctx := homeward.NewContextWithActor(context.Background(), homeward.SystemActor())
	for i := range 3 {
		if err := NewOrgService(db).CreateOrg(ctx, &homeward.Org{Name: fmt.Sprintf("Invented Agency %d", i), Kind: homeward.OrgAgency}); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := db.Backup(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rewriteBackup copies a clear backup entry by entry through edit, which
// may change an entry's bytes.
func rewriteBackup(t *testing.T, raw []byte, edit func(name string, b []byte) []byte) []byte {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(raw))
	var out bytes.Buffer
	tw := tar.NewWriter(&out)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		b = edit(hdr.Name, b)
		hdr.Size = int64(len(b))
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		tw.Write(b)
	}
	tw.Close()
	return out.Bytes()
}

func countOrgs(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.db.QueryRow(`SELECT count(*) FROM orgs`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRestoreRefusesABackupThatDisagreesWithItsManifest(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		raw := backupOf(t, db)
		tests := []struct {
			name string
			edit func(name string, b []byte) []byte
			want string
		}{
			{"a row changed", func(name string, b []byte) []byte {
				if strings.HasPrefix(name, "tables/orgs/") {
					return bytes.Replace(b, []byte("Invented Agency 1"), []byte("Invented Agency 9"), 1)
				}
				return b
			}, "table orgs does not have the SHA-256 its manifest gives"},
			{"a row dropped", func(name string, b []byte) []byte {
				if strings.HasPrefix(name, "tables/orgs/") {
					_, rest, _ := bytes.Cut(b, []byte("\n"))
					return rest
				}
				return b
			}, "table orgs holds 2 rows, its manifest says 3"},
			{"a newer schema", func(name string, b []byte) []byte {
				if name != "homeward-backup.json" {
					return b
				}
				var h map[string]any
				json.Unmarshal(b, &h)
				h["schema_version"] = 999
				b, _ = json.Marshal(h)
				return b
			}, "schema version 999, newer than this homeward knows"},
			{"a newer format", func(name string, b []byte) []byte {
				if name == "homeward-backup.json" {
					return bytes.Replace(b, []byte(`"format":1`), []byte(`"format":2`), 1)
				}
				return b
			}, "format 2"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				dst := openLockedTestDB(t, db.dialect)
				_, err := dst.Restore(context.Background(), bytes.NewReader(rewriteBackup(t, raw, tt.edit)))
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("restore of a backup with %s: %v; want an error saying %q", tt.name, err, tt.want)
				}
				if homeward.ErrorCode(err) != homeward.EINVALID {
					t.Errorf("error code %s, want EINVALID", homeward.ErrorCode(err))
				}
				if n := countOrgs(t, dst); n != 0 {
					t.Errorf("a refused restore wrote %d organisations", n)
				}
			})
		}
	})
}

func TestRestoreOfAnUntouchedBackupGivesTheSameRows(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		raw := backupOf(t, db)
		dst := openLockedTestDB(t, db.dialect)
		m, err := dst.Restore(context.Background(), bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if n := countOrgs(t, dst); n != 3 {
			t.Errorf("restored %d organisations, want 3", n)
		}
		// A second backup of the copy holds the same rows: the hashes of
		// the two agree table by table.
		var again bytes.Buffer
		m2, err := dst.Backup(context.Background(), &again)
		if err != nil {
			t.Fatal(err)
		}
		for i := range m.Tables {
			if m.Tables[i] != m2.Tables[i] {
				t.Errorf("table %s backs up as %+v after restore, %+v before", m.Tables[i].Name, m2.Tables[i], m.Tables[i])
			}
		}
	})
}
