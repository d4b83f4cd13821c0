package exchange

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"filippo.io/age"
)

// Limits bound what Open reads, whatever a bundle claims. A zero field
// takes its default.
type Limits struct {
	MaxBundle   int64 // bytes of the encrypted file
	MaxFiles    int   // payload files
	MaxFile     int64 // bytes of one payload file
	MaxManifest int64 // bytes of manifest.json
}

// Defaults of Limits. Seal refuses to write what a receiver with the
// defaults would refuse to read.
const (
	DefaultMaxBundle   = 256 << 20
	DefaultMaxFiles    = 20_000
	DefaultMaxFile     = 64 << 20
	DefaultMaxManifest = 8 << 20
)

func (l Limits) withDefaults() Limits {
	if l.MaxBundle <= 0 {
		l.MaxBundle = DefaultMaxBundle
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = DefaultMaxFiles
	}
	if l.MaxFile <= 0 {
		l.MaxFile = DefaultMaxFile
	}
	if l.MaxManifest <= 0 {
		l.MaxManifest = DefaultMaxManifest
	}
	return l
}

// Seal writes a bundle of files from id to the party to. It sets the
// manifest's Format, BundleID (when empty), Sender, To (when empty; it must
// otherwise be to's fingerprint), Recipients (to and id itself, for the
// sender's archive copy) and Files, and rounds CreatedAt and ExpiresAt to
// the second in UTC. The caller sets the channel, the sequence, the
// previous hash, the acknowledgements and the two times. Seal returns the
// manifest as sealed and its ManifestHash.
func Seal(w io.Writer, id *Identity, m Manifest, to PublicKeys, files []File) (Manifest, string, error) {
	if id == nil {
		return Manifest{}, "", errors.New("exchange: seal: no identity")
	}
	if err := to.Validate(); err != nil {
		return Manifest{}, "", fmt.Errorf("exchange: seal: the recipient's keys: %w", err)
	}
	toFP := to.Fingerprint()
	m.Format = FormatV1
	if m.BundleID == "" {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return Manifest{}, "", fmt.Errorf("exchange: seal: bundle id: %w", err)
		}
		m.BundleID = hex.EncodeToString(b)
	}
	m.Sender = id.fp
	if m.To == "" {
		m.To = toFP
	} else if m.To != toFP {
		return Manifest{}, "", fmt.Errorf("exchange: seal: the manifest is addressed to %s but encrypted to %s", m.To, toFP)
	}
	m.Recipients = []string{toFP}
	if id.fp != toFP {
		m.Recipients = append(m.Recipients, id.fp)
	}
	m.Acks = slices.Clone(m.Acks)
	if len(m.Acks) == 0 {
		m.Acks = nil
	}
	m.CreatedAt = m.CreatedAt.UTC().Truncate(time.Second)
	m.ExpiresAt = m.ExpiresAt.UTC().Truncate(time.Second)

	if len(files) > DefaultMaxFiles {
		return Manifest{}, "", fmt.Errorf("exchange: seal: %d payload files, at most %d", len(files), DefaultMaxFiles)
	}
	m.Files = make([]FileEntry, 0, len(files))
	for _, f := range files {
		if len(f.Data) > DefaultMaxFile {
			return Manifest{}, "", fmt.Errorf("exchange: seal: payload file %s has %d bytes, at most %d", f.Name, len(f.Data), DefaultMaxFile)
		}
		sum := sha256.Sum256(f.Data)
		m.Files = append(m.Files, FileEntry{Name: f.Name, Size: int64(len(f.Data)), SHA256: hex.EncodeToString(sum[:])})
	}
	slices.SortFunc(m.Files, func(a, b FileEntry) int { return strings.Compare(a.Name, b.Name) })
	if err := validateManifest(&m); err != nil {
		return Manifest{}, "", fmt.Errorf("exchange: seal: %w", err)
	}
	manifestJSON, err := encodeManifest(&m)
	if err != nil {
		return Manifest{}, "", fmt.Errorf("exchange: seal: encode the manifest: %w", err)
	}
	if len(manifestJSON) > DefaultMaxManifest {
		return Manifest{}, "", fmt.Errorf("exchange: seal: the manifest has %d bytes, at most %d", len(manifestJSON), DefaultMaxManifest)
	}
	if err := SealRaw(w, id, manifestJSON, files, to, id.pub); err != nil {
		return Manifest{}, "", err
	}
	return m, ManifestHash(manifestJSON), nil
}

// SealRaw writes a bundle of exactly the given manifest bytes, signed by id
// as they are, and files, encrypted to recipients. It checks nothing in the
// manifest: it is for tests that need a validly signed manifest that lies,
// and for Seal, which checks first.
func SealRaw(w io.Writer, id *Identity, manifestJSON []byte, files []File, recipients ...PublicKeys) error {
	if id == nil {
		return errors.New("exchange: seal: no identity")
	}
	if len(recipients) == 0 {
		return errors.New("exchange: seal: no recipients")
	}
	rs := make([]age.Recipient, 0, len(recipients))
	for _, p := range recipients {
		r, err := p.recipient()
		if err != nil {
			return fmt.Errorf("exchange: seal: %w", err)
		}
		rs = append(rs, r)
	}
	sig, err := json.Marshal(manifestSig{KeyID: id.fp, Sig: id.signPAE(manifestType, manifestJSON)})
	if err != nil {
		return fmt.Errorf("exchange: seal: encode the signature: %w", err)
	}
	enc, err := age.Encrypt(w, rs...)
	if err != nil {
		return fmt.Errorf("exchange: seal: encrypt: %w", err)
	}
	if err := writeArchive(enc, manifestJSON, sig, files); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("exchange: seal: encrypt: %w", err)
	}
	return nil
}

// Opened is a bundle that passed every check Open can make on its own.
type Opened struct {
	Manifest     Manifest
	ManifestJSON []byte
	ManifestHash string
	Files        map[string][]byte // payload files by name, without "payload/"
}

// Open decrypts a bundle with id and checks it, in this order, before the
// caller stores anything: that it is encrypted to id (ReasonNotAddressed)
// and intact (ReasonDamaged), no larger than lim.MaxBundle
// (ReasonTooLarge), an archive as Seal writes them within the limits
// (ReasonMalformed), with a manifest of the schema (ReasonMalformedManifest)
// from a sender trust knows (ReasonUnknownSender), has confirmed
// (ReasonUntrustedSender) and has not retired (ReasonRetiredSender), signed
// by that sender (ReasonBadSignature), addressed to id as To and among the
// Recipients (ReasonNotAddressed), not expired at now (ReasonExpired), and
// with exactly the payload files the manifest lists (ReasonFileHash).
//
// Every problem with the bundle is a *Refusal. Any other error is a failure
// of r or of trust, and says nothing about the bundle.
//
// The sequence, replay, gap and previous-hash checks need the state of the
// stream and are the caller's, with the manifest Open returns.
//
// A bundle can be proved intact only at its end, and Open reads it
// through: a refusal for damage takes precedence over one for the archive.
// A header damaged where our key is wrapped cannot be told from a bundle
// for someone else, and is refused as not addressed.
func Open(r io.Reader, id *Identity, trust Trust, now time.Time, lim Limits) (*Opened, error) {
	o, err := open(r, id, trust, now, lim)
	if err != nil {
		return nil, err
	}
	return o, nil
}

// Inspect is Open for a person looking at a bundle (homeward bundle
// inspect): when the bundle is refused after its manifest was read, it
// returns the manifest with the refusal, so that even a bundle from an
// unknown sender can be described. It never returns the payload of a
// refused bundle. trust may be nil: every sender is then unknown.
func Inspect(r io.Reader, id *Identity, trust Trust, now time.Time, lim Limits) (*Opened, error) {
	return open(r, id, trust, now, lim)
}

func open(r io.Reader, id *Identity, trust Trust, now time.Time, lim Limits) (*Opened, error) {
	if id == nil {
		return nil, errors.New("exchange: open: no identity")
	}
	lim = lim.withDefaults()
	src := &source{r: r, left: lim.MaxBundle}
	plain, err := age.Decrypt(src, x25519Only{id.age})
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		switch {
		case src.err != nil:
			return nil, fmt.Errorf("exchange: open: read the bundle: %w", src.err)
		case src.over:
			return nil, tooLarge(lim)
		case errors.As(err, &noMatch):
			return nil, refuse(ReasonNotAddressed, "The bundle is not encrypted to this installation's key.")
		case errors.Is(err, errForeignScheme):
			return nil, refuse(ReasonMalformed, "The bundle is encrypted with a key scheme other than age X25519.")
		}
		return nil, damaged()
	}

	dec := &recorder{r: plain}
	a, err := readArchive(dec, lim)
	if err == nil {
		var n int64
		if n, err = io.Copy(io.Discard, dec); err == nil && n > 0 {
			err = malformedf("The bundle has data after the end of its archive.")
		}
	} else {
		// Read to the end: damage further on outranks this problem.
		io.Copy(io.Discard, dec)
	}
	if err != nil {
		var m *malformed
		switch {
		case src.err != nil:
			return nil, fmt.Errorf("exchange: open: read the bundle: %w", src.err)
		case src.over:
			return nil, tooLarge(lim)
		case dec.err != nil:
			return nil, damaged()
		case errors.As(err, &m):
			return nil, refuse(ReasonMalformed, "%s", sentence(m.detail))
		}
		return nil, refuse(ReasonMalformed, "The archive inside the bundle cannot be read.")
	}

	m, err := decodeManifest(a.manifest)
	if err != nil {
		ref := refuse(ReasonMalformedManifest, "%s", sentence(err.Error()))
		if m == nil {
			return nil, ref
		}
		return inspected(m, a, ref)
	}
	o := &Opened{Manifest: *m, ManifestJSON: a.manifest, ManifestHash: ManifestHash(a.manifest)}
	no := func(reason, format string, args ...any) (*Opened, error) {
		return inspected(m, a, refuse(reason, format, args...))
	}

	keys, status := PublicKeys{}, Unknown
	if trust != nil {
		if keys, status, err = trust(m.Sender); err != nil {
			return o, fmt.Errorf("exchange: open: look up sender %s: %w", m.Sender, err)
		}
	}
	switch status {
	case Trusted:
	case Unknown:
		return no(ReasonUnknownSender, "The bundle is from %s, a party this installation does not know.", m.Sender)
	case Retired:
		return no(ReasonRetiredSender, "The bundle is from %s, a party this installation no longer trusts.", m.Sender)
	default:
		return no(ReasonUntrustedSender, "The bundle is from %s, a party whose fingerprint nobody has confirmed yet.", m.Sender)
	}
	if fp := keys.Fingerprint(); fp != m.Sender {
		return o, fmt.Errorf("exchange: open: trust gave the keys of %s for %s", fp, m.Sender)
	}

	if a.sig.KeyID != m.Sender {
		return no(ReasonBadSignature, "The manifest is signed by %s, not by its sender %s.", a.sig.KeyID, m.Sender)
	}
	if !verifyPAE(keys.Signing, manifestType, a.manifest, a.sig.Sig) {
		return no(ReasonBadSignature, "The manifest's signature does not verify with the key of its sender %s.", m.Sender)
	}

	if m.To != id.fp {
		return no(ReasonNotAddressed, "The bundle is addressed to %s, not to this installation (%s).", m.To, id.fp)
	}
	if !slices.Contains(m.Recipients, id.fp) {
		return no(ReasonNotAddressed, "The manifest does not list this installation (%s) among its recipients.", id.fp)
	}
	if now.After(m.ExpiresAt) {
		return no(ReasonExpired, "The bundle expired at %s.", m.ExpiresAt.Format(time.RFC3339))
	}

	listed := make(map[string]bool, len(m.Files))
	for _, f := range m.Files {
		listed[f.Name] = true
		data, ok := a.files[f.Name]
		switch {
		case !ok:
			return no(ReasonFileHash, "The manifest lists payload file %s, which the bundle does not hold.", f.Name)
		case int64(len(data)) != f.Size:
			return no(ReasonFileHash, "Payload file %s has %d bytes, not the %d the manifest says.", f.Name, len(data), f.Size)
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != f.SHA256 {
			return no(ReasonFileHash, "Payload file %s is not the file the manifest describes: its SHA-256 differs.", f.Name)
		}
	}
	for _, name := range a.names {
		if !listed[name] {
			return no(ReasonFileHash, "The bundle holds payload file %s, which the manifest does not list.", name)
		}
	}
	o.Files = a.files
	return o, nil
}

// inspected is what Inspect shows of a refused bundle: the manifest, never
// the payload.
func inspected(m *Manifest, a *archive, ref *Refusal) (*Opened, error) {
	shown := *m
	ref.Manifest = &shown
	return &Opened{Manifest: *m, ManifestJSON: a.manifest, ManifestHash: ManifestHash(a.manifest)}, ref
}

func damaged() *Refusal {
	return refuse(ReasonDamaged, "The bundle cannot be decrypted: it is damaged, cut off or altered, or it is not a Homeward bundle.")
}

func tooLarge(lim Limits) *Refusal {
	return refuse(ReasonTooLarge, "The bundle is larger than %d bytes, the most this installation accepts.", lim.MaxBundle)
}

// sentence capitalises a detail and ends it with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	if c := s[0]; 'a' <= c && c <= 'z' {
		s = string(c-'a'+'A') + s[1:]
	}
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

var (
	errTooLarge      = errors.New("exchange: bundle larger than the limit")
	errForeignScheme = errors.New("exchange: bundle encrypted with a scheme other than age X25519")
)

// source reads at most left bytes of r and notes whether r had more, and
// any error of r itself, which is no fault of the bundle.
type source struct {
	r    io.Reader
	left int64
	over bool
	err  error
}

func (s *source) Read(p []byte) (int, error) {
	switch {
	case s.over:
		return 0, errTooLarge
	case s.err != nil:
		return 0, s.err
	case len(p) == 0:
		return 0, nil
	case s.left == 0:
		var probe [1]byte
		n, err := s.r.Read(probe[:])
		if n > 0 {
			s.over = true
			return 0, errTooLarge
		}
		if err != nil && err != io.EOF {
			s.err = err
		}
		return 0, err
	}
	if int64(len(p)) > s.left {
		p = p[:s.left]
	}
	n, err := s.r.Read(p)
	s.left -= int64(n)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// recorder notes the first error of the decrypting reader: damage, or a
// limit of the source.
type recorder struct {
	r   io.Reader
	err error
}

func (c *recorder) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}

// x25519Only unwraps only with our X25519 key, and refuses a file whose
// header also offers its key to other schemes: Seal never writes one.
type x25519Only struct{ id *age.X25519Identity }

func (x x25519Only) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	key, err := x.id.Unwrap(stanzas)
	if err != nil {
		return nil, err
	}
	for _, s := range stanzas {
		if s.Type != "X25519" {
			return nil, errForeignScheme
		}
	}
	return key, nil
}
