package store

import (
	"context"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
)

const testPassword = "correct horse battery"

func createUser(t *testing.T, db *DB, ctx context.Context, org int64, login string, role homeward.Role) *homeward.User {
	t.Helper()
	u := &homeward.User{OrgID: org, Login: login, DisplayName: "Test " + login, Role: role}
	mustNil(t, NewUserService(db).CreateUser(ctx, u, testPassword))
	return u
}

func TestAuthenticateChecksPasswordAndThrottles(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		clock := setClock(db, time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC))
		users := NewUserService(db)
		u := createUser(t, db, w.sys, w.orgA, "Case.Worker", homeward.RoleCaseworker)
		createUser(t, db, w.sys, w.orgA, "other", homeward.RoleCaseworker)

		got, err := users.Authenticate(context.Background(), "case.worker", testPassword, "192.0.2.1:5000")
		mustNil(t, err)
		if got.ID != u.ID || got.Role != homeward.RoleCaseworker {
			t.Fatalf("authenticated as %+v", got)
		}
		evs, err := NewEventService(db).FindEvents(w.sys, homeward.EventFilter{EntityType: homeward.EntityUser, EntityID: u.ID})
		mustNil(t, err)
		if len(evs) == 0 || evs[0].Action != homeward.ActionLogin || evs[0].ActorID != u.ID {
			t.Fatalf("no login event: %+v", evs)
		}

		_, err = users.Authenticate(context.Background(), "nobody", testPassword, "192.0.2.1:5000")
		wantCode(t, err, homeward.EUNAUTHORIZED)
		_, err = users.Authenticate(context.Background(), "case.worker", "wrong password", "192.0.2.1:5000")
		wantCode(t, err, homeward.EUNAUTHORIZED)
		clock.advance(time.Second)

		u.Disabled = true
		mustNil(t, users.UpdateUser(w.sys, u))
		_, err = users.Authenticate(context.Background(), "case.worker", testPassword, "192.0.2.1:1")
		wantCode(t, err, homeward.EUNAUTHORIZED)
	})
}

func TestSessionsExpireAndEndWithLogout(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		clock := setClock(db, time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC))
		users := NewUserService(db)
		u := createUser(t, db, w.sys, w.orgA, "sess", homeward.RoleSupervisor)
		ctx := context.Background()

		token, err := users.CreateSession(ctx, u, time.Hour)
		mustNil(t, err)
		got, err := users.UserBySession(ctx, token)
		mustNil(t, err)
		if got.ID != u.ID {
			t.Fatalf("session of user %d, want %d", got.ID, u.ID)
		}
		var stored int
		mustNil(t, db.db.QueryRow(`SELECT count(*) FROM sessions WHERE token_hash = $1`, token).Scan(&stored))
		if stored != 0 {
			t.Fatal("session token stored in clear")
		}
		_, err = users.UserBySession(ctx, token+"x")
		wantCode(t, err, homeward.EUNAUTHORIZED)

		clock.advance(time.Hour + time.Second)
		_, err = users.UserBySession(ctx, token)
		wantCode(t, err, homeward.EUNAUTHORIZED)

		token, err = users.CreateSession(ctx, u, 0)
		mustNil(t, err)
		before := eventCount(t, db)
		mustNil(t, users.DeleteSession(ctx, token))
		_, err = users.UserBySession(ctx, token)
		wantCode(t, err, homeward.EUNAUTHORIZED)
		if n := eventCount(t, db) - before; n != 1 {
			t.Fatalf("logout appended %d events, want 1", n)
		}
		mustNil(t, users.DeleteSession(ctx, token))
	})
}

func TestAPITokensActAsTheirUser(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		users := NewUserService(db)
		u := createUser(t, db, w.sys, w.orgA, "robot", homeward.RoleCaseworker)
		other := createUser(t, db, w.sys, w.orgA, "colleague", homeward.RoleCaseworker)
		self := homeward.NewContextWithActor(context.Background(), homeward.ActorOf(u))
		token, err := users.CreateAPIToken(self, u.ID, "sync script", 0)
		mustNil(t, err)
		got, err := users.UserByAPIToken(context.Background(), token)
		mustNil(t, err)
		if got.ID != u.ID {
			t.Fatalf("token acts as %d, want %d", got.ID, u.ID)
		}
		_, err = users.UserByAPIToken(context.Background(), "not-a-token")
		wantCode(t, err, homeward.EUNAUTHORIZED)
		_, err = users.CreateAPIToken(self, other.ID, "for someone else", 0)
		wantCode(t, err, homeward.EFORBIDDEN)
	})
}

func TestUserManagementIsForAdministratorsOfTheOrganisation(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		users := NewUserService(db)
		adminA := createUser(t, db, w.sys, w.orgA, "admin.a", homeward.RoleAdmin)
		asAdminA := homeward.NewContextWithActor(context.Background(), homeward.ActorOf(adminA))
		worker := createUser(t, db, asAdminA, 0, "worker.a", homeward.RoleCaseworker)
		if worker.OrgID != w.orgA {
			t.Fatalf("admin's new user in org %d, want %d", worker.OrgID, w.orgA)
		}
		asWorker := homeward.NewContextWithActor(context.Background(), homeward.ActorOf(worker))

		tests := []struct {
			name string
			err  error
			want string
		}{
			{"admin creates in another organisation", users.CreateUser(asAdminA, &homeward.User{OrgID: w.orgB, Login: "x", Role: homeward.RoleAdmin}, testPassword), homeward.EFORBIDDEN},
			{"caseworker creates a user", users.CreateUser(asWorker, &homeward.User{Login: "y", Role: homeward.RoleAdmin}, testPassword), homeward.EFORBIDDEN},
			{"login taken, whatever the case", users.CreateUser(w.sys, &homeward.User{OrgID: w.orgB, Login: "WORKER.A", Role: homeward.RoleAnalyst}, testPassword), homeward.ECONFLICT},
			{"short password", users.CreateUser(w.sys, &homeward.User{OrgID: w.orgB, Login: "z", Role: homeward.RoleAnalyst}, "short"), homeward.EINVALID},
			{"caseworker promotes themselves", func() error { u := *worker; u.Role = homeward.RoleAdmin; return users.UpdateUser(asWorker, &u) }(), homeward.EFORBIDDEN},
			{"caseworker sets another's password", users.SetPassword(asWorker, adminA.ID, "a new password 1"), homeward.EFORBIDDEN},
		}
		for _, tt := range tests {
			if got := homeward.ErrorCode(tt.err); got != tt.want {
				t.Errorf("%s: code %q (%v), want %q", tt.name, got, tt.err, tt.want)
			}
		}

		self := *worker
		self.DisplayName = "Renamed"
		self.Locale = "uk"
		mustNil(t, users.UpdateUser(asWorker, &self))
		mustNil(t, users.SetPassword(asWorker, worker.ID, "my own new password"))
		_, err := users.Authenticate(context.Background(), "worker.a", "my own new password", "192.0.2.1")
		mustNil(t, err)

		list, err := users.FindUsers(asWorker, homeward.UserFilter{})
		mustNil(t, err)
		if len(list) != 2 {
			t.Errorf("org A lists %d users, want 2", len(list))
		}
		createUser(t, db, w.sys, w.orgB, "b.user", homeward.RoleCaseworker)
		all, err := users.FindUsers(w.sys, homeward.UserFilter{})
		mustNil(t, err)
		if len(all) != 3 {
			t.Errorf("system lists %d users, want 3", len(all))
		}
		_, err = users.FindUserByID(asWorker, all[0].ID)
		if all[0].OrgID != w.orgA {
			wantCode(t, err, homeward.ENOTFOUND)
		}
	})
}

func TestEnsureAdminCreatesTheFirstAdministratorOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		login, password, created, err := EnsureAdmin(ctx, db)
		mustNil(t, err)
		if !created || login != FirstAdminLogin || len(password) < homeward.MinPasswordLength {
			t.Fatalf("EnsureAdmin = %q, %d-character password, %v", login, len(password), created)
		}
		u, err := NewUserService(db).Authenticate(ctx, login, password, "127.0.0.1")
		mustNil(t, err)
		if u.Role != homeward.RoleAdmin {
			t.Errorf("first user has role %q", u.Role)
		}
		org, err := NewOrgService(db).FindOrgByID(homeward.NewContextWithActor(ctx, homeward.ActorOf(u)), u.OrgID)
		mustNil(t, err)
		if org.Name != FirstOrgName || org.Kind != homeward.OrgAgency {
			t.Errorf("first organisation %+v", org)
		}
		_, _, created, err = EnsureAdmin(ctx, db)
		mustNil(t, err)
		if created {
			t.Fatal("EnsureAdmin created a second administrator")
		}
	})
}

func TestOrganisations(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		orgs := NewOrgService(db)
		worker := w.as(w.orgA, homeward.RoleCaseworker)
		wantCode(t, orgs.CreateOrg(worker, &homeward.Org{Name: "X", Kind: homeward.OrgNGO}), homeward.EFORBIDDEN)
		wantCode(t, orgs.CreateOrg(w.sys, &homeward.Org{Name: "agency a", Kind: homeward.OrgNGO}), homeward.ECONFLICT)
		list, err := orgs.FindOrgs(worker)
		mustNil(t, err)
		if len(list) != 2 {
			t.Fatalf("%d organisations, want 2", len(list))
		}
		a := list[0]
		a.Name = "Agency A renamed"
		wantCode(t, orgs.UpdateOrg(w.as(w.orgB, homeward.RoleAdmin), a), homeward.EFORBIDDEN)
		mustNil(t, orgs.UpdateOrg(w.as(w.orgA, homeward.RoleAdmin), a))
		stale := *a
		stale.Version = 1
		wantCode(t, orgs.UpdateOrg(w.sys, &stale), homeward.ECONFLICT)
		_, err = orgs.FindOrgByID(worker, 999)
		wantCode(t, err, homeward.ENOTFOUND)
	})
}

func TestUploadsBelongToTheirUserAndExpire(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		clock := setClock(db, time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC))
		uploads := NewUploadService(db)
		mine := w.as(w.orgA, homeward.RoleCaseworker)
		u := &homeward.Upload{Kind: homeward.EntityLocated, Filename: "list.xlsx", Data: []byte{0x50, 0x4b, 0, 1}}
		mustNil(t, uploads.CreateUpload(mine, u))
		got, err := uploads.FindUploadByID(mine, u.ID)
		mustNil(t, err)
		if string(got.Data) != string(u.Data) || got.Filename != u.Filename || got.OrgID != w.orgA {
			t.Fatalf("upload read back as %+v", got)
		}
		_, err = uploads.FindUploadByID(w.as(w.orgA, homeward.RoleSupervisor), u.ID)
		wantCode(t, err, homeward.ENOTFOUND)

		clock.advance(UploadTTL + time.Minute)
		mustNil(t, uploads.CreateUpload(mine, &homeward.Upload{Kind: homeward.EntityCase, Data: []byte("a,b\n")}))
		var n int
		mustNil(t, db.db.QueryRow(`SELECT count(*) FROM uploads WHERE id = $1`, u.ID).Scan(&n))
		if n != 0 {
			t.Fatal("expired upload was not purged")
		}
		_, err = uploads.FindUploadByID(mine, u.ID)
		wantCode(t, err, homeward.ENOTFOUND)
	})
}

func TestUploadsArePurgedAnHourAfterTheyArrive(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		clock := setClock(db, time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC))
		uploads := NewUploadService(db)
		mine := w.as(w.orgA, homeward.RoleCaseworker)
		u := &homeward.Upload{Kind: homeward.EntityCase, Filename: "list.csv", Data: []byte("a,b\n")}
		mustNil(t, uploads.CreateUpload(mine, u))
		clock.advance(59 * time.Minute)
		if n, err := uploads.PurgeExpiredUploads(mine); err != nil || n != 0 {
			t.Fatalf("purge after 59 minutes: %d, %v; want nothing purged", n, err)
		}
		clock.advance(2 * time.Minute)
		if n, err := uploads.PurgeExpiredUploads(mine); err != nil || n != 1 {
			t.Fatalf("purge after 61 minutes: %d, %v; want the upload purged", n, err)
		}
		var n int
		mustNil(t, db.db.QueryRow(`SELECT count(*) FROM uploads WHERE id = $1`, u.ID).Scan(&n))
		if n != 0 {
			t.Fatal("the upload is still stored")
		}
	})
}
