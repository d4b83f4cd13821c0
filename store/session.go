package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
)

// seenGranularity is how stale a session's last_seen_at may grow before a
// request writes it again: the idle timeout needs minutes, not every request.
const seenGranularity = time.Minute

// endCredentials deletes every session and API token of a user, in the
// transaction that changed the password or disabled the account, so that
// nothing issued before survives it; re-enabling the user later revives
// nothing. The event says how many ended and why, never which secrets.
func (t *tx) endCredentials(ctx context.Context, userID, org int64, reason string) error {
	res, err := t.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	if err != nil {
		return fmt.Errorf("end sessions of user %d: %w", userID, err)
	}
	sessions, _ := res.RowsAffected()
	res, err = t.ExecContext(ctx, `DELETE FROM api_tokens WHERE user_id = $1`, userID)
	if err != nil {
		return fmt.Errorf("revoke tokens of user %d: %w", userID, err)
	}
	tokens, _ := res.RowsAffected()
	if sessions == 0 && tokens == 0 {
		return nil
	}
	return t.appendEvent(ctx, homeward.EntityUser, userID, homeward.ActionRevoke, org,
		map[string]any{"reason": reason, "sessions": sessions, "tokens": tokens})
}

// CreateSession starts a session for a user who has just authenticated and
// returns its secret; only the secret's hash is stored.
func (s *UserService) CreateSession(ctx context.Context, u *homeward.User, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	token, hash, err := newToken()
	if err != nil {
		return "", err
	}
	now := s.db.clock()
	if _, err := s.db.wdb.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2`,
		s.db.tv(now), s.db.tv(now.Add(-s.idle()))); err != nil {
		return "", fmt.Errorf("purge sessions: %w", err)
	}
	// The user must still be enabled, and unchanged since the password was
	// checked, as the row is written: a session created while an
	// administrator disables the user would come back to life when the user
	// is enabled again, and one whose password check raced a password change
	// would outlive the change that was to end it. Every change of a user
	// moves its version.
	res, err := s.db.wdb.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at)
		SELECT $1, id, $3, $4, $3 FROM users WHERE id = $2 AND NOT disabled AND version = $5`,
		hash, u.ID, s.db.tv(now), s.db.tv(now.Add(ttl)), u.Version)
	if err != nil {
		return "", fmt.Errorf("create session for user %d: %w", u.ID, err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return "", errBadSession
	}
	return token, nil
}

func (s *UserService) idle() time.Duration {
	if s.IdleTimeout > 0 {
		return s.IdleTimeout
	}
	return DefaultSessionIdle
}

var errBadSession = homeward.Errorf(homeward.EUNAUTHORIZED, "Your session has ended; sign in again.")

// UserBySession returns the user of a live session of an enabled user: one
// neither past its absolute expiry nor idle for longer than the idle
// timeout. Using a session keeps it alive.
func (s *UserService) UserBySession(ctx context.Context, token string) (*homeward.User, error) {
	now := s.db.clock()
	hash := tokenHash(token)
	var seen time.Time
	u, err := scanUserAnd(s.db.db.QueryRowContext(ctx, `SELECT u.`+strings.ReplaceAll(userColumns, ", ", ", u.")+`, s.last_seen_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND NOT u.disabled`,
		hash, s.db.tv(now), s.db.tv(now.Add(-s.idle()))), timeScan{&seen})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errBadSession
	} else if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	if now.Sub(seen) >= seenGranularity {
		if _, err := s.db.wdb.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2`, s.db.tv(now), hash); err != nil {
			return nil, fmt.Errorf("touch session: %w", err)
		}
	}
	return u, nil
}

// scanUserAnd scans a user's columns followed by more.
func scanUserAnd(r rowScanner, more ...any) (*homeward.User, error) {
	var u homeward.User
	dest := append([]any{&u.ID, &u.OrgID, &u.Login, &u.DisplayName, &u.Role, &u.Locale, &u.Disabled, &u.Version,
		timeScan{&u.CreatedAt}, timeScan{&u.UpdatedAt}, &u.TOTP}, more...)
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	return &u, nil
}

// DeleteSession ends a session and records the logout. Ending an unknown or
// ended session is not an error.
func (s *UserService) DeleteSession(ctx context.Context, token string) error {
	hash := tokenHash(token)
	var userID, org int64
	err := s.db.db.QueryRowContext(ctx, `SELECT s.user_id, u.org_id FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1`, hash).Scan(&userID, &org)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("find session: %w", err)
	}
	actor := homeward.Actor{UserID: userID, OrgID: org}
	return s.db.write(homeward.NewContextWithActor(ctx, actor), func(t *tx) error {
		res, err := t.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hash)
		if err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return nil // ended meanwhile by another request
		}
		return t.appendEvent(ctx, homeward.EntityUser, userID, homeward.ActionLogout, org, nil)
	})
}
