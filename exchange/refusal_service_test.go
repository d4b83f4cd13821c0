package exchange_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/exchange"
	"github.com/homeward-project/homeward/internal/dbtest"
)

// stream is a channel of an origin with a mediator that sends it bundles
// the test makes by hand, one per check.
type stream struct {
	origin, mediator, counterpart *installation
	ch                            *homeward.Channel
}

func newStream(t *testing.T, backend string) *stream {
	s := &stream{
		origin:      newInstallation(t, backend, "Origin (test)", homeward.OrgAgency, homeward.PartyAgency),
		mediator:    newInstallation(t, backend, "Mediator (test)", homeward.OrgMediator, homeward.PartyMediator),
		counterpart: newInstallation(t, backend, "Counterpart (test)", homeward.OrgCounterpart, homeward.PartyCounterpart),
	}
	s.origin.trusts(s.mediator, s.counterpart)
	s.ch = &homeward.Channel{Name: "Refusals (test)", MediatorID: s.origin.partyID(s.mediator), CounterpartID: s.origin.partyID(s.counterpart)}
	must(t, s.origin.lists.CreateChannel(s.origin.liaison, s.ch))
	return s
}

// bundle is how the test makes a bundle: from a sender to a recipient on
// the stream's channel, carrying one signed document.
type bundle struct {
	from   *exchange.Identity
	to     exchange.PublicKeys
	signer *exchange.Identity // of the document; from when nil
	seq    int64
	prev   string
	id     string
	exp    time.Time
}

func (s *stream) make(t *testing.T, b bundle) ([]byte, string) {
	t.Helper()
	signer := b.signer
	if signer == nil {
		signer = b.from
	}
	body, _ := json.Marshal(homeward.ReceiptDocument{BundleUID: "0000000000000000000000000000000a", At: s.origin.now})
	doc, err := exchange.SignDocument(signer, homeward.DocReceipt, body)
	must(t, err)
	raw, _ := json.Marshal(doc)
	exp := b.exp
	if exp.IsZero() {
		exp = s.origin.now.Add(24 * time.Hour)
	}
	m := exchange.Manifest{
		BundleID: b.id,
		Channel: exchange.ChannelRef{UID: s.ch.UID, Name: s.ch.Name, Origin: s.origin.self.Fingerprint,
			Mediator: s.mediator.self.Fingerprint, Counterpart: s.counterpart.self.Fingerprint},
		Sequence: b.seq, Previous: b.prev, CreatedAt: s.origin.now.Add(-time.Hour), ExpiresAt: exp,
	}
	var buf bytes.Buffer
	_, hash, err := exchange.Seal(&buf, b.from, m, b.to, []exchange.File{{Name: "docs/000001.json", Data: raw}})
	must(t, err)
	return buf.Bytes(), hash
}

// refused opens a bundle at the origin and checks the reason, and that the
// database holds nothing new but the record of the refusal and its event.
func (s *stream) refused(t *testing.T, file []byte, reason string) {
	t.Helper()
	ctx := context.Background()
	before, err := s.origin.db.RowCounts(ctx)
	must(t, err)
	_, err = s.origin.svc.OpenBundle(s.origin.liaison, file)
	var re *homeward.RefusedError
	if !errors.As(err, &re) || re.Reason != reason {
		t.Fatalf("OpenBundle: %v, want a refusal for %s", err, reason)
	}
	if homeward.ErrorCode(err) != homeward.EINVALID || homeward.ErrorMessage(err) == "" {
		t.Fatalf("refusal code %s, message %q", homeward.ErrorCode(err), homeward.ErrorMessage(err))
	}
	after, err := s.origin.db.RowCounts(ctx)
	must(t, err)
	want := maps.Clone(before)
	want["bundles"]++
	want["events"]++
	for table, n := range after {
		if n != want[table] {
			t.Fatalf("after a refusal (%s) table %s has %d rows, had %d", reason, table, n, before[table])
		}
	}
	bs, err := s.origin.svc.FindBundles(s.origin.liaison, homeward.BundleFilter{Status: homeward.BundleRefused, Limit: 1})
	must(t, err)
	if len(bs) != 1 || bs[0].Reason != reason {
		t.Fatalf("the refusal was recorded as %+v", bs)
	}
}

func TestBundlesAreRefusedForEveryReasonAndNothingIsStored(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, backend string) {
		s := newStream(t, backend)
		med, orig := s.mediator.id, s.origin.id.Public()
		stranger, err := exchange.GenerateIdentity()
		must(t, err)

		first, h1 := s.make(t, bundle{from: med, to: orig, seq: 1, id: "00000000000000000000000000000001"})
		if b := s.origin.open(first); b.Status != homeward.BundleOpened {
			t.Fatalf("first bundle %s", b.Status)
		}
		// An identical copy is a no-op.
		before, _ := s.origin.db.RowCounts(context.Background())
		if b := s.origin.open(first); b.Status != homeward.BundleOpened {
			t.Fatalf("copy: %s", b.Status)
		}
		if after, _ := s.origin.db.RowCounts(context.Background()); !maps.Equal(before, after) {
			t.Fatalf("an identical copy changed the database: %v → %v", before, after)
		}

		damaged := append([]byte(nil), first...)
		damaged[len(damaged)/2] ^= 0x01
		replay, _ := s.make(t, bundle{from: med, to: orig, seq: 1, id: "00000000000000000000000000000002"})
		expired, _ := s.make(t, bundle{from: med, to: orig, seq: 2, prev: h1, exp: s.origin.now.Add(-time.Minute)})
		wrongPrev, _ := s.make(t, bundle{from: med, to: orig, seq: 2, prev: h1[:60] + "0000"})
		unknown, _ := s.make(t, bundle{from: stranger, to: orig, seq: 1})
		elsewhere, _ := s.make(t, bundle{from: med, to: s.counterpart.id.Public(), seq: 2, prev: h1})
		badDoc, _ := s.make(t, bundle{from: med, to: orig, seq: 2, prev: h1, signer: stranger})

		// A manifest that lies about a file's hash, validly signed.
		hashLie := s.raw(t, func(m *exchange.Manifest) []byte {
			m.Files[0].SHA256 = "00000000000000000000000000000000000000000000000000000000000000ff"
			b, _ := json.Marshal(m)
			return b
		})
		malformed := s.raw(t, func(m *exchange.Manifest) []byte {
			b, _ := json.Marshal(m)
			return append(bytes.TrimSuffix(b, []byte("}")), []byte(`,"surprise":true}`)...)
		})

		for _, c := range []struct {
			name   string
			file   []byte
			reason string
		}{
			{"altered by one byte", damaged, exchange.ReasonDamaged},
			{"a replay of an older sequence", replay, homeward.RefuseReplay},
			{"expired", expired, exchange.ReasonExpired},
			{"previous hash mismatch", wrongPrev, homeward.RefusePreviousMismatch},
			{"an unknown sender", unknown, exchange.ReasonUnknownSender},
			{"not addressed to us", elsewhere, exchange.ReasonNotAddressed},
			{"a document signed by a stranger", badDoc, homeward.RefuseBadDocument},
			{"a file whose hash does not match", hashLie, exchange.ReasonFileHash},
			{"a malformed manifest", malformed, exchange.ReasonMalformedManifest},
			{"not a bundle at all", []byte("hello"), exchange.ReasonDamaged},
		} {
			t.Run(c.name, func(t *testing.T) { s.refused(t, c.file, c.reason) })
		}

		// A gap holds a bundle until the missing one arrives.
		second, h2 := s.make(t, bundle{from: med, to: orig, seq: 2, prev: h1})
		third, h3 := s.make(t, bundle{from: med, to: orig, seq: 3, prev: h2})
		if b := s.origin.open(third); b.Status != homeward.BundleHeld {
			t.Fatalf("bundle 3 before 2: %s, want held", b.Status)
		}
		s.origin.open(second)
		if bs, _ := s.origin.svc.FindBundles(s.origin.liaison, homeward.BundleFilter{Status: homeward.BundleHeld}); len(bs) != 0 {
			t.Fatalf("bundle 3 still held after 2 arrived: %+v", bs)
		}
		// A supervisor may accept a gap that will not be filled.
		fifth, _ := s.make(t, bundle{from: med, to: orig, seq: 5, prev: "1111111111111111111111111111111111111111111111111111111111111111"})
		held := s.origin.open(fifth)
		if held.Status != homeward.BundleHeld || held.Detail == "" {
			t.Fatalf("bundle 5 after 3: %+v", held)
		}
		if _, err := s.origin.svc.AcceptGap(s.origin.liaison, held.ID); homeward.ErrorCode(err) != homeward.EFORBIDDEN {
			t.Fatalf("a liaison accepted a gap: %v", err)
		}
		if b, err := s.origin.svc.AcceptGap(s.origin.sup, held.ID); err != nil || b.Status != homeward.BundleOpened {
			t.Fatalf("accepted gap: %+v, %v", b, err)
		}
		_ = h3

		// A retired party's later bundles are refused.
		p, err := s.origin.parties.FindPartyByFingerprint(s.origin.admin, s.mediator.self.Fingerprint)
		must(t, err)
		_, err = s.origin.parties.RetireParty(s.origin.admin, p.ID, "keys lost (test)", p.Version)
		must(t, err)
		sixth, _ := s.make(t, bundle{from: med, to: orig, seq: 6})
		s.refused(t, sixth, exchange.ReasonRetiredSender)
	})
}

// raw makes a bundle from the mediator to the origin whose manifest the
// test edits after Seal would have written it, signed as edited.
func (s *stream) raw(t *testing.T, edit func(*exchange.Manifest) []byte) []byte {
	t.Helper()
	body, _ := json.Marshal(homeward.ReceiptDocument{BundleUID: "0000000000000000000000000000000b", At: s.origin.now})
	doc, err := exchange.SignDocument(s.mediator.id, homeward.DocReceipt, body)
	must(t, err)
	raw, _ := json.Marshal(doc)
	files := []exchange.File{{Name: "docs/000001.json", Data: raw}}
	var buf bytes.Buffer
	m, _, err := exchange.Seal(&buf, s.mediator.id, exchange.Manifest{
		Channel:  exchange.ChannelRef{UID: s.ch.UID, Origin: s.origin.self.Fingerprint, Mediator: s.mediator.self.Fingerprint, Counterpart: s.counterpart.self.Fingerprint},
		Sequence: 9, CreatedAt: s.origin.now, ExpiresAt: s.origin.now.Add(time.Hour)}, s.origin.id.Public(), files)
	must(t, err)
	mj := edit(&m)
	buf.Reset()
	must(t, exchange.SealRaw(&buf, s.mediator.id, mj, files, s.origin.id.Public(), s.mediator.id.Public()))
	return buf.Bytes()
}
