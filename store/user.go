package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
)

// UserService manages users, passwords, sessions and API tokens; it
// implements homeward.UserService.
type UserService struct{ db *DB }

var _ homeward.UserService = (*UserService)(nil)

// NewUserService returns the user service of db.
func NewUserService(db *DB) *UserService { return &UserService{db: db} }

// Login throttling: this many failures within the window, for one login or
// from one address, refuse further attempts until the window has passed.
const (
	MaxLoginFailures   = 5
	LoginFailureWindow = 15 * time.Minute
	// DefaultSessionTTL is used when CreateSession is given no lifetime.
	DefaultSessionTTL = 12 * time.Hour
)

const userColumns = `id, org_id, login, display_name, role, locale, disabled, version, created_at, updated_at`

func scanUser(r rowScanner) (*homeward.User, error) {
	var u homeward.User
	if err := r.Scan(&u.ID, &u.OrgID, &u.Login, &u.DisplayName, &u.Role, &u.Locale, &u.Disabled, &u.Version,
		timeScan{&u.CreatedAt}, timeScan{&u.UpdatedAt}); err != nil {
		return nil, err
	}
	return &u, nil
}

// mayManage reports whether the actor administers users of org.
func mayManage(a homeward.Actor, org int64) bool {
	return a.System || (a.Role == homeward.RoleAdmin && a.OrgID == org && a.UserID != 0)
}

// FindUserByID returns a user of the actor's organisation (any user for the system).
func (s *UserService) FindUserByID(ctx context.Context, id int64) (*homeward.User, error) {
	a := homeward.ActorFromContext(ctx)
	if err := signedIn(a); err != nil {
		return nil, err
	}
	u, err := scanUser(s.db.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if err != nil {
		return nil, scanErr(err, "user", id)
	}
	if !a.System && u.OrgID != a.OrgID {
		return nil, notFound("user", id)
	}
	return u, nil
}

// FindUsers returns the users of the actor's organisation by login; the
// system sees every organisation's, or f.OrgID's.
func (s *UserService) FindUsers(ctx context.Context, f homeward.UserFilter) ([]*homeward.User, error) {
	a := homeward.ActorFromContext(ctx)
	if err := signedIn(a); err != nil {
		return nil, err
	}
	org := f.OrgID
	if !a.System {
		if org != 0 && org != a.OrgID {
			return nil, nil
		}
		org = a.OrgID
	}
	q, args := `SELECT `+userColumns+` FROM users`, []any{}
	if org != 0 {
		q, args = q+` WHERE org_id = $1`, append(args, org)
	}
	rows, err := s.db.db.QueryContext(ctx, q+` ORDER BY login`, args...)
	if err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	defer rows.Close()
	var us []*homeward.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("read user: %w", err)
		}
		us = append(us, u)
	}
	return us, rows.Err()
}

// CreateUser stores u with the password hashed with argon2id. Administrators
// create users in their own organisation (u.OrgID 0 means theirs); the
// system in any.
func (s *UserService) CreateUser(ctx context.Context, u *homeward.User, password string) error {
	a := homeward.ActorFromContext(ctx)
	if err := isAdmin(a); err != nil {
		return err
	}
	nu := *u
	if nu.OrgID == 0 && !a.System {
		nu.OrgID = a.OrgID
	}
	if !mayManage(a, nu.OrgID) {
		return homeward.Errorf(homeward.EFORBIDDEN, "Administrators may create users only in their own organisation.")
	}
	nu.Login = strings.TrimSpace(nu.Login)
	if err := nu.Validate(); err != nil {
		return err
	}
	if err := checkText(&nu); err != nil {
		return err
	}
	if err := homeward.ValidatePassword(password); err != nil {
		return err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	err = s.db.write(ctx, func(t *tx) error {
		var n int
		if err := t.QueryRowContext(ctx, `SELECT count(*) FROM orgs WHERE id = $1`, nu.OrgID).Scan(&n); err != nil {
			return fmt.Errorf("find organisation: %w", err)
		}
		if n == 0 {
			return homeward.FieldErrorf(homeward.EINVALID, "org_id", "No organisation with ID %d.", nu.OrgID)
		}
		nu.Version, nu.CreatedAt, nu.UpdatedAt = 1, t.at, t.at
		err := t.QueryRowContext(ctx, `INSERT INTO users (org_id, login, display_name, role, locale, disabled, password_hash, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			nu.OrgID, nu.Login, nu.DisplayName, string(nu.Role), nu.Locale, nu.Disabled, hash, nu.Version, s.db.tv(t.at), s.db.tv(t.at)).Scan(&nu.ID)
		if err != nil {
			if isUniqueViolation(err) {
				return homeward.FieldErrorf(homeward.ECONFLICT, "login", "The login %q is taken.", nu.Login)
			}
			return fmt.Errorf("insert user: %w", err)
		}
		ch, err := changes(nil, &nu)
		if err != nil {
			return err
		}
		return t.appendEvent(ctx, homeward.EntityUser, nu.ID, homeward.ActionCreate, nu.OrgID, ch)
	})
	if err != nil {
		return err
	}
	*u = nu
	return nil
}

// UpdateUser writes u if u.Version is current. Administrators change users
// of their organisation; any user may change their own display name and
// locale, but not their role, organisation or disabled flag.
func (s *UserService) UpdateUser(ctx context.Context, u *homeward.User) error {
	a := homeward.ActorFromContext(ctx)
	if err := signedIn(a); err != nil {
		return err
	}
	nu := *u
	nu.Login = strings.TrimSpace(nu.Login)
	if err := nu.Validate(); err != nil {
		return err
	}
	if err := checkText(&nu); err != nil {
		return err
	}
	err := s.db.write(ctx, func(t *tx) error {
		old, err := scanUser(t.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, u.ID))
		if err != nil {
			return scanErr(err, "user", u.ID)
		}
		switch {
		case mayManage(a, old.OrgID):
			if !a.System && nu.OrgID != old.OrgID {
				return homeward.FieldErrorf(homeward.EFORBIDDEN, "org_id", "Administrators may not move users to another organisation.")
			}
		case a.UserID == old.ID:
			if nu.Role != old.Role || nu.OrgID != old.OrgID || nu.Disabled != old.Disabled || nu.Login != old.Login {
				return homeward.Errorf(homeward.EFORBIDDEN, "Only an administrator may change your login, role, organisation or status.")
			}
		case a.OrgID == old.OrgID:
			return homeward.Errorf(homeward.EFORBIDDEN, "Only administrators may change other users.")
		default:
			return notFound("user", u.ID)
		}
		if old.Version != u.Version {
			return conflict("user")
		}
		nu.CreatedAt, nu.Version, nu.UpdatedAt = old.CreatedAt, old.Version+1, t.at
		res, err := t.ExecContext(ctx, `UPDATE users SET org_id = $1, login = $2, display_name = $3, role = $4, locale = $5, disabled = $6,
			version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9`,
			nu.OrgID, nu.Login, nu.DisplayName, string(nu.Role), nu.Locale, nu.Disabled, s.db.tv(t.at), u.ID, u.Version)
		if err != nil {
			if isUniqueViolation(err) {
				return homeward.FieldErrorf(homeward.ECONFLICT, "login", "The login %q is taken.", nu.Login)
			}
			return fmt.Errorf("update user %d: %w", u.ID, err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return conflict("user")
		}
		ch, err := changes(old, &nu)
		if err != nil {
			return err
		}
		return t.appendEvent(ctx, homeward.EntityUser, u.ID, homeward.ActionUpdate, old.OrgID, ch)
	})
	if err != nil {
		return err
	}
	*u = nu
	return nil
}

// SetPassword replaces a user's password. Users set their own;
// administrators those of their organisation's users.
func (s *UserService) SetPassword(ctx context.Context, userID int64, password string) error {
	a := homeward.ActorFromContext(ctx)
	if err := signedIn(a); err != nil {
		return err
	}
	if err := homeward.ValidatePassword(password); err != nil {
		return err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	return s.db.write(ctx, func(t *tx) error {
		var org int64
		if err := t.QueryRowContext(ctx, `SELECT org_id FROM users WHERE id = $1`, userID).Scan(&org); err != nil {
			return scanErr(err, "user", userID)
		}
		switch {
		case mayManage(a, org), a.UserID == userID:
		case a.OrgID == org:
			return homeward.Errorf(homeward.EFORBIDDEN, "Only administrators may set other users' passwords.")
		default:
			return notFound("user", userID)
		}
		if _, err := t.ExecContext(ctx, `UPDATE users SET password_hash = $1, version = version + 1, updated_at = $2 WHERE id = $3`,
			hash, s.db.tv(t.at), userID); err != nil {
			return fmt.Errorf("set password of user %d: %w", userID, err)
		}
		return t.appendEvent(ctx, homeward.EntityUser, userID, homeward.ActionUpdate, org, []homeward.Change{{Field: "password"}})
	})
}

// throttleKey reduces a remote address to its host: a client reconnecting
// from another port is the same client.
func throttleKey(remoteAddr string) string {
	if host, _, err := net.SplitHostPort(remoteAddr); err == nil {
		return host
	}
	return remoteAddr
}

// Authenticate checks login and password. Wrong pairs give EUNAUTHORIZED
// without saying which half was wrong; after MaxLoginFailures failures within
// LoginFailureWindow for the login or the address it gives ETOOMANY without
// checking the password. Success records a login event.
func (s *UserService) Authenticate(ctx context.Context, login, password, remoteAddr string) (*homeward.User, error) {
	login = strings.TrimSpace(login)
	key := strings.ToLower(login) // the throttling key
	addr := throttleKey(remoteAddr)
	now := s.db.clock()
	since := s.db.tv(now.Add(-LoginFailureWindow))
	var byLogin, byAddr int
	if err := s.db.db.QueryRowContext(ctx, `SELECT count(*) FROM login_failures WHERE login = $1 AND at >= $2`, key, since).Scan(&byLogin); err != nil {
		return nil, fmt.Errorf("count login failures: %w", err)
	}
	if addr != "" {
		if err := s.db.db.QueryRowContext(ctx, `SELECT count(*) FROM login_failures WHERE remote_addr = $1 AND at >= $2`, addr, since).Scan(&byAddr); err != nil {
			return nil, fmt.Errorf("count login failures: %w", err)
		}
	}
	if byLogin >= MaxLoginFailures || byAddr >= MaxLoginFailures {
		return nil, homeward.Errorf(homeward.ETOOMANY, "Too many failed sign-in attempts; try again in %d minutes.", int(LoginFailureWindow/time.Minute))
	}
	var hash string
	u, err := scanUserWithHash(s.db.db.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE lower(login) = lower($1)`, login), &hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("find user: %w", err)
	}
	if u == nil {
		checkPassword(dummyHash, password)
	}
	if u == nil || !checkPassword(hash, password) || u.Disabled {
		if _, err := s.db.wdb.ExecContext(ctx, `INSERT INTO login_failures (login, remote_addr, at) VALUES ($1, $2, $3)`, key, addr, s.db.tv(now)); err != nil {
			return nil, fmt.Errorf("record login failure: %w", err)
		}
		return nil, homeward.Errorf(homeward.EUNAUTHORIZED, "Wrong login or password.")
	}
	err = s.db.write(homeward.NewContextWithActor(ctx, homeward.ActorOf(u)), func(t *tx) error {
		if _, err := t.ExecContext(ctx, `DELETE FROM login_failures WHERE login = $1 OR at < $2`, key, since); err != nil {
			return fmt.Errorf("clear login failures: %w", err)
		}
		return t.appendEvent(ctx, homeward.EntityUser, u.ID, homeward.ActionLogin, u.OrgID, nil)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

func scanUserWithHash(r *sql.Row, hash *string) (*homeward.User, error) {
	var u homeward.User
	if err := r.Scan(&u.ID, &u.OrgID, &u.Login, &u.DisplayName, &u.Role, &u.Locale, &u.Disabled, &u.Version,
		timeScan{&u.CreatedAt}, timeScan{&u.UpdatedAt}, hash); err != nil {
		return nil, err
	}
	return &u, nil
}

// CreateSession starts a session for a user who has just authenticated and
// returns its secret; only the secret's hash is stored.
func (s *UserService) CreateSession(ctx context.Context, userID int64, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	token, hash, err := newToken()
	if err != nil {
		return "", err
	}
	now := s.db.clock()
	if _, err := s.db.wdb.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < $1`, s.db.tv(now)); err != nil {
		return "", fmt.Errorf("purge sessions: %w", err)
	}
	if _, err := s.db.wdb.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		hash, userID, s.db.tv(now), s.db.tv(now.Add(ttl))); err != nil {
		return "", fmt.Errorf("create session for user %d: %w", userID, err)
	}
	return token, nil
}

var errBadSession = homeward.Errorf(homeward.EUNAUTHORIZED, "Your session has ended; sign in again.")

// UserBySession returns the user of a live session of an enabled user.
func (s *UserService) UserBySession(ctx context.Context, token string) (*homeward.User, error) {
	u, err := scanUser(s.db.db.QueryRowContext(ctx, `SELECT u.`+strings.ReplaceAll(userColumns, ", ", ", u.")+`
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled`, tokenHash(token), s.db.tv(s.db.clock())))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errBadSession
	} else if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	return u, nil
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

// entityAPIToken names API tokens in events.
const entityAPIToken = "api_token"

// CreateAPIToken issues a bearer token acting as the user. Users issue their
// own; administrators those of their organisation's users.
func (s *UserService) CreateAPIToken(ctx context.Context, userID int64, name string) (string, error) {
	a := homeward.ActorFromContext(ctx)
	if err := signedIn(a); err != nil {
		return "", err
	}
	token, hash, err := newToken()
	if err != nil {
		return "", err
	}
	err = s.db.write(ctx, func(t *tx) error {
		var org int64
		if err := t.QueryRowContext(ctx, `SELECT org_id FROM users WHERE id = $1`, userID).Scan(&org); err != nil {
			return scanErr(err, "user", userID)
		}
		switch {
		case mayManage(a, org), a.UserID == userID:
		case a.OrgID == org:
			return homeward.Errorf(homeward.EFORBIDDEN, "Only administrators may issue tokens for other users.")
		default:
			return notFound("user", userID)
		}
		var id int64
		if err := t.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			userID, name, hash, s.db.tv(t.at)).Scan(&id); err != nil {
			return fmt.Errorf("create API token: %w", err)
		}
		return t.appendEvent(ctx, entityAPIToken, id, homeward.ActionCreate, org, map[string]any{"user_id": userID, "name": name})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// UserByAPIToken returns the enabled user a bearer token acts as.
func (s *UserService) UserByAPIToken(ctx context.Context, token string) (*homeward.User, error) {
	u, err := scanUser(s.db.db.QueryRowContext(ctx, `SELECT u.`+strings.ReplaceAll(userColumns, ", ", ", u.")+`
		FROM api_tokens k JOIN users u ON u.id = k.user_id
		WHERE k.token_hash = $1 AND NOT u.disabled`, tokenHash(token)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, homeward.Errorf(homeward.EUNAUTHORIZED, "Unknown API token.")
	} else if err != nil {
		return nil, fmt.Errorf("find API token: %w", err)
	}
	return u, nil
}
