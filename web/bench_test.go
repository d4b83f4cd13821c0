package web_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/homeward-project/homeward"
)

// benchEnv is a SQLite store with n synthetic cases of the first organisation.
func benchEnv(b *testing.B, n int) (*env, *client) {
	e := newEnv(b, "sqlite")
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
