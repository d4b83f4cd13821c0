package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/backup"
	"github.com/homeward-project/homeward/seal"
	"github.com/homeward-project/homeward/store"
)

func init() {
	register(command{
		name:    "backup",
		summary: "write an encrypted, consistent backup while the server runs: backup --out FILE [--db DSN] [--to age1...]... [--to-file RECIPIENTS]",
		run:     runBackup,
	})
	register(command{
		name:    "restore",
		summary: "restore a backup into an empty database: restore FILE --db DSN [--identity-file FILE]",
		run:     runRestore,
	})
}

// backupKeyPurpose derives the age identity a backup is encrypted to by
// default: only the installation's key file opens it, and the identity is
// of no other use.
const backupKeyPurpose = "homeward backup age x25519 identity v1"

// backupIdentity is the age X25519 identity derived from the key file.
func backupIdentity(key seal.Key) (*age.X25519Identity, error) {
	return age.ParseX25519Identity(strings.ToUpper(bech32Encode("age-secret-key-", key.Derive(backupKeyPurpose))))
}

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	keys := addKeyFlags(fs)
	out := fs.String("out", "", "file to write the encrypted backup to (created 0600)")
	var to []string
	fs.Func("to", "encrypt to this age recipient (age1...) instead of the key file; may be repeated", func(s string) error {
		to = append(to, s)
		return nil
	})
	toFile := fs.String("to-file", "", "file of age recipients, one a line, instead of the key file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("backup takes no arguments, got %q", fs.Arg(0))}
	}
	if *out == "" {
		return usageError{"backup needs --out FILE"}
	}
	recipients, err := backupRecipients(keys, to, *toFile)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn, &keys, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	m, size, err := writeBackup(ctx, db, *out, recipients)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup: %d tables, %d rows, schema %d, %d bytes encrypted to %d recipient(s) in %s\n",
		len(m.Tables), m.Rows(), m.SchemaVersion, size, len(recipients), *out)
	return nil
}

// backupRecipients are those given, or else the key file's identity (or
// the passphrase's): a backup is never written in clear.
func backupRecipients(keys keyFlags, to []string, toFile string) ([]age.Recipient, error) {
	var rs []age.Recipient
	for _, s := range to {
		r, err := age.ParseX25519Recipient(s)
		if err != nil {
			return nil, usageError{fmt.Sprintf("--to %q: %v", s, err)}
		}
		rs = append(rs, r)
	}
	if toFile != "" {
		f, err := os.Open(toFile)
		if err != nil {
			return nil, usageError{fmt.Sprintf("--to-file: %v", err)}
		}
		defer f.Close()
		more, err := age.ParseRecipients(f)
		if err != nil {
			return nil, usageError{fmt.Sprintf("--to-file %s: %v", toFile, err)}
		}
		rs = append(rs, more...)
	}
	if len(rs) > 0 {
		return rs, nil
	}
	pass, err := keys.passphrase()
	if err != nil {
		return nil, err
	}
	if pass != "" {
		r, err := age.NewScryptRecipient(pass)
		if err != nil {
			return nil, err
		}
		return []age.Recipient{r}, nil
	}
	key, err := seal.LoadKeyFile(*keys.file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, homeward.Errorf(homeward.EINVALID, "There is no key file at %s to encrypt the backup to: give it with --key-file, or give age recipients with --to or --to-file.", *keys.file)
	} else if err != nil {
		return nil, homeward.Errorf(homeward.EINVALID, "The key file cannot be used to encrypt the backup: %v.", err)
	}
	id, err := backupIdentity(key)
	if err != nil {
		return nil, err
	}
	return []age.Recipient{id.Recipient()}, nil
}

// writeBackup streams the database through tar and age into a private
// temporary file beside out, renamed to out once complete: clear data
// never reaches the disk, and a failed backup leaves no file that looks
// whole.
func writeBackup(ctx context.Context, db *store.DB, out string, rs []age.Recipient) (*backup.Manifest, int64, error) {
	f, err := os.CreateTemp(filepath.Dir(out), ".homeward-backup-*")
	if err != nil {
		return nil, 0, fmt.Errorf("create the backup file: %w", err)
	}
	tmp := f.Name()
	fail := func(err error) (*backup.Manifest, int64, error) {
		f.Close()
		os.Remove(tmp)
		return nil, 0, err
	}
	if err := f.Chmod(0o600); err != nil {
		return fail(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	enc, err := age.Encrypt(bw, rs...)
	if err != nil {
		return fail(fmt.Errorf("encrypt the backup: %w", err))
	}
	m, err := db.Backup(ctx, enc)
	if err != nil {
		return fail(err)
	}
	if err := enc.Close(); err != nil {
		return fail(fmt.Errorf("encrypt the backup: %w", err))
	}
	if err := bw.Flush(); err != nil {
		return fail(fmt.Errorf("write the backup: %w", err))
	}
	if err := f.Sync(); err != nil {
		return fail(fmt.Errorf("write the backup: %w", err))
	}
	fi, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return nil, 0, fmt.Errorf("write the backup: %w", err)
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Remove(tmp)
		return nil, 0, fmt.Errorf("write the backup: %w", err)
	}
	return m, fi.Size(), nil
}

func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	keys := addKeyFlags(fs)
	identityFile := fs.String("identity-file", "", "age identity file that opens the backup, when it was encrypted with --to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// The file may come before the flags: restore FILE --db DSN.
	if fs.NArg() == 0 {
		return usageError{"restore needs the backup file: restore FILE --db DSN"}
	}
	file := fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("restore takes one backup file, got also %q", fs.Arg(0))}
	}
	ids, err := restoreIdentities(keys, *identityFile)
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return homeward.Errorf(homeward.ENOTFOUND, "The backup %s cannot be read: %v.", file, err)
	}
	defer f.Close()
	clear, err := age.Decrypt(bufio.NewReaderSize(f, 1<<20), ids...)
	var nomatch *age.NoIdentityMatchError
	if errors.As(err, &nomatch) {
		return homeward.Errorf(homeward.EINVALID, "The backup %s is not encrypted to this installation's key file (nor to an --identity-file given).", file)
	} else if err != nil {
		return homeward.Errorf(homeward.EINVALID, "The backup %s is damaged or not a backup: %v.", file, err)
	}

	// A SQLite file this restore creates is removed again if the restore
	// fails, so that a refused backup leaves nothing behind.
	created := false
	if !strings.HasPrefix(*dsn, "postgres://") && !strings.HasPrefix(*dsn, "postgresql://") {
		if _, err := os.Stat(*dsn); errors.Is(err, os.ErrNotExist) {
			created = true
		}
	}
	// The target is opened without unlocking it: unlocking an empty
	// database would give it keys of its own, and the backup brings the
	// installation's (wrapped by its key, which must open them below).
	db, err := store.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	headKey, err := keys.headKey()
	if err != nil {
		db.Close()
		return err
	}
	db.SetHeadKey(headKey)
	m, err := db.Restore(ctx, clear)
	if err != nil {
		db.Close()
		if created {
			for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
				os.Remove(*dsn + suffix)
			}
		}
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "restored: %d tables, %d rows, schema %d from a %s backup\n", len(m.Tables), m.Rows(), m.SchemaVersion, m.Dialect)
	// Its records open only with the installation's key: without it the
	// audit checks the chain and the head alone, and says so.
	if mk, _, err := keys.masterKey(false); err == nil {
		if _, err := db.Unlock(ctx, mk); err != nil {
			return fmt.Errorf("the restored database does not open with the key given: %w", err)
		}
	} else {
		fmt.Fprintf(stdout, "warning: %v\n", err)
	}
	rep, err := store.NewEventService(db).Audit(homeward.NewContextWithActor(ctx, homeward.SystemActor()), store.AuditOptions{})
	if err != nil {
		return fmt.Errorf("the restored database does not verify: %w", err)
	}
	fmt.Fprintf(stdout, "audit: %d events verified", rep.Events)
	if rep.HeadSigned {
		fmt.Fprint(stdout, ", head signed with the installation's key")
	}
	fmt.Fprintln(stdout)
	return nil
}

func restoreIdentities(keys keyFlags, identityFile string) ([]age.Identity, error) {
	var ids []age.Identity
	if identityFile != "" {
		f, err := os.Open(identityFile)
		if err != nil {
			return nil, usageError{fmt.Sprintf("--identity-file: %v", err)}
		}
		defer f.Close()
		more, err := age.ParseIdentities(f)
		if err != nil {
			return nil, usageError{fmt.Sprintf("--identity-file %s: %v", identityFile, err)}
		}
		ids = append(ids, more...)
	}
	pass, err := keys.passphrase()
	if err != nil {
		return nil, err
	}
	if pass != "" {
		id, err := age.NewScryptIdentity(pass)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	if key, err := seal.LoadKeyFile(*keys.file); err == nil {
		id, err := backupIdentity(key)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	} else if len(ids) == 0 {
		return nil, homeward.Errorf(homeward.EINVALID, "Nothing to open the backup with: %v. Give the installation's key file with --key-file, or an age identity with --identity-file.", err)
	}
	return ids, nil
}

// bech32Encode encodes data as BIP 173 bech32 with the human-readable part
// hrp (lower case), the form age gives its keys in; age keeps its encoder
// internal. https://github.com/bitcoin/bips/blob/master/bip-0173.mediawiki
func bech32Encode(hrp string, data []byte) string {
	const charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
	// Regroup 8-bit bytes into 5-bit values, padding the last.
	var values []byte
	acc, bits := 0, 0
	for _, b := range data {
		acc = acc<<8 | int(b)
		bits += 8
		for bits >= 5 {
			bits -= 5
			values = append(values, byte(acc>>bits&31))
		}
	}
	if bits > 0 {
		values = append(values, byte(acc<<(5-bits)&31))
	}
	polymod := func(vs []byte) uint32 {
		gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
		chk := uint32(1)
		for _, v := range vs {
			top := chk >> 25
			chk = (chk&0x1ffffff)<<5 ^ uint32(v)
			for i := range 5 {
				if top>>i&1 == 1 {
					chk ^= gen[i]
				}
			}
		}
		return chk
	}
	var in []byte
	for i := range len(hrp) {
		in = append(in, hrp[i]>>5)
	}
	in = append(in, 0)
	for i := range len(hrp) {
		in = append(in, hrp[i]&31)
	}
	in = append(in, values...)
	in = append(in, 0, 0, 0, 0, 0, 0)
	mod := polymod(in) ^ 1
	var sb strings.Builder
	sb.WriteString(hrp)
	sb.WriteByte('1')
	for _, v := range values {
		sb.WriteByte(charset[v])
	}
	for i := range 6 {
		sb.WriteByte(charset[mod>>(5*(5-i))&31])
	}
	return sb.String()
}
