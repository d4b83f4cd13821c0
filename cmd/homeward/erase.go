package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/store"
)

func init() {
	register(command{
		name:    "erase",
		summary: "erase a record's personal data for good: erase (--case REFERENCE | --located ID) --reason " + strings.Join(homeward.EraseReasons, "|"),
		run:     runErase,
	})
}

func runErase(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("erase", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	keys := addKeyFlags(fs)
	ref := fs.String("case", "", "the reference of the case to erase")
	locID := fs.Int64("located", 0, "the ID of the located record to erase")
	reason := fs.String("reason", "", "why: "+strings.Join(homeward.EraseReasons, ", "))
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("erase takes no arguments, got %q", fs.Arg(0))}
	}
	if (*ref == "") == (*locID == 0) {
		return usageError{"give exactly one of --case REFERENCE and --located ID"}
	}
	if err := homeward.ValidateEraseReason(*reason); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn, &keys, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	// Run by whoever administers the server, as the system: the erase
	// event names no user (actor 0), as every command's events do.
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor())
	if *locID != 0 {
		if err := store.NewLocatedService(db).EraseLocated(sys, *locID, *reason); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "erased located record %d: its personal data can no longer be read, by anyone; its events stay in the log\n", *locID)
		return nil
	}
	cs, _, err := store.NewCaseService(db).FindCases(sys, homeward.CaseFilter{Query: *ref, Limit: 10})
	if err != nil {
		return err
	}
	var id int64
	for _, c := range cs {
		if strings.EqualFold(c.Reference, *ref) {
			id = c.ID
		}
	}
	if id == 0 {
		return homeward.Errorf(homeward.ENOTFOUND, "No case with the reference %s.", *ref)
	}
	if err := store.NewCaseService(db).EraseCase(sys, id, *reason); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "erased case %s: its personal data can no longer be read, by anyone; its events stay in the log\n", *ref)
	return nil
}
