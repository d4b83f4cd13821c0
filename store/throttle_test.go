package store

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
)

func TestThrottlingDoesNotLockOutTheUserFromElsewhere(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		clock := setClock(db, time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC))
		users := NewUserService(db)
		createUser(t, db, w.sys, w.orgA, "admin", homeward.RoleAdmin)
		createUser(t, db, w.sys, w.orgA, "other", homeward.RoleCaseworker)
		ctx := context.Background()
		const attacker, victim = "198.51.100.7:4000", "192.0.2.10:5000"

		for range FreeLoginFailures {
			_, err := users.Authenticate(ctx, "admin", "wrong password", attacker)
			wantCode(t, err, homeward.EUNAUTHORIZED)
		}
		_, err := users.Authenticate(ctx, "admin", testPassword, attacker)
		wantCode(t, err, homeward.ETOOMANY)
		// The attacker's address may still sign in to another login, and the
		// rightful user from their own.
		_, err = users.Authenticate(ctx, "other", testPassword, "198.51.100.7:4001")
		mustNil(t, err)
		_, err = users.Authenticate(ctx, "admin", testPassword, victim)
		mustNil(t, err)
		// Another address in the attacker's IPv6 /64 is the same client.
		for range FreeLoginFailures {
			_, err := users.Authenticate(ctx, "other", "wrong password", "[2001:db8:1:2::1]:1")
			wantCode(t, err, homeward.EUNAUTHORIZED)
		}
		_, err = users.Authenticate(ctx, "other", testPassword, "[2001:db8:1:2::ffff]:1")
		wantCode(t, err, homeward.ETOOMANY)

		// The delay grows and every attempt counts, refused ones too: the
		// refused sixth attempt makes the seventh wait 2 s, the eighth 4 s,
		// the ninth 8 s.
		clock.advance(2 * time.Second)
		_, err = users.Authenticate(ctx, "admin", "wrong password", attacker)
		wantCode(t, err, homeward.EUNAUTHORIZED)
		clock.advance(2 * time.Second)
		_, err = users.Authenticate(ctx, "admin", testPassword, attacker)
		wantCode(t, err, homeward.ETOOMANY)
		clock.advance(8 * time.Second)
		_, err = users.Authenticate(ctx, "admin", testPassword, attacker)
		mustNil(t, err)
		// Success starts the pair afresh.
		_, err = users.Authenticate(ctx, "admin", "wrong password", attacker)
		wantCode(t, err, homeward.EUNAUTHORIZED)
		_, err = users.Authenticate(ctx, "admin", testPassword, attacker)
		mustNil(t, err)
	})
}

func TestLoginDelayGrowsToItsCap(t *testing.T) {
	tests := []struct {
		n    int
		want time.Duration
	}{
		{1, 0}, {FreeLoginFailures, 0}, {FreeLoginFailures + 1, time.Second}, {FreeLoginFailures + 2, 2 * time.Second},
		{FreeLoginFailures + 5, 16 * time.Second}, {FreeLoginFailures + 11, MaxLoginDelay}, {1 << 30, MaxLoginDelay},
	}
	for _, tt := range tests {
		if got := loginDelay(tt.n); got != tt.want {
			t.Errorf("loginDelay(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
}

func TestParallelGuessesAreCountedExactly(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		setClock(db, time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC))
		users := NewUserService(db)
		createUser(t, db, w.sys, w.orgA, "admin", homeward.RoleAdmin)
		const guesses = 100
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[string]int{}
		for i := range guesses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := users.Authenticate(context.Background(), "admin", "guess "+string(rune('a'+i%26)), "198.51.100.7:1")
				mu.Lock()
				codes[homeward.ErrorCode(err)]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if codes[homeward.EUNAUTHORIZED] != FreeLoginFailures || codes[homeward.ETOOMANY] != guesses-FreeLoginFailures {
			t.Errorf("outcomes of %d parallel guesses: %v; want %d checked and the rest refused", guesses, codes, FreeLoginFailures)
		}
		var n int
		mustNil(t, db.db.QueryRow(`SELECT failures FROM login_throttle WHERE login = 'admin'`).Scan(&n))
		if n != guesses {
			t.Errorf("%d attempts counted, want %d", n, guesses)
		}
	})
}
