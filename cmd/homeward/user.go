package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/store"
)

func init() {
	register(command{
		name:    "user",
		summary: "manage users: user add|passwd|list",
		run:     runUser,
	})
}

const userUsage = `Usage:
  homeward user add --org ID --login LOGIN --role ROLE [--name NAME] [--db DSN]
  homeward user passwd --login LOGIN [--db DSN]
  homeward user list [--org ID] [--db DSN]

add and passwd print a generated password; give it to the user once.`

// runUser runs as the system actor: whoever can run the binary against the
// database is its operator.
func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, userUsage)
		return usageError{"user needs a subcommand: add, passwd or list"}
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := dbFlag(fs)
	keys := addKeyFlags(fs)
	var org *int64
	var login, role, name *string
	switch sub {
	case "add":
		org = fs.Int64("org", 0, "organisation ID (required)")
		login = fs.String("login", "", "login (required)")
		role = fs.String("role", "", "role: "+roleList()+" (required)")
		name = fs.String("name", "", "display name")
	case "passwd":
		login = fs.String("login", "", "login (required)")
	case "list":
		org = fs.Int64("org", 0, "only this organisation's users")
	default:
		fmt.Fprintln(stderr, userUsage)
		return usageError{fmt.Sprintf("unknown user subcommand %q", sub)}
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("user %s takes no arguments, got %q", sub, fs.Arg(0))}
	}
	if (sub == "add" || sub == "passwd") && *login == "" {
		return usageError{"--login is required"}
	}
	if sub == "add" && (*org == 0 || *role == "") {
		return usageError{"--org and --role are required"}
	}
	db, err := openDB(ctx, *dsn, &keys, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = homeward.NewContextWithActor(ctx, homeward.SystemActor())
	users := store.NewUserService(db)
	switch sub {
	case "add":
		password, err := store.GeneratePassword()
		if err != nil {
			return err
		}
		u := &homeward.User{OrgID: *org, Login: *login, DisplayName: *name, Role: homeward.Role(*role)}
		if err := users.CreateUser(ctx, u, password); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created user %s (ID %d, role %s, organisation %d)\npassword: %s\n", u.Login, u.ID, u.Role, u.OrgID, password)
	case "passwd":
		u, err := findUserByLogin(ctx, users, *login)
		if err != nil {
			return err
		}
		password, err := store.GeneratePassword()
		if err != nil {
			return err
		}
		if err := users.SetPassword(ctx, u.ID, password); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "new password for %s: %s\n", u.Login, password)
	case "list":
		us, err := users.FindUsers(ctx, homeward.UserFilter{OrgID: *org})
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tORG\tLOGIN\tROLE\tNAME\tSTATUS")
		for _, u := range us {
			status := "active"
			if u.Disabled {
				status = "disabled"
			}
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\n", u.ID, u.OrgID, u.Login, u.Role, u.DisplayName, status)
		}
		return tw.Flush()
	}
	return nil
}

func findUserByLogin(ctx context.Context, users *store.UserService, login string) (*homeward.User, error) {
	us, err := users.FindUsers(ctx, homeward.UserFilter{})
	if err != nil {
		return nil, err
	}
	for _, u := range us {
		if strings.EqualFold(u.Login, login) {
			return u, nil
		}
	}
	return nil, homeward.Errorf(homeward.ENOTFOUND, "No user with login %q.", login)
}

func roleList() string {
	rs := make([]string, len(homeward.Roles))
	for i, r := range homeward.Roles {
		rs[i] = string(r)
	}
	return strings.Join(rs, ", ")
}
