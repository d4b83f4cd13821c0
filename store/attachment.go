package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/homeward-project/homeward"
)

// AttachmentService keeps photos and scans of cases in the database; it
// implements homeward.AttachmentService. Their content is shown only to the
// case's own organisation (supervisors, administrators, caseworkers, and
// liaisons for attachments marked for them), and each read is an event.
type AttachmentService struct{ db *DB }

var _ homeward.AttachmentService = (*AttachmentService)(nil)

// NewAttachmentService returns the attachment service of db.
func NewAttachmentService(db *DB) *AttachmentService { return &AttachmentService{db: db} }

const attachmentMeta = `id, case_id, org_id, filename, content_type, size, sha256, liaison_visible, created_by, created_at, sealed`

// attachmentPersonal is what an attachment's sealed column holds: the file
// name, which may carry a child's name, apart from the content, so that a
// list of attachments does not read every file.
type attachmentPersonal struct {
	Filename string `json:"filename,omitempty"`
}

func (db *DB) scanAttachment(ctx context.Context, r rowScanner, withData bool) (*homeward.Attachment, error) {
	var at homeward.Attachment
	var sealed []byte
	dest := []any{&at.ID, &at.CaseID, &at.OrgID, &at.Filename, &at.ContentType, &at.Size, &at.SHA256, &at.LiaisonVisible,
		&at.CreatedBy, timeScan{&at.CreatedAt}, &sealed}
	if withData {
		dest = append(dest, &at.Data)
	}
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	p := attachmentPersonal{Filename: at.Filename}
	isSealed, err := db.openJSON(ctx, "attachments", at.ID, sealed, &p)
	if err != nil {
		return nil, err
	}
	at.Filename = p.Filename
	if withData && isSealed {
		if at.Data, err = db.openRow(ctx, fileTable("attachments"), at.ID, at.Data); err != nil {
			return nil, err
		}
	}
	return &at, nil
}

// attachmentData returns the content of attachment id as stored, opened.
func (db *DB) attachmentData(ctx context.Context, id int64, sealed, data []byte) ([]byte, error) {
	if len(sealed) == 0 {
		return data, nil
	}
	return db.openRow(ctx, fileTable("attachments"), id, data)
}

// attachmentEvent is the data of an attachment event: never the file name,
// which may carry a child's name.
type attachmentEvent struct {
	AttachmentID int64  `json:"attachment_id"`
	SHA256       string `json:"sha256,omitempty"`
	Size         int64  `json:"size,omitempty"`
	ContentType  string `json:"content_type,omitempty"`
}

// mayReadAttachment says whether the actor may see an attachment's content
// (or that it exists): evidence about a child stays with the organisation
// that holds the case, even when the case itself is shared.
func mayReadAttachment(a homeward.Actor, at *homeward.Attachment) error {
	switch {
	case a.System:
		return nil
	case a.UserID == 0:
		return errNoActor
	case a.OrgID != at.OrgID:
		return notFound("attachment", at.ID)
	case a.Role.IsSupervisorRank(), a.Role == homeward.RoleCaseworker:
		return nil
	case a.Role == homeward.RoleLiaison && at.LiaisonVisible:
		return nil
	case a.Role == homeward.RoleLiaison:
		return homeward.Errorf(homeward.EFORBIDDEN, "This attachment is not shared with liaisons.")
	}
	return homeward.Errorf(homeward.EFORBIDDEN, "Your role may not see attachments.")
}

// CreateAttachment stores an attachment of case at.CaseID, held by the
// actor's organisation. Only a supervisor may mark it for liaisons.
func (s *AttachmentService) CreateAttachment(ctx context.Context, at *homeward.Attachment) error {
	a := homeward.ActorFromContext(ctx)
	if err := canWrite(a); err != nil {
		return err
	}
	switch {
	case len(at.Data) == 0:
		return homeward.FieldErrorf(homeward.EINVALID, "data", "The file is empty.")
	case len(at.Data) > homeward.MaxAttachmentSize:
		return homeward.FieldErrorf(homeward.EINVALID, "data", "The file is larger than %d MB.", homeward.MaxAttachmentSize>>20)
	case len(at.Filename) > 255:
		return homeward.FieldErrorf(homeward.EINVALID, "filename", "The file name is longer than 255 bytes.")
	case at.LiaisonVisible && !a.System && !a.Role.IsSupervisorRank():
		return homeward.FieldErrorf(homeward.EFORBIDDEN, "liaison_visible", "Only a supervisor may share an attachment with liaisons.")
	}
	na := *at
	na.Filename = strings.TrimSpace(na.Filename)
	if na.ContentType == "" {
		// Sniffed, not trusted from the client: it decides how a browser
		// shows the file.
		na.ContentType = http.DetectContentType(na.Data)
	}
	if _, _, err := mime.ParseMediaType(na.ContentType); err != nil || len(na.ContentType) > 255 {
		return homeward.FieldErrorf(homeward.EINVALID, "content_type", "The content type %q is not a media type.", na.ContentType)
	}
	if err := checkText(&na); err != nil {
		return err
	}
	sum := sha256.Sum256(na.Data)
	na.SHA256, na.Size = hex.EncodeToString(sum[:]), int64(len(na.Data))
	err := s.db.write(ctx, func(t *tx) error {
		c, err := t.ownedCase(ctx, a, na.CaseID)
		if err != nil {
			return err
		}
		na.OrgID, na.CreatedBy, na.CreatedAt = c.OrgID, a.UserID, t.at
		if err := t.QueryRowContext(ctx, `INSERT INTO attachments (case_id, org_id, filename, content_type, size, sha256,
			liaison_visible, data, created_by, created_at) VALUES ($1, $2, '', $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			na.CaseID, na.OrgID, na.ContentType, na.Size, na.SHA256, na.LiaisonVisible, []byte{},
			na.CreatedBy, s.db.tv(t.at)).Scan(&na.ID); err != nil {
			return fmt.Errorf("insert attachment: %w", err)
		}
		// The content is sealed apart from the name, bound to the same ID
		// under another table name, so the list reads names only.
		data, err := s.db.sealRow(ctx, t, fileTable("attachments"), na.ID, na.Data)
		if err != nil {
			return err
		}
		name, err := t.sealJSON(ctx, "attachments", na.ID, attachmentPersonal{Filename: na.Filename})
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `UPDATE attachments SET data = $1, sealed = $2 WHERE id = $3`, data, name, na.ID); err != nil {
			return fmt.Errorf("seal attachment %d: %w", na.ID, err)
		}
		return t.appendEvent(ctx, homeward.EntityCase, na.CaseID, homeward.ActionAttachmentAdd, na.OrgID,
			attachmentEvent{AttachmentID: na.ID, SHA256: na.SHA256, Size: na.Size, ContentType: na.ContentType})
	})
	if err != nil {
		return err
	}
	*at = na
	return nil
}

// FindAttachmentByID returns an attachment with its content and records the
// view on its case in the same transaction: no read without its event.
func (s *AttachmentService) FindAttachmentByID(ctx context.Context, id int64) (*homeward.Attachment, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	var out *homeward.Attachment
	err := s.db.write(ctx, func(t *tx) error {
		at, err := s.db.scanAttachment(ctx, t.QueryRowContext(ctx, `SELECT `+attachmentMeta+`, data FROM attachments WHERE id = $1`, id), true)
		if err != nil {
			return scanErr(err, "attachment", id)
		}
		if err := mayReadAttachment(a, at); err != nil {
			return err
		}
		out = at
		return t.appendEvent(ctx, homeward.EntityCase, at.CaseID, homeward.ActionAttachmentView, at.OrgID,
			attachmentEvent{AttachmentID: at.ID, SHA256: at.SHA256})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindAttachments lists the attachments of a case the actor may see,
// without content, oldest first. Organisations the case is shared with see
// none.
func (s *AttachmentService) FindAttachments(ctx context.Context, caseID int64) ([]*homeward.Attachment, error) {
	a := homeward.ActorFromContext(ctx)
	if err := s.db.checkVisible(ctx, a, homeward.EntityCase, caseID); err != nil {
		return nil, err
	}
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+attachmentMeta+` FROM attachments WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list attachments of case %d: %w", caseID, err)
	}
	defer rows.Close()
	var out []*homeward.Attachment
	for rows.Next() {
		at, err := s.db.scanAttachment(ctx, rows, false)
		if err != nil {
			return nil, fmt.Errorf("read attachment of case %d: %w", caseID, err)
		}
		if mayReadAttachment(a, at) == nil {
			out = append(out, at)
		}
	}
	return out, rows.Err()
}
