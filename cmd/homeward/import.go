package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/store"
	"github.com/homeward-project/homeward/tabular"
)

func init() {
	register(command{
		name:    "import",
		summary: "import a CSV or XLSX file of cases or located records",
		run:     runImport,
	})
}

// maxReportedErrors bounds the report printed to the terminal; the rejects
// file holds every bad row.
const maxReportedErrors = 200

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: homeward import --kind case|located --org ID [options] FILE

Reads FILE (.csv or .xlsx), maps its column headers to fields (English,
Ukrainian or Russian headers are recognised), checks every row, and imports
the records into organisation ID. If any row is bad, nothing is imported and
each problem is listed by row and column, unless --keep-good is given.
Importing the same file again creates no duplicates.

Options:`)
		fs.PrintDefaults()
	}
	kind := fs.String("kind", "", "what the file holds: case or located")
	org := fs.Int64("org", 0, "ID of the organisation the records belong to")
	var overrides []string
	fs.Func("map", `correct the header mapping: "Header=field,Other=-" (- ignores a column); may be repeated`, func(s string) error {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				overrides = append(overrides, p)
			}
		}
		return nil
	})
	keepGood := fs.Bool("keep-good", false, "import the good rows and write the bad ones to --rejects")
	rejects := fs.String("rejects", "", "write the bad rows, with an error column, to this .csv or .xlsx file")
	dsn := dbFlag(fs)
	keys := addKeyFlags(fs)
	file, err := parseWithOneArg(fs, args)
	if err != nil {
		return err
	}
	if *kind != homeward.EntityCase && *kind != homeward.EntityLocated {
		return usageError{"--kind must be case or located"}
	}
	if *org <= 0 {
		return usageError{"--org must be the ID of an organisation"}
	}
	if *keepGood && *rejects == "" {
		return usageError{"--keep-good needs --rejects FILE, so that the bad rows are not lost"}
	}

	f, err := os.Open(file)
	if err != nil {
		return err
	}
	sheet, err := tabular.Read(file, f)
	f.Close()
	if err != nil {
		return err
	}
	m, _ := tabular.AutoMap(*kind, sheet.Headers)
	for _, o := range overrides {
		header, field, ok := cut(o)
		if !ok {
			return usageError{fmt.Sprintf("--map %q: write Header=field or Header=-", o)}
		}
		if err := tabular.Override(*kind, sheet.Headers, m, header, field); err != nil {
			return err
		}
	}

	var (
		cases   []*homeward.Case
		located []*homeward.LocatedRecord
		errs    []tabular.RowError
	)
	if *kind == homeward.EntityCase {
		cases, errs = tabular.ConvertCases(sheet, m)
	} else {
		located, errs = tabular.ConvertLocated(sheet, m)
	}
	headerBad, badRows := summarise(errs)
	if len(errs) > 0 {
		printReport(stderr, *kind, errs)
		if *rejects != "" && badRows > 0 {
			if err := writeRejects(*rejects, sheet, errs); err != nil {
				return err
			}
			fmt.Fprintf(stderr, "%d bad rows written to %s\n", badRows, *rejects)
		}
		if headerBad || !*keepGood {
			return homeward.Errorf(homeward.EINVALID, "%d problems in %s; nothing was imported", len(errs), filepath.Base(file))
		}
	}
	n := len(cases) + len(located)
	if n == 0 {
		fmt.Fprintln(stdout, "imported 0, skipped 0 duplicates (the file has no rows)")
		return nil
	}

	db, err := openDB(ctx, *dsn, &keys, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = homeward.NewContextWithActor(ctx, homeward.Actor{System: true, Role: homeward.RoleAdmin, OrgID: *org})
	if _, err := store.NewOrgService(db).FindOrgByID(ctx, *org); err != nil {
		return fmt.Errorf("organisation %d: %w", *org, err)
	}
	bar := newProgressBar(stderr, n)
	var created, skipped int
	if *kind == homeward.EntityCase {
		for _, c := range cases {
			c.OrgID = *org
		}
		created, skipped, err = store.NewCaseService(db).ImportCases(ctx, cases, bar.update)
	} else {
		for _, r := range located {
			r.OrgID = *org
		}
		created, skipped, err = store.NewLocatedService(db).ImportLocated(ctx, located, bar.update)
	}
	bar.finish()
	if err != nil {
		return fmt.Errorf("import %s: %w", filepath.Base(file), err)
	}
	fmt.Fprintf(stdout, "imported %d, skipped %d duplicates", created, skipped)
	if badRows > 0 {
		fmt.Fprintf(stdout, ", rejected %d rows (in %s)", badRows, *rejects)
	}
	fmt.Fprintln(stdout)
	return nil
}

// parseWithOneArg parses flags given before or after the one positional
// argument, since people write "import FILE --kind case" as often as not.
func parseWithOneArg(fs *flag.FlagSet, args []string) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	var pos []string
	for fs.NArg() > 0 {
		pos = append(pos, fs.Arg(0))
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return "", err
		}
	}
	if len(pos) != 1 {
		fs.Usage()
		return "", usageError{fmt.Sprintf("%s needs exactly one FILE, got %d", fs.Name(), len(pos))}
	}
	return pos[0], nil
}

// cut splits "Header=field" at the last "=", so that a header may contain one.
func cut(s string) (header, field string, ok bool) {
	i := strings.LastIndexByte(s, '=')
	if i <= 0 {
		return "", "", false
	}
	return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:]), true
}

// summarise tells whether the header row has problems and how many data
// rows do.
func summarise(errs []tabular.RowError) (headerBad bool, badRows int) {
	seen := map[int]bool{}
	for _, e := range errs {
		if e.Row <= 1 {
			headerBad = true
		} else if !seen[e.Row] {
			seen[e.Row] = true
			badRows++
		}
	}
	return headerBad, badRows
}

// printReport lists the problems for the operator. Values are the
// operator's own file, shown back to them on their terminal; nothing goes to
// logs.
func printReport(w io.Writer, kind string, errs []tabular.RowError) {
	unknownColumn := false
	for i, e := range errs {
		if i == maxReportedErrors {
			fmt.Fprintf(w, "... and %d more problems (use --rejects FILE to get every bad row)\n", len(errs)-i)
			break
		}
		fmt.Fprintln(w, e.String())
		if e.Row == 1 && e.Field == "" {
			unknownColumn = true
		}
	}
	if unknownColumn {
		fmt.Fprintf(w, "Map unknown columns with --map \"Header=field\" or ignore them with --map \"Header=-\".\nFields of a %s record: %s\n",
			kind, strings.Join(tabular.FieldNames(kind), ", "))
	}
}

// writeRejects uses writeFileAtomic of link.go: a failed write leaves no
// half-written file.
func writeRejects(name string, s *tabular.Sheet, errs []tabular.RowError) error {
	return writeFileAtomic(name, func(w io.Writer) error {
		return tabular.WriteRejected(w, formatOf(name, ""), s, errs)
	})
}

// formatOf picks the file format from an explicit choice or the file name.
func formatOf(name, explicit string) string {
	if explicit != "" {
		return explicit
	}
	if strings.EqualFold(filepath.Ext(name), ".xlsx") {
		return tabular.FormatXLSX
	}
	return tabular.FormatCSV
}

// progressBar draws the import's progress on a terminal; elsewhere (a pipe,
// a log file) it stays silent.
type progressBar struct {
	w     io.Writer
	total int
	on    bool
	last  int
}

func newProgressBar(w io.Writer, total int) *progressBar {
	f, ok := w.(*os.File)
	return &progressBar{w: w, total: total, on: ok && term.IsTerminal(int(f.Fd())), last: -1}
}

func (p *progressBar) update(done int) {
	if !p.on || p.total == 0 {
		return
	}
	const width = 30
	pct := min(100, done*100/p.total)
	if pct == p.last {
		return
	}
	p.last = pct
	filled := pct * width / 100
	fmt.Fprintf(p.w, "\rimporting [%s%s] %3d%% %s/%s", strings.Repeat("#", filled), strings.Repeat(" ", width-filled),
		pct, strconv.Itoa(done), strconv.Itoa(p.total))
}

func (p *progressBar) finish() {
	if p.on && p.last >= 0 {
		fmt.Fprintln(p.w)
	}
}
