package exchange

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
)

// EntryLinker finds the candidates of a received list's entries among our
// records (matching.EntryLinker).
type EntryLinker interface {
	LinkList(ctx context.Context, listID int64) (int, error)
}

// ServiceConfig is what the bundle service needs.
type ServiceConfig struct {
	// Identity is this installation's keys; nil until "homeward party
	// init", and then making and opening bundles is refused.
	Identity *Identity
	Parties  homeward.PartyService
	Ledger   homeward.BundleLedger
	Linker   EntryLinker // optional
	Logger   *slog.Logger
	Now      func() time.Time
	// Validity is how long a bundle may be opened after it was made
	// (default 60 days): long enough for a mediator's courier, short
	// enough that an old file found later is refused.
	Validity time.Duration
	Limits   Limits
}

// Service makes and opens bundles: the part of the exchange that holds the
// keys. It implements homeward.BundleService over the store's ledger.
type Service struct {
	cfg ServiceConfig
	log *slog.Logger
}

var _ homeward.BundleService = (*Service)(nil)

// NewService returns the bundle service.
func NewService(cfg ServiceConfig) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Validity <= 0 {
		cfg.Validity = 60 * 24 * time.Hour
	}
	cfg.Limits = cfg.Limits.withDefaults()
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg, log: log}
}

var errNoIdentity = homeward.Errorf(homeward.EINVALID, "This installation has no party identity, or its keys are not unlocked: run “homeward party init”, and start the server with the key file.")

// PartyKeys returns the public keys of a party as stored.
func PartyKeys(p *homeward.Party) (PublicKeys, error) {
	raw, ok := strings.CutPrefix(p.SigningKey, "ed25519:")
	if !ok {
		return PublicKeys{}, fmt.Errorf("exchange: party %d has no Ed25519 key", p.ID)
	}
	sig, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return PublicKeys{}, fmt.Errorf("exchange: party %d signing key: %w", p.ID, err)
	}
	k := PublicKeys{Signing: ed25519.PublicKey(sig), Age: p.AgeKey}
	return k, k.Validate()
}

// PartyOf returns the party record of a card, keys and fingerprint set.
func PartyOf(c Card) *homeward.Party {
	return &homeward.Party{Name: c.Name, Kind: homeward.PartyKind(c.Kind), SigningKey: "ed25519:" + c.Keys.SigningBase64(),
		AgeKey: c.Keys.Age, Fingerprint: c.Keys.Fingerprint()}
}

// trust looks a sender up among the parties, as the system: trust is the
// installation's, whoever opens the bundle.
func (s *Service) trust(ctx context.Context) Trust {
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor())
	return func(fp string) (PublicKeys, TrustStatus, error) {
		p, err := s.cfg.Parties.FindPartyByFingerprint(sys, fp)
		switch homeward.ErrorCode(err) {
		case "":
		case homeward.ENOTFOUND, homeward.EINVALID:
			return PublicKeys{}, Unknown, nil
		default:
			return PublicKeys{}, Unknown, err
		}
		if !p.Online() {
			return PublicKeys{}, Unknown, nil
		}
		k, err := PartyKeys(p)
		if err != nil {
			return PublicKeys{}, Unknown, nil
		}
		switch {
		case p.RetiredAt != nil:
			return k, Retired, nil
		case p.Trusted():
			return k, Trusted, nil
		}
		return k, Untrusted, nil
	}
}

// CreateBundle packs what waits for a party on a channel into a bundle.
func (s *Service) CreateBundle(ctx context.Context, channelID, toID int64) (*homeward.Bundle, error) {
	return s.create(ctx, channelID, toID, false)
}

func (s *Service) create(ctx context.Context, channelID, toID int64, receipts bool) (*homeward.Bundle, error) {
	if s.cfg.Identity == nil {
		return nil, errNoIdentity
	}
	d, err := s.cfg.Ledger.PendingOutgoing(ctx, channelID, toID, receipts)
	if err != nil {
		return nil, err
	}
	id := s.cfg.Identity
	if d.Self.Fingerprint != id.Public().Fingerprint() {
		return nil, fmt.Errorf("exchange: the keys unlocked are not those of this installation's party %s", d.Self.Fingerprint)
	}
	to, err := PartyKeys(d.To)
	if err != nil {
		return nil, err
	}
	signed := make(map[int64][]byte, len(d.Items))
	files := make([]File, 0, len(d.Items)+len(d.Files))
	kinds := map[string]int{}
	for i, it := range d.Items {
		doc := it.Signed
		if doc == nil {
			sd, err := SignDocument(id, it.Kind, it.Body)
			if err != nil {
				return nil, fmt.Errorf("sign outbox item %d: %w", it.ID, err)
			}
			if doc, err = json.Marshal(sd); err != nil {
				return nil, err
			}
		}
		signed[it.ID] = doc
		kinds[it.Kind]++
		files = append(files, File{Name: fmt.Sprintf("docs/%06d.json", i+1), Data: doc})
	}
	shas := make([]string, 0, len(d.Files))
	for sha := range d.Files {
		shas = append(shas, sha)
	}
	sort.Strings(shas)
	for _, sha := range shas {
		files = append(files, File{Name: "files/" + sha, Data: d.Files[sha]})
	}
	now := s.cfg.Now().UTC()
	m := Manifest{
		Channel: ChannelRef{UID: d.Channel.UID, Name: d.Channel.Name, Origin: d.Parties[d.Channel.OriginID].Fingerprint,
			Mediator: d.Parties[d.Channel.MediatorID].Fingerprint, Counterpart: d.Parties[d.Channel.CounterpartID].Fingerprint},
		SenderName: d.Self.Name, Sequence: d.Sequence, Previous: d.Previous, CreatedAt: now, ExpiresAt: now.Add(s.cfg.Validity),
	}
	for _, a := range d.Acks {
		m.Acks = append(m.Acks, Ack{BundleID: a.BundleUID, Sender: a.Sender, Sequence: a.Sequence, Hash: a.Hash})
	}
	var buf bytes.Buffer
	sealed, hash, err := Seal(&buf, id, m, to, files)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(buf.Bytes())
	b := homeward.Bundle{UID: sealed.BundleID, ChannelID: d.Channel.ID, SenderID: d.Self.ID, ToID: d.To.ID, Sequence: sealed.Sequence,
		Previous: sealed.Previous, ManifestHash: hash, FileHash: hex.EncodeToString(sum[:]), Size: int64(buf.Len()),
		Documents: len(d.Items), Kinds: kinds, SentAt: sealed.CreatedAt, ExpiresAt: sealed.ExpiresAt}
	rec, err := s.cfg.Ledger.RecordOutgoing(ctx, &homeward.OutgoingBundle{Bundle: b, Items: signed, File: buf.Bytes()})
	if err != nil {
		return nil, err
	}
	s.log.Info("bundle made", "bundle", rec.ID, "channel", rec.ChannelID, "to", rec.ToID, "sequence", rec.Sequence, "documents", rec.Documents, "bytes", rec.Size)
	return rec, nil
}

// SendList queues a list's sealed revision and makes the bundle to the
// mediator.
func (s *Service) SendList(ctx context.Context, listID int64, version int) (*homeward.Bundle, error) {
	if s.cfg.Identity == nil {
		return nil, errNoIdentity
	}
	l, err := s.cfg.Ledger.QueueList(ctx, listID, version)
	if err != nil {
		return nil, err
	}
	return s.create(ctx, l.ChannelID, 0, false)
}

// SendAnswers queues our answers to a received list and makes the bundle.
func (s *Service) SendAnswers(ctx context.Context, listID int64) (*homeward.Bundle, error) {
	if s.cfg.Identity == nil {
		return nil, errNoIdentity
	}
	l, _, err := s.cfg.Ledger.QueueAnswers(ctx, listID)
	if err != nil {
		return nil, err
	}
	return s.create(ctx, l.ChannelID, 0, false)
}

// OpenBundle checks and stores an arriving bundle, then opens the held
// bundles it unblocks, finds the candidates of the lists it brought, and
// makes the receipt for its sender.
func (s *Service) OpenBundle(ctx context.Context, file []byte) (*homeward.Bundle, error) {
	if s.cfg.Identity == nil {
		return nil, errNoIdentity
	}
	res, err := s.open(ctx, file)
	if err != nil {
		return nil, err
	}
	s.after(ctx, res)
	return res.Bundle, nil
}

// after does what follows an opened bundle; its failures do not undo the
// opening, and are logged.
func (s *Service) after(ctx context.Context, res *homeward.InboundResult) {
	if res.Duplicate || res.Held {
		return
	}
	for _, id := range res.Received {
		if s.cfg.Linker == nil {
			break
		}
		if n, err := s.cfg.Linker.LinkList(ctx, id); err != nil {
			s.log.Warn("linking a received list failed", "list", id, "err", err)
		} else {
			s.log.Info("received list linked", "list", id, "candidates", n)
		}
	}
	if _, err := s.create(ctx, res.Bundle.ChannelID, res.Bundle.SenderID, true); err != nil && homeward.ErrorCode(err) != homeward.EINVALID {
		s.log.Warn("making a receipt failed", "bundle", res.Bundle.ID, "err", err)
	}
	// A bundle held for a gap this one filled can be opened now.
	last := res.Bundle.ID
	for range 1000 {
		held, f, err := s.cfg.Ledger.NextHeld(ctx, last)
		if err != nil || held == nil {
			if err != nil {
				s.log.Warn("finding held bundles failed", "after", last, "err", err)
			}
			return
		}
		next, err := s.open(ctx, f)
		if err != nil {
			s.log.Warn("a held bundle could not be opened", "bundle", held.ID, "reason", homeward.ErrorMessage(err))
			return
		}
		s.after(ctx, next)
		last = next.Bundle.ID
		if next.Held {
			return
		}
	}
}

// AcceptGap opens a held bundle although earlier ones are missing.
func (s *Service) AcceptGap(ctx context.Context, id int64) (*homeward.Bundle, error) {
	if s.cfg.Identity == nil {
		return nil, errNoIdentity
	}
	_, file, err := s.cfg.Ledger.AcceptGap(ctx, id)
	if err != nil {
		return nil, err
	}
	res, err := s.open(ctx, file)
	if err != nil {
		return nil, err
	}
	s.after(ctx, res)
	return res.Bundle, nil
}

// open checks a bundle and hands it to the ledger; a refusal is recorded.
func (s *Service) open(ctx context.Context, file []byte) (*homeward.InboundResult, error) {
	sum := sha256.Sum256(file)
	rec := &homeward.Bundle{FileHash: hex.EncodeToString(sum[:]), Size: int64(len(file))}
	refuse := func(reason, detail string, m *Manifest) error {
		rec.Reason, rec.Detail = reason, detail
		if m != nil {
			rec.UID, rec.Sequence, rec.SentAt, rec.ExpiresAt = m.BundleID, m.Sequence, m.CreatedAt, m.ExpiresAt
			if p, err := s.cfg.Parties.FindPartyByFingerprint(homeward.NewContextWithActor(ctx, homeward.SystemActor()), m.Sender); err == nil {
				rec.SenderID = p.ID
			}
		}
		if err := s.cfg.Ledger.RecordRefusal(ctx, rec); err != nil {
			return err
		}
		s.log.Info("bundle refused", "bundle", rec.ID, "reason", reason)
		return homeward.Refused(reason, "%s", detail)
	}
	if int64(len(file)) > s.cfg.Limits.MaxBundle {
		return nil, refuse(ReasonTooLarge, fmt.Sprintf("The file has %d bytes; a bundle has at most %d.", len(file), s.cfg.Limits.MaxBundle), nil)
	}
	trust := s.trust(ctx)
	o, err := Open(bytes.NewReader(file), s.cfg.Identity, trust, s.cfg.Now(), s.cfg.Limits)
	var r *Refusal
	if errors.As(err, &r) {
		return nil, refuse(r.Reason, r.Detail, r.Manifest)
	} else if err != nil {
		return nil, err
	}
	m := &o.Manifest
	in := &homeward.InboundBundle{
		UID: m.BundleID, Sender: m.Sender, To: m.To, Sequence: m.Sequence, Previous: m.Previous,
		Channel:      homeward.ChannelDescriptor{UID: m.Channel.UID, Name: m.Channel.Name, Origin: m.Channel.Origin, Mediator: m.Channel.Mediator, Counterpart: m.Channel.Counterpart},
		ManifestHash: o.ManifestHash, FileHash: rec.FileHash, Size: rec.Size, SentAt: m.CreatedAt, ExpiresAt: m.ExpiresAt,
		Files: map[string][]byte{}, File: file,
	}
	for _, a := range m.Acks {
		in.Acks = append(in.Acks, homeward.BundleAck{BundleUID: a.BundleID, Sender: a.Sender, Sequence: a.Sequence, Hash: a.Hash})
	}
	names := make([]string, 0, len(o.Files))
	for name := range o.Files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		data := o.Files[name]
		switch {
		case strings.HasPrefix(name, "docs/") && strings.HasSuffix(name, ".json"):
			doc, err := readDocument(data, trust)
			if err != nil {
				return nil, refuse(homeward.RefuseBadDocument, fmt.Sprintf("Document %s: %s", name, err), m)
			}
			in.Documents = append(in.Documents, *doc)
		case strings.HasPrefix(name, "files/"):
			in.Files[strings.TrimPrefix(name, "files/")] = data
		default:
			return nil, refuse(homeward.RefuseBadDocument, fmt.Sprintf("The bundle carries a file %s of no known kind.", name), m)
		}
	}
	res, err := s.cfg.Ledger.ApplyIncoming(ctx, in)
	var re *homeward.RefusedError
	if errors.As(err, &re) {
		return nil, refuse(re.Reason, re.Err.Message, m)
	} else if err != nil {
		return nil, err
	}
	if res.Held {
		s.log.Info("bundle held", "bundle", res.Bundle.ID, "sequence", res.Bundle.Sequence)
	} else if !res.Duplicate {
		s.log.Info("bundle opened", "bundle", res.Bundle.ID, "channel", res.Bundle.ChannelID, "sequence", res.Bundle.Sequence, "documents", res.Bundle.Documents)
	}
	return res, nil
}

// readDocument reads and verifies one document of a payload and decodes its
// body by kind, strictly: a field we do not know is refused, not ignored.
func readDocument(data []byte, trust Trust) (*homeward.InboundDocument, error) {
	var d Document
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return nil, errors.New("it is not a signed document")
	}
	keys, status, err := trust(d.Author)
	if err != nil {
		return nil, err
	}
	if status != Trusted {
		return nil, fmt.Errorf("its author %s is %s here", d.Author, status)
	}
	if err := d.Verify(keys); err != nil {
		return nil, errors.New("its signature does not verify: it was altered, or signed by another key")
	}
	out := &homeward.InboundDocument{Kind: d.Kind, Author: d.Author, Signed: data, Body: d.Body}
	var target any
	switch d.Kind {
	case homeward.DocList:
		out.List = new(homeward.ListDocument)
		target = out.List
	case homeward.DocAnswers:
		out.Answers = new(homeward.AnswersDocument)
		target = out.Answers
	case homeward.DocMessage:
		out.Message = new(homeward.MessageDocument)
		target = out.Message
	case homeward.DocReceipt:
		out.Receipt = new(homeward.ReceiptDocument)
		target = out.Receipt
	case homeward.DocNotice:
		out.Notice = new(homeward.NoticeDocument)
		target = out.Notice
	default:
		return nil, fmt.Errorf("its kind %q is unknown", d.Kind)
	}
	bd := json.NewDecoder(bytes.NewReader(d.Body))
	bd.DisallowUnknownFields()
	if err := bd.Decode(target); err != nil {
		var he *homeward.Error
		if errors.As(err, &he) {
			return nil, fmt.Errorf("a %s: %s", d.Kind, he.Message)
		}
		return nil, fmt.Errorf("it is not a %s of the known form", d.Kind)
	}
	return out, nil
}

// Inspect opens a bundle for a person to look at, storing nothing.
func (s *Service) Inspect(ctx context.Context, file []byte) (*Opened, error) {
	if s.cfg.Identity == nil {
		return nil, errNoIdentity
	}
	return Inspect(bytes.NewReader(file), s.cfg.Identity, s.trust(ctx), s.cfg.Now(), s.cfg.Limits)
}

// FindBundles lists bundles.
func (s *Service) FindBundles(ctx context.Context, f homeward.BundleFilter) ([]*homeward.Bundle, error) {
	return s.cfg.Ledger.FindBundles(ctx, f)
}

// FindBundleByID returns a bundle's record.
func (s *Service) FindBundleByID(ctx context.Context, id int64) (*homeward.Bundle, error) {
	return s.cfg.Ledger.FindBundleByID(ctx, id)
}

// BundleFile returns the file of a bundle made here.
func (s *Service) BundleFile(ctx context.Context, id int64) ([]byte, error) {
	return s.cfg.Ledger.BundleFile(ctx, id)
}

// ListBundles returns the bundles that carried a list.
func (s *Service) ListBundles(ctx context.Context, listID int64) ([]*homeward.Bundle, error) {
	return s.cfg.Ledger.ListBundles(ctx, listID)
}
