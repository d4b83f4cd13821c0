package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/internal/synthdata"
	"github.com/homeward-project/homeward/linkage/synth"
	"github.com/homeward-project/homeward/store"
)

func init() {
	register(command{
		name:    "demo",
		summary: "serve a temporary database filled with synthetic people",
		run:     runDemo,
	})
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", envOr("HOMEWARD_ADDR", "127.0.0.1:8080"), "address to listen on (env HOMEWARD_ADDR)")
	reports := fs.Int("reports", 300, "number of missing-child reports")
	located := fs.Int("located", 3000, "number of located-child records")
	seed := fs.Uint64("seed", 1, "seed of the synthetic corpus")
	keep := fs.Bool("keep", false, "keep the temporary database after exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("demo takes no arguments, got %q", fs.Arg(0))}
	}
	if *reports < 1 || *located < 1 {
		return usageError{"--reports and --located must be positive"}
	}
	dir, err := os.MkdirTemp("", "homeward-demo-")
	if err != nil {
		return err
	}
	if !*keep {
		defer os.RemoveAll(dir)
	}
	path := filepath.Join(dir, "homeward.db")
	// The demo's key lives beside its database, in the temporary directory:
	// it protects synthetic people only, and goes with them.
	db, err := openDB(ctx, path, &keyFlags{file: ptr(filepath.Join(dir, "homeward.key")), passEnv: ptr("")}, io.Discard)
	if err != nil {
		return err
	}
	defer db.Close()

	fmt.Fprintf(stdout, "Demo database: %s (synthetic people only)\n", path)
	logins, password, err := loadDemo(ctx, db, synth.Config{Reports: *reports, Located: *located, Seed: *seed})
	if err != nil {
		return fmt.Errorf("load the demo: %w", err)
	}
	agency, err := demoOrgID(ctx, db)
	if err != nil {
		return err
	}
	id, err := loadDemoExchange(ctx, db, dir, agency, password)
	if err != nil {
		return fmt.Errorf("load the demo's exchange with the mediator: %w", err)
	}
	fmt.Fprintf(stdout, "Every demo user has the password %s\n", password)
	for _, l := range logins {
		fmt.Fprintf(stdout, "  %-22s %s\n", l[0], l[1])
	}
	fmt.Fprintf(stdout, "A first phase went through a mediator to a counterpart and came back answered: see Exchange.\n"+
		"The mediator's and the counterpart's installations are beside it, each with the users admin and liaison\n"+
		"(same password); to look at one, in another terminal:\n"+
		"  homeward serve --db %s --key-file %s --addr 127.0.0.1:8081\n",
		filepath.Join(dir, "mediator.db"), filepath.Join(dir, "mediator.key"))
	return serveStore(ctx, db, id, *addr, stdout, nil)
}

// demoOrgs are the invented organisations of the demo, one of each kind.
var demoOrgs = []homeward.Org{
	{Name: "Національне бюро розшуку дітей (демо)", Kind: homeward.OrgAgency},
	{Name: "Фонд «Шлях додому» (демо)", Kind: homeward.OrgNGO},
	{Name: "Mediator Office (demo)", Kind: homeward.OrgMediator},
	{Name: "Counterpart Commission (demo)", Kind: homeward.OrgCounterpart},
}

// demoUsers gives the login, role and organisation (index in demoOrgs) of each demo user.
var demoUsers = []struct {
	login string
	role  homeward.Role
	org   int
}{
	{"admin", homeward.RoleAdmin, 0},
	{"supervisor", homeward.RoleSupervisor, 0},
	{"supervisor2", homeward.RoleSupervisor, 0},
	{"caseworker", homeward.RoleCaseworker, 0},
	{"analyst", homeward.RoleAnalyst, 0},
	{"liaison", homeward.RoleLiaison, 0},
	{"ngo-admin", homeward.RoleAdmin, 1},
	{"ngo-caseworker", homeward.RoleCaseworker, 1},
	{"mediator", homeward.RoleLiaison, 2},
	{"counterpart", homeward.RoleCaseworker, 3},
}

// loadDemo creates the organisations and users and imports a synthetic corpus:
// reports as the agency's and the NGO's cases, located records as the lists the
// agency received. It returns the logins with their roles and the shared password.
func loadDemo(ctx context.Context, db *store.DB, cfg synth.Config) (logins [][2]string, password string, err error) {
	ctx = homeward.NewContextWithActor(ctx, homeward.SystemActor())
	orgs := store.NewOrgService(db)
	orgIDs := make([]int64, len(demoOrgs))
	for i := range demoOrgs {
		o := demoOrgs[i]
		if err := orgs.CreateOrg(ctx, &o); err != nil {
			return nil, "", err
		}
		orgIDs[i] = o.ID
	}
	password, err = store.GeneratePassword()
	if err != nil {
		return nil, "", err
	}
	users := store.NewUserService(db)
	for _, du := range demoUsers {
		u := &homeward.User{Login: du.login, DisplayName: du.login, Role: du.role, OrgID: orgIDs[du.org]}
		if err := users.CreateUser(ctx, u, password); err != nil {
			return nil, "", err
		}
		logins = append(logins, [2]string{du.login, string(du.role) + ", " + demoOrgs[du.org].Name})
	}

	corpus := synth.Generate(cfg)
	rng := rand.New(rand.NewPCG(cfg.Seed, 7))
	var agencyCases, ngoCases []*homeward.Case
	for _, row := range corpus.Reports {
		c := synthdata.Case(row, rng)
		if rng.IntN(5) == 0 {
			c.OrgID = orgIDs[1]
			ngoCases = append(ngoCases, c)
		} else {
			c.OrgID = orgIDs[0]
			agencyCases = append(agencyCases, c)
		}
	}
	recs := make([]*homeward.LocatedRecord, 0, len(corpus.Located))
	for _, row := range corpus.Located {
		r := synthdata.Located(row, rng)
		r.OrgID = orgIDs[0]
		recs = append(recs, r)
	}
	cases := store.NewCaseService(db)
	for i, batch := range [][]*homeward.Case{agencyCases, ngoCases} {
		orgCtx := homeward.NewContextWithActor(ctx, homeward.Actor{System: true, Role: homeward.RoleAdmin, OrgID: orgIDs[i]})
		if _, _, err := cases.ImportCases(orgCtx, batch, nil); err != nil {
			return nil, "", err
		}
	}
	agencyCtx := homeward.NewContextWithActor(ctx, homeward.Actor{System: true, Role: homeward.RoleAdmin, OrgID: orgIDs[0]})
	if _, _, err := store.NewLocatedService(db).ImportLocated(agencyCtx, recs, nil); err != nil {
		return nil, "", err
	}
	// The NGO shares a few of its cases with the agency, as partners do.
	for i, c := range ngoCases {
		if i%4 == 0 {
			if err := cases.ShareCase(ctx, c.ID, orgIDs[0]); err != nil {
				return nil, "", err
			}
		}
	}
	return logins, password, nil
}

// demoOrgID returns the ID of the demo's agency, which runs the exchange.
func demoOrgID(ctx context.Context, db *store.DB) (int64, error) {
	os, err := store.NewOrgService(db).FindOrgs(homeward.NewContextWithActor(ctx, homeward.SystemActor()))
	if err != nil {
		return 0, err
	}
	for _, o := range os {
		if o.Name == demoOrgs[0].Name {
			return o.ID, nil
		}
	}
	return 0, fmt.Errorf("the demo has no organisation %q", demoOrgs[0].Name)
}
