package store

import (
	"context"
	"fmt"

	"github.com/homeward-project/homeward"
)

// Names of what EnsureAdmin creates on first start.
const (
	FirstOrgName    = "Homeward"
	FirstAdminLogin = "admin"
)

// EnsureAdmin makes a fresh database usable: when it has no users, it
// creates the organisation "Homeward" (an agency) and the administrator
// "admin" with a random one-time password, which it returns for the operator
// to print. On a database with users it does nothing and created is false.
func EnsureAdmin(ctx context.Context, db *DB) (login, password string, created bool, err error) {
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return "", "", false, fmt.Errorf("count users: %w", err)
	}
	if n > 0 {
		return "", "", false, nil
	}
	ctx = homeward.NewContextWithActor(ctx, homeward.SystemActor())
	orgs := NewOrgService(db)
	var org *homeward.Org
	all, err := orgs.FindOrgs(ctx)
	if err != nil {
		return "", "", false, err
	}
	for _, o := range all {
		if o.Name == FirstOrgName {
			org = o
		}
	}
	if org == nil {
		org = &homeward.Org{Name: FirstOrgName, Kind: homeward.OrgAgency}
		if err := orgs.CreateOrg(ctx, org); err != nil {
			return "", "", false, fmt.Errorf("create first organisation: %w", err)
		}
	}
	password, err = newPassword()
	if err != nil {
		return "", "", false, err
	}
	u := &homeward.User{OrgID: org.ID, Login: FirstAdminLogin, DisplayName: "Administrator", Role: homeward.RoleAdmin}
	if err := NewUserService(db).CreateUser(ctx, u, password); err != nil {
		return "", "", false, fmt.Errorf("create first administrator: %w", err)
	}
	return u.Login, password, true, nil
}

// GeneratePassword returns a random password of the kind EnsureAdmin hands
// out, for commands that create accounts.
func GeneratePassword() (string, error) { return newPassword() }
