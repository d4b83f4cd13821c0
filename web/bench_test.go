package web_test

import (
	"fmt"
	"net/http"
	"os"
	"testing"

	"github.com/homeward-project/homeward"
)

// benchEnv is a store with n synthetic cases of the first organisation.
func benchEnv(b *testing.B, n int) (*env, *client) {
	// SQLite unless HOMEWARD_BENCH_BACKEND=postgres.
	backend := "sqlite"
	if os.Getenv("HOMEWARD_BENCH_BACKEND") == "postgres" {
		backend = "postgres"
	}
	e := newEnv(b, backend)
	cs := make([]*homeward.Case, n)
	for i := range cs {
		cs[i] = &homeward.Case{GivenName: fmt.Sprintf("Given%d", i), FamilyName: fmt.Sprintf("Family%d", i%97), ImportKey: fmt.Sprint("bench-", i),
			BirthDate: homeward.BirthDate{Year: 2010 + i%12, Precision: homeward.PrecisionYear}}
	}
	if _, _, err := e.cases.ImportCases(e.as("worker-a"), cs, nil); err != nil {
		b.Fatal(err)
	}
	return e, e.login("worker-a")
}

func benchGet(b *testing.B, c *client, path string, hdr ...string) {
	b.ReportAllocs()
	for b.Loop() {
		if r := c.get(path, hdr...); r.status != http.StatusOK {
			b.Fatalf("GET %s: status %d", path, r.status)
		}
	}
}

func BenchmarkCaseListPage(b *testing.B) {
	_, c := benchEnv(b, 5000)
	benchGet(b, c, "/cases")
}

func BenchmarkCaseListSearch(b *testing.B) {
	_, c := benchEnv(b, 5000)
	benchGet(b, c, "/cases?q=family42")
}

func BenchmarkAPICaseList(b *testing.B) {
	e, c := benchEnv(b, 5000)
	benchGet(b, c, "/api/v1/cases?limit=50", "Authorization", "Bearer "+e.token("worker-a"))
}

// benchCandidates adds located records and candidate pairs to e: ten for
// the first case, one for each of the next 100, all above the review
// threshold. It returns the first case.
func benchCandidates(b *testing.B, e *env) *homeward.Case {
	cs, _, err := e.cases.FindCases(e.sys, homeward.CaseFilter{Limit: 110})
	if err != nil || len(cs) < 110 {
		b.Fatalf("find cases: %d %v", len(cs), err)
	}
	var ms []homeward.Match
	for i := range 110 {
		r := &homeward.LocatedRecord{GivenName: fmt.Sprintf("Given%d", i), FamilyName: "Family", Institution: "Synthetic home"}
		if err := e.locsvc.CreateLocated(e.as("worker-a"), r); err != nil {
			b.Fatal(err)
		}
		c := cs[i]
		if i < 10 {
			c = cs[0]
		}
		ms = append(ms, homeward.Match{CaseID: c.ID, LocatedID: r.ID, Probability: 0.6 + float64(i%40)/100, Weight: 7, Model: "bench",
			Explanation: []homeward.MatchEvidence{{Comparison: "given name", Level: "exact", Weight: 4}}})
	}
	if _, _, err := e.matches.SaveCandidates(e.sys, ms); err != nil {
		b.Fatal(err)
	}
	return cs[0]
}

func BenchmarkReviewQueue(b *testing.B) {
	e, c := benchEnv(b, 5000)
	benchCandidates(b, e)
	benchGet(b, c, "/review")
}

func BenchmarkCasePageWithCandidates(b *testing.B) {
	e, c := benchEnv(b, 5000)
	first := benchCandidates(b, e)
	benchGet(b, c, fmt.Sprintf("/cases/%d", first.ID))
}
