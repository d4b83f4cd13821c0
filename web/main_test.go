package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/exchange"
	"github.com/homeward-project/homeward/internal/dbtest"
	"github.com/homeward-project/homeward/store"
	"github.com/homeward-project/homeward/web"
)

// eachBackend runs fn once per database, each on a fresh one.
func eachBackend(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, b := range dbtest.Backends {
		t.Run(b, func(t *testing.T) { fn(t, newEnv(t, b)) })
	}
}

// openTestDB opens a fresh database of the backend (see dbtest).
func openTestDB(t testing.TB, backend string) *store.DB {
	t.Helper()
	return dbtest.Open(t, backend)
}

const testPassword = "correct horse battery"

// env is a running server over a fresh store with two organisations and
// test users made on demand.
type env struct {
	t        testing.TB
	srv      *httptest.Server
	db       *store.DB
	sys      context.Context
	orgA     *homeward.Org
	orgB     *homeward.Org
	users    map[string]*homeward.User // by login
	cases    *store.CaseService
	locsvc   *store.LocatedService
	usvc     *store.UserService
	matches  *store.MatchService
	workflow *store.WorkflowService
	attach   *store.AttachmentService
	parties  *store.PartyService
	lists    *store.ListService
	welfare  *store.WelfareService
	ledger   *store.BundleLedger
	bundles  *exchange.Service
	// cfg is the server's configuration, for a test that serves a variant.
	cfg web.Config
	// id is this installation's keys; its party is stored by initSelf,
	// so that a test can see the pages before "homeward party init".
	id *exchange.Identity
}

func newEnv(t testing.TB, backend string) *env {
	t.Helper()
	db := openTestDB(t, backend)
	e := &env{t: t, db: db, sys: homeward.NewContextWithActor(context.Background(), homeward.SystemActor()), users: map[string]*homeward.User{}}
	orgs := store.NewOrgService(db)
	e.usvc = store.NewUserService(db)
	e.cases = store.NewCaseService(db)
	e.locsvc = store.NewLocatedService(db)
	e.matches = store.NewMatchService(db)
	e.workflow = store.NewWorkflowService(db)
	e.attach = store.NewAttachmentService(db)
	e.parties = store.NewPartyService(db)
	e.lists = store.NewListService(db)
	e.welfare = store.NewWelfareService(db)
	e.ledger = store.NewBundleLedger(db)
	id, err := exchange.GenerateIdentity()
	if err != nil {
		t.Fatalf("generate identity: %v", err)
	}
	e.id = id
	e.bundles = exchange.NewService(exchange.ServiceConfig{Identity: id, Parties: e.parties, Ledger: e.ledger})
	e.orgA = &homeward.Org{Name: "Agency A", Kind: homeward.OrgAgency}
	e.orgB = &homeward.Org{Name: "NGO B", Kind: homeward.OrgNGO}
	for _, o := range []*homeward.Org{e.orgA, e.orgB} {
		if err := orgs.CreateOrg(e.sys, o); err != nil {
			t.Fatalf("create org: %v", err)
		}
	}
	e.cfg = web.Config{
		Orgs: orgs, Users: e.usvc, Cases: e.cases, Located: e.locsvc,
		Events: store.NewEventService(db), Uploads: store.NewUploadService(db),
		Matches: e.matches, Workflow: e.workflow, Attachments: e.attach,
		Parties: e.parties, Lists: e.lists, Welfare: e.welfare, Bundles: e.bundles,
	}
	e.srv = httptest.NewServer(web.NewServer(e.cfg).Handler())
	t.Cleanup(e.srv.Close)
	return e
}

// userSpecs are the users a test may ask for; each is created on first use,
// since hashing a password is deliberately slow.
var userSpecs = map[string]struct {
	role homeward.Role
	orgB bool
}{
	"admin-a": {homeward.RoleAdmin, false}, "worker-a": {homeward.RoleCaseworker, false},
	"worker-a2": {homeward.RoleCaseworker, false}, "analyst-a": {homeward.RoleAnalyst, false},
	"admin-b": {homeward.RoleAdmin, true}, "worker-b": {homeward.RoleCaseworker, true},
	"super-a": {homeward.RoleSupervisor, false}, "super-a2": {homeward.RoleSupervisor, false},
	"liaison-a": {homeward.RoleLiaison, false}, "liaison-b": {homeward.RoleLiaison, true},
	"super-b": {homeward.RoleSupervisor, true}, "analyst-b": {homeward.RoleAnalyst, true},
}

// user returns the user of login, creating it on first use.
func (e *env) user(login string) *homeward.User {
	e.t.Helper()
	if u, ok := e.users[login]; ok {
		return u
	}
	spec, ok := userSpecs[login]
	if !ok {
		e.t.Fatalf("no test user %q", login)
	}
	u := &homeward.User{Login: login, DisplayName: "Test " + login, Role: spec.role, OrgID: e.orgA.ID}
	if spec.orgB {
		u.OrgID = e.orgB.ID
	}
	if err := e.usvc.CreateUser(e.sys, u, testPassword); err != nil {
		e.t.Fatalf("create user %s: %v", login, err)
	}
	e.users[login] = u
	return u
}

// as returns the context of a user, for arranging data through the services.
func (e *env) as(login string) context.Context {
	return homeward.NewContextWithActor(context.Background(), homeward.ActorOf(e.user(login)))
}

// client is a browser-like client with its own cookie jar that does not
// follow redirects, so tests see them.
type client struct {
	e  *env
	hc *http.Client
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// login signs in through the login form and fails the test if that fails.
func (e *env) login(login string) *client {
	e.t.Helper()
	e.user(login)
	c := e.client()
	resp := c.postForm("/login", url.Values{"login": {login}, "password": {testPassword}})
	if resp.status != http.StatusSeeOther {
		e.t.Fatalf("log in as %s: status %d, body %s", login, resp.status, resp.body)
	}
	return c
}

type response struct {
	status int
	header http.Header
	body   string
}

func (c *client) do(req *http.Request) response {
	c.e.t.Helper()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (c *client) get(path string, hdr ...string) response {
	c.e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.e.srv.URL+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return c.do(req)
}

func (c *client) postForm(path string, v url.Values, hdr ...string) response {
	c.e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return c.do(req)
}

func (c *client) send(method, path, contentType string, body io.Reader, hdr ...string) response {
	c.e.t.Helper()
	req, _ := http.NewRequest(method, c.e.srv.URL+path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return c.do(req)
}

// newCase stores a synthetic case as the user.
func (e *env) newCase(login, given, family string) *homeward.Case {
	e.t.Helper()
	c := &homeward.Case{GivenName: given, FamilyName: family, Sex: homeward.SexFemale,
		BirthDate: homeward.BirthDate{Year: 2015, Month: 3, Day: 7, Precision: homeward.PrecisionDay}}
	if err := e.cases.CreateCase(e.as(login), c); err != nil {
		e.t.Fatalf("create case: %v", err)
	}
	return c
}

func (e *env) token(login string) string {
	e.t.Helper()
	tok, err := e.usvc.CreateAPIToken(e.as(login), e.user(login).ID, "test", 0)
	if err != nil {
		e.t.Fatalf("create token: %v", err)
	}
	return tok
}

func allCasesFilter() homeward.CaseFilter { return homeward.CaseFilter{Limit: 1000} }
