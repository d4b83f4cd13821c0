package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/exchange"
	"github.com/homeward-project/homeward/store"
)

func init() {
	register(command{
		name:    "party",
		summary: "this installation's party keys and the parties it trusts: party init|show|add|list|confirm|retire",
		run:     runParty,
	})
}

const partyUsage = `Usage:
  homeward party init --name NAME [--kind agency|mediator|counterpart] [--key-file F | --passphrase-env VAR] [--db DSN]
  homeward party show [--db DSN]
  homeward party add FILE|- [--confirm FINGERPRINT] [--db DSN]
  homeward party add --offline --name NAME --kind KIND [--db DSN]
  homeward party list [--db DSN]
  homeward party confirm ID FINGERPRINT [--db DSN]
  homeward party retire ID --reason TEXT [--db DSN]

init makes this installation's signing and encryption keys, sealed under
the key file (created when missing) or a passphrase. show prints the card to
send to other parties, with its fingerprint to read out over another
channel. add reads another party's card; it is trusted only once confirm is
given the fingerprint that party read out to you.`

func runParty(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, partyUsage)
		return usageError{"party needs a subcommand: init, show, add, list, confirm or retire"}
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("party "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, partyUsage) }
	dsn := dbFlag(fs)
	keys := addKeyFlags(fs)
	name := fs.String("name", "", "party name")
	kind := fs.String("kind", "", "party kind: agency, mediator or counterpart")
	confirm := fs.String("confirm", "", "with add: the fingerprint the party read out to you; trusts it at once")
	offline := fs.Bool("offline", false, "with add: a party without keys, sent printed lists and spreadsheets")
	reason := fs.String("reason", "", "with retire: why")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn, &keys, stdout)
	if err != nil {
		return err
	}
	defer db.Close()
	// The operator who runs the binary against the database acts as the
	// system, and the log says so.
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor())
	ps := store.NewPartyService(db)
	switch sub {
	case "init":
		if len(pos) != 0 || strings.TrimSpace(*name) == "" {
			return usageError{"party init needs --name and no arguments"}
		}
		if _, err := ps.Self(sys); err == nil {
			return homeward.Errorf(homeward.ECONFLICT, "This installation already has its party identity; “homeward party show” prints it.")
		}
		id, err := exchange.GenerateIdentity()
		if err != nil {
			return err
		}
		k := homeward.PartyKind(*kind)
		if k == "" {
			k = homeward.PartyAgency
		}
		sealed, err := keys.sealIdentity(id, stdout)
		if err != nil {
			return err
		}
		// The key file may have just been made: sign the head from this
		// first event on.
		headKey, err := keys.headKey()
		if err != nil {
			return err
		}
		db.SetHeadKey(headKey)
		p := exchange.PartyOf(exchange.Card{Name: *name, Kind: string(k), Keys: id.Public()})
		if err := ps.InitSelf(sys, p, sealed); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "This installation is now the party %q.\n\n", p.Name)
		return printCard(stdout, p)
	case "show":
		p, err := ps.Self(sys)
		if err != nil {
			return err
		}
		return printCard(stdout, p)
	case "add":
		var p *homeward.Party
		if *offline {
			if len(pos) != 0 {
				return usageError{"party add --offline takes no FILE"}
			}
			p = &homeward.Party{Name: *name, Kind: homeward.PartyKind(*kind)}
		} else {
			if len(pos) != 1 {
				return usageError{"party add needs the card's FILE, or - for standard input"}
			}
			b, err := readCardFile(pos[0])
			if err != nil {
				return err
			}
			card, err := exchange.ParseCard(b)
			if err != nil {
				return homeward.Errorf(homeward.EINVALID, "%v", err)
			}
			p = exchange.PartyOf(card)
		}
		if err := ps.AddParty(sys, p); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Added party %d, %s (%s).\n", p.ID, p.Name, p.Kind)
		if p.Online() {
			fmt.Fprintf(stdout, "Fingerprint: %s\n", p.Fingerprint)
			if *confirm == "" {
				fmt.Fprintf(stdout, "Not trusted yet: compare the fingerprint with the party over another channel, then run\n  homeward party confirm %d FINGERPRINT\n", p.ID)
				return nil
			}
			if _, err := ps.ConfirmParty(sys, p.ID, *confirm, p.Version); err != nil {
				return err
			}
			fmt.Fprintln(stdout, "Trusted: the fingerprint matches.")
		}
		return nil
	case "list":
		all, err := ps.FindParties(sys)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tKIND\tFINGERPRINT\tSTATUS")
		for _, p := range all {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", p.ID, p.Name, p.Kind, p.Fingerprint, partyStatus(p))
		}
		return tw.Flush()
	case "confirm", "retire":
		if (sub == "confirm" && len(pos) != 2) || (sub == "retire" && len(pos) != 1) {
			return usageError{"party " + sub + ": see the usage"}
		}
		var id int64
		if _, err := fmt.Sscan(pos[0], &id); err != nil || id <= 0 {
			return usageError{fmt.Sprintf("%q is not a party ID", pos[0])}
		}
		p, err := ps.FindPartyByID(sys, id)
		if err != nil {
			return err
		}
		if sub == "confirm" {
			if p, err = ps.ConfirmParty(sys, id, pos[1], p.Version); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "Trusted: %s.\n", p.Name)
			return nil
		}
		if p, err = ps.RetireParty(sys, id, *reason, p.Version); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Retired: %s. Its later bundles are refused.\n", p.Name)
		return nil
	}
	fmt.Fprintln(stderr, partyUsage)
	return usageError{fmt.Sprintf("unknown party subcommand %q", sub)}
}

func partyStatus(p *homeward.Party) string {
	switch {
	case p.Self:
		return "this installation"
	case p.RetiredAt != nil:
		return "retired"
	case !p.Online():
		return "offline"
	case p.Trusted():
		return "trusted"
	}
	return "not confirmed"
}

func printCard(w io.Writer, p *homeward.Party) error {
	k, err := exchange.PartyKeys(p)
	if err != nil {
		return err
	}
	if _, err := w.Write(exchange.Card{Name: p.Name, Kind: string(p.Kind), Keys: k}.Marshal()); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "\nFingerprint: %s\nSend the card above to the other parties; read the fingerprint out to them over another channel.\n", p.Fingerprint)
	return err
}

// readCardFile reads a card from a file or standard input, bounded: a card
// is a few hundred bytes.
func readCardFile(name string) ([]byte, error) {
	var r io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	return io.ReadAll(io.LimitReader(r, 64<<10))
}

// parseArgs parses flags that may come before or after the positional
// arguments, and returns the positional ones.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	var pos []string
	for fs.NArg() > 0 {
		pos = append(pos, fs.Arg(0))
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return nil, err
		}
	}
	return pos, nil
}
