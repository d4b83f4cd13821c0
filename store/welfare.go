package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/homeward-project/homeward"
)

// WelfareService keeps the welfare channel's messages; it implements
// homeward.WelfareService.
type WelfareService struct{ db *DB }

var _ homeward.WelfareService = (*WelfareService)(nil)

// NewWelfareService returns the welfare service of db.
func NewWelfareService(db *DB) *WelfareService { return &WelfareService{db: db} }

const messageColumns = `m.id, m.uid, m.org_id, m.case_id, m.entry_id, e.ref, m.channel_id, m.direction, m.text, m.photo_type,
	coalesce(length(m.photo), 0), m.state, m.author_id, m.author_party, m.approved_by, m.approved_at, m.written_at, m.sent_at,
	m.delivered_at, m.read_at, m.version, m.created_at, m.sealed`

const messageFrom = ` FROM welfare_messages m JOIN list_entries e ON e.id = m.entry_id`

// messagePersonal is the sealed part of a message: its text, written by or
// for a family, and the photo's size, which the photo's own envelope would
// overstate.
type messagePersonal struct {
	Text      string `json:"text,omitempty"`
	PhotoSize int    `json:"photo_size,omitempty"`
}

func (db *DB) scanMessage(ctx context.Context, r rowScanner) (*homeward.WelfareMessage, error) {
	var m homeward.WelfareMessage
	var sealed []byte
	err := r.Scan(&m.ID, &m.UID, &m.OrgID, &m.CaseID, &m.EntryID, &m.EntryRef, &m.ChannelID, &m.Direction, &m.Text, &m.PhotoType,
		&m.PhotoSize, &m.State, &m.AuthorID, &m.AuthorParty, &m.ApprovedBy, timePtrScan{&m.ApprovedAt}, timeScan{&m.WrittenAt},
		timePtrScan{&m.SentAt}, timePtrScan{&m.DeliveredAt}, timePtrScan{&m.ReadAt}, &m.Version, timeScan{&m.CreatedAt}, &sealed)
	if err != nil {
		return nil, err
	}
	p := messagePersonal{m.Text, m.PhotoSize}
	if _, err := db.openJSON(ctx, "welfare_messages", m.ID, sealed, &p); err != nil {
		return nil, err
	}
	m.Text, m.PhotoSize = p.Text, p.PhotoSize
	return &m, nil
}

// messagePhoto reads and opens the photo of message id.
func (t *tx) messagePhoto(ctx context.Context, id int64) ([]byte, error) {
	var photo, sealed []byte
	if err := t.QueryRowContext(ctx, `SELECT photo, sealed FROM welfare_messages WHERE id = $1`, id).Scan(&photo, &sealed); err != nil {
		return nil, fmt.Errorf("read photo: %w", err)
	}
	if len(sealed) == 0 || len(photo) == 0 {
		return photo, nil
	}
	return t.db.openRow(ctx, fileTable("welfare_messages"), id, photo)
}

// messageOf reads a message of the actor's organisation.
func (t *tx) messageOf(ctx context.Context, a homeward.Actor, id int64) (*homeward.WelfareMessage, error) {
	m, err := t.db.scanMessage(ctx, t.QueryRowContext(ctx, `SELECT `+messageColumns+messageFrom+` WHERE m.id = $1`, id))
	if err != nil {
		return nil, scanErr(err, "message", id)
	}
	if !a.System && m.OrgID != a.OrgID {
		return nil, notFound("message", id)
	}
	return m, nil
}

// messageEvent is what a message's events record: never its text.
func messageEvent(m *homeward.WelfareMessage) map[string]any {
	return map[string]any{"message_id": m.ID, "uid": m.UID, "ref": m.EntryRef, "chars": len([]rune(m.Text)), "photo": m.PhotoSize > 0}
}

// WriteMessage writes a message: for one of our cases, addressed by its
// entry on the latest list sealed for it (or the entry given); or, for a
// received list's entry, news of the child for the family that seeks it.
func (s *WelfareService) WriteMessage(ctx context.Context, m *homeward.WelfareMessage) error {
	a := homeward.ActorFromContext(ctx)
	if err := canWrite(a); err != nil {
		return err
	}
	nm := *m
	nm.Text = strings.TrimSpace(nm.Text)
	if err := nm.Validate(); err != nil {
		return err
	}
	if err := checkText(&nm); err != nil {
		return err
	}
	err := s.db.write(ctx, func(t *tx) error {
		var e *homeward.ListEntry
		var l *homeward.ReturnList
		var err error
		if nm.CaseID != 0 {
			c, err := t.ownedCase(ctx, a, nm.CaseID)
			if err != nil {
				return err
			}
			if !c.Consents.ShareMediator {
				return homeward.FieldErrorf(homeward.EINVALID, "consents.share_mediator", "No message leaves for a case without consent to share it with a mediator.")
			}
			if nm.EntryID == 0 {
				if err := t.QueryRowContext(ctx, `SELECT e.id FROM list_entries e JOIN return_lists l ON l.id = e.list_id
					WHERE e.case_id = $1 AND `+sealedEntry+` ORDER BY e.id DESC LIMIT 1`, c.ID).Scan(&nm.EntryID); err != nil {
					return homeward.Errorf(homeward.EINVALID, "A message is addressed by the child's entry on a sealed return list, and case %s is on none yet.", c.Reference)
				}
			}
			if e, l, err = t.db.entryOf(ctx, t, a, nm.EntryID); err != nil {
				return err
			}
			if e.CaseID != c.ID {
				return homeward.FieldErrorf(homeward.EINVALID, "entry_id", "The entry is not the case's.")
			}
		} else {
			if e, l, err = t.db.entryOf(ctx, t, a, nm.EntryID); err != nil {
				return err
			}
			if l.Direction != homeward.ListIncoming {
				return homeward.FieldErrorf(homeward.EINVALID, "case_id", "Write a message from the case page of the child.")
			}
		}
		if err := answerable(l, e); err != nil {
			return err
		}
		nm.OrgID, nm.ChannelID, nm.EntryRef, nm.Direction = l.OrgID, l.ChannelID, e.Ref, homeward.MessageOutgoing
		nm.State, nm.AuthorID, nm.WrittenAt, nm.CreatedAt, nm.Version = homeward.MessageDraft, a.UserID, t.at, t.at, 1
		nm.UID, nm.PhotoSize = newUID("M", 16), len(nm.Photo)
		if err := t.insertMessage(ctx, &nm); err != nil {
			return err
		}
		return t.messageEvents(ctx, &nm, homeward.ActionMessageWrite, l.ID)
	})
	if err != nil {
		return err
	}
	nm.Photo = nil
	*m = nm
	return nil
}

func (t *tx) insertMessage(ctx context.Context, m *homeward.WelfareMessage) error {
	if err := t.QueryRowContext(ctx, `INSERT INTO welfare_messages (uid, org_id, case_id, entry_id, channel_id, direction, text,
		photo_type, state, author_id, author_party, written_at, delivered_at, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id`,
		m.UID, m.OrgID, m.CaseID, m.EntryID, m.ChannelID, string(m.Direction), m.PhotoType, string(m.State),
		m.AuthorID, m.AuthorParty, t.db.tv(m.WrittenAt), t.db.tvp(m.DeliveredAt), m.Version, t.db.tv(t.at)).Scan(&m.ID); err != nil {
		if isUniqueViolation(err) {
			return homeward.Errorf(homeward.ECONFLICT, "The message %s is already stored.", m.UID)
		}
		return fmt.Errorf("insert message: %w", err)
	}
	// The photo keeps its own envelope, bound to the message under another
	// name, so that a list of messages does not open every photo.
	var photo any
	if len(m.Photo) > 0 {
		env, err := t.db.sealRow(ctx, t, fileTable("welfare_messages"), m.ID, m.Photo)
		if err != nil {
			return err
		}
		photo = env
	}
	sealed, err := t.sealJSON(ctx, "welfare_messages", m.ID, messagePersonal{m.Text, len(m.Photo)})
	if err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `UPDATE welfare_messages SET photo = $1, sealed = $2 WHERE id = $3`, photo, sealed, m.ID); err != nil {
		return fmt.Errorf("seal message %d: %w", m.ID, err)
	}
	return nil
}

// messageEvents records a message's step on its case (when it has one)
// and on its list.
func (t *tx) messageEvents(ctx context.Context, m *homeward.WelfareMessage, action string, listID int64) error {
	ev := messageEvent(m)
	if m.CaseID != 0 {
		if err := t.appendEvent(ctx, homeward.EntityCase, m.CaseID, action, m.OrgID, ev); err != nil {
			return err
		}
	}
	return t.appendEvent(ctx, homeward.EntityList, listID, action, m.OrgID, ev)
}

// ApproveMessage approves a draft and queues it for the mediator.
func (s *WelfareService) ApproveMessage(ctx context.Context, id int64, version int) (*homeward.WelfareMessage, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canWrite(a); err != nil {
		return nil, err
	}
	if !a.System && !a.Role.IsSupervisorRank() {
		return nil, homeward.Errorf(homeward.EFORBIDDEN, "Only a supervisor approves a message before it leaves.")
	}
	var out *homeward.WelfareMessage
	err := s.db.write(ctx, func(t *tx) error {
		m, err := t.messageOf(ctx, a, id)
		if err != nil {
			return err
		}
		switch {
		case m.Version != version:
			return conflict("message")
		case m.Direction != homeward.MessageOutgoing || m.State != homeward.MessageDraft:
			return homeward.Errorf(homeward.EINVALID, "Only a draft of ours is approved.")
		case !a.System && m.AuthorID == a.UserID:
			return homeward.Errorf(homeward.EFORBIDDEN, "You wrote this message; a supervisor other than its writer approves it.")
		}
		if m.CaseID != 0 {
			c, err := t.ownedCase(ctx, a, m.CaseID)
			if err != nil {
				return err
			}
			if !c.Consents.ShareMediator {
				return homeward.FieldErrorf(homeward.EINVALID, "consents.share_mediator", "No message leaves for a case without consent to share it with a mediator.")
			}
		}
		e, l, err := t.db.entryOf(ctx, t, a, m.EntryID)
		if err != nil {
			return err
		}
		if err := answerable(l, e); err != nil {
			return err
		}
		ch, err := channelOf(ctx, t, a, m.ChannelID)
		if err != nil {
			return err
		}
		to, err := t.mediatorOf(ctx, ch)
		if err != nil {
			return err
		}
		doc := homeward.MessageDocument{UID: m.UID, ListUID: l.UID, EntryRef: m.EntryRef, Text: m.Text, WrittenAt: m.WrittenAt}
		var files []string
		if m.PhotoSize > 0 {
			photo, err := t.messagePhoto(ctx, id)
			if err != nil {
				return err
			}
			sha, err := t.keepFile(ctx, photo, m.PhotoType)
			if err != nil {
				return err
			}
			doc.Photo, doc.PhotoType, files = sha, m.PhotoType, []string{sha}
		}
		if _, err := t.queueJSON(ctx, ch, to.ID, homeward.DocMessage, l.ID, doc, files); err != nil {
			return err
		}
		if err := t.updateVersioned(ctx, "welfare_messages", "state, approved_by, approved_at",
			[]any{string(homeward.MessageApproved), a.UserID, s.db.tv(t.at)}, id, version, "message"); err != nil {
			return err
		}
		m.State, m.ApprovedBy, m.ApprovedAt, m.Version = homeward.MessageApproved, a.UserID, &t.at, m.Version+1
		out = m
		return t.messageEvents(ctx, m, homeward.ActionMessageApprove, l.ID)
	})
	return out, err
}

// FindMessages returns messages of the actor's organisation, newest first.
func (s *WelfareService) FindMessages(ctx context.Context, f homeward.MessageFilter) ([]*homeward.WelfareMessage, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if !a.System {
		where = append(where, "m.org_id = "+arg(a.OrgID))
	}
	if f.CaseID != 0 {
		if err := s.db.checkVisible(ctx, a, homeward.EntityCase, f.CaseID); err != nil {
			return nil, err
		}
		where = append(where, "m.case_id = "+arg(f.CaseID))
	}
	if f.EntryID != 0 {
		where = append(where, "m.entry_id = "+arg(f.EntryID))
	}
	if f.State != "" {
		where = append(where, "m.state = "+arg(string(f.State)))
	}
	q := `SELECT ` + messageColumns + messageFrom
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := s.db.db.QueryContext(ctx, q+` ORDER BY m.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("find messages: %w", err)
	}
	defer rows.Close()
	var out []*homeward.WelfareMessage
	for rows.Next() {
		m, err := s.db.scanMessage(ctx, rows)
		if err != nil {
			return nil, fmt.Errorf("read message: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// FindMessageByID returns a message with its photo, and records the view.
func (s *WelfareService) FindMessageByID(ctx context.Context, id int64) (*homeward.WelfareMessage, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	var out *homeward.WelfareMessage
	err := s.db.write(ctx, func(t *tx) error {
		m, err := t.messageOf(ctx, a, id)
		if err != nil {
			return err
		}
		if m.Photo, err = t.messagePhoto(ctx, id); err != nil {
			return err
		}
		out = m
		var listID int64
		if err := t.QueryRowContext(ctx, `SELECT list_id FROM list_entries WHERE id = $1`, m.EntryID).Scan(&listID); err != nil {
			return fmt.Errorf("read entry: %w", err)
		}
		return t.messageEvents(ctx, m, homeward.ActionView, listID)
	})
	return out, err
}

// MarkRead records that a received message was read and queues the read
// receipt for its writer.
func (s *WelfareService) MarkRead(ctx context.Context, id int64) (*homeward.WelfareMessage, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	var out *homeward.WelfareMessage
	err := s.db.write(ctx, func(t *tx) error {
		m, err := t.messageOf(ctx, a, id)
		if err != nil {
			return err
		}
		if m.Direction != homeward.MessageIncoming {
			return homeward.Errorf(homeward.EINVALID, "Only a message that came to us is marked read.")
		}
		if m.State == homeward.MessageRead {
			out = m
			return nil
		}
		ch, err := channelOf(ctx, t, a, m.ChannelID)
		if err != nil {
			return err
		}
		to, err := t.mediatorOf(ctx, ch)
		if err != nil {
			return err
		}
		if _, err := t.queueJSON(ctx, ch, to.ID, homeward.DocReceipt, 0, homeward.ReceiptDocument{MessageUID: m.UID, Kind: homeward.ReceiptRead, At: t.at}, nil); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `UPDATE welfare_messages SET state = $1, read_at = $2, version = version + 1 WHERE id = $3`,
			string(homeward.MessageRead), s.db.tv(t.at), id); err != nil {
			return fmt.Errorf("mark read: %w", err)
		}
		m.State, m.ReadAt, m.Version = homeward.MessageRead, &t.at, m.Version+1
		out = m
		var listID int64
		if err := t.QueryRowContext(ctx, `SELECT list_id FROM list_entries WHERE id = $1`, m.EntryID).Scan(&listID); err != nil {
			return fmt.Errorf("read entry: %w", err)
		}
		return t.messageEvents(ctx, m, homeward.ActionMessageRead, listID)
	})
	return out, err
}
