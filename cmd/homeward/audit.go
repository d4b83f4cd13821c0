package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"regexp"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/store"
)

func init() {
	register(command{
		name:    "audit",
		summary: "verify the event log: audit verify [--db DSN] [--key-file FILE] [--expect-head HASH]",
		run:     runAudit,
	})
}

var headHash = regexp.MustCompile(`^[0-9a-f]{64}$`)

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(stderr, "Usage: homeward audit verify [--db DSN] [--key-file FILE] [--expect-head HASH]")
		return usageError{"audit needs the subcommand verify"}
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	keys := addKeyFlags(fs)
	expect := fs.String("expect-head", "", "a head hash printed by an earlier verification and kept elsewhere: the log must still contain it")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("audit verify takes no arguments, got %q", fs.Arg(0))}
	}
	if *expect != "" && !headHash.MatchString(*expect) {
		return usageError{"--expect-head must be a hash as audit verify prints it: 64 hexadecimal digits"}
	}
	db, err := openDBToVerify(ctx, *dsn, &keys, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = homeward.NewContextWithActor(ctx, homeward.SystemActor())
	rep, err := store.NewEventService(db).Audit(ctx, store.AuditOptions{ExpectHead: *expect})
	if err != nil {
		// The error names the first event, the head or the record at fault;
		// main prints it and exits non-zero.
		if rep != nil {
			return fmt.Errorf("%w (%d events before it verify)", err, rep.Events)
		}
		return err
	}
	fmt.Fprintf(stdout, "ok: %d events verified\n", rep.Events)
	if rep.Locked != "" {
		fmt.Fprintf(stdout, "warning: the records were not compared with their events: %s\n", rep.Locked)
	} else {
		fmt.Fprintf(stdout, "records: %d cases and %d located records agree with their events\n",
			rep.Records[homeward.EntityCase], rep.Records[homeward.EntityLocated])
	}
	for _, e := range rep.Erasures {
		fmt.Fprintf(stdout, "erased: %s %d at %s by user %d (event %d; %d events can no longer be read)\n",
			e.EntityType, e.EntityID, e.At.UTC().Format(time.RFC3339), e.By, e.Event, e.Events)
	}
	if rep.HeadSigned {
		fmt.Fprintln(stdout, "head: signed with the installation's key")
		if rep.SignedFrom > 0 {
			fmt.Fprintf(stdout, "note: events before %d were written without the key; the head is signed from there on\n", rep.SignedFrom)
		}
	} else if rep.Unsigned != "" {
		fmt.Fprintf(stdout, "warning: %s; give the key file with --key-file to detect events cut from the end of the log\n", rep.Unsigned)
	}
	// The head is printed so that operators can keep it elsewhere and
	// check against it later with --expect-head: a log rewritten whole, key
	// and all, no longer holds that hash.
	if rep.HeadID > 0 {
		fmt.Fprintf(stdout, "last event %d hash %s\n", rep.HeadID, rep.HeadHash)
	}
	return nil
}
