package homeward

import (
	"context"
	"time"
)

// Case event actions for attachments. A view is recorded every time the
// content of an attachment is read.
const (
	ActionAttachmentAdd  = "attachment_add"
	ActionAttachmentView = "attachment_view"
)

// MaxAttachmentSize is the largest attachment accepted: enough for a scan or
// a photo, small enough to keep in the database.
const MaxAttachmentSize = 20 << 20

// Attachment is a photo or scan kept as evidence on a case. Its content is
// shown only to supervisors, administrators and caseworkers of the case's
// organisation, and to its liaisons when LiaisonVisible is set.
type Attachment struct {
	ID             int64     `json:"id"`
	CaseID         int64     `json:"case_id"`
	OrgID          int64     `json:"org_id"`
	Filename       string    `json:"filename"`
	ContentType    string    `json:"content_type"`
	Size           int64     `json:"size"`
	SHA256         string    `json:"sha256"` // hex of the content, computed by the store
	LiaisonVisible bool      `json:"liaison_visible"`
	Data           []byte    `json:"-"`
	CreatedBy      int64     `json:"created_by"`
	CreatedAt      time.Time `json:"created_at"`
}

// AttachmentService keeps attachments. Reading the content appends a view
// event to the case in the same transaction.
type AttachmentService interface {
	// CreateAttachment stores a.Data for case a.CaseID, computing the hash,
	// size and (when a.ContentType is empty) the content type.
	CreateAttachment(ctx context.Context, a *Attachment) error
	// FindAttachmentByID returns an attachment with its content and records
	// the view.
	FindAttachmentByID(ctx context.Context, id int64) (*Attachment, error)
	// FindAttachments lists the attachments of a case without their content.
	FindAttachments(ctx context.Context, caseID int64) ([]*Attachment, error)
}
