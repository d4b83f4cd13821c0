package store

import (
	"context"
	"fmt"
	"time"

	"github.com/homeward-project/homeward"
)

// UploadService keeps spreadsheets between the steps of a web import; it
// implements homeward.UploadService. Uploads are not records and make no
// events; they live at most UploadTTL.
type UploadService struct{ db *DB }

var _ homeward.UploadService = (*UploadService)(nil)

// NewUploadService returns the upload service of db.
func NewUploadService(db *DB) *UploadService { return &UploadService{db: db} }

// UploadTTL is how long an upload is kept: long enough to map the columns
// and correct a file, short enough that an abandoned spreadsheet of
// children, unmapped columns included, does not linger. An import deletes
// its upload at once; PurgeExpiredUploads deletes the rest.
const UploadTTL = time.Hour

// PurgeExpiredUploads deletes every upload older than UploadTTL and returns
// how many there were. It is run when an upload arrives and, by the server,
// every few minutes, so that expiry does not wait for the next import.
func (s *UploadService) PurgeExpiredUploads(ctx context.Context) (int64, error) {
	res, err := s.db.wdb.ExecContext(ctx, `DELETE FROM uploads WHERE created_at < $1`, s.db.tv(s.db.clock().Add(-UploadTTL)))
	if err != nil {
		return 0, fmt.Errorf("purge uploads: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// CreateUpload stores a spreadsheet for the actor, who must be allowed to
// write records (only they may import).
func (s *UploadService) CreateUpload(ctx context.Context, u *homeward.Upload) error {
	a := homeward.ActorFromContext(ctx)
	if err := canWrite(a); err != nil {
		return err
	}
	if u.Kind != homeward.EntityCase && u.Kind != homeward.EntityLocated {
		return homeward.FieldErrorf(homeward.EINVALID, "kind", "Unknown import kind %q.", u.Kind)
	}
	nu := *u
	if !a.System {
		nu.OrgID, nu.UserID = a.OrgID, a.UserID
	}
	nu.CreatedAt = s.db.clock()
	if _, err := s.PurgeExpiredUploads(ctx); err != nil {
		return err
	}
	// The file name is sealed with the content: a spreadsheet is often
	// named after the children or the institution in it.
	err := s.db.write(ctx, func(t *tx) error {
		if err := t.QueryRowContext(ctx, `INSERT INTO uploads (org_id, user_id, kind, filename, data, created_at) VALUES ($1, $2, $3, '', $4, $5) RETURNING id`,
			nu.OrgID, nu.UserID, nu.Kind, []byte{}, s.db.tv(nu.CreatedAt)).Scan(&nu.ID); err != nil {
			return fmt.Errorf("store upload: %w", err)
		}
		env, err := s.db.sealRow(ctx, t, "uploads", nu.ID, packFile(nu.Filename, nu.Data))
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `UPDATE uploads SET sealed = $1 WHERE id = $2`, env, nu.ID); err != nil {
			return fmt.Errorf("store upload: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*u = nu
	return nil
}

// FindUploadByID returns an unexpired upload of the actor; anyone else's is ENOTFOUND.
func (s *UploadService) FindUploadByID(ctx context.Context, id int64) (*homeward.Upload, error) {
	a := homeward.ActorFromContext(ctx)
	if err := signedIn(a); err != nil {
		return nil, err
	}
	var u homeward.Upload
	var sealed []byte
	err := s.db.db.QueryRowContext(ctx, `SELECT id, org_id, user_id, kind, filename, data, created_at, sealed FROM uploads WHERE id = $1 AND created_at >= $2`,
		id, s.db.tv(s.db.clock().Add(-UploadTTL))).Scan(&u.ID, &u.OrgID, &u.UserID, &u.Kind, &u.Filename, &u.Data, timeScan{&u.CreatedAt}, &sealed)
	if err != nil {
		return nil, scanErr(err, "upload", id)
	}
	// Checked before opening: another user's upload is not theirs to
	// decrypt, nor to learn that it opens.
	if !a.System && u.UserID != a.UserID {
		return nil, notFound("upload", id)
	}
	if len(sealed) > 0 {
		b, err := s.db.openRow(ctx, "uploads", u.ID, sealed)
		if err != nil {
			return nil, err
		}
		if u.Filename, u.Data, err = unpackFile(b); err != nil {
			return nil, fmt.Errorf("upload %d: %w", u.ID, err)
		}
	}
	return &u, nil
}

// DeleteUpload removes an upload of the actor.
func (s *UploadService) DeleteUpload(ctx context.Context, id int64) error {
	if _, err := s.FindUploadByID(ctx, id); err != nil {
		return err
	}
	if _, err := s.db.wdb.ExecContext(ctx, `DELETE FROM uploads WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete upload %d: %w", id, err)
	}
	return nil
}
