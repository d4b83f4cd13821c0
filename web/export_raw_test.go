package web_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
)

// A downloaded CSV is opened by a spreadsheet program, which runs a cell
// that starts with = + - or @ as a formula. The bytes the server sends, read
// with a plain CSV reader as that program would, must hold each such value
// behind a quote.
func TestCSVDownloadsQuoteFormulasInTheBytesSent(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		formulas := []string{`=HYPERLINK("http://evil.example")`, "@SUM(A1:A9)", "+380501234567", "-2+3"}
		for _, f := range formulas {
			c := &homeward.Case{GivenName: "Kira", FamilyName: "Rawenko", Notes: f}
			if err := e.cases.CreateCase(e.as("worker-a"), c); err != nil {
				t.Fatal(err)
			}
			r := &homeward.LocatedRecord{GivenName: "Kira", FamilyName: "Rawenko", Notes: f}
			if err := e.locsvc.CreateLocated(e.as("worker-a"), r); err != nil {
				t.Fatal(err)
			}
		}
		cl := e.login("worker-a")
		auth := []string{"Authorization", "Bearer " + e.token("worker-a")}
		for _, path := range []string{"/cases/export?format=csv", "/located/export?format=csv", "/api/v1/cases/export?format=csv", "/api/v1/located/export?format=csv"} {
			var hdr []string
			if strings.HasPrefix(path, "/api/") {
				hdr = auth
			}
			resp := cl.get(path, hdr...)
			if resp.status != http.StatusOK {
				t.Fatalf("%s: status %d", path, resp.status)
			}
			recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(resp.body, "\uFEFF"))).ReadAll()
			if err != nil {
				t.Fatalf("%s: not CSV: %v", path, err)
			}
			seen := map[string]bool{}
			for _, rec := range recs[1:] {
				for _, cell := range rec {
					for _, f := range formulas {
						switch cell {
						case f:
							t.Errorf("%s: cell %q sent as it is", path, cell)
						case "'" + f:
							seen[f] = true
						}
					}
				}
			}
			for _, f := range formulas {
				if !seen[f] {
					t.Errorf("%s: no cell holds %q behind a quote", path, f)
				}
			}
		}
	})
}
