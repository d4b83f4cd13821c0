package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/store"
	"github.com/homeward-project/homeward/tabular"
)

func init() {
	register(command{
		name:    "export",
		summary: "export cases or located records to CSV or XLSX",
		run:     runExport,
	})
}

// exportPage is how many records are read from the store at a time.
const exportPage = 5000

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: homeward export --kind case|located --org ID [--stage S] [--format csv|xlsx] --out FILE

Writes the organisation's cases or located records to FILE, one row each,
with dates as DD.MM.YYYY. The file can be imported again.

Options:`)
		fs.PrintDefaults()
	}
	kind := fs.String("kind", "", "what to export: case or located")
	org := fs.Int64("org", 0, "ID of the organisation whose records to export")
	stage := fs.String("stage", "", "export only cases at this stage")
	format := fs.String("format", "", "csv or xlsx (default: from the --out file name, else csv)")
	out := fs.String("out", "", "the file to write")
	labels := fs.String("labels", "en", "language of the header row: en or uk")
	dsn := dbFlag(fs)
	keys := addKeyFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usageError{fmt.Sprintf("export takes no arguments, got %q", fs.Arg(0))}
	case *kind != homeward.EntityCase && *kind != homeward.EntityLocated:
		return usageError{"--kind must be case or located"}
	case *org <= 0:
		return usageError{"--org must be the ID of an organisation"}
	case *out == "":
		return usageError{"--out FILE is required"}
	case *format != "" && *format != tabular.FormatCSV && *format != tabular.FormatXLSX:
		return usageError{"--format must be csv or xlsx"}
	case *labels != "en" && *labels != "uk":
		return usageError{"--labels must be en or uk"}
	case *stage != "" && *kind != homeward.EntityCase:
		return usageError{"--stage applies to cases only"}
	case *stage != "" && !homeward.Stage(*stage).Valid():
		return usageError{fmt.Sprintf("--stage %q is not a stage", *stage)}
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
	fmtName := formatOf(*out, *format)
	opt := tabular.WithLabels(*labels)
	var n int
	// The export is recorded before the file is written: a file of
	// children's records must never leave without a trace in the log.
	events := store.NewEventService(db)
	if *kind == homeward.EntityCase {
		var all []*homeward.Case
		svc := store.NewCaseService(db)
		cf := homeward.CaseFilter{OrgID: *org, Stage: homeward.Stage(*stage)}
		for {
			cf.Offset, cf.Limit = len(all), exportPage
			page, total, err := svc.FindCases(ctx, cf)
			if err != nil {
				return err
			}
			all = append(all, page...)
			if len(page) == 0 || len(all) >= total {
				break
			}
		}
		n = len(all)
		cf.Offset = 0
		if err := events.RecordAccess(ctx, cf.Access(n, n).Export(fmtName)); err != nil {
			return err
		}
		err = writeFileAtomic(*out, func(w io.Writer) error { return tabular.WriteCases(w, fmtName, all, opt) })
	} else {
		var all []*homeward.LocatedRecord
		svc := store.NewLocatedService(db)
		for {
			page, total, err := svc.FindLocated(ctx, homeward.LocatedFilter{OrgID: *org, Offset: len(all), Limit: exportPage})
			if err != nil {
				return err
			}
			all = append(all, page...)
			if len(page) == 0 || len(all) >= total {
				break
			}
		}
		n = len(all)
		lf := homeward.LocatedFilter{OrgID: *org}
		if err := events.RecordAccess(ctx, lf.Access(n, n).Export(fmtName)); err != nil {
			return err
		}
		err = writeFileAtomic(*out, func(w io.Writer) error { return tabular.WriteLocated(w, fmtName, all, opt) })
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(stdout, "exported %d %s records to %s\n", n, *kind, *out)
	return nil
}
