package matching_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/internal/dbtest"
	"github.com/homeward-project/homeward/matching"
	"github.com/homeward-project/homeward/seal"
	"github.com/homeward-project/homeward/store"
)

// eachDB runs fn on a fresh database of each backend (see dbtest).
func eachDB(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	dbtest.Each(t, func(t *testing.T, backend string) { fn(t, dbtest.DSN(t, backend)) })
}

// env is a database with two organisations and a matcher over it.
type env struct {
	t          *testing.T
	dsn        string
	db         *store.DB
	orgA, orgB int64
	m          *matching.Matcher
	cases      homeward.CaseService
	located    homeward.LocatedService
	matches    homeward.MatchService
}

func open(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, _ := dbtest.OpenDSN(t, dsn, testKey)
	return db
}

// testKey unlocks every database of these tests: a restart reopens one
// with the key it was made with.
var testKey = func() store.MasterKey {
	k, err := seal.GenerateKey()
	if err != nil {
		panic(err)
	}
	return store.MasterKey{Key: k}
}()

func newEnv(t *testing.T, dsn string) *env {
	t.Helper()
	e := &env{t: t, dsn: dsn, db: open(t, dsn)}
	orgs := store.NewOrgService(e.db)
	a := &homeward.Org{Name: "Agency A", Kind: homeward.OrgAgency}
	b := &homeward.Org{Name: "NGO B", Kind: homeward.OrgNGO}
	for _, o := range []*homeward.Org{a, b} {
		if err := orgs.CreateOrg(sys(), o); err != nil {
			t.Fatalf("create organisation: %v", err)
		}
	}
	e.orgA, e.orgB = a.ID, b.ID
	return e
}

// start starts a matcher over the env's database, as the server does, and
// waits for its first pass.
func (e *env) start() {
	e.t.Helper()
	if e.m != nil {
		e.m.Close()
	}
	m, err := matching.New(matching.Config{
		Cases:   store.NewCaseService(e.db),
		Located: store.NewLocatedService(e.db),
		Matches: store.NewMatchService(e.db),
		Orgs:    store.NewOrgService(e.db),
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { m.Close() })
	e.m = m
	e.cases = m.Cases(store.NewCaseService(e.db))
	e.located = m.Located(store.NewLocatedService(e.db))
	e.matches = store.NewMatchService(e.db)
	m.Start(context.Background())
	e.wait()
}

func (e *env) wait() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := e.m.Wait(ctx); err != nil {
		e.t.Fatalf("the matcher did not become idle: %v", err)
	}
	if s := e.m.Stats(); s.Errors > 0 {
		e.t.Fatalf("the matcher failed %d times, last: %v", s.Errors, s.LastError)
	}
}

func sys() context.Context {
	return homeward.NewContextWithActor(context.Background(), homeward.SystemActor())
}

// as is a caseworker of org; user IDs are synthetic, as the record
// services trust the actor in the context.
func as(org int64) context.Context {
	return homeward.NewContextWithActor(context.Background(), homeward.Actor{UserID: org*100 + 1, OrgID: org, Role: homeward.RoleCaseworker})
}

// candidates returns the matches of a case, best first.
func (e *env) candidates(caseID int64) []*homeward.Match {
	e.t.Helper()
	ms, _, err := e.matches.FindMatches(sys(), homeward.MatchFilter{CaseID: caseID, Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	return ms
}

func find(ms []*homeward.Match, locatedID int64) *homeward.Match {
	for _, m := range ms {
		if m.LocatedID == locatedID {
			return m
		}
	}
	return nil
}

func day(y, m, d int) homeward.BirthDate {
	return homeward.BirthDate{Year: y, Month: m, Day: d, Precision: homeward.PrecisionDay}
}

// Synthetic children: every name and date here is invented.
func oleksandr() *homeward.Case {
	return &homeward.Case{GivenName: "Олександр", FamilyName: "Шевчук", Patronymic: "Петрович", Sex: homeward.SexMale,
		BirthDate: day(2015, 3, 4), BirthPlace: "Маріуполь"}
}

func aleksandr() *homeward.LocatedRecord {
	return &homeward.LocatedRecord{GivenName: "Александр", FamilyName: "Шевчук", Patronymic: "Петрович", Sex: homeward.SexMale,
		BirthDate: day(2015, 4, 3), BirthPlace: "Мариуполь", Institution: "Детский дом №1", ImportKey: "row-1"}
}

// others are located children who are not Oleksandr.
func others() []*homeward.LocatedRecord {
	return []*homeward.LocatedRecord{
		{GivenName: "Мария", FamilyName: "Коваленко", Sex: homeward.SexFemale, BirthDate: day(2012, 7, 19), ImportKey: "row-2"},
		{GivenName: "Дмитрий", FamilyName: "Бондаренко", Sex: homeward.SexMale, BirthDate: day(2010, 1, 30), ImportKey: "row-3"},
		{GivenName: "Анна", FamilyName: "Мельник", Sex: homeward.SexFemale, BirthDate: day(2016, 11, 2), ImportKey: "row-4"},
	}
}

func list() []*homeward.LocatedRecord {
	return append([]*homeward.LocatedRecord{aleksandr()}, others()...)
}

func TestDecoratedCaseServiceKeepsTheStoreCountByStage(t *testing.T) {
	m, err := matching.New(matching.Config{Cases: &store.CaseService{}, Located: &store.LocatedService{}, Matches: &store.MatchService{}, Orgs: &store.OrgService{}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, ok := m.Cases(&store.CaseService{}).(interface {
		CountCasesByStage(context.Context) (map[homeward.Stage]int, error)
	}); !ok {
		t.Error("the decorated case service hides CountCasesByStage, which the web layer uses for its counts")
	}
}

func TestWaitReturnsAfterClose(t *testing.T) {
	e := newEnv(t, filepath.Join(t.TempDir(), "homeward.db"))
	e.start()
	if err := e.cases.CreateCase(as(e.orgA), oleksandr()); err != nil {
		t.Fatal(err)
	}
	e.m.Close()
	e.wait()
	if !e.m.Idle() {
		t.Error("a closed matcher says it is busy")
	}
}
