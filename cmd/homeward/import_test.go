package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/store"
	"github.com/homeward-project/homeward/tabular"
)

// importFixture is a fresh SQLite database with one organisation, and a
// way to run commands against it.
type importFixture struct {
	t   *testing.T
	dsn string
	dir string
}

func newImportFixture(t *testing.T) *importFixture {
	t.Helper()
	return newImportFixtureWith(t, nil)
}

// newImportFixtureWith is newImportFixture with the database's keys from
// keys (nil: the key file of TestMain).
func newImportFixtureWith(t *testing.T, keys *keyFlags) *importFixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	dsn := filepath.Join(dir, "homeward.db")
	db, err := openDB(ctx, dsn, keys, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	org := &homeward.Org{Name: "Invented Agency", Kind: homeward.OrgAgency}
	if err := store.NewOrgService(db).CreateOrg(homeward.NewContextWithActor(ctx, homeward.SystemActor()), org); err != nil {
		t.Fatal(err)
	}
	return &importFixture{t: t, dsn: dsn, dir: dir}
}

func (f *importFixture) run(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), append(args, "--db", f.dsn), &out, &errOut)
	return code, out.String(), errOut.String()
}

func (f *importFixture) file(name, content string) string {
	p := filepath.Join(f.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		f.t.Fatal(err)
	}
	return p
}

// countRecords counts the stored records of kind, "case" or "located".
func (f *importFixture) countRecords(kind string) int {
	f.t.Helper()
	if kind == "case" {
		return f.countCases()
	}
	ctx := context.Background()
	db, err := openDB(ctx, f.dsn, nil, io.Discard)
	if err != nil {
		f.t.Fatal(err)
	}
	defer db.Close()
	ctx = homeward.NewContextWithActor(ctx, homeward.Actor{System: true, Role: homeward.RoleAdmin, OrgID: 1})
	_, n, err := store.NewLocatedService(db).FindLocated(ctx, homeward.LocatedFilter{OrgID: 1})
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *importFixture) countCases() int {
	f.t.Helper()
	ctx := context.Background()
	db, err := openDB(ctx, f.dsn, nil, io.Discard)
	if err != nil {
		f.t.Fatal(err)
	}
	defer db.Close()
	ctx = homeward.NewContextWithActor(ctx, homeward.Actor{System: true, Role: homeward.RoleAdmin, OrgID: 1})
	_, n, err := store.NewCaseService(db).FindCases(ctx, homeward.CaseFilter{OrgID: 1})
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

const badCases = "Прізвище;Ім'я;Дата народження;Улюблений колір\nТестенко;Олена;05.03.2015;\nЗразкова;Ірина;31.02.2014;\n;;~7;\nВигаданий;Петро;2016;\n"

func TestImportRefusesABadFileNamingEachProblemAndChangesNothing(t *testing.T) {
	f := newImportFixture(t)
	file := f.file("cases.csv", badCases)
	code, _, errOut := f.run("import", "--kind", "case", "--org", "1", file)
	if code != 3 {
		t.Errorf("exit %d, want 3", code)
	}
	for _, want := range []string{`row 1, column "Улюблений колір"`, `row 3, column "Дата народження" (birth_date)`, `row 4, column "Ім'я" (given_name)`, "nothing was imported"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("report does not say %q:\n%s", want, errOut)
		}
	}
	if n := f.countCases(); n != 0 {
		t.Errorf("%d cases in the database after a refused import", n)
	}
}

// A file whose only fault is one bad row is refused whole. badCases also has
// an unknown column, which refuses the file by itself: a check that let bad
// rows through would still pass the test above.
func TestImportRefusesAFileWhoseOnlyFaultIsOneBadRow(t *testing.T) {
	tests := []struct {
		name, kind, content, want string
	}{
		{"an impossible date", "case", "Прізвище;Ім'я;Дата народження\nТестенко;Олена;05.03.2015\nЗразкова;Ірина;31.02.2014\nВигаданий;Петро;2016\n", `row 3, column "Дата народження" (birth_date)`},
		{"no name", "case", "Прізвище;Ім'я;Дата народження\nТестенко;Олена;05.03.2015\n;;~7\n", "row 3"},
		{"a located record with an impossible date", "located", "Ім'я,Прізвище,Дата народження\nАлена,Тестенко,6.3.2015\nИрина,Зразкова,30.02.2015\n", "row 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newImportFixture(t)
			file := f.file("records.csv", tt.content)
			code, out, errOut := f.run("import", "--kind", tt.kind, "--org", "1", file)
			if code != 3 {
				t.Errorf("exit %d, want 3: %q %q", code, out, errOut)
			}
			for _, want := range []string{tt.want, "nothing was imported"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("report does not say %q:\n%s", want, errOut)
				}
			}
			if n := f.countRecords(tt.kind); n != 0 {
				t.Errorf("%d records in the database after a refused import", n)
			}
		})
	}
}

func TestImportKeepGoodImportsTheGoodRowsAndWritesTheBadOnes(t *testing.T) {
	f := newImportFixture(t)
	file := f.file("cases.csv", badCases)
	rejects := filepath.Join(f.dir, "rejects.xlsx")
	code, out, errOut := f.run("import", file, "--kind", "case", "--org", "1", "--map", "Улюблений колір=-", "--keep-good", "--rejects", rejects)
	if code != 0 || !strings.Contains(out, "imported 2, skipped 0 duplicates") {
		t.Fatalf("exit %d, %q %q", code, out, errOut)
	}
	r, err := os.Open(rejects)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s, err := tabular.Read(rejects, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Rows) != 2 || s.Rows[0][0] != "Зразкова" || s.Headers[len(s.Headers)-1] != "error" {
		t.Errorf("rejects file %q %q, want the two bad rows with an error column", s.Headers, s.Rows)
	}

	// The same file again: every good row is a duplicate.
	code, out, _ = f.run("import", file, "--kind", "case", "--org", "1", "--map", "Улюблений колір=-", "--keep-good", "--rejects", rejects)
	if code != 0 || !strings.Contains(out, "imported 0, skipped 2 duplicates") {
		t.Errorf("second import: exit %d, %q", code, out)
	}
	if n := f.countCases(); n != 2 {
		t.Errorf("%d cases in the database, want 2", n)
	}
}

// The export's file is opened in a spreadsheet program: a value that
// would run as a formula must be behind a quote in the bytes written, not
// only after tabular.Read has undone the quoting.
func TestExportQuotesFormulasInTheFileWritten(t *testing.T) {
	f := newImportFixture(t)
	file := f.file("located.csv", "Ім'я,Прізвище,Примітки\nАлена,Тестенко,\"=HYPERLINK(\"\"http://evil.example\"\")\"\nИрина,Зразкова,@SUM(A1)\n")
	if code, out, errOut := f.run("import", "--kind", "located", "--org", "1", file); code != 0 || !strings.Contains(out, "imported 2") {
		t.Fatalf("import: exit %d, %q %q", code, out, errOut)
	}
	out := filepath.Join(f.dir, "export.csv")
	if code, stdout, errOut := f.run("export", "--kind", "located", "--org", "1", "--out", out); code != 0 {
		t.Fatalf("export: exit %d, %q %q", code, stdout, errOut)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var notes []string
	for _, rec := range recs[1:] {
		for _, cell := range rec {
			if strings.Contains(cell, "HYPERLINK") || strings.Contains(cell, "SUM") {
				notes = append(notes, cell)
			}
		}
	}
	slices.Sort(notes)
	want := []string{`'=HYPERLINK("http://evil.example")`, "'@SUM(A1)"}
	if !slices.Equal(notes, want) {
		t.Errorf("cells in the file %q, want %q", notes, want)
	}
}

func TestImportRefusesBadCommandLines(t *testing.T) {
	f := newImportFixture(t)
	file := f.file("cases.csv", "Прізвище\nТестенко\n")
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"no kind", []string{"import", "--org", "1", file}, 2},
		{"no org", []string{"import", "--kind", "case", file}, 2},
		{"no file", []string{"import", "--kind", "case", "--org", "1"}, 2},
		{"keep-good without rejects", []string{"import", "--kind", "case", "--org", "1", "--keep-good", file}, 2},
		{"a mapping to no field", []string{"import", "--kind", "case", "--org", "1", "--map", "Прізвище=shoe_size", file}, 3},
		{"an organisation that does not exist", []string{"import", "--kind", "case", "--org", "99", file}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, _, errOut := f.run(tt.args...); code != tt.code {
				t.Errorf("exit %d, want %d: %s", code, tt.code, errOut)
			}
		})
	}
}

func TestExportWritesWhatWasImported(t *testing.T) {
	f := newImportFixture(t)
	file := f.file("located.csv", "Ім'я,Прізвище,Дата народження,Заклад,Станом на\nАлена,Тестенко,6.3.2015,Вигаданий заклад,01.06.2023\nИрина,Зразкова,~9,,\n")
	if code, out, errOut := f.run("import", "--kind", "located", "--org", "1", file); code != 0 || !strings.Contains(out, "imported 2") {
		t.Fatalf("import: exit %d, %q %q", code, out, errOut)
	}
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			out := filepath.Join(f.dir, "export."+format)
			if code, stdout, errOut := f.run("export", "--kind", "located", "--org", "1", "--out", out, "--labels", "uk"); code != 0 {
				t.Fatalf("export: exit %d, %q %q", code, stdout, errOut)
			}
			r, err := os.Open(out)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			s, err := tabular.Read(out, r)
			if err != nil {
				t.Fatal(err)
			}
			m, unknown := tabular.AutoMap(homeward.EntityLocated, s.Headers)
			rs, errs := tabular.ConvertLocated(s, m)
			if len(unknown) != 0 || len(errs) != 0 || len(rs) != 2 {
				t.Fatalf("export reads back with unknown %v, errors %v, %d records", unknown, errs, len(rs))
			}
			names := rs[0].FamilyName + "," + rs[1].FamilyName
			if names != "Зразкова,Тестенко" && names != "Тестенко,Зразкова" {
				t.Errorf("exported %s", names)
			}
			if s.Headers[0] != "Ім'я" {
				t.Errorf("header %q, want Ukrainian labels", s.Headers[0])
			}
		})
	}
	if code, _, _ := f.run("export", "--kind", "located", "--org", "1", "--stage", "tracing", "--out", filepath.Join(f.dir, "x.csv")); code != 2 {
		t.Errorf("export of located records by stage: exit %d, want 2", code)
	}
}

func TestExportAppendsAnEventWithTheFilterAndCountButNoName(t *testing.T) {
	f := newImportFixture(t)
	file := f.file("cases.csv", "Прізвище;Ім'я;Дата народження\nТестенко;Олена;05.03.2015\nЗразкова;Ірина;06.03.2014\n")
	if code, out, errOut := f.run("import", "--kind", "case", "--org", "1", file); code != 0 {
		t.Fatalf("import: exit %d, %q %q", code, out, errOut)
	}
	if code, out, errOut := f.run("export", "--kind", "case", "--org", "1", "--stage", "registered", "--out", filepath.Join(f.dir, "out.csv")); code != 0 {
		t.Fatalf("export: exit %d, %q %q", code, out, errOut)
	}
	ctx := context.Background()
	db, err := openDB(ctx, f.dsn, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	evs, err := store.NewEventService(db).FindEvents(homeward.NewContextWithActor(ctx, homeward.SystemActor()), homeward.EventFilter{Limit: 1})
	if err != nil || len(evs) != 1 {
		t.Fatalf("last event: %v %v", evs, err)
	}
	ev := evs[0]
	data := string(ev.Data)
	if ev.Action != homeward.ActionExport || ev.EntityType != homeward.EntityCase || ev.OrgID != 1 {
		t.Fatalf("last event is %s %s of org %d, want the export of cases", ev.Action, ev.EntityType, ev.OrgID)
	}
	for _, want := range []string{`"rows":2`, `"stage":"registered"`, `"format":"csv"`} {
		if !strings.Contains(data, want) {
			t.Errorf("export event data %s lacks %s", data, want)
		}
	}
	if strings.Contains(data, "Тестенко") || strings.Contains(data, "Олена") {
		t.Errorf("export event data %s holds a name", data)
	}
}
