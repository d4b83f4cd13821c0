package store

import (
	"context"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
)

func TestCredentialsEndOnPasswordChangeResetAndDisable(t *testing.T) {
	tests := []struct {
		name   string
		action func(t *testing.T, users *UserService, admin, self context.Context, u *homeward.User)
	}{
		{"own password change", func(t *testing.T, users *UserService, _, self context.Context, u *homeward.User) {
			mustNil(t, users.SetPassword(self, u.ID, "a new and long passphrase"))
		}},
		{"administrator's reset", func(t *testing.T, users *UserService, admin, _ context.Context, u *homeward.User) {
			mustNil(t, users.SetPassword(admin, u.ID, "a reset and long passphrase"))
		}},
		{"disable", func(t *testing.T, users *UserService, admin, _ context.Context, u *homeward.User) {
			u.Disabled = true
			mustNil(t, users.UpdateUser(admin, u))
		}},
		{"disable and enable again", func(t *testing.T, users *UserService, admin, _ context.Context, u *homeward.User) {
			u.Disabled = true
			mustNil(t, users.UpdateUser(admin, u))
			u.Disabled = false
			mustNil(t, users.UpdateUser(admin, u))
		}},
	}
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		users := NewUserService(db)
		adminU := createUser(t, db, w.sys, w.orgA, "admin.a", homeward.RoleAdmin)
		admin := homeward.NewContextWithActor(context.Background(), homeward.ActorOf(adminU))
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				u := createUser(t, db, w.sys, w.orgA, "user"+string(rune('a'+i)), homeward.RoleSupervisor)
				self := homeward.NewContextWithActor(context.Background(), homeward.ActorOf(u))
				session, err := users.CreateSession(context.Background(), u, 0)
				mustNil(t, err)
				token, err := users.CreateAPIToken(self, u.ID, "script", 0)
				mustNil(t, err)
				before := eventCount(t, db)

				tt.action(t, users, admin, self, u)

				if _, err := users.UserBySession(context.Background(), session); homeward.ErrorCode(err) != homeward.EUNAUTHORIZED {
					t.Errorf("session still valid after %s: %v", tt.name, err)
				}
				if _, err := users.UserByAPIToken(context.Background(), token); homeward.ErrorCode(err) != homeward.EUNAUTHORIZED {
					t.Errorf("API token still valid after %s: %v", tt.name, err)
				}
				evs, err := NewEventService(db).FindEvents(w.sys, homeward.EventFilter{EntityType: homeward.EntityUser, EntityID: u.ID})
				mustNil(t, err)
				revoked := 0
				for _, ev := range evs {
					if ev.Action == homeward.ActionRevoke && ev.ID > before {
						revoked++
					}
				}
				if revoked != 1 {
					t.Errorf("%d revoke events for %s, want 1", revoked, tt.name)
				}
			})
		}
	})
}

func TestSessionsEndWhenIdle(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		clock := setClock(db, time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC))
		users := NewUserService(db)
		users.IdleTimeout = 20 * time.Minute
		u := createUser(t, db, w.sys, w.orgA, "idle", homeward.RoleCaseworker)
		ctx := context.Background()
		token, err := users.CreateSession(ctx, u, 12*time.Hour)
		mustNil(t, err)
		// Used every 15 minutes, the session lives on past the idle timeout.
		for range 4 {
			clock.advance(15 * time.Minute)
			_, err := users.UserBySession(ctx, token)
			mustNil(t, err)
		}
		clock.advance(21 * time.Minute)
		_, err = users.UserBySession(ctx, token)
		wantCode(t, err, homeward.EUNAUTHORIZED)
	})
}

func TestAPITokensExpireAndCanBeListedAndRevoked(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		clock := setClock(db, time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC))
		users := NewUserService(db)
		u := createUser(t, db, w.sys, w.orgA, "robot", homeward.RoleCaseworker)
		other := createUser(t, db, w.sys, w.orgA, "colleague", homeward.RoleCaseworker)
		adminU := createUser(t, db, w.sys, w.orgA, "admin.a", homeward.RoleAdmin)
		self := homeward.NewContextWithActor(context.Background(), homeward.ActorOf(u))
		asOther := homeward.NewContextWithActor(context.Background(), homeward.ActorOf(other))
		admin := homeward.NewContextWithActor(context.Background(), homeward.ActorOf(adminU))
		ctx := context.Background()

		short, err := users.CreateAPIToken(self, u.ID, "short", 24*time.Hour)
		mustNil(t, err)
		long, err := users.CreateAPIToken(self, u.ID, "default", 0)
		mustNil(t, err)
		_, err = users.CreateAPIToken(self, u.ID, "too long", homeward.MaxTokenTTL+time.Hour)
		wantCode(t, err, homeward.EINVALID)

		_, err = users.UserByAPIToken(ctx, short)
		mustNil(t, err)
		ts, err := users.FindAPITokens(self, u.ID)
		mustNil(t, err)
		if len(ts) != 2 || ts[0].Name != "default" || !ts[0].ExpiresAt.Equal(clock.now().Add(homeward.DefaultTokenTTL)) {
			t.Fatalf("tokens listed: %+v", ts)
		}
		if ts[1].LastUsedAt == nil {
			t.Errorf("the used token has no last use")
		}
		_, err = users.FindAPITokens(asOther, u.ID)
		wantCode(t, err, homeward.EFORBIDDEN)

		clock.advance(24*time.Hour + time.Second)
		_, err = users.UserByAPIToken(ctx, short)
		wantCode(t, err, homeward.EUNAUTHORIZED)
		ts, err = users.FindAPITokens(self, u.ID)
		mustNil(t, err)
		if len(ts) != 1 {
			t.Fatalf("%d tokens listed after one expired, want 1", len(ts))
		}

		wantCode(t, users.RevokeAPIToken(asOther, ts[0].ID), homeward.EFORBIDDEN)
		before := eventCount(t, db)
		mustNil(t, users.RevokeAPIToken(admin, ts[0].ID))
		if n := eventCount(t, db) - before; n != 1 {
			t.Errorf("revoking appended %d events, want 1", n)
		}
		_, err = users.UserByAPIToken(ctx, long)
		wantCode(t, err, homeward.EUNAUTHORIZED)
		wantCode(t, users.RevokeAPIToken(self, ts[0].ID), homeward.ENOTFOUND)
	})
}

func TestNoSessionStartsForADisabledUser(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		users := NewUserService(db)
		u := createUser(t, db, w.sys, w.orgA, "gone", homeward.RoleCaseworker)
		u.Disabled = true
		mustNil(t, users.UpdateUser(w.sys, u))
		_, err := users.CreateSession(context.Background(), u, 0)
		wantCode(t, err, homeward.EUNAUTHORIZED)
		u.Disabled = false
		mustNil(t, users.UpdateUser(w.sys, u))
		var n int
		mustNil(t, db.db.QueryRow(`SELECT count(*) FROM sessions WHERE user_id = $1`, u.ID).Scan(&n))
		if n != 0 {
			t.Errorf("%d sessions of the user after enabling again, want 0", n)
		}
	})
}

func TestASignInRacingAPasswordChangeStartsNoSession(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		users := NewUserService(db)
		u := createUser(t, db, w.sys, w.orgA, "racer", homeward.RoleCaseworker)
		// The password is checked with the old password...
		checked, err := users.Authenticate(context.Background(), "racer", testPassword, "192.0.2.1")
		mustNil(t, err)
		// ...an administrator changes it before the session is written...
		mustNil(t, users.SetPassword(w.sys, u.ID, "a wholly new passphrase 7"))
		// ...and the session the old password earned is not started.
		_, err = users.CreateSession(context.Background(), checked, 0)
		wantCode(t, err, homeward.EUNAUTHORIZED)
		var n int
		mustNil(t, db.db.QueryRow(`SELECT count(*) FROM sessions WHERE user_id = $1`, u.ID).Scan(&n))
		if n != 0 {
			t.Errorf("%d sessions after the password changed, want 0", n)
		}
		again, err := users.Authenticate(context.Background(), "racer", "a wholly new passphrase 7", "192.0.2.1")
		mustNil(t, err)
		if _, err := users.CreateSession(context.Background(), again, 0); err != nil {
			t.Errorf("a sign-in with the new password: %v", err)
		}
	})
}
