package homeward

import (
	"context"
	"time"
)

// Role is what a user may do. Roles are not a ladder except where Rank says so.
type Role string

const (
	RoleAdmin      Role = "admin"      // manages users and organisations; sees everything of its organisation
	RoleSupervisor Role = "supervisor" // confirms identities and decides
	RoleCaseworker Role = "caseworker" // registers and traces
	RoleAnalyst    Role = "analyst"    // aggregate figures only, never a child's record
	RoleLiaison    Role = "liaison"    // prepares lists for a mediator
)

// Roles lists every role in display order.
var Roles = []Role{RoleAdmin, RoleSupervisor, RoleCaseworker, RoleAnalyst, RoleLiaison}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, v := range Roles {
		if r == v {
			return true
		}
	}
	return false
}

// CanReadRecords reports whether the role may see individual children's records.
func (r Role) CanReadRecords() bool {
	return r == RoleAdmin || r == RoleSupervisor || r == RoleCaseworker || r == RoleLiaison
}

// CanWriteRecords reports whether the role may create and edit cases and located records.
func (r Role) CanWriteRecords() bool {
	return r == RoleAdmin || r == RoleSupervisor || r == RoleCaseworker
}

// CanExchange reports whether the role may build and send return lists,
// open bundles and answer the other side's lists.
func (r Role) CanExchange() bool {
	return r == RoleAdmin || r == RoleSupervisor || r == RoleLiaison
}

// IsSupervisorRank reports whether the role may take supervisor decisions
// (confirm a match, approve a verification).
func (r Role) IsSupervisorRank() bool {
	return r == RoleAdmin || r == RoleSupervisor
}

// User is a person who signs in to Homeward. The password hash never leaves the store.
type User struct {
	ID          int64     `json:"id"`
	OrgID       int64     `json:"org_id"`
	Login       string    `json:"login"`
	DisplayName string    `json:"display_name"`
	Role        Role      `json:"role"`
	Locale      string    `json:"locale,omitempty"` // "uk" or "en"; empty follows the browser
	Disabled    bool      `json:"disabled"`
	TOTP        bool      `json:"totp"` // signs in with a one-time code as well
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Validate checks a user before it is stored.
func (u *User) Validate() error {
	if u.Login == "" {
		return FieldErrorf(EINVALID, "login", "Login is required.")
	}
	if len(u.Login) > 100 {
		return FieldErrorf(EINVALID, "login", "Login is longer than 100 characters.")
	}
	if err := checkLength("display_name", u.DisplayName, MaxNameLength); err != nil {
		return err
	}
	if u.OrgID == 0 {
		return FieldErrorf(EINVALID, "org_id", "Organisation is required.")
	}
	if !u.Role.Valid() {
		return FieldErrorf(EINVALID, "role", "Unknown role %q.", u.Role)
	}
	return nil
}

// UserFilter selects users.
type UserFilter struct {
	OrgID int64 // 0: all organisations the caller may see
}

// UserService manages users, passwords, sessions and API tokens.
type UserService interface {
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUsers(ctx context.Context, f UserFilter) ([]*User, error)
	// CreateUser stores u with the given password (hashed with argon2id).
	CreateUser(ctx context.Context, u *User, password string) error
	UpdateUser(ctx context.Context, u *User) error
	SetPassword(ctx context.Context, userID int64, password string) error

	// Authenticate checks a login and password and returns the user. It fails
	// with EUNAUTHORIZED for a wrong pair and ETOOMANY when throttled.
	Authenticate(ctx context.Context, login, password, remoteAddr string) (*User, error)
	// AuthenticateWithCode is Authenticate for signing in: a user with a
	// second factor must also give the current one-time code (see
	// VerifyTOTP), under the same throttling.
	AuthenticateWithCode(ctx context.Context, login, password, code, remoteAddr string) (*User, error)
	// EnableTOTP turns on the user's second factor with secret, once code
	// shows that their authenticator app holds it. Users turn on their own.
	EnableTOTP(ctx context.Context, userID int64, secret, code string) error
	// DisableTOTP turns the second factor off: users their own,
	// administrators their organisation's users' (a lost phone).
	DisableTOTP(ctx context.Context, userID int64) error
	// CreateSession starts a session and returns its secret token.
	// u is the user as Authenticate returned it: a session is refused when
	// the user changed meanwhile (a new password, disabled), so that a
	// sign-in racing a password change cannot outlive it.
	CreateSession(ctx context.Context, u *User, ttl time.Duration) (token string, err error)
	// UserBySession resolves a session token; expired or unknown tokens give EUNAUTHORIZED.
	UserBySession(ctx context.Context, token string) (*User, error)
	DeleteSession(ctx context.Context, token string) error

	// CreateAPIToken issues a bearer token for machine clients acting as the
	// user, valid for ttl (0: DefaultTokenTTL; at most MaxTokenTTL).
	CreateAPIToken(ctx context.Context, userID int64, name string, ttl time.Duration) (token string, err error)
	// UserByAPIToken resolves a live token; expired, revoked or unknown
	// tokens give EUNAUTHORIZED.
	UserByAPIToken(ctx context.Context, token string) (*User, error)
	// FindAPITokens lists the live tokens of a user, never their secrets.
	FindAPITokens(ctx context.Context, userID int64) ([]*APIToken, error)
	// RevokeAPIToken ends a token at once.
	RevokeAPIToken(ctx context.Context, id int64) error
}

// ActionRevoke is the event of ending sessions or tokens before their time.
const ActionRevoke = "revoke"

// Token lifetimes: a token that is forgotten in a script stops working by
// itself, and none lives longer than a year.
const (
	DefaultTokenTTL = 90 * 24 * time.Hour
	MaxTokenTTL     = 366 * 24 * time.Hour
)

// APIToken describes a bearer token; its secret is shown once, at creation,
// and only its hash is stored.
type APIToken struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}
