package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/exchange"
	"github.com/homeward-project/homeward/store"
)

func init() {
	register(command{
		name:    "bundle",
		summary: "make, open and inspect bundles for mediators: bundle create|open|inspect",
		run:     runBundle,
	})
}

const bundleUsage = `Usage:
  homeward bundle create --org ID --channel CHANNEL --to PARTY --out FILE.hwb [--db DSN] [key options]
  homeward bundle open --org ID FILE.hwb [--db DSN] [key options]
  homeward bundle inspect FILE.hwb [--db DSN] [key options]

create packs what waits for a party on a channel (the channel's ID or UID;
the party's ID or fingerprint) into a bundle file. open checks a bundle
(signature, addressing, sequence, hashes, expiry) and stores what it
carries for organisation ID, or refuses it naming the reason. inspect prints
a bundle's manifest and checks, storing nothing.`

func runBundle(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, bundleUsage)
		return usageError{"bundle needs a subcommand: create, open or inspect"}
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("bundle "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, bundleUsage) }
	dsn := dbFlag(fs)
	keys := addKeyFlags(fs)
	org := fs.Int64("org", 0, "ID of the organisation the bundle is for")
	channel := fs.String("channel", "", "with create: the channel's ID or UID")
	to := fs.String("to", "", "with create: the party's ID or fingerprint")
	out := fs.String("out", "", "with create: the bundle file to write")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn, &keys, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	id, err := keys.unlockIdentity(ctx, db)
	if err != nil {
		return err
	}
	if id == nil {
		return homeward.Errorf(homeward.EINVALID, "This installation has no party identity yet: run “homeward party init” first.")
	}
	svc := newBundleService(db, id, nil)
	sys := homeward.NewContextWithActor(ctx, homeward.Actor{System: true, Role: homeward.RoleAdmin, OrgID: *org})
	switch sub {
	case "create":
		if *org <= 0 || *channel == "" || *to == "" || *out == "" || len(pos) != 0 {
			return usageError{"bundle create needs --org, --channel, --to and --out"}
		}
		chID, err := findChannel(sys, db, *channel)
		if err != nil {
			return err
		}
		toID, err := findParty(sys, db, *to)
		if err != nil {
			return err
		}
		b, err := svc.CreateBundle(sys, chID, toID)
		if err != nil {
			return err
		}
		file, err := svc.BundleFile(sys, b.ID)
		if err != nil {
			return err
		}
		if err := os.WriteFile(*out, file, 0o600); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Wrote %s: bundle %d, sequence %d, %d documents (%s), %d bytes.\n", *out, b.ID, b.Sequence, b.Documents, kindsText(b.Kinds), b.Size)
		return nil
	case "open", "inspect":
		if len(pos) != 1 {
			return usageError{"bundle " + sub + " needs one FILE"}
		}
		file, err := readBounded(pos[0], exchange.DefaultMaxBundle)
		if err != nil {
			return err
		}
		if sub == "inspect" {
			o, err := svc.Inspect(sys, file)
			if o != nil {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				enc.Encode(o.Manifest)
			}
			if err != nil {
				return homeward.Errorf(homeward.EINVALID, "%v", err)
			}
			fmt.Fprintln(stdout, "The bundle passes every check that does not need the stream's state.")
			return nil
		}
		if *org <= 0 {
			return usageError{"bundle open needs --org"}
		}
		b, err := svc.OpenBundle(sys, file)
		if err != nil {
			return err
		}
		switch b.Status {
		case homeward.BundleHeld:
			fmt.Fprintf(stdout, "Held: %s\n", b.Detail)
		default:
			fmt.Fprintf(stdout, "Opened bundle %d, sequence %d: %d documents (%s).\n", b.ID, b.Sequence, b.Documents, kindsText(b.Kinds))
		}
		return nil
	}
	fmt.Fprintln(stderr, bundleUsage)
	return usageError{fmt.Sprintf("unknown bundle subcommand %q", sub)}
}

// newBundleService is the bundle service of a database, with its keys.
func newBundleService(db *store.DB, id *exchange.Identity, linker exchange.EntryLinker) *exchange.Service {
	return exchange.NewService(exchange.ServiceConfig{Identity: id, Parties: store.NewPartyService(db), Ledger: store.NewBundleLedger(db), Linker: linker})
}

func kindsText(k map[string]int) string {
	var parts []string
	for kind, n := range k {
		parts = append(parts, fmt.Sprintf("%d %s", n, kind))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func readBounded(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, homeward.Errorf(homeward.EINVALID, "%s is larger than a bundle may be (%d MB).", name, limit>>20)
	}
	return b, nil
}

func findChannel(ctx context.Context, db *store.DB, s string) (int64, error) {
	chs, err := store.NewListService(db).FindChannels(ctx)
	if err != nil {
		return 0, err
	}
	for _, c := range chs {
		if c.UID == s || fmt.Sprint(c.ID) == s {
			return c.ID, nil
		}
	}
	return 0, homeward.Errorf(homeward.ENOTFOUND, "The organisation has no channel %q.", s)
}

func findParty(ctx context.Context, db *store.DB, s string) (int64, error) {
	ps := store.NewPartyService(db)
	if p, err := ps.FindPartyByFingerprint(ctx, s); err == nil {
		return p.ID, nil
	}
	var id int64
	if _, err := fmt.Sscan(s, &id); err == nil && id > 0 {
		if p, err := ps.FindPartyByID(ctx, id); err == nil {
			return p.ID, nil
		}
	}
	return 0, homeward.Errorf(homeward.ENOTFOUND, "No party %q.", s)
}
