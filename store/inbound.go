package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/homeward-project/homeward"
)

// ApplyIncoming stores what an arriving bundle carries, after the checks
// that need the stream's state, in one transaction: a refusal leaves the
// database as it was.
func (s *BundleLedger) ApplyIncoming(ctx context.Context, in *homeward.InboundBundle) (*homeward.InboundResult, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return nil, err
	}
	res := &homeward.InboundResult{}
	err := s.db.write(ctx, func(t *tx) error {
		self, err := scanParty(t.QueryRowContext(ctx, `SELECT `+partyColumns+` FROM parties WHERE self`))
		if err != nil {
			return homeward.Errorf(homeward.EINVALID, "This installation has no party identity yet: run “homeward party init”.")
		}
		if in.To != self.Fingerprint {
			return homeward.Refused(homeward.RefuseNotAddressed, "The bundle is addressed to another party.")
		}
		sender, err := partyByFingerprint(ctx, t, in.Sender)
		if err != nil || !sender.Trusted() {
			return homeward.Refused(homeward.RefuseUnknownSender, "The bundle's sender is not a trusted party.")
		}
		ch, err := t.channelFor(ctx, a, in.Channel)
		if err != nil {
			return err
		}
		if ch.RoleOf(sender.ID) == "" || ch.RoleOf(self.ID) == "" {
			return homeward.Refused(homeward.RefuseWrongChannel, "The sender or this installation is not a party of the channel %s.", ch.UID)
		}
		if ch.Role != homeward.RoleMediator && sender.ID != ch.MediatorID {
			return homeward.Refused(homeward.RefuseWrongChannel, "A side receives bundles from the channel's mediator only.")
		}
		prior, err := queryBundles(ctx, t, `SELECT `+bundleColumns+` FROM bundles b WHERE b.direction = 'in' AND b.uid = $1
			AND b.status IN ('opened', 'held') ORDER BY b.id LIMIT 1`, in.UID)
		if err != nil {
			return err
		}
		var held *homeward.Bundle
		if len(prior) > 0 {
			if prior[0].ManifestHash != in.ManifestHash {
				return homeward.Refused(homeward.RefuseSequenceConflict, "Another bundle with the identifier %s was already received.", in.UID)
			}
			if prior[0].Status == homeward.BundleOpened {
				res.Bundle, res.Duplicate = prior[0], true
				return nil
			}
			held = prior[0]
		}
		receiptsOnly := true
		for _, d := range in.Documents {
			if d.Kind != homeward.DocReceipt {
				receiptsOnly = false
			}
		}
		b := &homeward.Bundle{UID: in.UID, OrgID: ch.OrgID, Direction: homeward.BundleIn, Status: homeward.BundleOpened, ChannelID: ch.ID,
			SenderID: sender.ID, ToID: self.ID, Sequence: in.Sequence, Previous: in.Previous, ManifestHash: in.ManifestHash,
			FileHash: in.FileHash, Size: in.Size, Documents: len(in.Documents), Kinds: map[string]int{}, SentAt: in.SentAt, ExpiresAt: in.ExpiresAt}
		for _, d := range in.Documents {
			b.Kinds[d.Kind]++
		}
		if in.Sequence == 0 {
			if !receiptsOnly {
				return homeward.Refused(homeward.RefuseMalformedManifest, "A bundle outside the sequence may carry receipts only.")
			}
		} else {
			last, lastHash, err := lastOnStream(ctx, t, homeward.BundleIn, ch.ID, sender.ID, self.ID)
			if err != nil {
				return err
			}
			accepted := held != nil && held.Reason == gapAccepted
			switch {
			case in.Sequence <= last:
				return homeward.Refused(homeward.RefuseReplay, "Bundle %d from %s on this channel was already opened; this one (%d) is older: a replay.", last, sender.Name, in.Sequence)
			case in.Sequence > last+1 && !accepted:
				if held != nil {
					res.Bundle, res.Held = held, true
					return nil
				}
				b.Status, b.Reason = homeward.BundleHeld, "gap"
				b.Detail = fmt.Sprintf("Bundles %d to %d from %s are missing; this one (%d) waits for them, or for a supervisor to accept the gap.",
					last+1, in.Sequence-1, sender.Name, in.Sequence)
				if err := t.insertBundle(ctx, b, in.File); err != nil {
					return err
				}
				res.Bundle, res.Held = b, true
				return t.appendEvent(ctx, homeward.EntityBundle, b.ID, homeward.ActionBundleHold, ch.OrgID, bundleEvent(b))
			case !accepted && in.Previous != lastHash:
				return homeward.Refused(homeward.RefusePreviousMismatch, "The bundle does not follow the last one opened from %s: its link to the previous bundle differs.", sender.Name)
			}
		}
		if held != nil {
			b.ID = held.ID
			if _, err := t.ExecContext(ctx, `UPDATE bundles SET status = 'opened', reason = '', detail = '', file = NULL, documents = $1 WHERE id = $2`,
				b.Documents, held.ID); err != nil {
				return fmt.Errorf("open held bundle: %w", err)
			}
			b.CreatedBy, b.CreatedAt = held.CreatedBy, held.CreatedAt
		} else if err := t.insertBundle(ctx, b, nil); err != nil {
			return err
		}
		for sha, data := range in.Files {
			sum := sha256.Sum256(data)
			if hex.EncodeToString(sum[:]) != sha {
				return homeward.Refused(homeward.RefuseFileHash, "A file of the bundle does not match its hash.")
			}
			if _, err := t.keepFile(ctx, data, ""); err != nil {
				return err
			}
		}
		ap := applier{t: t, a: a, ch: ch, self: self, sender: sender, bundle: b, files: in.Files}
		for i := range in.Documents {
			if err := ap.apply(ctx, &in.Documents[i]); err != nil {
				return err
			}
		}
		res.Received = ap.received
		for _, ack := range in.Acks {
			if ack.Sender != self.Fingerprint {
				continue
			}
			if err := t.ackStream(ctx, ch, self.ID, sender.ID, ack.Sequence); err != nil {
				return err
			}
		}
		if !receiptsOnly {
			body, err := json.Marshal(homeward.ReceiptDocument{BundleUID: in.UID, Sequence: in.Sequence, ManifestHash: in.ManifestHash, At: t.at})
			if err != nil {
				return err
			}
			if _, err := t.queueItem(ctx, ch, sender.ID, homeward.DocReceipt, 0, body, nil, nil, true); err != nil {
				return err
			}
		}
		res.Bundle = b
		return t.appendEvent(ctx, homeward.EntityBundle, b.ID, homeward.ActionBundleOpen, ch.OrgID, bundleEvent(b))
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// channelFor returns the channel a bundle names, creating it when this is
// the first news of it: the three parties must be known here already.
func (t *tx) channelFor(ctx context.Context, a homeward.Actor, d homeward.ChannelDescriptor) (*homeward.Channel, error) {
	var id int64
	err := t.QueryRowContext(ctx, `SELECT id FROM channels WHERE uid = $1`, d.UID).Scan(&id)
	if err == nil {
		ch, err := channelOf(ctx, t, homeward.Actor{System: true}, id)
		if err != nil {
			return nil, err
		}
		if !a.System && ch.OrgID != a.OrgID {
			return nil, homeward.Refused(homeward.RefuseWrongChannel, "The channel %s belongs to another organisation of this installation.", d.UID)
		}
		for _, p := range []struct {
			id int64
			fp string
		}{{ch.OriginID, d.Origin}, {ch.MediatorID, d.Mediator}, {ch.CounterpartID, d.Counterpart}} {
			party, err := partyByID(ctx, t, p.id)
			if err != nil || party.Fingerprint != p.fp {
				return nil, homeward.Refused(homeward.RefuseWrongChannel, "The bundle names other parties for the channel %s than this installation knows.", d.UID)
			}
		}
		return ch, nil
	}
	if homeward.ErrorCode(scanErr(err, "channel", 0)) != homeward.ENOTFOUND {
		return nil, fmt.Errorf("find channel: %w", err)
	}
	if d.UID == "" || len(d.UID) > 64 {
		return nil, homeward.Refused(homeward.RefuseMalformedManifest, "The bundle names no channel.")
	}
	ch := &homeward.Channel{UID: d.UID, Name: truncate(d.Name, homeward.MaxNameLength), OrgID: a.OrgID, CreatedBy: a.UserID, CreatedAt: t.at}
	if ch.Name == "" {
		ch.Name = d.UID
	}
	for _, p := range []struct {
		dst *int64
		fp  string
	}{{&ch.OriginID, d.Origin}, {&ch.MediatorID, d.Mediator}, {&ch.CounterpartID, d.Counterpart}} {
		party, err := partyByFingerprint(ctx, t, p.fp)
		if err != nil {
			return nil, homeward.Refused(homeward.RefuseWrongChannel, "The channel %s names a party this installation does not know (%s): add it first.", d.UID, p.fp)
		}
		*p.dst = party.ID
	}
	if ch.OrgID == 0 {
		return nil, homeward.Errorf(homeward.EINVALID, "Open the first bundle of a channel as a user of the organisation it is for.")
	}
	if err := ch.Validate(); err != nil {
		return nil, homeward.Refused(homeward.RefuseWrongChannel, "The channel %s is not valid: %s", d.UID, homeward.ErrorMessage(err))
	}
	if err := t.insertChannel(ctx, ch); err != nil {
		return nil, err
	}
	return channelOf(ctx, t, homeward.Actor{System: true}, ch.ID)
}

// applier stores the documents of one arriving bundle.
type applier struct {
	t        *tx
	a        homeward.Actor
	ch       *homeward.Channel
	self     *homeward.Party
	sender   *homeward.Party
	bundle   *homeward.Bundle
	files    map[string][]byte
	received []int64
}

func badDocument(format string, args ...any) error {
	return homeward.Refused(homeward.RefuseBadDocument, format, args...)
}

func (ap *applier) apply(ctx context.Context, d *homeward.InboundDocument) error {
	author, err := partyByFingerprint(ctx, ap.t, d.Author)
	if err != nil {
		return badDocument("A document is signed by a party this installation does not know.")
	}
	role := ap.ch.RoleOf(author.ID)
	if role == "" || author.Self {
		return badDocument("A document is signed by %s, which is not another party of the channel.", author.Name)
	}
	side := role == homeward.RoleOrigin || role == homeward.RoleCounterpart
	switch d.Kind {
	case homeward.DocList:
		if !side || d.List == nil {
			return badDocument("A list must come from a side of the channel.")
		}
		return ap.list(ctx, d, author)
	case homeward.DocAnswers:
		if !side || d.Answers == nil {
			return badDocument("Answers must come from a side of the channel.")
		}
		return ap.answers(ctx, d, author)
	case homeward.DocMessage:
		if !side || d.Message == nil {
			return badDocument("A message must come from a side of the channel.")
		}
		return ap.message(ctx, d, author)
	case homeward.DocReceipt:
		if d.Receipt == nil {
			return badDocument("A receipt is empty.")
		}
		return ap.receipt(ctx, d, author)
	case homeward.DocNotice:
		if d.Notice == nil {
			return badDocument("A notice is empty.")
		}
		return ap.notice(ctx, d, author)
	}
	return badDocument("The bundle carries a document of an unknown kind %q.", d.Kind)
}

// relay queues a document, as its author signed it, for the side that did
// not write it: the mediator's part.
func (ap *applier) relay(ctx context.Context, d *homeward.InboundDocument, author *homeward.Party, listID int64, files []string) error {
	_, err := ap.t.queue(ctx, ap.ch, ap.ch.OtherSide(author.ID), d.Kind, listID, nil, d.Signed, files)
	return err
}

// receivedList returns a list received or relayed here, by its UID.
func (ap *applier) receivedList(ctx context.Context, uid string) (*homeward.ReturnList, error) {
	var id int64
	if err := ap.t.QueryRowContext(ctx, `SELECT id FROM return_lists WHERE uid = $1 AND channel_id = $2`, uid, ap.ch.ID).Scan(&id); err != nil {
		return nil, badDocument("The bundle refers to a list %s this installation does not have on the channel.", uid)
	}
	return listOf(ctx, ap.t, homeward.Actor{System: true}, id)
}

func (ap *applier) entryByRef(ctx context.Context, l *homeward.ReturnList, ref string) (*homeward.ListEntry, error) {
	e, err := ap.t.db.scanEntry(ctx, ap.t.QueryRowContext(ctx, `SELECT `+entryColumns+` FROM list_entries e WHERE e.list_id = $1 AND e.ref = $2`, l.ID, ref))
	if err != nil {
		return nil, badDocument("The bundle refers to an entry %s that list %s does not have.", ref, l.UID)
	}
	return e, nil
}

// list stores a list (or a new revision of it) received from a side.
func (ap *applier) list(ctx context.Context, d *homeward.InboundDocument, author *homeward.Party) error {
	doc := d.List
	if err := doc.Validate(); err != nil {
		return badDocument("%s", homeward.ErrorMessage(err))
	}
	dir := homeward.ListIncoming
	if ap.ch.Role == homeward.RoleMediator {
		dir = homeward.ListRelayed
	}
	t := ap.t
	l, err := ap.receivedList(ctx, doc.UID)
	if err != nil {
		var n int
		if err := t.QueryRowContext(ctx, `SELECT count(*) FROM return_lists WHERE uid = $1`, doc.UID).Scan(&n); err != nil {
			return fmt.Errorf("find list: %w", err)
		}
		if n > 0 {
			return badDocument("A list %s is already known here on another channel.", doc.UID)
		}
		phase, err := t.phaseOf(ctx, ap.ch.ID, doc.Phase, ap.ch.OrgID)
		if err != nil {
			return err
		}
		l = &homeward.ReturnList{UID: doc.UID, OrgID: ap.ch.OrgID, ChannelID: ap.ch.ID, PhaseID: phase.ID, Phase: phase.Number,
			Direction: dir, AuthorID: author.ID, Title: doc.Title, Profile: doc.Profile, State: homeward.ListReceived,
			Revision: doc.Revision, SealedRevision: doc.Revision}
		if err := t.insertList(ctx, l); err != nil {
			return err
		}
	} else {
		if l.AuthorID != author.ID {
			return badDocument("The list %s was written by another party.", doc.UID)
		}
		if doc.Revision <= l.SealedRevision {
			return nil // a revision already here, carried again
		}
		l.Title, l.Profile, l.Revision, l.SealedRevision = doc.Title, doc.Profile, doc.Revision, doc.Revision
		if _, err := t.ExecContext(ctx, `UPDATE return_lists SET title = $1 WHERE id = $2`, l.Title, l.ID); err != nil {
			return fmt.Errorf("update list: %w", err)
		}
		if err := t.saveList(ctx, l); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `UPDATE list_revisions SET superseded_at = $1 WHERE list_id = $2 AND superseded_at IS NULL`, t.db.tv(t.at), l.ID); err != nil {
			return fmt.Errorf("supersede revision: %w", err)
		}
	}
	existing, err := t.db.entriesOf(ctx, t, l.ID)
	if err != nil {
		return err
	}
	byRef := map[string]*homeward.ListEntry{}
	pos := 0
	for _, e := range existing {
		byRef[e.Ref] = e
		pos = max(pos, e.Position)
	}
	now := map[string]bool{}
	var files []string
	var added []*homeward.ListEntry
	var persons []string
	for _, ed := range doc.Entries {
		now[ed.Ref] = true
		person, err := json.Marshal(ed.Person)
		if err != nil {
			return err
		}
		for _, ph := range ed.Person.Photos {
			if _, ok := ap.files[ph.SHA256]; !ok {
				return badDocument("The photo of entry %s is missing from the bundle.", ed.Ref)
			}
			files = append(files, ph.SHA256)
		}
		if e := byRef[ed.Ref]; e != nil {
			sealed, err := t.sealPerson(ctx, e.ListID, e.Ref, person)
			if err != nil {
				return err
			}
			if _, err := t.ExecContext(ctx, `UPDATE list_entries SET person = $1, removed_revision = 0, updated_at = $2 WHERE id = $3`,
				sealed, t.db.tv(t.at), e.ID); err != nil {
				return fmt.Errorf("update entry: %w", err)
			}
			continue
		}
		pos++
		e := &homeward.ListEntry{ListID: l.ID, Ref: ed.Ref, Position: pos, AddedRevision: doc.Revision, CarriedFrom: ed.CarriedFrom}
		if ed.CarriedFrom != "" {
			var prev int64
			if err := t.QueryRowContext(ctx, `SELECT e.id FROM list_entries e JOIN return_lists l ON l.id = e.list_id WHERE e.ref = $1 AND l.channel_id = $2`,
				ed.CarriedFrom, ap.ch.ID).Scan(&prev); err == nil {
				e.CarriedFromID = prev
			}
		}
		added, persons = append(added, e), append(persons, string(person))
	}
	if err := t.insertEntries(ctx, added, persons); err != nil {
		return err
	}
	for _, e := range added {
		if e.CarriedFromID != 0 {
			if _, err := t.ExecContext(ctx, `UPDATE list_entries SET carried_to_id = $1 WHERE id = $2`, e.ID, e.CarriedFromID); err != nil {
				return fmt.Errorf("link carried entry: %w", err)
			}
		}
	}
	for _, e := range existing {
		if !now[e.Ref] && e.RemovedRevision == 0 {
			if _, err := t.ExecContext(ctx, `UPDATE list_entries SET removed_revision = $1, state = $2, updated_at = $3 WHERE id = $4`,
				doc.Revision, string(homeward.EntryRemoved), t.db.tv(t.at), e.ID); err != nil {
				return fmt.Errorf("remove entry: %w", err)
			}
		}
	}
	sum := sha256.Sum256(d.Body)
	sealedBody, err := t.db.sealText(ctx, t, revisionAD(l.ID, doc.Revision), string(d.Body))
	if err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO list_revisions (list_id, revision, entries, body, body_hash, sealed_at, bundle_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, l.ID, doc.Revision, len(doc.Entries), sealedBody, hex.EncodeToString(sum[:]),
		t.db.tv(doc.SealedAt), ap.bundle.ID); err != nil {
		return fmt.Errorf("insert revision: %w", err)
	}
	if err := t.appendEvent(ctx, homeward.EntityList, l.ID, homeward.ActionListReceive, l.OrgID, map[string]any{
		"revision": doc.Revision, "entries": len(doc.Entries), "bundle_id": ap.bundle.ID, "author": author.ID}); err != nil {
		return err
	}
	if dir == homeward.ListRelayed {
		return ap.relay(ctx, d, author, l.ID, files)
	}
	ap.received = append(ap.received, l.ID)
	return nil
}

// answers stores answers from the side that received a list: on our own
// list, with their effects on the cases; as the mediator, to relay them.
func (ap *applier) answers(ctx context.Context, d *homeward.InboundDocument, author *homeward.Party) error {
	l, err := ap.receivedList(ctx, d.Answers.ListUID)
	if err != nil {
		if l, err = ap.ownList(ctx, d.Answers.ListUID); err != nil {
			return err
		}
	}
	if l.AuthorID == author.ID {
		return badDocument("The answers to list %s come from its own author.", l.UID)
	}
	if l.Direction == homeward.ListIncoming {
		return badDocument("Answers to a list received here are written here.")
	}
	if len(d.Answers.Answers) > homeward.MaxListEntries {
		return badDocument("The bundle carries too many answers.")
	}
	for _, doc := range d.Answers.Answers {
		ans := doc.Answer()
		ans.Normalize()
		if err := ans.Validate(); err != nil {
			return badDocument("The answer about %s: %s", doc.EntryRef, homeward.ErrorMessage(err))
		}
		if err := checkText(&ans); err != nil {
			return badDocument("The answer about %s has text that cannot be stored.", doc.EntryRef)
		}
		if ans.UID == "" || len(ans.UID) > 64 {
			return badDocument("An answer about %s has no identifier.", doc.EntryRef)
		}
		var n int
		if err := ap.t.QueryRowContext(ctx, `SELECT count(*) FROM answers WHERE uid = $1`, ans.UID).Scan(&n); err != nil {
			return fmt.Errorf("find answer: %w", err)
		}
		if n > 0 {
			continue // already here
		}
		e, err := ap.entryByRef(ctx, l, ans.EntryRef)
		if err != nil {
			return err
		}
		if err := ap.t.applyAnswer(ctx, ap.a, l, e, &ans, ap.bundle.ID); err != nil {
			return badDocument("The answer about %s: %s", e.Ref, homeward.ErrorMessage(err))
		}
	}
	if l.Direction == homeward.ListRelayed {
		return ap.relay(ctx, d, author, l.ID, nil)
	}
	return nil
}

// ownList returns one of our own lists by its UID.
func (ap *applier) ownList(ctx context.Context, uid string) (*homeward.ReturnList, error) {
	var id int64
	if err := ap.t.QueryRowContext(ctx, `SELECT id FROM return_lists WHERE uid = $1 AND channel_id = $2 AND direction = 'outgoing'`, uid, ap.ch.ID).Scan(&id); err != nil {
		return nil, badDocument("The bundle refers to a list %s this installation does not have on the channel.", uid)
	}
	return listOf(ctx, ap.t, homeward.Actor{System: true}, id)
}

// anyList returns a list of the channel, ours or received, by its UID.
func (ap *applier) anyList(ctx context.Context, uid string) (*homeward.ReturnList, error) {
	var id int64
	if err := ap.t.QueryRowContext(ctx, `SELECT id FROM return_lists WHERE uid = $1 AND channel_id = $2`, uid, ap.ch.ID).Scan(&id); err != nil {
		return nil, badDocument("The bundle refers to a list %s this installation does not have on the channel.", uid)
	}
	return listOf(ctx, ap.t, homeward.Actor{System: true}, id)
}

// message stores a welfare message from a side.
func (ap *applier) message(ctx context.Context, d *homeward.InboundDocument, author *homeward.Party) error {
	doc := d.Message
	l, err := ap.anyList(ctx, doc.ListUID)
	if err != nil {
		return err
	}
	e, err := ap.entryByRef(ctx, l, doc.EntryRef)
	if err != nil {
		return err
	}
	var n int
	if err := ap.t.QueryRowContext(ctx, `SELECT count(*) FROM welfare_messages WHERE uid = $1`, doc.UID).Scan(&n); err != nil {
		return fmt.Errorf("find message: %w", err)
	}
	if n > 0 {
		return nil
	}
	m := &homeward.WelfareMessage{UID: doc.UID, OrgID: l.OrgID, CaseID: e.CaseID, EntryID: e.ID, EntryRef: e.Ref, ChannelID: ap.ch.ID,
		Text: doc.Text, PhotoType: doc.PhotoType, AuthorParty: author.ID, WrittenAt: doc.WrittenAt, Version: 1, DeliveredAt: &ap.t.at,
		State: homeward.MessageDelivered, Direction: homeward.MessageIncoming}
	var files []string
	if doc.Photo != "" {
		photo, ok := ap.files[doc.Photo]
		if !ok {
			return badDocument("The photo of a message is missing from the bundle.")
		}
		m.Photo, files = photo, []string{doc.Photo}
	}
	if doc.UID == "" || len(doc.UID) > 64 {
		return badDocument("A message has no identifier.")
	}
	if err := m.Validate(); err != nil {
		return badDocument("A message about %s: %s", e.Ref, homeward.ErrorMessage(err))
	}
	if err := checkText(m); err != nil {
		return badDocument("A message about %s has text that cannot be stored.", e.Ref)
	}
	if ap.ch.Role == homeward.RoleMediator {
		m.Direction = homeward.MessageRelayed
	}
	m.PhotoSize = len(m.Photo)
	if err := ap.t.insertMessage(ctx, m); err != nil {
		return err
	}
	if err := ap.t.messageEvents(ctx, m, homeward.ActionMessageReceive, l.ID); err != nil {
		return err
	}
	if ap.ch.Role == homeward.RoleMediator {
		return ap.relay(ctx, d, author, l.ID, files)
	}
	// Delivered: the receipt goes back to the writer through the mediator.
	_, err = ap.t.queueJSON(ctx, ap.ch, ap.ch.MediatorID, homeward.DocReceipt, 0,
		homeward.ReceiptDocument{MessageUID: m.UID, Kind: homeward.ReceiptDelivered, At: ap.t.at}, nil)
	return err
}

// receipt applies a receipt: of a bundle we sent to the sender, or of a
// message, which the mediator relays to the message's writer.
func (ap *applier) receipt(ctx context.Context, d *homeward.InboundDocument, author *homeward.Party) error {
	r := d.Receipt
	t := ap.t
	if r.BundleUID != "" {
		if author.ID != ap.sender.ID {
			return nil // a bundle receipt is only the word of the party that opened it
		}
		var id int64
		err := t.QueryRowContext(ctx, `SELECT id FROM bundles WHERE direction = 'out' AND uid = $1 AND to_id = $2`, r.BundleUID, author.ID).Scan(&id)
		if err != nil {
			return nil // a receipt of a bundle not made here (an old database): nothing to mark
		}
		return t.markReceived(ctx, id)
	}
	if r.Kind != homeward.ReceiptDelivered && r.Kind != homeward.ReceiptRead {
		return badDocument("A receipt says neither delivered nor read.")
	}
	var m homeward.WelfareMessage
	var listID int64
	if err := t.QueryRowContext(ctx, `SELECT m.id, m.uid, m.org_id, m.case_id, m.entry_id, e.ref, m.direction, m.state, e.list_id
		FROM welfare_messages m JOIN list_entries e ON e.id = m.entry_id WHERE m.uid = $1 AND m.channel_id = $2`, r.MessageUID, ap.ch.ID).
		Scan(&m.ID, &m.UID, &m.OrgID, &m.CaseID, &m.EntryID, &m.EntryRef, &m.Direction, &m.State, &listID); err != nil {
		return badDocument("A receipt refers to a message this installation does not have.")
	}
	to := homeward.MessageDelivered
	col := "delivered_at"
	if r.Kind == homeward.ReceiptRead {
		to, col = homeward.MessageRead, "read_at"
	}
	if next := m.State.Advance(to); next != m.State {
		if _, err := t.ExecContext(ctx, `UPDATE welfare_messages SET state = $1, `+col+` = $2, version = version + 1 WHERE id = $3`,
			string(next), t.db.tv(r.At), m.ID); err != nil {
			return fmt.Errorf("mark message %s: %w", r.Kind, err)
		}
		m.State = next
	}
	if err := t.messageEvents(ctx, &m, homeward.ActionMessageReceipt, listID); err != nil {
		return err
	}
	if m.Direction == homeward.MessageRelayed {
		return ap.relay(ctx, d, author, listID, nil)
	}
	return nil
}

// markReceived records that the recipient of a bundle we made opened it;
// a list it carried to the mediator is then acknowledged.
func (t *tx) markReceived(ctx context.Context, bundleID int64) error {
	b, err := bundleOf(ctx, t, homeward.Actor{System: true}, bundleID)
	if err != nil {
		return err
	}
	if b.Status == homeward.BundleReceived {
		return nil
	}
	// Our clock, not the receipt's: the time the news reached us orders
	// the log, and the recipient's clock may be off.
	if _, err := t.ExecContext(ctx, `UPDATE bundles SET status = 'received', received_at = $1 WHERE id = $2`, t.db.tv(t.at), b.ID); err != nil {
		return fmt.Errorf("mark bundle received: %w", err)
	}
	b.Status = homeward.BundleReceived
	if err := t.appendEvent(ctx, homeward.EntityBundle, b.ID, homeward.ActionBundleReceipt, b.OrgID, bundleEvent(b)); err != nil {
		return err
	}
	ch, err := channelOf(ctx, t, homeward.Actor{System: true}, b.ChannelID)
	if err != nil {
		return err
	}
	if b.ToID != ch.MediatorID {
		return nil
	}
	ids, err := queryIDs(ctx, t, `SELECT DISTINCT list_id FROM outbox_items WHERE bundle_id = $1 AND kind = $2 AND list_id <> 0`, b.ID, homeward.DocList)
	if err != nil {
		return fmt.Errorf("find lists of bundle: %w", err)
	}
	for _, id := range ids {
		l, err := listOf(ctx, t, homeward.Actor{System: true}, id)
		if err != nil {
			return err
		}
		if l.Direction != homeward.ListOutgoing {
			continue
		}
		if next := l.State.Advance(homeward.ListAcknowledged); next != l.State && !l.State.Final() {
			l.State = next
			if err := t.saveList(ctx, l); err != nil {
				return err
			}
			if err := t.appendEvent(ctx, homeward.EntityList, l.ID, homeward.ActionListState, l.OrgID, map[string]any{"state": next, "bundle_id": b.ID}); err != nil {
				return err
			}
		}
	}
	return nil
}

// ackStream marks our bundles to a party, up to a sequence, as received:
// the party says so in the manifest of a bundle it sent us.
func (t *tx) ackStream(ctx context.Context, ch *homeward.Channel, self, to, upTo int64) error {
	ids, err := queryIDs(ctx, t, `SELECT id FROM bundles WHERE direction = 'out' AND status = 'created' AND channel_id = $1
		AND sender_id = $2 AND to_id = $3 AND sequence > 0 AND sequence <= $4 ORDER BY sequence`, ch.ID, self, to, upTo)
	if err != nil {
		return fmt.Errorf("find acknowledged bundles: %w", err)
	}
	for _, id := range ids {
		if err := t.markReceived(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// notice applies a list's state reported by another party.
func (ap *applier) notice(ctx context.Context, d *homeward.InboundDocument, author *homeward.Party) error {
	n := d.Notice
	l, err := ap.anyList(ctx, n.ListUID)
	if err != nil {
		return err
	}
	switch n.State {
	case homeward.ListForwarded, homeward.ListAcknowledged:
		if author.ID != ap.ch.MediatorID || l.Direction != homeward.ListOutgoing {
			return badDocument("Only the mediator reports that a list was forwarded.")
		}
	case homeward.ListWithdrawn:
		if author.ID != l.AuthorID {
			return badDocument("Only its author withdraws a list.")
		}
	default:
		return badDocument("A notice reports an unknown state %q.", n.State)
	}
	if next := l.State.Advance(n.State); next != l.State && !l.State.Final() {
		l.State = next
		if err := ap.t.saveList(ctx, l); err != nil {
			return err
		}
		if err := ap.t.appendEvent(ctx, homeward.EntityList, l.ID, homeward.ActionListState, l.OrgID, map[string]any{
			"state": next, "bundle_id": ap.bundle.ID, "reason": truncate(n.Reason, 500)}); err != nil {
			return err
		}
	}
	if n.State == homeward.ListWithdrawn && l.Direction == homeward.ListRelayed {
		return ap.relay(ctx, d, author, l.ID, nil)
	}
	return nil
}
