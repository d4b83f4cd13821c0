package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
)

// UserService manages users, passwords, sessions and API tokens; it
// implements homeward.UserService.
type UserService struct {
	db *DB
	// IdleTimeout ends a session that served no request for this long;
	// 0 means DefaultSessionIdle. Set it before the service is used.
	IdleTimeout time.Duration
}

var _ homeward.UserService = (*UserService)(nil)

// NewUserService returns the user service of db.
func NewUserService(db *DB) *UserService { return &UserService{db: db} }

// DefaultSessionTTL is used when CreateSession is given no lifetime;
// DefaultSessionIdle ends a session unused for that long.
const (
	DefaultSessionTTL  = 12 * time.Hour
	DefaultSessionIdle = 30 * time.Minute
)

// The last column says whether the user has a second factor; the secret
// itself is read only where a code is checked.
const userColumns = `id, org_id, login, display_name, role, locale, disabled, version, created_at, updated_at, totp_secret <> ''`

func scanUser(r rowScanner) (*homeward.User, error) {
	var u homeward.User
	if err := r.Scan(&u.ID, &u.OrgID, &u.Login, &u.DisplayName, &u.Role, &u.Locale, &u.Disabled, &u.Version,
		timeScan{&u.CreatedAt}, timeScan{&u.UpdatedAt}, &u.TOTP); err != nil {
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
	if err := homeward.ValidatePassword(password, nu.Login, nu.DisplayName); err != nil {
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
		if err := t.appendEvent(ctx, homeward.EntityUser, u.ID, homeward.ActionUpdate, old.OrgID, ch); err != nil {
			return err
		}
		if nu.Disabled && !old.Disabled {
			return t.endCredentials(ctx, u.ID, old.OrgID, "disabled")
		}
		return nil
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
	// The rules need the user's login and name; who may set the password
	// is checked first, so that they say nothing of other organisations'
	// users, and again in the transaction.
	var login, name string
	var org int64
	if err := s.db.db.QueryRowContext(ctx, `SELECT login, display_name, org_id FROM users WHERE id = $1`, userID).Scan(&login, &name, &org); err != nil {
		return scanErr(err, "user", userID)
	}
	switch {
	case mayManage(a, org), a.UserID == userID:
	case a.OrgID == org:
		return homeward.Errorf(homeward.EFORBIDDEN, "Only administrators may set other users' passwords.")
	default:
		return notFound("user", userID)
	}
	if err := homeward.ValidatePassword(password, login, name); err != nil {
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
		if err := t.appendEvent(ctx, homeward.EntityUser, userID, homeward.ActionUpdate, org, []homeward.Change{{Field: "password"}}); err != nil {
			return err
		}
		return t.endCredentials(ctx, userID, org, "password")
	})
}
