package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/homeward-project/homeward"
)

// queue adds a document to the outbox for the next bundle to a party on a
// channel: body to be signed by us, or signed, a document already signed
// (relayed as its author signed it).
func (t *tx) queue(ctx context.Context, ch *homeward.Channel, toID int64, kind string, listID int64, body, signed []byte, files []string) (int64, error) {
	return t.queueItem(ctx, ch, toID, kind, listID, body, signed, files, false)
}

func (t *tx) queueItem(ctx context.Context, ch *homeward.Channel, toID int64, kind string, listID int64, body, signed []byte, files []string, loose bool) (int64, error) {
	var id int64
	if err := t.QueryRowContext(ctx, `INSERT INTO outbox_items (org_id, channel_id, to_id, kind, list_id, body, signed, files, loose, created_at)
		VALUES ($1, $2, $3, $4, $5, '', '', $6, $7, $8) RETURNING id`, ch.OrgID, ch.ID, toID, kind, listID,
		encodeList(files), loose, t.db.tv(t.at)).Scan(&id); err != nil {
		return 0, fmt.Errorf("queue %s: %w", kind, err)
	}
	// What waits to leave is a document naming children (a list, an
	// answer, a message): sealed, bound to the item, in the same
	// transaction.
	sealedBody, err := t.db.sealText(ctx, t, outboxAD(id, "body"), string(body))
	if err != nil {
		return 0, err
	}
	sealedSigned, err := t.db.sealText(ctx, t, outboxAD(id, "signed"), string(signed))
	if err != nil {
		return 0, err
	}
	if _, err := t.ExecContext(ctx, `UPDATE outbox_items SET body = $1, signed = $2 WHERE id = $3`, sealedBody, sealedSigned, id); err != nil {
		return 0, fmt.Errorf("queue %s: %w", kind, err)
	}
	return id, nil
}

func outboxAD(id int64, what string) string {
	return fmt.Sprintf("outbox %d %s", id, what)
}

// mediatorOf returns the channel's mediator as the next hop of what this
// side sends: it must have keys, and be trusted.
func (t *tx) mediatorOf(ctx context.Context, ch *homeward.Channel) (*homeward.Party, error) {
	p, err := partyByID(ctx, t, ch.MediatorID)
	if err != nil {
		return nil, err
	}
	switch {
	case !p.Online():
		return nil, homeward.Errorf(homeward.EINVALID, "The mediator %s has no keys: send it the printed list or the spreadsheet instead.", p.Name)
	case !p.Trusted():
		return nil, homeward.Errorf(homeward.EINVALID, "The mediator %s is not trusted (fingerprint not confirmed, or retired).", p.Name)
	}
	return p, nil
}

// queueJSON queues a document of ours with v as its body.
func (t *tx) queueJSON(ctx context.Context, ch *homeward.Channel, toID int64, kind string, listID int64, v any, files []string) (int64, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return 0, fmt.Errorf("encode %s: %w", kind, err)
	}
	return t.queue(ctx, ch, toID, kind, listID, b, nil, files)
}

// queueNotice reports a list's state: ours to the mediator (withdrawn), or
// the mediator's to the list's author (forwarded).
func (t *tx) queueNotice(ctx context.Context, l *homeward.ReturnList, state homeward.ListState, reason string) error {
	ch, err := channelOf(ctx, t, homeward.Actor{System: true}, l.ChannelID)
	if err != nil {
		return err
	}
	to := l.AuthorID
	if ch.Role != homeward.RoleMediator {
		p, err := t.mediatorOf(ctx, ch)
		if err != nil {
			return err
		}
		to = p.ID
	}
	_, err = t.queueJSON(ctx, ch, to, homeward.DocNotice, l.ID, homeward.NoticeDocument{
		ListUID: l.UID, Revision: l.SealedRevision, State: state, Reason: reason, At: t.at}, nil)
	return err
}

// keepFile stores a file that travels with documents, once per content.
func (t *tx) keepFile(ctx context.Context, data []byte, contentType string) (string, error) {
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	// A photo of a child: sealed like the attachment it came from, bound
	// to its hash.
	sealed, err := t.db.sealRow(ctx, t, "exchange_files "+sha, 0, data)
	if err != nil {
		return "", err
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO exchange_files (sha256, content_type, data, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (sha256) DO NOTHING`, sha, contentType, sealed, t.db.tv(t.at)); err != nil {
		return "", fmt.Errorf("keep file: %w", err)
	}
	return sha, nil
}

// queueList queues a list's sealed revision for the mediator, with the
// photos its full profile takes.
func (t *tx) queueList(ctx context.Context, ch *homeward.Channel, l *homeward.ReturnList) error {
	to, err := t.mediatorOf(ctx, ch)
	if err != nil {
		return err
	}
	body, err := t.db.revisionBody(ctx, t, l.ID, l.SealedRevision)
	if err != nil {
		return fmt.Errorf("read sealed revision: %w", err)
	}
	var doc homeward.ListDocument
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		return fmt.Errorf("read sealed revision: %w", err)
	}
	var files []string
	for _, e := range doc.Entries {
		for _, ph := range e.Person.Photos {
			var id int64
			var data, sealed []byte
			var ctype string
			if err := t.QueryRowContext(ctx, `SELECT id, data, sealed, content_type FROM attachments WHERE sha256 = $1 AND org_id = $2 ORDER BY id LIMIT 1`,
				ph.SHA256, l.OrgID).Scan(&id, &data, &sealed, &ctype); err != nil {
				return fmt.Errorf("read photo of %s: %w", e.Ref, err)
			}
			data, err := t.db.attachmentData(ctx, id, sealed, data)
			if err != nil {
				return err
			}
			sha, err := t.keepFile(ctx, data, ctype)
			if err != nil {
				return err
			}
			files = append(files, sha)
		}
	}
	var queued int
	if err := t.QueryRowContext(ctx, `SELECT count(*) FROM outbox_items WHERE list_id = $1 AND kind = $2 AND bundle_id = 0`, l.ID, homeward.DocList).Scan(&queued); err != nil {
		return fmt.Errorf("find queued list: %w", err)
	}
	if queued > 0 {
		// A revision waiting to leave is replaced by the newer one.
		if _, err := t.ExecContext(ctx, `DELETE FROM outbox_items WHERE list_id = $1 AND kind = $2 AND bundle_id = 0`, l.ID, homeward.DocList); err != nil {
			return fmt.Errorf("replace queued list: %w", err)
		}
	}
	_, err = t.queue(ctx, ch, to.ID, homeward.DocList, l.ID, []byte(body), nil, files)
	return err
}

// QueueList queues the sealed revision of an outgoing list for the
// mediator; the bundle service then makes the bundle.
func (s *BundleLedger) QueueList(ctx context.Context, listID int64, version int) (*homeward.ReturnList, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return nil, err
	}
	var out *homeward.ReturnList
	err := s.db.write(ctx, func(t *tx) error {
		l, err := t.listAt(ctx, a, listID, version)
		if err != nil {
			return err
		}
		switch {
		case l.Direction != homeward.ListOutgoing:
			return homeward.Errorf(homeward.EINVALID, "Only this installation's own lists are sent; a received list is answered.")
		case l.State.Final():
			return homeward.Errorf(homeward.EINVALID, "The list is %s.", l.State)
		case l.SealedRevision == 0:
			return homeward.Errorf(homeward.EINVALID, "Seal the list before sending it.")
		}
		var sent *time.Time
		if err := t.QueryRowContext(ctx, `SELECT sent_at FROM list_revisions WHERE list_id = $1 AND revision = $2`, l.ID, l.SealedRevision).
			Scan(timePtrScan{&sent}); err != nil {
			return fmt.Errorf("read revision: %w", err)
		}
		if sent != nil {
			return homeward.Errorf(homeward.EINVALID, "Revision %d of the list was already sent.", l.SealedRevision)
		}
		ch, err := channelOf(ctx, t, a, l.ChannelID)
		if err != nil {
			return err
		}
		if err := t.queueList(ctx, ch, l); err != nil {
			return err
		}
		out = l
		return nil
	})
	return out, err
}

// QueueAnswers queues our answers to a received list not sent yet; it
// returns how many.
func (s *BundleLedger) QueueAnswers(ctx context.Context, listID int64) (*homeward.ReturnList, int, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return nil, 0, err
	}
	var n int
	var out *homeward.ReturnList
	err := s.db.write(ctx, func(t *tx) error {
		l, err := listOf(ctx, t, a, listID)
		if err != nil {
			return err
		}
		if l.Direction != homeward.ListIncoming {
			return homeward.Errorf(homeward.EINVALID, "Answers are sent for a received list.")
		}
		ch, err := channelOf(ctx, t, a, l.ChannelID)
		if err != nil {
			return err
		}
		to, err := t.mediatorOf(ctx, ch)
		if err != nil {
			return err
		}
		as, err := t.db.answersOf(ctx, t, `e.list_id = $1 AND a.outbox_id = 0 AND a.source = $2`, listID, string(homeward.AnswerByHand))
		if err != nil {
			return err
		}
		if len(as) == 0 {
			return homeward.Errorf(homeward.EINVALID, "Every answer to this list has been sent already.")
		}
		doc := homeward.AnswersDocument{ListUID: l.UID}
		for _, ans := range as {
			doc.Answers = append(doc.Answers, homeward.AnswerDocument{UID: ans.UID, EntryRef: ans.EntryRef, Code: ans.Code, On: ans.On,
				TheirRef: ans.TheirRef, Text: ans.Text, Details: ans.Details, Corrects: ans.Corrects})
		}
		item, err := t.queueJSON(ctx, ch, to.ID, homeward.DocAnswers, l.ID, doc, nil)
		if err != nil {
			return err
		}
		for _, ans := range as {
			if _, err := t.ExecContext(ctx, `UPDATE answers SET outbox_id = $1 WHERE id = $2`, item, ans.ID); err != nil {
				return fmt.Errorf("mark answer queued: %w", err)
			}
		}
		n, out = len(as), l
		return nil
	})
	return out, n, err
}
