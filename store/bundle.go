package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/homeward-project/homeward"
)

// BundleLedger is the store's side of bundles: the outbox, the streams'
// sequence numbers, and what arriving bundles carry. It implements
// homeward.BundleLedger for the bundle service, which holds the keys.
type BundleLedger struct{ db *DB }

var _ homeward.BundleLedger = (*BundleLedger)(nil)

// NewBundleLedger returns the bundle ledger of db.
func NewBundleLedger(db *DB) *BundleLedger { return &BundleLedger{db: db} }

const bundleColumns = `b.id, b.uid, b.org_id, b.direction, b.status, b.channel_id, b.sender_id, b.to_id, b.sequence, b.previous,
	b.manifest_hash, b.file_hash, b.size, b.documents, b.kinds, b.reason, b.detail, b.sent_at, b.expires_at, b.received_at,
	b.created_by, b.created_at`

func scanBundle(r rowScanner) (*homeward.Bundle, error) {
	var b homeward.Bundle
	var kinds string
	if err := r.Scan(&b.ID, &b.UID, &b.OrgID, &b.Direction, &b.Status, &b.ChannelID, &b.SenderID, &b.ToID, &b.Sequence, &b.Previous,
		&b.ManifestHash, &b.FileHash, &b.Size, &b.Documents, &kinds, &b.Reason, &b.Detail, timeScan{&b.SentAt}, timeScan{&b.ExpiresAt},
		timePtrScan{&b.ReceivedAt}, &b.CreatedBy, timeScan{&b.CreatedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(kinds), &b.Kinds); err != nil {
		return nil, fmt.Errorf("bundle %d kinds: %w", b.ID, err)
	}
	return &b, nil
}

func queryBundles(ctx context.Context, q querier, query string, args ...any) ([]*homeward.Bundle, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("find bundles: %w", err)
	}
	defer rows.Close()
	var out []*homeward.Bundle
	for rows.Next() {
		b, err := scanBundle(rows)
		if err != nil {
			return nil, fmt.Errorf("read bundle: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// insertBundle stores a bundle's record (and its file, when kept).
func (t *tx) insertBundle(ctx context.Context, b *homeward.Bundle, file []byte) error {
	kinds, err := json.Marshal(b.Kinds)
	if err != nil {
		return err
	}
	if b.Kinds == nil {
		kinds = []byte("{}")
	}
	var f any
	if file != nil {
		f = file
	}
	b.CreatedBy, b.CreatedAt = t.actor.UserID, t.at
	var sent, expires any
	if !b.SentAt.IsZero() {
		sent = t.db.tv(b.SentAt)
	}
	if !b.ExpiresAt.IsZero() {
		expires = t.db.tv(b.ExpiresAt)
	}
	if err := t.QueryRowContext(ctx, `INSERT INTO bundles (uid, org_id, direction, status, channel_id, sender_id, to_id, sequence, previous,
		manifest_hash, file_hash, size, documents, kinds, reason, detail, sent_at, expires_at, file, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id`,
		b.UID, b.OrgID, string(b.Direction), string(b.Status), b.ChannelID, b.SenderID, b.ToID, b.Sequence, b.Previous,
		b.ManifestHash, b.FileHash, b.Size, b.Documents, string(kinds), b.Reason, b.Detail, sent, expires, f,
		b.CreatedBy, t.db.tv(t.at)).Scan(&b.ID); err != nil {
		return fmt.Errorf("insert bundle: %w", err)
	}
	return nil
}

// bundleEvent is what a bundle's events record: its facts, never content.
func bundleEvent(b *homeward.Bundle) map[string]any {
	ev := map[string]any{"uid": b.UID, "channel_id": b.ChannelID, "sender": b.SenderID, "to": b.ToID, "sequence": b.Sequence,
		"documents": b.Documents, "file_hash": b.FileHash, "size": b.Size}
	if len(b.Kinds) > 0 {
		ev["kinds"] = b.Kinds
	}
	if b.Reason != "" {
		ev["reason"] = b.Reason
	}
	return ev
}

// lastOnStream returns the sequence and manifest hash of the last bundle
// of a stream: made by us (out) or opened (in).
func lastOnStream(ctx context.Context, q queryer, dir homeward.BundleDirection, channelID, senderID, toID int64) (int64, string, error) {
	var seq int64
	var hash string
	status := `b.status IN ('created', 'received')`
	if dir == homeward.BundleIn {
		status = `b.status = 'opened'`
	}
	err := q.QueryRowContext(ctx, `SELECT coalesce(max(b.sequence), 0) FROM bundles b WHERE b.direction = $1 AND b.channel_id = $2
		AND b.sender_id = $3 AND b.to_id = $4 AND b.sequence > 0 AND `+status, string(dir), channelID, senderID, toID).Scan(&seq)
	if err != nil {
		return 0, "", fmt.Errorf("read stream: %w", err)
	}
	if seq == 0 {
		return 0, "", nil
	}
	err = q.QueryRowContext(ctx, `SELECT b.manifest_hash FROM bundles b WHERE b.direction = $1 AND b.channel_id = $2 AND b.sender_id = $3
		AND b.to_id = $4 AND b.sequence = $5 AND `+status+` ORDER BY b.id DESC LIMIT 1`, string(dir), channelID, senderID, toID, seq).Scan(&hash)
	if err != nil {
		return 0, "", fmt.Errorf("read stream: %w", err)
	}
	return seq, hash, nil
}

// PendingOutgoing returns what the next bundle to a party on a channel
// carries.
func (s *BundleLedger) PendingOutgoing(ctx context.Context, channelID, toID int64, receipts bool) (*homeward.OutgoingDraft, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return nil, err
	}
	ch, err := channelOf(ctx, s.db.db, a, channelID)
	if err != nil {
		return nil, err
	}
	d := &homeward.OutgoingDraft{Channel: ch, Parties: map[int64]*homeward.Party{}, Files: map[string][]byte{}}
	for _, id := range []int64{ch.OriginID, ch.MediatorID, ch.CounterpartID} {
		p, err := partyByID(ctx, s.db.db, id)
		if err != nil {
			return nil, err
		}
		d.Parties[id] = p
		if p.Self {
			d.Self = p
		}
	}
	if toID == 0 {
		toID = ch.MediatorID
	}
	d.To = d.Parties[toID]
	for _, p := range d.Parties {
		if !p.Online() {
			// A bundle names the channel's parties by their keys.
			return nil, homeward.Errorf(homeward.EINVALID, "%s has no keys, so no bundle can name it: on this channel, send the printed list and the spreadsheet instead.", p.Name)
		}
	}
	switch {
	case d.Self == nil:
		return nil, homeward.Errorf(homeward.EINVALID, "This installation is not a party of the channel.")
	case d.To == nil || d.To.Self:
		return nil, homeward.FieldErrorf(homeward.EINVALID, "to_id", "Send to a party of the channel.")
	case ch.Role != homeward.RoleMediator && toID != ch.MediatorID:
		return nil, homeward.FieldErrorf(homeward.EINVALID, "to_id", "A side sends through the mediator only.")
	case !d.To.Online():
		return nil, homeward.FieldErrorf(homeward.EINVALID, "to_id", "%s has no keys: bundles cannot go to it.", d.To.Name)
	case !d.To.Trusted():
		return nil, homeward.FieldErrorf(homeward.EINVALID, "to_id", "%s is not trusted (fingerprint not confirmed, or retired).", d.To.Name)
	}
	q := `SELECT id, kind, body, signed, files FROM outbox_items WHERE channel_id = $1 AND to_id = $2 AND bundle_id = 0`
	if receipts {
		q += ` AND loose`
	}
	rows, err := s.db.db.QueryContext(ctx, q+` ORDER BY id`, ch.ID, toID)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var it homeward.OutboxItem
		var body, signed, files string
		if err := rows.Scan(&it.ID, &it.Kind, &body, &signed, &files); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		if body, err = s.db.openText(ctx, outboxAD(it.ID, "body"), body); err != nil {
			return nil, err
		}
		if signed, err = s.db.openText(ctx, outboxAD(it.ID, "signed"), signed); err != nil {
			return nil, err
		}
		if body != "" {
			it.Body = []byte(body)
		}
		if signed != "" {
			it.Signed = []byte(signed)
		}
		if err := decodeList(files, &it.Files); err != nil {
			return nil, fmt.Errorf("outbox item %d files: %w", it.ID, err)
		}
		d.Items = append(d.Items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(d.Items) == 0 {
		return nil, homeward.Errorf(homeward.EINVALID, "Nothing is waiting to go to %s on this channel.", d.To.Name)
	}
	for _, it := range d.Items {
		for _, sha := range it.Files {
			if _, ok := d.Files[sha]; ok {
				continue
			}
			var data []byte
			if err := s.db.db.QueryRowContext(ctx, `SELECT data FROM exchange_files WHERE sha256 = $1`, sha).Scan(&data); err != nil {
				return nil, fmt.Errorf("read file %s: %w", sha, err)
			}
			if data, err = s.db.openRow(ctx, "exchange_files "+sha, 0, data); err != nil {
				return nil, err
			}
			d.Files[sha] = data
		}
	}
	if !receipts {
		seq, prev, err := lastOnStream(ctx, s.db.db, homeward.BundleOut, ch.ID, d.Self.ID, toID)
		if err != nil {
			return nil, err
		}
		d.Sequence, d.Previous = seq+1, prev
	}
	if seq, hash, err := lastOnStream(ctx, s.db.db, homeward.BundleIn, ch.ID, toID, d.Self.ID); err != nil {
		return nil, err
	} else if seq > 0 {
		var uid string
		if err := s.db.db.QueryRowContext(ctx, `SELECT uid FROM bundles WHERE direction = 'in' AND manifest_hash = $1 ORDER BY id LIMIT 1`, hash).Scan(&uid); err != nil {
			return nil, fmt.Errorf("read acknowledged bundle: %w", err)
		}
		// The ack's sender is the stream's: the party that sent us bundle
		// seq. It goes back to that party, which finds its own stream by it.
		d.Acks = []homeward.BundleAck{{BundleUID: uid, Sender: d.To.Fingerprint, Sequence: seq, Hash: hash}}
	}
	return d, nil
}

// outboxRow is an outbox item as RecordOutgoing reads it back.
type outboxRow struct {
	id, listID, bundleID, toID, channelID int64
	kind, body                            string
}

// RecordOutgoing records a bundle made from a draft and what sending it
// means for the lists, answers and messages it carries.
func (s *BundleLedger) RecordOutgoing(ctx context.Context, ob *homeward.OutgoingBundle) (*homeward.Bundle, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return nil, err
	}
	b := ob.Bundle
	err := s.db.write(ctx, func(t *tx) error {
		ch, err := channelOf(ctx, t, a, b.ChannelID)
		if err != nil {
			return err
		}
		if b.Sequence > 0 {
			last, _, err := lastOnStream(ctx, t, homeward.BundleOut, ch.ID, b.SenderID, b.ToID)
			if err != nil {
				return err
			}
			if last != b.Sequence-1 {
				return homeward.Errorf(homeward.ECONFLICT, "Another bundle to this party was made meanwhile; make the bundle again.")
			}
		}
		var items []outboxRow
		for id := range ob.Items {
			var it outboxRow
			if err := t.QueryRowContext(ctx, `SELECT id, list_id, bundle_id, to_id, channel_id, kind, body FROM outbox_items WHERE id = $1`, id).
				Scan(&it.id, &it.listID, &it.bundleID, &it.toID, &it.channelID, &it.kind, &it.body); err != nil {
				return scanErr(err, "outbox item", id)
			}
			var err error
			if it.body, err = t.db.openText(ctx, outboxAD(it.id, "body"), it.body); err != nil {
				return err
			}
			if it.bundleID != 0 || it.toID != b.ToID || it.channelID != ch.ID {
				return homeward.Errorf(homeward.ECONFLICT, "What was waiting to leave changed meanwhile; make the bundle again.")
			}
			items = append(items, it)
		}
		b.OrgID, b.Direction, b.Status = ch.OrgID, homeward.BundleOut, homeward.BundleCreated
		if err := t.insertBundle(ctx, &b, ob.File); err != nil {
			return err
		}
		for _, it := range items {
			signed, err := t.db.sealText(ctx, t, outboxAD(it.id, "signed"), string(ob.Items[it.id]))
			if err != nil {
				return err
			}
			if _, err := t.ExecContext(ctx, `UPDATE outbox_items SET bundle_id = $1, signed = $2 WHERE id = $3`, b.ID, signed, it.id); err != nil {
				return fmt.Errorf("mark outbox item sent: %w", err)
			}
			if err := t.sent(ctx, a, ch, &b, it); err != nil {
				return err
			}
		}
		return t.appendEvent(ctx, homeward.EntityBundle, b.ID, homeward.ActionBundleCreate, ch.OrgID, bundleEvent(&b))
	})
	if err != nil {
		return nil, err
	}
	return &b, nil
}

// sent records what leaving in bundle b means for an outbox item.
func (t *tx) sent(ctx context.Context, a homeward.Actor, ch *homeward.Channel, b *homeward.Bundle, it outboxRow) error {
	var l *homeward.ReturnList
	if it.listID != 0 {
		var err error
		if l, err = listOf(ctx, t, a, it.listID); err != nil {
			return err
		}
	}
	switch it.kind {
	case homeward.DocList:
		if l.Direction == homeward.ListRelayed {
			l.State = l.State.Advance(homeward.ListForwarded)
			if err := t.saveList(ctx, l); err != nil {
				return err
			}
			if err := t.queueNotice(ctx, l, homeward.ListForwarded, ""); err != nil {
				return err
			}
			return t.appendEvent(ctx, homeward.EntityList, l.ID, homeward.ActionListForward, l.OrgID, map[string]any{"bundle_id": b.ID, "to": b.ToID})
		}
		var doc struct {
			Revision int `json:"revision"`
		}
		if err := json.Unmarshal([]byte(it.body), &doc); err != nil {
			return fmt.Errorf("read queued list: %w", err)
		}
		if _, err := t.ExecContext(ctx, `UPDATE list_revisions SET sent_at = $1 WHERE list_id = $2 AND revision = $3`, t.db.tv(t.at), l.ID, doc.Revision); err != nil {
			return fmt.Errorf("mark revision sent: %w", err)
		}
		l.State = l.State.Advance(homeward.ListSent)
		if err := t.saveList(ctx, l); err != nil {
			return err
		}
		es, err := t.db.entriesOf(ctx, t, l.ID)
		if err != nil {
			return err
		}
		for _, e := range es {
			if e.RemovedRevision == 0 {
				if err := t.appendEvent(ctx, homeward.EntityCase, e.CaseID, homeward.ActionListSend, l.OrgID, map[string]any{
					"list_id": l.ID, "ref": e.Ref, "revision": doc.Revision, "bundle_id": b.ID}); err != nil {
					return err
				}
			}
		}
		return t.appendEvent(ctx, homeward.EntityList, l.ID, homeward.ActionListSend, l.OrgID, map[string]any{"revision": doc.Revision, "bundle_id": b.ID})
	case homeward.DocAnswers:
		if l.Direction == homeward.ListIncoming {
			if _, err := t.ExecContext(ctx, `UPDATE answers SET bundle_id = $1 WHERE outbox_id = $2`, b.ID, it.id); err != nil {
				return fmt.Errorf("mark answers sent: %w", err)
			}
			return t.appendEvent(ctx, homeward.EntityList, l.ID, homeward.ActionListSend, l.OrgID, map[string]any{"answers": true, "bundle_id": b.ID})
		}
		return t.appendEvent(ctx, homeward.EntityList, l.ID, homeward.ActionListForward, l.OrgID, map[string]any{"answers": true, "bundle_id": b.ID})
	case homeward.DocMessage:
		var doc homeward.MessageDocument
		if err := json.Unmarshal([]byte(it.body), &doc); err != nil || doc.UID == "" {
			return nil // a relayed message: its body is inside the signed document
		}
		var m homeward.WelfareMessage
		if err := t.QueryRowContext(ctx, `SELECT id, case_id, org_id, entry_id FROM welfare_messages WHERE uid = $1`, doc.UID).
			Scan(&m.ID, &m.CaseID, &m.OrgID, &m.EntryID); err != nil {
			return scanErr(err, "message", 0)
		}
		if _, err := t.ExecContext(ctx, `UPDATE welfare_messages SET state = $1, sent_at = $2, version = version + 1 WHERE id = $3 AND direction = 'outgoing'`,
			string(homeward.MessageSent), t.db.tv(t.at), m.ID); err != nil {
			return fmt.Errorf("mark message sent: %w", err)
		}
		m.UID, m.EntryRef, m.Text = doc.UID, doc.EntryRef, doc.Text
		return t.messageEvents(ctx, &m, homeward.ActionMessageSend, l.ID)
	}
	return nil
}

// RecordRefusal records a refused bundle: its facts and reason only.
func (s *BundleLedger) RecordRefusal(ctx context.Context, b *homeward.Bundle) error {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return err
	}
	nb := *b
	nb.Direction, nb.Status, nb.OrgID = homeward.BundleIn, homeward.BundleRefused, a.OrgID
	nb.Detail = truncate(nb.Detail, 1000)
	return s.db.write(ctx, func(t *tx) error {
		if err := t.insertBundle(ctx, &nb, nil); err != nil {
			return err
		}
		*b = nb
		return t.appendEvent(ctx, homeward.EntityBundle, nb.ID, homeward.ActionBundleRefuse, nb.OrgID, bundleEvent(&nb))
	})
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// FindBundles returns the actor's organisation's bundles, newest first.
func (s *BundleLedger) FindBundles(ctx context.Context, f homeward.BundleFilter) ([]*homeward.Bundle, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return nil, err
	}
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if !a.System {
		where = append(where, "b.org_id = "+arg(a.OrgID))
	}
	if f.Direction != "" {
		where = append(where, "b.direction = "+arg(string(f.Direction)))
	}
	if f.Status != "" {
		where = append(where, "b.status = "+arg(string(f.Status)))
	}
	if f.ChannelID != 0 {
		where = append(where, "b.channel_id = "+arg(f.ChannelID))
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	q := `SELECT ` + bundleColumns + ` FROM bundles b`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	return queryBundles(ctx, s.db.db, q+` ORDER BY b.id DESC LIMIT `+arg(limit), args...)
}

// FindBundleByID returns a bundle of the actor's organisation.
func (s *BundleLedger) FindBundleByID(ctx context.Context, id int64) (*homeward.Bundle, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return nil, err
	}
	return bundleOf(ctx, s.db.db, a, id)
}

func bundleOf(ctx context.Context, q queryer, a homeward.Actor, id int64) (*homeward.Bundle, error) {
	b, err := scanBundle(q.QueryRowContext(ctx, `SELECT `+bundleColumns+` FROM bundles b WHERE b.id = $1`, id))
	if err != nil {
		return nil, scanErr(err, "bundle", id)
	}
	if !a.System && b.OrgID != a.OrgID {
		return nil, notFound("bundle", id)
	}
	return b, nil
}

// BundleFile returns the file of a bundle we made, and records the download.
func (s *BundleLedger) BundleFile(ctx context.Context, id int64) ([]byte, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return nil, err
	}
	var file []byte
	err := s.db.write(ctx, func(t *tx) error {
		b, err := bundleOf(ctx, t, a, id)
		if err != nil {
			return err
		}
		if b.Direction != homeward.BundleOut {
			return homeward.Errorf(homeward.EINVALID, "Only a bundle made here is downloaded again.")
		}
		if err := t.QueryRowContext(ctx, `SELECT file FROM bundles WHERE id = $1`, id).Scan(&file); err != nil {
			return fmt.Errorf("read bundle file: %w", err)
		}
		return t.appendEvent(ctx, homeward.EntityBundle, id, homeward.ActionBundleDownload, b.OrgID, map[string]any{"size": len(file)})
	})
	return file, err
}

// ListBundles returns the bundles that carried a list or its answers.
func (s *BundleLedger) ListBundles(ctx context.Context, listID int64) ([]*homeward.Bundle, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	if _, err := listOf(ctx, s.db.db, a, listID); err != nil {
		return nil, err
	}
	return queryBundles(ctx, s.db.db, `SELECT `+bundleColumns+` FROM bundles b WHERE b.id IN (
		SELECT bundle_id FROM outbox_items WHERE list_id = $1 AND bundle_id <> 0
		UNION SELECT bundle_id FROM answers a JOIN list_entries e ON e.id = a.entry_id WHERE e.list_id = $1 AND a.bundle_id <> 0
		UNION SELECT bundle_id FROM list_revisions WHERE list_id = $1 AND bundle_id <> 0) ORDER BY b.id`, listID)
}

// NextHeld returns the held bundle that now follows the last opened one
// of the same stream as bundle afterID, with its file.
func (s *BundleLedger) NextHeld(ctx context.Context, afterID int64) (*homeward.Bundle, []byte, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return nil, nil, err
	}
	b, err := bundleOf(ctx, s.db.db, a, afterID)
	if err != nil {
		return nil, nil, err
	}
	last, _, err := lastOnStream(ctx, s.db.db, homeward.BundleIn, b.ChannelID, b.SenderID, b.ToID)
	if err != nil {
		return nil, nil, err
	}
	held, err := queryBundles(ctx, s.db.db, `SELECT `+bundleColumns+` FROM bundles b WHERE b.direction = 'in' AND b.status = 'held'
		AND b.channel_id = $1 AND b.sender_id = $2 AND b.to_id = $3 AND b.sequence = $4 ORDER BY b.id LIMIT 1`, b.ChannelID, b.SenderID, b.ToID, last+1)
	if err != nil || len(held) == 0 {
		return nil, nil, err
	}
	var file []byte
	if err := s.db.db.QueryRowContext(ctx, `SELECT file FROM bundles WHERE id = $1`, held[0].ID).Scan(&file); err != nil {
		return nil, nil, fmt.Errorf("read held bundle: %w", err)
	}
	return held[0], file, nil
}

// gapAccepted marks a held bundle whose gap a supervisor accepted.
const gapAccepted = "gap_accepted"

// AcceptGap lets a held bundle be opened despite the bundles missing
// before it.
func (s *BundleLedger) AcceptGap(ctx context.Context, id int64) (*homeward.Bundle, []byte, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return nil, nil, err
	}
	if !a.System && !a.Role.IsSupervisorRank() {
		return nil, nil, homeward.Errorf(homeward.EFORBIDDEN, "Only a supervisor accepts a gap in a party's bundles.")
	}
	var b *homeward.Bundle
	var file []byte
	err := s.db.write(ctx, func(t *tx) error {
		var err error
		if b, err = bundleOf(ctx, t, a, id); err != nil {
			return err
		}
		if b.Status != homeward.BundleHeld {
			return homeward.Errorf(homeward.EINVALID, "The bundle is not held.")
		}
		if err := t.QueryRowContext(ctx, `SELECT file FROM bundles WHERE id = $1`, id).Scan(&file); err != nil {
			return fmt.Errorf("read held bundle: %w", err)
		}
		if _, err := t.ExecContext(ctx, `UPDATE bundles SET reason = $1 WHERE id = $2`, gapAccepted, id); err != nil {
			return fmt.Errorf("accept gap: %w", err)
		}
		b.Reason = gapAccepted
		return t.appendEvent(ctx, homeward.EntityBundle, id, homeward.ActionBundleGap, b.OrgID, bundleEvent(b))
	})
	if err != nil {
		return nil, nil, err
	}
	return b, file, nil
}
