package store

import (
	"context"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
)

func TestSecondFactorIsCheckedUnderThrottlingAndNeverReplayed(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		clock := setClock(db, time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC))
		users := NewUserService(db)
		u := createUser(t, db, w.sys, w.orgA, "super", homeward.RoleSupervisor)
		adminU := createUser(t, db, w.sys, w.orgA, "admin.a", homeward.RoleAdmin)
		self := homeward.NewContextWithActor(context.Background(), homeward.ActorOf(u))
		admin := homeward.NewContextWithActor(context.Background(), homeward.ActorOf(adminU))
		ctx := context.Background()
		secret, err := homeward.NewTOTPSecret()
		mustNil(t, err)
		code := func() string { c, _ := homeward.TOTPCode(secret, clock.now()); return c }

		wantCode(t, users.EnableTOTP(admin, u.ID, secret, code()), homeward.EFORBIDDEN)
		wantCode(t, users.EnableTOTP(self, u.ID, secret, "000000"), homeward.EINVALID)
		mustNil(t, users.EnableTOTP(self, u.ID, secret, code()))
		got, err := users.FindUserByID(w.sys, u.ID)
		mustNil(t, err)
		if !got.TOTP {
			t.Fatal("the user has no second factor after turning it on")
		}
		var stored int
		mustNil(t, db.db.QueryRow(`SELECT count(*) FROM events WHERE data LIKE '%' || $1 || '%'`, secret).Scan(&stored))
		if stored != 0 {
			t.Error("the secret reached an event")
		}

		// The code used to turn it on is spent; the next step's signs in once.
		_, err = users.AuthenticateWithCode(ctx, "super", testPassword, code(), "192.0.2.1:1")
		wantCode(t, err, homeward.EUNAUTHORIZED)
		_, err = users.AuthenticateWithCode(ctx, "super", testPassword, "", "192.0.2.1:1")
		wantCode(t, err, homeward.EUNAUTHORIZED)
		clock.advance(30 * time.Second)
		_, err = users.AuthenticateWithCode(ctx, "super", testPassword, code(), "192.0.2.1:1")
		mustNil(t, err)
		_, err = users.AuthenticateWithCode(ctx, "super", testPassword, code(), "192.0.2.2:1")
		wantCode(t, err, homeward.EUNAUTHORIZED)

		// Guessed codes count like guessed passwords.
		for range FreeLoginFailures {
			_, err = users.AuthenticateWithCode(ctx, "super", testPassword, "123456", "198.51.100.7:1")
			wantCode(t, err, homeward.EUNAUTHORIZED)
		}
		_, err = users.AuthenticateWithCode(ctx, "super", testPassword, code(), "198.51.100.7:1")
		wantCode(t, err, homeward.ETOOMANY)

		// An administrator turns it off for a lost phone.
		mustNil(t, users.DisableTOTP(admin, u.ID))
		_, err = users.AuthenticateWithCode(ctx, "super", testPassword, "", "192.0.2.1:1")
		mustNil(t, err)
	})
}
