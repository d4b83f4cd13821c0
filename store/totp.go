package store

import (
	"context"
	"fmt"

	"github.com/homeward-project/homeward"
)

// EnableTOTP stores a user's second-factor secret once code proves their
// app holds it. Only users turn on their own: an administrator does not
// hold the user's phone. The event says that it was turned on, never the
// secret.
func (s *UserService) EnableTOTP(ctx context.Context, userID int64, secret, code string) error {
	a := homeward.ActorFromContext(ctx)
	if err := signedIn(a); err != nil {
		return err
	}
	if a.UserID != userID {
		return homeward.Errorf(homeward.EFORBIDDEN, "Users turn on their own second factor.")
	}
	if len(secret) < 16 || len(secret) > 64 {
		return homeward.FieldErrorf(homeward.EINVALID, "code", "The code does not match: check the time on your phone and enter the current code.")
	}
	return s.db.write(ctx, func(t *tx) error {
		var org int64
		var had bool
		if err := t.QueryRowContext(ctx, `SELECT org_id, totp_secret <> '' FROM users WHERE id = $1`, userID).Scan(&org, &had); err != nil {
			return scanErr(err, "user", userID)
		}
		step, ok := homeward.VerifyTOTP(secret, code, t.at, 0)
		if !ok {
			return homeward.FieldErrorf(homeward.EINVALID, "code", "The code does not match: check the time on your phone and enter the current code.")
		}
		if _, err := t.ExecContext(ctx, `UPDATE users SET totp_secret = $1, totp_step = $2, version = version + 1, updated_at = $3 WHERE id = $4`,
			secret, step, s.db.tv(t.at), userID); err != nil {
			return fmt.Errorf("turn on the second factor of user %d: %w", userID, err)
		}
		return t.appendEvent(ctx, homeward.EntityUser, userID, homeward.ActionUpdate, org, []homeward.Change{{Field: "totp", Old: had, New: true}})
	})
}

// DisableTOTP removes a user's second factor: the user's own, or, for an
// administrator, one of their organisation's users' (a lost phone).
func (s *UserService) DisableTOTP(ctx context.Context, userID int64) error {
	a := homeward.ActorFromContext(ctx)
	if err := signedIn(a); err != nil {
		return err
	}
	return s.db.write(ctx, func(t *tx) error {
		var org int64
		var had bool
		if err := t.QueryRowContext(ctx, `SELECT org_id, totp_secret <> '' FROM users WHERE id = $1`, userID).Scan(&org, &had); err != nil {
			return scanErr(err, "user", userID)
		}
		switch {
		case mayManage(a, org), a.UserID == userID:
		case a.OrgID == org:
			return homeward.Errorf(homeward.EFORBIDDEN, "Only administrators may turn off other users' second factor.")
		default:
			return notFound("user", userID)
		}
		if !had {
			return nil
		}
		if _, err := t.ExecContext(ctx, `UPDATE users SET totp_secret = '', totp_step = 0, version = version + 1, updated_at = $1 WHERE id = $2`,
			s.db.tv(t.at), userID); err != nil {
			return fmt.Errorf("turn off the second factor of user %d: %w", userID, err)
		}
		return t.appendEvent(ctx, homeward.EntityUser, userID, homeward.ActionUpdate, org, []homeward.Change{{Field: "totp", Old: true, New: false}})
	})
}
