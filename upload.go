package homeward

import (
	"context"
	"time"
)

// Upload is a spreadsheet held between the steps of a web import (map the
// headers, preview, validate, import). Uploads expire; they are not records.
type Upload struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"org_id"`
	UserID    int64     `json:"user_id"`
	Kind      string    `json:"kind"` // EntityCase or EntityLocated
	Filename  string    `json:"filename"`
	Data      []byte    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
}

// UploadService keeps uploads for the import pages. Only the uploading user sees one.
type UploadService interface {
	CreateUpload(ctx context.Context, u *Upload) error
	FindUploadByID(ctx context.Context, id int64) (*Upload, error)
	DeleteUpload(ctx context.Context, id int64) error
}
