package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/seal"
	"github.com/homeward-project/homeward/store"
)

// The synthetic people of TestNothingPersonalIsStoredInClear: each name,
// phone number and note must be found by the pages and nowhere in what is
// stored.
var atRestCases = []homeward.Case{
	{GivenName: "Златослава", FamilyName: "Вигаданенко", Patronymic: "Тарасівна", Sex: homeward.SexFemale,
		BirthDate:  homeward.BirthDate{Year: 2014, Month: 3, Day: 5, Precision: homeward.PrecisionDay},
		BirthPlace: "Уявнопіль", Notes: "Бачили-біля-школи-номер-RUN",
		Family: []homeward.FamilyMember{{Name: "Ганна Вигаданенко", Relation: "mother", Contact: "+38050RUN"}}},
	{GivenName: "Олександр", FamilyName: "Тестовенко", Patronymic: "Іванович", Sex: homeward.SexMale,
		BirthDate: homeward.BirthDate{Year: 2012, Month: 7, Day: 1, Precision: homeward.PrecisionDay},
		Notes:     "Евакуйований-автобусом-RUN",
		Family:    []homeward.FamilyMember{{Name: "Іван Тестовенко", Relation: "father", Contact: "+38067RUN"}}},
	{GivenName: "Maryna", FamilyName: "Probnenko", Sex: homeward.SexFemale,
		BirthDate: homeward.BirthDate{Year: 2015, Precision: homeward.PrecisionYear}, Notes: "Registered-from-abroad-RUN"},
}

// The same children as the other side lists them: transliterated, in the
// Russian form.
var atRestLocated = []homeward.LocatedRecord{
	{GivenName: "Zlatoslava", FamilyName: "Vyhadanenko", Patronymic: "Tarasivna", Sex: homeward.SexFemale,
		BirthDate:   homeward.BirthDate{Year: 2014, Month: 3, Day: 5, Precision: homeward.PrecisionDay},
		Institution: "Приют-Солнышко-77", Notes: "Located-in-a-shelter-RUN", ImportKey: "l1"},
	{GivenName: "Александр", FamilyName: "Тестовенко", Patronymic: "Иванович", Sex: homeward.SexMale,
		BirthDate: homeward.BirthDate{Year: 2012, Month: 7, Day: 1, Precision: homeward.PrecisionDay},
		Notes:     "Передан-в-семью-RUN", ImportKey: "l2"},
}

// runToken makes the notes and phone numbers of one run its own: the
// PostgreSQL server's WAL holds what every test on it writes, and only
// strings no other test writes prove anything there.
var runToken = fmt.Sprintf("%07d", time.Now().UnixNano()%10_000_000)

// withRun puts the run's token into the synthetic strings.
func withRun(s string) string { return strings.ReplaceAll(s, "RUN", runToken) }

// walSecrets are the secrets only this run writes.
func walSecrets(secrets []string) []string {
	var out []string
	for _, s := range secrets {
		if strings.Contains(s, runToken) {
			out = append(out, s)
		}
	}
	return out
}

// atRestSecrets are the strings no stored byte may show: names in both
// scripts, contacts, notes, places.
func atRestSecrets() []string {
	var s []string
	for _, c := range atRestCases {
		s = append(s, c.GivenName, c.FamilyName, c.Notes)
		if c.Patronymic != "" {
			s = append(s, c.Patronymic)
		}
		if c.BirthPlace != "" {
			s = append(s, c.BirthPlace)
		}
		for _, f := range c.Family {
			s = append(s, f.Name, f.Contact, strings.TrimPrefix(f.Contact, "+"))
		}
	}
	for _, l := range atRestLocated {
		s = append(s, l.GivenName, l.FamilyName, l.Patronymic, l.Notes)
		if l.Institution != "" {
			s = append(s, l.Institution)
		}
	}
	// What the CLI imports.
	s = append(s, "Вигаданий-Кирило", "Імпортований-запис-RUN")
	for i := range s {
		s[i] = withRun(s[i])
	}
	return s
}

// TestNothingPersonalIsStoredInClear creates records, imports a file with
// the CLI, exports through the API, backs up, restores and restarts, on
// both databases; then no database file, WAL, backup or restored copy
// holds any name, phone number or note, while the pages still find every
// record by name in either script and spelling, and the matcher still
// pairs the children.
func TestNothingPersonalIsStoredInClear(t *testing.T) {
	touchSources()
	started := time.Now()
	for name, dsnOf := range databases(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			dsn, keyFile := dsnOf(t), filepath.Join(dir, "installation.key")
			in := &install{name: name, dsn: dsn, keyFile: keyFile}
			if _, err := seal.CreateKeyFile(keyFile); err != nil {
				t.Fatal(err)
			}
			seed(t, in, func(ctx context.Context, db *store.DB, org *homeward.Org) {
				cs := store.NewCaseService(db)
				for i := range atRestCases {
					c := atRestCases[i]
					c.OrgID, c.Notes = org.ID, withRun(c.Notes)
					c.Family = slices.Clone(c.Family)
					for j := range c.Family {
						c.Family[j].Contact = withRun(c.Family[j].Contact)
					}
					if err := cs.CreateCase(ctx, &c); err != nil {
						t.Fatal(err)
					}
					c.DistinguishingMarks = "Родимка-на-лівій-руці"
					if err := cs.UpdateCase(ctx, &c); err != nil {
						t.Fatal(err)
					}
				}
				var ls []*homeward.LocatedRecord
				for i := range atRestLocated {
					l := atRestLocated[i]
					l.OrgID, l.Notes = org.ID, withRun(l.Notes)
					ls = append(ls, &l)
				}
				if _, _, err := store.NewLocatedService(db).ImportLocated(ctx, ls, nil); err != nil {
					t.Fatal(err)
				}
			})
			srv := startServer(t, dsn, "--key-file", keyFile)
			p := signIn(t, srv)

			// An import by the CLI while the server runs.
			csvFile := filepath.Join(dir, "cases.csv")
			if err := os.WriteFile(csvFile, []byte(withRun("Прізвище;Ім'я;Дата народження;Примітки\nВигаданий-Кирило;Петро;07.03.2013;Імпортований-запис-RUN\n")), 0o600); err != nil {
				t.Fatal(err)
			}
			homewardCmd(t, "import", "--kind", "case", "--org", "1", "--db", dsn, "--key-file", keyFile, csvFile)

			// An export through the API shows the names: it is what the user
			// asked for, and it leaves the installation as a file.
			status, body := p.get("/api/v1/cases/export?format=csv")
			if status != 200 || !bytes.Contains(body, []byte("Златослава")) {
				t.Fatalf("export: status %d, %d bytes", status, len(body))
			}

			findsByName(t, p)
			waitForCandidates(t, p)

			backup := filepath.Join(dir, "backup.age")
			homewardCmd(t, "backup", "--out", backup, "--db", dsn, "--key-file", keyFile)
			restored := filepath.Join(dir, "restored.db")
			homewardCmd(t, "restore", backup, "--db", restored, "--key-file", keyFile)

			// A restart finds everything again.
			srv.stop()
			srv = restartServer(t, dsn, srv, "--key-file", keyFile)
			p = signIn(t, srv)
			findsByName(t, p)
			waitForCandidates(t, p)
			srv.stop()

			// Another key is refused at start, naming both keys.
			other := filepath.Join(dir, "other.key")
			if _, err := seal.CreateKeyFile(other); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--db", dsn, "--key-file", other).CombinedOutput()
			if err == nil || !strings.Contains(string(out), "is not this database's key") {
				t.Errorf("serve with another key: %v, %s", err, out)
			}
			if out := homewardCmd(t, "audit", "verify", "--db", dsn, "--key-file", keyFile); !strings.HasPrefix(out, "ok: ") {
				t.Errorf("audit verify: %s", out)
			}

			// Now look at what a thief would take.
			files := []string{backup, restored, restored + "-wal"}
			if name == store.DialectSQLite {
				files = append(files, dsn, dsn+"-wal", dsn+"-shm")
			}
			var wal []string
			if name == store.DialectPostgres {
				var rels []string
				rels, wal = postgresFiles(t, dsn, started)
				files = append(files, rels...)
			}
			secrets := atRestSecrets()
			for _, f := range append(files, wal...) {
				b, err := os.ReadFile(f)
				if os.IsNotExist(err) {
					continue
				} else if err != nil {
					t.Fatal(err)
				}
				look := secrets
				if slices.Contains(wal, f) {
					look = walSecrets(secrets)
				}
				for _, s := range look {
					if bytes.Contains(b, []byte(s)) {
						t.Errorf("%s holds %q in clear", filepath.Base(f), s)
					}
				}
			}
			// PostgreSQL's files belong to its server: every value of every
			// table, read without the key, is what its files hold.
			for _, d := range []string{dsn, restored} {
				db, err := store.Open(context.Background(), d)
				if err != nil {
					t.Fatal(err)
				}
				found, err := db.FindText(context.Background(), secrets)
				db.Close()
				if err != nil || len(found) > 0 {
					t.Errorf("%s holds in clear: %v (%v)", d, found, err)
				}
			}
		})
	}
}

// findsByName searches the case and located lists under spellings other
// than the stored one.
func findsByName(t *testing.T, p *pages) {
	t.Helper()
	for _, tt := range []struct {
		list, query, want string
	}{
		{"cases", "Zlatoslava", "Златослава"}, // Latin for Cyrillic
		{"cases", "Александр", "Олександр"},   // Russian form for Ukrainian
		{"cases", "Марина", "Maryna"},         // Cyrillic for Latin
		{"cases", "Злато", "Златослава"},      // a prefix
		{"cases", "Тестовенко Oleksandr", "Олександр"},
		{"located", "Златослава", "Zlatoslava"},
		{"located", "Oleksandr", "Александр"},
		{"cases", "Вигаданий-Кирило", "Петро"}, // the CLI's import
	} {
		var got struct {
			Items []struct {
				GivenName  string `json:"given_name"`
				FamilyName string `json:"family_name"`
			} `json:"items"`
			Total int `json:"total"`
		}
		p.json("/"+tt.list+"?q="+url.QueryEscape(tt.query), &got)
		found := false
		for _, it := range got.Items {
			found = found || it.GivenName == tt.want
		}
		if !found {
			t.Errorf("search %s for %q: %+v, want %s", tt.list, tt.query, got, tt.want)
		}
	}
}

// waitForCandidates waits until the matcher has paired both children with
// their located records.
func waitForCandidates(t *testing.T, p *pages) {
	t.Helper()
	// A bound, not a timing assertion: a matcher that never pairs them fails.
	deadline := time.Now().Add(60 * time.Second)
	for {
		var got struct {
			Items []homeward.Match `json:"items"`
		}
		p.json("/matches?limit=100", &got)
		pairs := map[string]bool{}
		for _, m := range got.Items {
			pairs[fmt.Sprint(m.CaseID, "-", m.LocatedID)] = true
		}
		if pairs["1-1"] && pairs["2-2"] {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the matcher paired %v, want cases 1 and 2 with located records 1 and 2", pairs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// postgresFiles returns the files PostgreSQL keeps the schema of dsn in —
// its tables, indexes and TOAST, after a checkpoint — and the WAL segments
// written since the test began, when this process may read them (CI runs
// as root beside the server).
func postgresFiles(t *testing.T, dsn string, since time.Time) (rels, wal []string) {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var dataDir string
	if _, err := db.Exec(`CHECKPOINT`); err != nil {
		t.Logf("no checkpoint (%v): PostgreSQL's files are not read", err)
		return nil, nil
	}
	if err := db.QueryRow(`SHOW data_directory`).Scan(&dataDir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.ReadDir(filepath.Join(dataDir, "pg_wal")); err != nil {
		t.Logf("PostgreSQL's files cannot be read by this user (%v): only its tables' values are searched", err)
		return nil, nil
	}
	rows, err := db.Query(`SELECT pg_relation_filepath(c.oid) FROM pg_class c
		WHERE c.relnamespace = current_schema()::regnamespace AND pg_relation_filepath(c.oid) IS NOT NULL
		UNION SELECT pg_relation_filepath(c.reltoastrelid) FROM pg_class c
		WHERE c.relnamespace = current_schema()::regnamespace AND c.reltoastrelid <> 0`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var rel string
		if err := rows.Scan(&rel); err != nil {
			t.Fatal(err)
		}
		rels = append(rels, filepath.Join(dataDir, rel))
	}
	if len(rels) == 0 {
		t.Fatal("found no files of the test's schema")
	}
	segments, _ := filepath.Glob(filepath.Join(dataDir, "pg_wal", "0*"))
	for _, f := range segments {
		if fi, err := os.Stat(f); err == nil && fi.ModTime().After(since.Add(-time.Second)) {
			wal = append(wal, f)
		}
	}
	return rels, wal
}
