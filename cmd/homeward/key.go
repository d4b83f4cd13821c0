package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/seal"
	"github.com/homeward-project/homeward/store"
)

func init() {
	register(command{
		name:    "key",
		summary: "the installation's key: key status | key rotate (--new-key-file F | --new-passphrase-env VAR) [--reencrypt]",
		run:     runKey,
	})
}

const keyUsage = `Usage:
  homeward key status [--db DSN]
  homeward key rotate [--db DSN] [--key-file F | --passphrase-env VAR] (--new-key-file F | --new-passphrase-env VAR) [--reencrypt]

rotate wraps the database's data keys by a new key (a new key file, which it
creates, or a passphrase) while the server keeps running: the server holds the
data keys it unwrapped and goes on. Restart it with the new key when convenient;
the old one no longer opens the database. With --reencrypt it also makes a new
data key and moves every record to it, in batches, so that a copy of the old
data key (in an old backup, say) opens nothing written from here on.`

func runKey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, keyUsage)
		return usageError{"key needs a subcommand: status or rotate"}
	}
	switch args[0] {
	case "status":
		return runKeyStatus(ctx, args[1:], stdout, stderr)
	case "rotate":
		return runKeyRotate(ctx, args[1:], stdout, stderr)
	}
	fmt.Fprintln(stderr, keyUsage)
	return usageError{fmt.Sprintf("unknown key subcommand %q", args[0])}
}

func runKeyStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("key status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	// Accepted, as by every command, and not needed.
	addKeyFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("key status takes no arguments, got %q", fs.Arg(0))}
	}
	// The status reads key ids and counts, never an envelope: it needs no
	// key, so that an operator can see which key a database wants.
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := db.KeyStatus(ctx)
	if err != nil {
		return err
	}
	if len(st.Keys) == 0 {
		fmt.Fprintln(stdout, "no keys yet: the first command run with a key creates them")
		return nil
	}
	for _, k := range st.Keys {
		state := "retired, being moved off"
		if k.Active {
			state = "active"
		}
		fmt.Fprintf(stdout, "%s key %s (%s), wrapped by %s", k.Purpose, k.ID, state, k.WrappedBy)
		if k.Purpose == "data" {
			fmt.Fprintf(stdout, ": %d cases, %d located records, %d record keys", k.Cases, k.Located, k.RecordKeys)
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintf(stdout, "erased records: %d\n", st.Erased)
	if st.Clear > 0 {
		fmt.Fprintf(stdout, "warning: %d records of an older version are still in clear; any command run with the key seals them\n", st.Clear)
	}
	if st.Unknown > 0 {
		fmt.Fprintf(stdout, "warning: %d values are sealed under a key this database does not hold\n", st.Unknown)
	}
	return nil
}

func runKeyRotate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("key rotate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	keys := addKeyFlags(fs)
	newFile := fs.String("new-key-file", "", "create the new key in this file (it must not exist)")
	newPassEnv := fs.String("new-passphrase-env", "", "name of an environment variable holding the new passphrase")
	reencrypt := fs.Bool("reencrypt", false, "also move every record to a new data key")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("key rotate takes no arguments, got %q", fs.Arg(0))}
	}
	if (*newFile == "") == (*newPassEnv == "") {
		return usageError{"give exactly one of --new-key-file and --new-passphrase-env"}
	}
	db, err := openDB(ctx, *dsn, &keys, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	// The party's secret keys are sealed under the same key: opened now
	// with the old one, sealed again with the new one, in the rewrap's
	// transaction.
	id, err := keys.unlockIdentity(ctx, db)
	if err != nil {
		return err
	}

	var next store.MasterKey
	var headKey []byte
	newKeys := keyFlags{file: newFile, passEnv: newPassEnv}
	if *newPassEnv != "" {
		pass, err := newKeys.passphrase()
		if err != nil {
			return err
		}
		if len([]rune(pass)) < 12 {
			return usageError{fmt.Sprintf("the passphrase in %s is too short: it needs at least 12 characters", *newPassEnv)}
		}
		next = store.MasterKey{Passphrase: pass}
	} else {
		k, err := seal.CreateKeyFile(*newFile)
		if errors.Is(err, seal.ErrKeyFileExists) {
			return homeward.Errorf(homeward.ECONFLICT, "The file %s exists: rotate creates the new key file and never overwrites one.", *newFile)
		} else if err != nil {
			return err
		}
		next = store.MasterKey{Key: k}
		headKey = k.Derive(store.HeadKeyPurpose)
	}
	fail := func(err error) error {
		if *newFile != "" {
			// Nothing is wrapped by it: a key file left behind would only
			// mislead.
			os.Remove(*newFile)
		}
		return err
	}
	// Sealed with the new key itself, not found again by its flags: a
	// current key given in HOMEWARD_KEY would be found first.
	var secret []byte
	if id != nil {
		if next.Passphrase != "" {
			secret, err = seal.SealWithPassphrase(next.Passphrase, id.MarshalSecret(), identityAD)
		} else {
			secret, err = seal.Seal(next.Key, id.MarshalSecret(), identityAD)
		}
		if err != nil {
			return fail(err)
		}
	}
	if err := db.RewrapInstallation(ctx, next, headKey, secret); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "The data keys are now wrapped by %s.\n", describeKey(next, *newFile, *newPassEnv))
	if *reencrypt {
		res, err := db.Reencrypt(ctx, func(done, total int) {
			fmt.Fprintf(stderr, "\rre-encrypting: %d of %d", done, total)
		})
		fmt.Fprintln(stderr)
		if err != nil {
			return fmt.Errorf("re-encryption stopped (run key rotate --reencrypt again with the new key to finish): %w", err)
		}
		fmt.Fprintf(stdout, "Re-encrypted %d cases, %d located records, %d record keys and %d other values under the new data key %s; the old data key %s is deleted.\n",
			res.Cases, res.Located, res.RecordKeys, res.Other, res.To, strings.Join(res.From, ", "))
	}
	fmt.Fprintf(stdout, "Start every server and command with the new key from now on; the old one no longer opens this database.\n"+
		"Keep the old key file as long as you keep backups made before this rotation: they open only with it.\n")
	return nil
}

func describeKey(mk store.MasterKey, file, passEnv string) string {
	if passEnv != "" {
		return "the passphrase in " + passEnv
	}
	return fmt.Sprintf("the key %s in %s", mk.Key.ID(), file)
}
