package web_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
)

// badLocatedCSV has a good row, a bad date, a row without any name and a
// column nobody knows.
const badLocatedCSV = "Прізвище,Ім'я,Дата народження,Регіон,Улюблений колір\n" +
	"Syntheticenko,Oksana,12.04.2013,Synthetic oblast,blue\n" +
	"Fakeenko,Taras,31.13.2012,Synthetic oblast,green\n" +
	",,01.01.2014,Synthetic oblast,red\n"

func (c *client) upload(path, filename, content string) response {
	c.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", filename)
	fw.Write([]byte(content))
	mw.Close()
	return c.send(http.MethodPost, path, mw.FormDataContentType(), &buf)
}

func (e *env) locatedCount(login string) int {
	e.t.Helper()
	_, n, err := e.locsvc.FindLocated(e.as(login), homeward.LocatedFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

var uploadPath = regexp.MustCompile(`^/imports/\d+$`)

func TestImportRefusesAFileWithBadRowsAndReportsEach(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		cl := e.login("worker-a")
		r := cl.upload("/import/located", "children.csv", badLocatedCSV)
		if r.status != http.StatusSeeOther || !uploadPath.MatchString(r.header.Get("Location")) {
			t.Fatalf("upload: status %d, location %q: %s", r.status, r.header.Get("Location"), r.body)
		}
		mapping := r.header.Get("Location")
		page := cl.get(mapping, "Accept-Language", "en")
		if page.status != http.StatusOK || !strings.Contains(page.body, "not recognised") || !strings.Contains(page.body, "Syntheticenko") {
			t.Fatalf("mapping page: status %d, lacks the unknown column mark or the preview", page.status)
		}
		form := url.Values{"col.0": {"family_name"}, "col.1": {"given_name"}, "col.2": {"birth_date"}, "col.3": {"region"}, "col.4": {"?"}}
		r = cl.postForm(mapping, form, "Accept-Language", "en")
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("validate: status %d, want 422", r.status)
		}
		report := r.body[strings.Index(r.body, `id="report"`):]
		report = report[:strings.Index(report, "</section>")]
		for _, want := range []string{"Улюблений колір", "31.13.2012", "<td class=\"num\">3</td>", "<td class=\"num\">4</td>", "Nothing was imported"} {
			if !strings.Contains(report, want) {
				t.Errorf("report lacks %q", want)
			}
		}
		if n := e.locatedCount("worker-a"); n != 0 {
			t.Errorf("%d records stored after a refused import, want 0", n)
		}
	})
}

func TestImportOfTheGoodRowsOffersTheRejectedOnesAndSkipsRepeats(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		cl := e.login("worker-a")
		form := url.Values{"col.0": {"family_name"}, "col.1": {"given_name"}, "col.2": {"birth_date"}, "col.3": {"region"}, "col.4": {""}, "keep_good": {"1"}}
		mapping := cl.upload("/import/located", "children.csv", badLocatedCSV).header.Get("Location")
		r := cl.postForm(mapping, form, "Accept-Language", "en")
		if r.status != http.StatusOK || !strings.Contains(r.body, "Created 1, skipped 0") {
			t.Fatalf("import good rows: status %d: %s", r.status, r.body)
		}
		link := regexp.MustCompile(`href="(/imports/\d+/rejected\?[^"]*format=csv[^"]*)"`).FindStringSubmatch(r.body)
		if link == nil {
			t.Fatalf("no link to the rejected rows")
		}
		rej := cl.get(strings.ReplaceAll(link[1], "&amp;", "&"))
		if rej.status != http.StatusOK || !strings.Contains(rej.body, "Fakeenko") || strings.Contains(rej.body, "Syntheticenko") {
			t.Errorf("rejected rows file: status %d: %q", rej.status, rej.body)
		}
		if n := e.locatedCount("worker-a"); n != 1 {
			t.Errorf("%d records stored, want 1", n)
		}

		again := cl.upload("/import/located", "children-again.csv", badLocatedCSV).header.Get("Location")
		r = cl.postForm(again, form, "Accept-Language", "en")
		if !strings.Contains(r.body, "Created 0, skipped 1") {
			t.Errorf("re-import: status %d, want created 0, skipped 1", r.status)
		}
		if n := e.locatedCount("worker-a"); n != 1 {
			t.Errorf("%d records after re-import, want 1", n)
		}
		if r := cl.get("/located?q=syntheticenko"); !strings.Contains(r.body, "Syntheticenko Oksana") {
			t.Errorf("imported record not found by name in the list")
		}
	})
}

func TestAnotherUsersUploadIsHidden(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		mapping := e.login("worker-a").upload("/import/located", "children.csv", badLocatedCSV).header.Get("Location")
		if r := e.login("worker-b").get(mapping); r.status != http.StatusNotFound && r.status != http.StatusForbidden {
			t.Errorf("another organisation's user opened the upload: status %d", r.status)
		}
	})
}

func TestAPIImportRefusesOrKeepsTheGoodRows(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		tok := e.token("worker-a")
		cl := e.client()
		// Without the unknown column, so that only row problems remain.
		csv := strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(badLocatedCSV,
			",Улюблений колір", ""), ",blue", ""), ",green", ""), ",red", "")
		r := cl.send("POST", "/api/v1/import?kind=located&filename=x.csv", "text/csv", strings.NewReader(csv), "Authorization", "Bearer "+tok)
		var refused struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
			Problems []struct {
				Row   int    `json:"row"`
				Field string `json:"field"`
			} `json:"problems"`
		}
		json.Unmarshal([]byte(r.body), &refused)
		if r.status != 422 || refused.Error.Code != "invalid" || len(refused.Problems) < 2 {
			t.Fatalf("refused import: status %d: %s", r.status, r.body)
		}
		r = cl.send("POST", "/api/v1/import?kind=located&keep_good=true&filename=x.csv", "text/csv", strings.NewReader(csv), "Authorization", "Bearer "+tok)
		var done struct{ Created, Skipped, Rejected int }
		json.Unmarshal([]byte(r.body), &done)
		if r.status != 200 || done.Created != 1 || done.Rejected != 2 {
			t.Errorf("keep good rows: status %d, %+v: %s", r.status, done, r.body)
		}
	})
}
