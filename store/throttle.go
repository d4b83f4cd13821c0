package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
)

// Login throttling is per (login, client address) pair, so that failures
// from one place never lock the rightful user out from another. A pair has
// FreeLoginFailures attempts; after that each attempt must wait twice as
// long after the previous one as the last had to (1 s, 2 s, 4 s … up to
// MaxLoginDelay). Every attempt is counted, refused ones too, so hammering
// only lengthens the wait. A pair that stays quiet for LoginFailureWindow
// starts afresh, as does one that signs in.
const (
	FreeLoginFailures  = 5
	MaxLoginDelay      = 15 * time.Minute
	LoginFailureWindow = time.Hour
)

// loginDelay is how long after the previous attempt an attempt that brings
// a pair's count to n must come.
func loginDelay(n int) time.Duration {
	if n <= FreeLoginFailures {
		return 0
	}
	d := time.Second
	for i := FreeLoginFailures + 1; i < n && d < MaxLoginDelay; i++ {
		d *= 2
	}
	return min(d, MaxLoginDelay)
}

// throttleKey reduces a remote address to its host, and an IPv6 host to
// its /64, the block one subscriber holds: a client reconnecting from
// another port or another address of its own network is the same client.
func throttleKey(remoteAddr string) string {
	host := remoteAddr
	if h, _, err := net.SplitHostPort(remoteAddr); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// countAttempt counts an attempt of the pair in one statement, so that
// parallel attempts are each counted exactly once, and reports whether it
// may be checked. It returns how long to wait when not.
func (s *UserService) countAttempt(ctx context.Context, login, addr string, now time.Time) (time.Duration, error) {
	var n int
	var prev time.Time
	err := s.db.wdb.QueryRowContext(ctx, `INSERT INTO login_throttle (login, remote_addr, failures, last_at, prev_at) VALUES ($1, $2, 1, $3, $3)
		ON CONFLICT (login, remote_addr) DO UPDATE SET
			failures = CASE WHEN login_throttle.last_at < $4 THEN 1 ELSE login_throttle.failures + 1 END,
			prev_at = login_throttle.last_at,
			last_at = $3
		RETURNING failures, prev_at`, login, addr, s.db.tv(now), s.db.tv(now.Add(-LoginFailureWindow))).Scan(&n, timeScan{&prev})
	if err != nil {
		return 0, fmt.Errorf("count login attempt: %w", err)
	}
	if wait := prev.Add(loginDelay(n)).Sub(now); wait > 0 {
		return wait, nil
	}
	return 0, nil
}

// Authenticate checks login and password. Wrong pairs give EUNAUTHORIZED
// without saying which half was wrong; a (login, address) pair past its
// free attempts gets ETOOMANY without the password being checked until its
// delay has passed (see FreeLoginFailures). Success records a login event
// and clears the pair's count.
func (s *UserService) Authenticate(ctx context.Context, login, password, remoteAddr string) (*homeward.User, error) {
	return s.authenticate(ctx, login, password, "", remoteAddr, false)
}

// AuthenticateWithCode is Authenticate that also checks the one-time code
// of a user with a second factor, as the same counted attempt: a guessed
// code costs as much as a guessed password.
func (s *UserService) AuthenticateWithCode(ctx context.Context, login, password, code, remoteAddr string) (*homeward.User, error) {
	return s.authenticate(ctx, login, password, code, remoteAddr, true)
}

func (s *UserService) authenticate(ctx context.Context, login, password, code, remoteAddr string, second bool) (*homeward.User, error) {
	login = strings.TrimSpace(login)
	key := strings.ToLower(login)
	if len(key) > 200 {
		key = key[:200] // a key, not a login: no login is that long
	}
	addr := throttleKey(remoteAddr)
	now := s.db.clock()
	wait, err := s.countAttempt(ctx, key, addr, now)
	if err != nil {
		return nil, err
	}
	if wait > 0 {
		// The waits start at a second: "1 minutes" for a second would
		// send the user away for nothing.
		if wait < time.Minute {
			return nil, homeward.Errorf(homeward.ETOOMANY, "Too many failed sign-in attempts; try again in %d seconds.", int(math.Ceil(wait.Seconds())))
		}
		return nil, homeward.Errorf(homeward.ETOOMANY, "Too many failed sign-in attempts; try again in %d minutes.", int(math.Ceil(wait.Minutes())))
	}
	var hash, secret string
	var lastStep int64
	u, err := scanUserAnd(s.db.db.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash, totp_secret, totp_step FROM users WHERE lower(login) = lower($1)`, login),
		&hash, &secret, &lastStep)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("find user: %w", err)
	}
	if u == nil {
		checkPassword(dummyHash, password)
	}
	if u == nil || !checkPassword(hash, password) || u.Disabled {
		return nil, homeward.Errorf(homeward.EUNAUTHORIZED, "Wrong login or password.")
	}
	var step int64
	if second && secret != "" {
		var ok bool
		if step, ok = homeward.VerifyTOTP(secret, code, now, lastStep); !ok {
			return nil, homeward.FieldErrorf(homeward.EUNAUTHORIZED, "code", "Enter the current code from your authenticator app.")
		}
	}
	err = s.db.write(homeward.NewContextWithActor(ctx, homeward.ActorOf(u)), func(t *tx) error {
		if step != 0 {
			// Only one sign-in may use a step's code, even two at once.
			res, err := t.ExecContext(ctx, `UPDATE users SET totp_step = $1 WHERE id = $2 AND totp_step < $1`, step, u.ID)
			if err != nil {
				return fmt.Errorf("record the code's step: %w", err)
			}
			if k, _ := res.RowsAffected(); k == 0 {
				return homeward.FieldErrorf(homeward.EUNAUTHORIZED, "code", "Enter the current code from your authenticator app.")
			}
		}
		if _, err := t.ExecContext(ctx, `DELETE FROM login_throttle WHERE (login = $1 AND remote_addr = $2) OR last_at < $3`,
			key, addr, s.db.tv(now.Add(-LoginFailureWindow))); err != nil {
			return fmt.Errorf("clear login failures: %w", err)
		}
		return t.appendEvent(ctx, homeward.EntityUser, u.ID, homeward.ActionLogin, u.OrgID, nil)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
