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

// entityAPIToken names API tokens in events.
const entityAPIToken = "api_token"

// tokenOwner returns the organisation of a user whose tokens the actor may
// manage: their own, or, for administrators, their organisation's users'.
func tokenOwner(ctx context.Context, q queryer, a homeward.Actor, userID int64) (int64, error) {
	var org int64
	if err := q.QueryRowContext(ctx, `SELECT org_id FROM users WHERE id = $1`, userID).Scan(&org); err != nil {
		return 0, scanErr(err, "user", userID)
	}
	switch {
	case mayManage(a, org), a.UserID == userID:
		return org, nil
	case a.OrgID == org:
		return 0, homeward.Errorf(homeward.EFORBIDDEN, "Only administrators may manage tokens of other users.")
	}
	return 0, notFound("user", userID)
}

// CreateAPIToken issues a bearer token acting as the user for ttl (0: the
// default). Users issue their own; administrators those of their
// organisation's users.
func (s *UserService) CreateAPIToken(ctx context.Context, userID int64, name string, ttl time.Duration) (string, error) {
	a := homeward.ActorFromContext(ctx)
	if err := signedIn(a); err != nil {
		return "", err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return "", homeward.FieldErrorf(homeward.EINVALID, "name", "A token name is required.")
	}
	if len([]rune(name)) > 100 {
		return "", homeward.FieldErrorf(homeward.EINVALID, "name", "A token name has at most 100 characters.")
	}
	if ttl == 0 {
		ttl = homeward.DefaultTokenTTL
	}
	if ttl < 0 || ttl > homeward.MaxTokenTTL {
		return "", homeward.FieldErrorf(homeward.EINVALID, "expires_in_days", "A token lives between 1 and %d days.", int(homeward.MaxTokenTTL/(24*time.Hour)))
	}
	token, hash, err := newToken()
	if err != nil {
		return "", err
	}
	err = s.db.write(ctx, func(t *tx) error {
		org, err := tokenOwner(ctx, t, a, userID)
		if err != nil {
			return err
		}
		expires := t.at.Add(ttl)
		var id int64
		if err := t.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			userID, name, hash, s.db.tv(t.at), s.db.tv(expires)).Scan(&id); err != nil {
			return fmt.Errorf("create API token: %w", err)
		}
		return t.appendEvent(ctx, entityAPIToken, id, homeward.ActionCreate, org,
			map[string]any{"user_id": userID, "name": name, "expires_at": expires})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// UserByAPIToken returns the enabled user a live bearer token acts as.
func (s *UserService) UserByAPIToken(ctx context.Context, token string) (*homeward.User, error) {
	now := s.db.clock()
	var id int64
	var used *time.Time
	u, err := scanUserAnd(s.db.db.QueryRowContext(ctx, `SELECT u.`+strings.ReplaceAll(userColumns, ", ", ", u.")+`, k.id, k.last_used_at
		FROM api_tokens k JOIN users u ON u.id = k.user_id
		WHERE k.token_hash = $1 AND k.expires_at > $2 AND NOT u.disabled`, tokenHash(token), s.db.tv(now)), &id, timePtrScan{&used})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, homeward.Errorf(homeward.EUNAUTHORIZED, "Unknown, expired or revoked API token.")
	} else if err != nil {
		return nil, fmt.Errorf("find API token: %w", err)
	}
	// Last use is kept to the minute, so that a busy client does not write
	// on every request.
	if used == nil || now.Sub(*used) >= seenGranularity {
		if _, err := s.db.wdb.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, s.db.tv(now), id); err != nil {
			return nil, fmt.Errorf("touch API token: %w", err)
		}
	}
	return u, nil
}

// FindAPITokens lists a user's live tokens, newest first.
func (s *UserService) FindAPITokens(ctx context.Context, userID int64) ([]*homeward.APIToken, error) {
	a := homeward.ActorFromContext(ctx)
	if err := signedIn(a); err != nil {
		return nil, err
	}
	if _, err := tokenOwner(ctx, s.db.db, a, userID); err != nil {
		return nil, err
	}
	rows, err := s.db.db.QueryContext(ctx, `SELECT id, user_id, name, created_at, expires_at, last_used_at FROM api_tokens
		WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC, id DESC`, userID, s.db.tv(s.db.clock()))
	if err != nil {
		return nil, fmt.Errorf("find API tokens: %w", err)
	}
	defer rows.Close()
	var ts []*homeward.APIToken
	for rows.Next() {
		var k homeward.APIToken
		if err := rows.Scan(&k.ID, &k.UserID, &k.Name, timeScan{&k.CreatedAt}, timeScan{&k.ExpiresAt}, timePtrScan{&k.LastUsedAt}); err != nil {
			return nil, fmt.Errorf("read API token: %w", err)
		}
		ts = append(ts, &k)
	}
	return ts, rows.Err()
}

// RevokeAPIToken deletes a token of the actor's, or, for administrators, of
// a user of their organisation.
func (s *UserService) RevokeAPIToken(ctx context.Context, id int64) error {
	a := homeward.ActorFromContext(ctx)
	if err := signedIn(a); err != nil {
		return err
	}
	return s.db.write(ctx, func(t *tx) error {
		var userID int64
		if err := t.QueryRowContext(ctx, `SELECT user_id FROM api_tokens WHERE id = $1`, id).Scan(&userID); err != nil {
			return scanErr(err, "API token", id)
		}
		org, err := tokenOwner(ctx, t, a, userID)
		if err != nil {
			if homeward.ErrorCode(err) == homeward.ENOTFOUND {
				return notFound("API token", id)
			}
			return err
		}
		if _, err := t.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = $1`, id); err != nil {
			return fmt.Errorf("revoke API token %d: %w", id, err)
		}
		return t.appendEvent(ctx, entityAPIToken, id, homeward.ActionRevoke, org, map[string]any{"user_id": userID})
	})
}
