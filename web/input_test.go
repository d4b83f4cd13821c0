package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/homeward-project/homeward/internal/hostile"
)

// maxReply bounds the reply to a hostile file: a report of its problems,
// each quoting no more than an excerpt of a cell.
const maxReply = 256 << 10

// apiProblems is the report of a refused or finished API import.
type apiProblems struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
	Problems []struct {
		Row     int    `json:"row"`
		Field   string `json:"field"`
		Value   string `json:"value"`
		Message string `json:"message"`
	} `json:"problems"`
	MoreProblems int `json:"more_problems"`
}

func TestImportOfASharedStringBombIsRefusedWithABoundedReply(t *testing.T) {
	bomb, err := hostile.SharedStringBomb(200<<20, 20)
	if err != nil {
		t.Fatal(err)
	}
	eachBackend(t, func(t *testing.T, e *env) {
		auth := []string{"Authorization", "Bearer " + e.token("worker-a")}
		r := e.client().send("POST", "/api/v1/import?kind=case&filename=bomb.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", strings.NewReader(string(bomb)), auth...)
		if len(r.body) > maxReply {
			t.Fatalf("the reply to a %d KB file is %d KB; want at most %d KB", len(bomb)>>10, len(r.body)>>10, maxReply>>10)
		}
		var rep apiProblems
		if err := json.Unmarshal([]byte(r.body), &rep); err != nil {
			t.Fatalf("reply: %v: %.300s", err, r.body)
		}
		if r.status != http.StatusUnprocessableEntity || len(rep.Problems) != 20 {
			t.Fatalf("status %d, %d problems; want 422 and one a row: %.300s", r.status, len(rep.Problems), r.body)
		}
		for _, p := range rep.Problems {
			if p.Field != "given_name" || !strings.Contains(p.Message, "Too long") {
				t.Errorf("row %d: %s %q; want given_name too long", p.Row, p.Field, p.Message)
			}
		}

		// The same through the pages: upload, then validate.
		cl := e.login("worker-a")
		up := cl.upload("/import/cases", "bomb.xlsx", string(bomb))
		if up.status != http.StatusSeeOther {
			t.Fatalf("upload: status %d: %.300s", up.status, up.body)
		}
		page := cl.postForm(up.header.Get("Location"), url.Values{"col.0": {"given_name"}, "col.1": {"family_name"}}, "Accept-Language", "en")
		if page.status != http.StatusUnprocessableEntity || len(page.body) > maxReply || !strings.Contains(page.body, "Too long") {
			t.Errorf("validate: status %d, %d KB page; want 422, the problem, and a bounded page", page.status, len(page.body)>>10)
		}
	})
}

func TestImportReportListsAThousandProblemsAndCountsTheRest(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		var b strings.Builder
		b.WriteString("Given name,Sex\n")
		for i := range 1500 {
			fmt.Fprintf(&b, "Name%d,zz\n", i)
		}
		r := e.client().send("POST", "/api/v1/import?kind=case&filename=x.csv", "text/csv", strings.NewReader(b.String()), "Authorization", "Bearer "+e.token("worker-a"))
		var rep apiProblems
		json.Unmarshal([]byte(r.body), &rep)
		if r.status != http.StatusUnprocessableEntity || len(rep.Problems) != 1000 || rep.MoreProblems != 500 {
			t.Errorf("status %d, %d problems listed, %d more; want 422, 1000 and 500", r.status, len(rep.Problems), rep.MoreProblems)
		}
	})
}

// TestImportChecksTheRoleBeforeReadingTheFile sends an analyst's file that
// cannot be read: refused for the role (403), it was never read; read
// first, it would be refused as a bad file (422).
func TestImportChecksTheRoleBeforeReadingTheFile(t *testing.T) {
	junk := "PK\x03\x04 not a workbook"
	eachBackend(t, func(t *testing.T, e *env) {
		auth := []string{"Authorization", "Bearer " + e.token("analyst-a")}
		if r := e.client().send("POST", "/api/v1/import?kind=case&filename=x.xlsx", "application/octet-stream", strings.NewReader(junk), auth...); r.status != http.StatusForbidden {
			t.Errorf("API import by an analyst: status %d; want 403 before the file is read: %.200s", r.status, r.body)
		}
		if r := e.client().send("POST", "/api/v1/lists/1/answers/import", "text/csv", strings.NewReader(junk), auth...); r.status != http.StatusForbidden {
			t.Errorf("API answer sheet by an analyst: status %d; want 403", r.status)
		}
		cl := e.login("analyst-a")
		if r := cl.upload("/import/cases", "x.xlsx", junk); r.status != http.StatusForbidden {
			t.Errorf("upload by an analyst: status %d; want 403 before the file is read", r.status)
		}
		if r := cl.upload("/lists/1/answers/import", "x.xlsx", junk); r.status != http.StatusForbidden {
			t.Errorf("answer sheet by an analyst: status %d; want 403", r.status)
		}
	})
}

// TestAGivenNameOf900000CharactersIsRefusedOnEveryPath sends the same name
// through the API, the case form and an import.
func TestAGivenNameOf900000CharactersIsRefusedOnEveryPath(t *testing.T) {
	long := strings.Repeat("a", 900_000)
	eachBackend(t, func(t *testing.T, e *env) {
		auth := []string{"Authorization", "Bearer " + e.token("worker-a")}
		cl := e.client()
		body := fmt.Sprintf(`{"given_name":%q,"family_name":"Jsonenko"}`, long)
		r := cl.send("POST", "/api/v1/cases", "application/json", strings.NewReader(body), auth...)
		var rep apiProblems
		json.Unmarshal([]byte(r.body), &rep)
		if r.status != http.StatusUnprocessableEntity || rep.Error.Field != "given_name" || !strings.Contains(rep.Error.Message, "given name") || len(r.body) > 4096 {
			t.Errorf("API: status %d, field %q, message %.200q; want 422 naming given_name", r.status, rep.Error.Field, rep.Error.Message)
		}
		r = cl.send("POST", "/api/v1/located", "application/json", strings.NewReader(fmt.Sprintf(`{"family_name":%q}`, long)), auth...)
		json.Unmarshal([]byte(r.body), &rep)
		if r.status != http.StatusUnprocessableEntity || rep.Error.Field != "family_name" {
			t.Errorf("API located: status %d, field %q; want 422 naming family_name", r.status, rep.Error.Field)
		}

		page := e.login("worker-a").postForm("/cases", url.Values{"given_name": {long}, "family_name": {"Formenko"}}, "Accept-Language", "en")
		if page.status != http.StatusUnprocessableEntity || !strings.Contains(page.body, "given name is longer than 200 characters") {
			t.Errorf("form: status %d; want 422 saying the given name is too long", page.status)
		}

		r = cl.send("POST", "/api/v1/import?kind=case&filename=x.csv", "text/csv", strings.NewReader("Given name,Family name\n"+long+",Importenko\n"), auth...)
		rep = apiProblems{}
		json.Unmarshal([]byte(r.body), &rep)
		if r.status != http.StatusUnprocessableEntity || len(rep.Problems) != 1 || rep.Problems[0].Row != 2 || rep.Problems[0].Field != "given_name" || len(r.body) > 4096 {
			t.Errorf("import: status %d, %d-byte reply: %.300s; want 422, row 2 given_name, a short reply", r.status, len(r.body), r.body)
		}
		cases, _, err := e.cases.FindCases(e.as("worker-a"), allCasesFilter())
		if err != nil {
			t.Fatal(err)
		}
		if len(cases) != 0 {
			t.Errorf("%d cases stored; want none", len(cases))
		}
	})
}

// TestAnImportedUploadIsDeleted checks that the file is gone once imported
// and that only its rejected rows stay, for their download.
func TestAnImportedUploadIsDeleted(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		cl := e.login("worker-a")
		clean := "Прізвище,Ім'я,Дата народження\nSyntheticenko,Oksana,12.04.2013\n"
		mapping := cl.upload("/import/located", "clean.csv", clean).header.Get("Location")
		form := url.Values{"col.0": {"family_name"}, "col.1": {"given_name"}, "col.2": {"birth_date"}}
		if r := cl.postForm(mapping, form, "Accept-Language", "en"); r.status != http.StatusOK {
			t.Fatalf("import: status %d", r.status)
		}
		if r := cl.get(mapping); r.status != http.StatusNotFound {
			t.Errorf("the imported upload: status %d; want 404, deleted", r.status)
		}

		mapping = cl.upload("/import/located", "children.csv", badLocatedCSV).header.Get("Location")
		form = url.Values{"col.0": {"family_name"}, "col.1": {"given_name"}, "col.2": {"birth_date"}, "col.3": {"region"}, "col.4": {""}, "keep_good": {"1"}}
		r := cl.postForm(mapping, form, "Accept-Language", "en")
		if r.status != http.StatusOK {
			t.Fatalf("import good rows: status %d", r.status)
		}
		if r := cl.get(mapping); r.status != http.StatusNotFound {
			t.Errorf("the imported upload: status %d; want 404, deleted", r.status)
		}
		link := regexp.MustCompile(`href="(/imports/(\d+)/rejected\?[^"]*format=csv[^"]*)"`).FindStringSubmatch(r.body)
		if link == nil {
			t.Fatal("no link to the rejected rows")
		}
		rej := cl.get(strings.ReplaceAll(link[1], "&amp;", "&"))
		if rej.status != http.StatusOK || !strings.Contains(rej.body, "Fakeenko") || strings.Contains(rej.body, "Syntheticenko") || strings.Contains(rej.body, "blue") {
			t.Errorf("rejected rows: status %d: %q; want the bad rows only", rej.status, rej.body)
		}
		if kept := cl.get("/imports/" + link[2]); strings.Contains(kept.body, "Syntheticenko") || strings.Contains(kept.body, "blue") {
			t.Errorf("what is kept of the upload holds an imported row or an imported row's cell")
		}
	})
}
