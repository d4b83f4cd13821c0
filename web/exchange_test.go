package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/exchange"
	"github.com/xuri/excelize/v2"
)

// idAfter reads the number that follows prefix in a redirect's location.
func idAfter(t testing.TB, r response, prefix string) int64 {
	t.Helper()
	loc := r.header.Get("Location")
	if r.status != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("want a redirect to %s…: status %d, location %q: %s", prefix, r.status, loc, r.body)
	}
	rest := strings.TrimPrefix(loc, prefix)
	if i := strings.IndexAny(rest, "?#/"); i >= 0 {
		rest = rest[:i]
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil {
		t.Fatalf("location %q: %v", loc, err)
	}
	return id
}

// exchangeReady does what an administrator does before the first list:
// the installation's own party (as "homeward party init" makes it), a
// mediator trusted by its card and fingerprint through the parties page,
// a counterpart without Homeward, and a channel through the exchange page.
func (e *env) exchangeReady() (channelID int64) {
	e.t.Helper()
	self := exchange.PartyOf(exchange.Card{Name: "Agency A (test)", Kind: string(homeward.PartyAgency), Keys: e.id.Public()})
	if err := e.parties.InitSelf(e.sys, self, []byte("sealed elsewhere in this test")); err != nil {
		e.t.Fatalf("init self: %v", err)
	}
	med, err := exchange.GenerateIdentity()
	if err != nil {
		e.t.Fatal(err)
	}
	admin := e.login("admin-a")
	card := exchange.Card{Name: "Mediator office (test)", Kind: string(homeward.PartyMediator), Keys: med.Public()}
	medID := idAfter(e.t, admin.postForm("/parties", url.Values{"card": {card.String()}}), "/parties?added=online#party-")
	p, err := e.parties.FindPartyByID(e.as("admin-a"), medID)
	if err != nil {
		e.t.Fatal(err)
	}
	if r := admin.postForm(fmt.Sprintf("/parties/%d/confirm", medID), url.Values{"version": {fmt.Sprint(p.Version)}, "fingerprint": {med.Public().Fingerprint()}}); r.status != http.StatusSeeOther {
		e.t.Fatalf("confirm the mediator: status %d: %s", r.status, r.body)
	}
	cpID := idAfter(e.t, admin.postForm("/parties", url.Values{"name": {"Counterpart commission (test)"}, "kind": {"counterpart"}}), "/parties?added=offline#party-")
	return idAfter(e.t, e.login("super-a").postForm("/channels", url.Values{"name": {"Return lists (test)"},
		"mediator_id": {fmt.Sprint(medID)}, "counterpart_id": {fmt.Sprint(cpID)}}), "/channels/")
}

// newList makes a list of phase 1 of a channel through the channel page.
func (c *client) newList(channelID int64, title string) int64 {
	c.e.t.Helper()
	return idAfter(c.e.t, c.postForm("/lists", url.Values{"channel_id": {fmt.Sprint(channelID)}, "phase": {"1"}, "title": {title}, "profile": {"standard"}}), "/lists/")
}

func (e *env) listNow(id int64) *homeward.ReturnList {
	e.t.Helper()
	l, err := e.lists.FindListByID(e.as("super-a"), id)
	if err != nil {
		e.t.Fatalf("list %d: %v", id, err)
	}
	return l
}

// listAct posts one of a list's forms with the version the page showed.
func (c *client) listAct(id int64, action string, extra ...string) response {
	c.e.t.Helper()
	v := url.Values{"version": {fmt.Sprint(c.e.listNow(id).Version)}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Add(extra[i], extra[i+1])
	}
	return c.postForm(fmt.Sprintf("/lists/%d/%s", id, action), v, "Accept-Language", "en")
}

// sealedListOf puts cases on a new list of the channel and has it sealed:
// a liaison builds it and asks, a supervisor seals.
func (e *env) sealedListOf(channelID int64, cases ...*homeward.Case) int64 {
	e.t.Helper()
	liaison, sup := e.login("liaison-a"), e.login("super-a")
	id := liaison.newList(channelID, "Phase 1 (test)")
	var refs []string
	for _, c := range cases {
		refs = append(refs, c.Reference)
	}
	if r := liaison.listAct(id, "entries", "case_ids", strings.Join(refs, ", ")); r.status != http.StatusSeeOther {
		e.t.Fatalf("add the cases: status %d: %s", r.status, r.body)
	}
	if r := liaison.listAct(id, "seal-request"); r.status != http.StatusSeeOther {
		e.t.Fatalf("ask for the seal: status %d: %s", r.status, r.body)
	}
	if r := sup.listAct(id, "seal"); r.status != http.StatusSeeOther {
		e.t.Fatalf("seal: status %d: %s", r.status, r.body)
	}
	return id
}

// entryOf returns the entry of a case on a list.
func (e *env) entryOf(listID, caseID int64) *homeward.ListEntry {
	e.t.Helper()
	es, err := e.lists.FindEntries(e.as("liaison-a"), listID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, x := range es {
		if x.CaseID == caseID {
			return x
		}
	}
	e.t.Fatalf("case %d is not on list %d", caseID, listID)
	return nil
}

func TestExchangePagesAreForTheRolesThatExchange(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ch := e.exchangeReady()
		l := e.login("liaison-a").newList(ch, "Phase 1 (test)")
		pages := []string{"/exchange", fmt.Sprintf("/channels/%d", ch), fmt.Sprintf("/lists/%d", l), "/bundles", "/parties"}
		for _, tc := range []struct {
			login string
			want  int
		}{
			{"liaison-a", 200}, {"super-a", 200}, {"admin-a", 200},
			{"worker-a", 403}, {"analyst-a", 403},
		} {
			c := e.login(tc.login)
			for _, p := range pages {
				if r := c.get(p, "Accept-Language", "en"); r.status != tc.want {
					t.Errorf("%s GET %s: status %d, want %d", tc.login, p, r.status, tc.want)
				}
			}
			home := c.get("/", "Accept-Language", "en")
			if has := strings.Contains(home.body, `id="nav-exchange"`); has != (tc.want == 200) {
				t.Errorf("%s: the navigation shows the exchange: %v", tc.login, has)
			}
		}
		// Another organisation's liaison does not see the list.
		if r := e.login("liaison-b").get(fmt.Sprintf("/lists/%d", l)); r.status != http.StatusNotFound {
			t.Errorf("another organisation's list: status %d, want 404", r.status)
		}
		// Only an administrator of the installation adds a party.
		if r := e.login("liaison-a").postForm("/parties", url.Values{"name": {"Somebody (test)"}, "kind": {"agency"}}); r.status != http.StatusForbidden {
			t.Errorf("a liaison adding a party: status %d, want 403", r.status)
		}
		if r := e.login("admin-b").postForm("/parties", url.Values{"name": {"Somebody (test)"}, "kind": {"agency"}}); r.status != http.StatusForbidden {
			t.Errorf("another organisation's administrator adding a party: status %d, want 403", r.status)
		}
	})
}

// uploadCard adds a party from its card file, as the parties page does.
func (c *client) uploadCard(card string) response {
	c.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("card_file", "party.txt")
	fw.Write([]byte(card))
	mw.Close()
	return c.send(http.MethodPost, "/parties", mw.FormDataContentType(), &buf, "Accept-Language", "en")
}

func TestPartiesPageTrustsAKeyOnlyByItsFingerprint(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		other, err := exchange.GenerateIdentity()
		if err != nil {
			t.Fatal(err)
		}
		admin := e.login("admin-a")
		card := exchange.Card{Name: "Synthetic NGO (test)", Kind: "agency", Keys: other.Public()}
		id := idAfter(t, admin.uploadCard(card.String()), "/parties?added=online#party-")
		page := admin.get("/parties", "Accept-Language", "en")
		if !strings.Contains(page.body, other.Public().Fingerprint()) || !strings.Contains(page.body, "Synthetic NGO (test)") {
			t.Fatalf("the parties page does not show the party with its fingerprint")
		}
		p, _ := e.parties.FindPartyByID(e.as("admin-a"), id)
		wrong, _ := exchange.GenerateIdentity()
		r := admin.postForm(fmt.Sprintf("/parties/%d/confirm", id), url.Values{"version": {fmt.Sprint(p.Version)}, "fingerprint": {wrong.Public().Fingerprint()}}, "Accept-Language", "en")
		if r.status != http.StatusUnprocessableEntity && r.status != http.StatusConflict {
			t.Fatalf("a wrong fingerprint: status %d", r.status)
		}
		if p, _ := e.parties.FindPartyByID(e.as("admin-a"), id); p.ConfirmedAt != nil {
			t.Fatalf("a wrong fingerprint confirmed the party")
		}
		// Typed as read over the telephone: lower case, other spacing.
		typed := strings.ToLower(strings.ReplaceAll(other.Public().Fingerprint(), " ", ""))
		if r := admin.postForm(fmt.Sprintf("/parties/%d/confirm", id), url.Values{"version": {fmt.Sprint(p.Version)}, "fingerprint": {typed}}); r.status != http.StatusSeeOther {
			t.Fatalf("confirm: status %d: %s", r.status, r.body)
		}
		p, _ = e.parties.FindPartyByID(e.as("admin-a"), id)
		if p.ConfirmedAt == nil || p.ConfirmedBy != e.user("admin-a").ID {
			t.Fatalf("confirmed party = %+v", p)
		}
		if r := admin.postForm(fmt.Sprintf("/parties/%d/retire", id), url.Values{"version": {fmt.Sprint(p.Version)}, "reason": {"keys replaced (test)"}}); r.status != http.StatusSeeOther {
			t.Fatalf("retire: status %d: %s", r.status, r.body)
		}
		if p, _ := e.parties.FindPartyByID(e.as("admin-a"), id); p.RetiredAt == nil {
			t.Fatalf("the party was not retired")
		}
		if r := admin.uploadCard("not a card"); r.status != http.StatusUnprocessableEntity {
			t.Errorf("a file that is no card: status %d", r.status)
		}
	})
}

func TestListIsBuiltAndSealedByASecondSupervisorThroughThePages(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ch := e.exchangeReady()
		older := e.tracedCase("worker-a", "Mykola", "Siblingenko", true)
		younger := e.tracedCase("worker-a", "Taras", "Siblingenko", true)
		older.Siblings = []int64{younger.ID}
		if err := e.cases.UpdateCase(e.as("worker-a"), older); err != nil {
			t.Fatal(err)
		}
		noConsent := e.tracedCase("worker-a", "Petro", "Noconsentenko", false)
		liaison, first, second := e.login("liaison-a"), e.login("super-a"), e.login("super-a2")
		id := liaison.newList(ch, "Phase 1 (test)")
		path := fmt.Sprintf("/lists/%d", id)

		if r := liaison.listAct(id, "entries", "case_ids", noConsent.Reference); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "consent") {
			t.Fatalf("a case without consent to share: status %d", r.status)
		}
		r := liaison.listAct(id, "entries", "case_ids", older.Reference)
		if loc := r.header.Get("Location"); r.status != http.StatusSeeOther || !strings.Contains(loc, "siblings="+fmt.Sprint(younger.ID)) {
			t.Fatalf("adding a child with a sibling: status %d, location %q", r.status, loc)
		}
		page := liaison.get(path+"?siblings="+fmt.Sprint(younger.ID), "Accept-Language", "en")
		if !strings.Contains(page.body, `id="add-siblings"`) || !strings.Contains(page.body, younger.Reference) || !strings.Contains(page.body, "Siblingenko Taras") {
			t.Fatalf("the list page does not propose the sibling by reference and name")
		}
		if r := liaison.listAct(id, "entries", "case_ids", fmt.Sprint(younger.ID)); r.status != http.StatusSeeOther {
			t.Fatalf("add the sibling: status %d: %s", r.status, r.body)
		}
		page = liaison.get(path, "Accept-Language", "en")
		disclosure := page.body[strings.Index(page.body, `id="disclosure"`):strings.Index(page.body, `id="entries"`)]
		for _, want := range []string{"Family name", "leaves", "stays here"} {
			if !strings.Contains(disclosure, want) {
				t.Errorf("the table of what leaves lacks %q", want)
			}
		}
		if strings.Contains(page.body, noConsent.FamilyName) {
			t.Errorf("the refused case is on the list page")
		}

		// Four eyes: the supervisor who asks does not seal.
		if r := first.listAct(id, "seal-request"); r.status != http.StatusSeeOther {
			t.Fatalf("ask for the seal: status %d: %s", r.status, r.body)
		}
		if r := first.listAct(id, "seal"); r.status != http.StatusForbidden || !strings.Contains(r.body, "second supervisor") {
			t.Fatalf("sealing one's own request: status %d", r.status)
		}
		if r := liaison.listAct(id, "seal"); r.status != http.StatusForbidden {
			t.Fatalf("a liaison sealing: status %d", r.status)
		}
		if r := second.listAct(id, "seal"); r.status != http.StatusSeeOther {
			t.Fatalf("seal: status %d: %s", r.status, r.body)
		}
		if l := e.listNow(id); l.State != homeward.ListSealed || l.SealedRevision != 1 {
			t.Fatalf("after the seal: %s, revision %d", l.State, l.SealedRevision)
		}
		if c := e.caseNow(older.ID); c.Stage != homeward.StageRegistered {
			// Cases move to listed only from verified; a registered case
			// stays where it is.
			t.Fatalf("a registered case moved to %s on the seal", c.Stage)
		}

		// What goes to a counterpart without Homeward: the sheet and the PDF.
		sheet := liaison.get(path + "/sheet.xlsx")
		if sheet.status != 200 || !strings.Contains(sheet.header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("sheet: status %d, type %q", sheet.status, sheet.header.Get("Content-Type"))
		}
		refs := e.refsOfSheet(sheet.body)
		if len(refs) != 2 || refs[0] != e.entryOf(id, older.ID).Ref {
			t.Fatalf("the sheet's entries = %q", refs)
		}
		pdf := liaison.get(path + "/print.pdf")
		if pdf.status != 200 || !strings.HasPrefix(pdf.body, "%PDF-") {
			t.Fatalf("print: status %d, starts %q", pdf.status, pdf.body[:min(8, len(pdf.body))])
		}
		if text := pdfText(t, []byte(pdf.body)); text != "" && (!strings.Contains(text, refs[1]) || !strings.Contains(text, "Siblingenko")) {
			t.Errorf("the printed list lacks its entries: %.300q", text)
		}

		// A change after the seal is a new revision; the diff says what.
		late := e.tracedCase("worker-a", "Ivan", "Latecomerenko", true)
		if r := liaison.listAct(id, "entries", "case_ids", late.Reference); r.status != http.StatusSeeOther {
			t.Fatalf("add after the seal: status %d: %s", r.status, r.body)
		}
		if l := e.listNow(id); l.Revision != 2 || l.SealedRevision != 1 {
			t.Fatalf("after a change: revision %d, sealed %d", l.Revision, l.SealedRevision)
		}
		if r := liaison.listAct(id, "seal-request"); r.status != http.StatusSeeOther {
			t.Fatalf("ask for the seal of revision 2: status %d: %s", r.status, r.body)
		}
		if r := first.listAct(id, "seal"); r.status != http.StatusSeeOther {
			t.Fatalf("seal revision 2: status %d: %s", r.status, r.body)
		}
		diff := liaison.get(path+"/diff?from=1&to=2", "Accept-Language", "en")
		if diff.status != 200 || !strings.Contains(diff.body, `data-ref="`+e.entryOf(id, late.ID).Ref+`"`) || strings.Contains(diff.body, `data-ref="`+refs[0]+`"`) {
			t.Fatalf("diff: status %d, or it does not show just the added entry", diff.status)
		}
		page = liaison.get(path, "Accept-Language", "en")
		if !strings.Contains(page.body, `data-revision="1"`) || !strings.Contains(page.body, `data-revision="2"`) {
			t.Errorf("the list page does not show both revisions")
		}
		hist := page.body[strings.Index(page.body, `id="history-h"`):]
		for _, want := range []string{"List started", "Seal asked for", "Return list sealed", "New revision of the list started", "List printed or exported"} {
			if !strings.Contains(hist, want) {
				t.Errorf("the list's timeline lacks %q", want)
			}
		}
	})
}

// refsOfSheet reads the entry references of an answer sheet.
func (e *env) refsOfSheet(body string) []string {
	e.t.Helper()
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		e.t.Fatalf("open the sheet: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		e.t.Fatal(err)
	}
	var refs []string
	for _, r := range rows[1:] {
		if len(r) > 0 && r[0] != "" {
			refs = append(refs, r[0])
		}
	}
	return refs
}

// pdfText extracts the text of a PDF with pdftotext (poppler-utils, which
// .ci/run installs); without it, outside CI, the check is skipped.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("pdftotext is not installed: %v", err)
		}
		t.Log("pdftotext is not installed; the PDF's text is not checked")
		return ""
	}
	cmd := exec.Command(bin, "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// fillSheet fills in an answer sheet as a counterpart would: cells maps an
// entry reference to the English headers and values of its row; a
// reference not on the sheet is written on a row of its own.
func fillSheet(t testing.TB, body string, cells map[string]map[string]string) []byte {
	t.Helper()
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i + 1
	}
	rowOf := map[string]int{}
	for i, r := range rows[1:] {
		if len(r) > 0 {
			rowOf[r[0]] = i + 2
		}
	}
	next := len(rows) + 1
	for ref, vals := range cells {
		row, ok := rowOf[ref]
		if !ok {
			row = next
			next++
			cell, _ := excelize.CoordinatesToCellName(1, row)
			f.SetCellStr(sheet, cell, ref)
		}
		for h, v := range vals {
			cell, _ := excelize.CoordinatesToCellName(columnOf(t, col, h), row)
			f.SetCellStr(sheet, cell, v)
		}
	}
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// columnOf finds a column of an answer sheet by its English header; the
// headers are "Ukrainian / English / Russian".
func columnOf(t testing.TB, col map[string]int, english string) int {
	t.Helper()
	for h, i := range col {
		if strings.Contains(h, " / "+english+" / ") {
			return i
		}
	}
	t.Fatalf("the answer sheet has no column %q", english)
	return 0
}

func (c *client) uploadAnswers(listID int64, data []byte, keepGood bool) response {
	c.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "answers.xlsx")
	fw.Write(data)
	if keepGood {
		mw.WriteField("keep_good", "1")
	}
	mw.Close()
	return c.send(http.MethodPost, fmt.Sprintf("/lists/%d/answers/import", listID), mw.FormDataContentType(), &buf, "Accept-Language", "en")
}

func TestAnswerSheetIsRefusedWholeNamingEachBadRow(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ch := e.exchangeReady()
		var cases []*homeward.Case
		for _, n := range []string{"Andrii", "Bohdan", "Dmytro", "Yurii"} {
			c := e.tracedCase("worker-a", n, "Sheetenko", true)
			cases = append(cases, c)
		}
		id := e.sealedListOf(ch, cases...)
		liaison := e.login("liaison-a")
		sheet := liaison.get(fmt.Sprintf("/lists/%d/sheet.xlsx", id)).body
		ref := func(i int) string { return e.entryOf(id, cases[i].ID).Ref }
		before, err := e.db.RowCounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}

		bad := fillSheet(t, sheet, map[string]map[string]string{
			ref(0):           {"Answer": "perhaps", "Answer date": "20.03.2026"},
			"L-NO-SUCH-0001": {"Answer": "no_record", "Answer date": "20.03.2026"},
			ref(1):           {"Answer": "Нужны дополнительные данные", "Answer date": "20.03.2026"},
			ref(3):           {"Answer": "no_record", "Answer date": "20.03.2026"},
		})
		r := liaison.uploadAnswers(id, bad, false)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "refused whole") {
			t.Fatalf("a sheet with bad rows: status %d", r.status)
		}
		problems := r.body[strings.Index(r.body, `id="import-problems"`):]
		for row, want := range map[int]string{2: "perhaps", 6: "L-NO-SUCH-0001", 3: "which identifiers"} {
			tr := fmt.Sprintf(`<tr data-row="%d">`, row)
			i := strings.Index(problems, tr)
			if i < 0 || !strings.Contains(problems[i:i+strings.Index(problems[i:], "</tr>")], want) {
				t.Errorf("the report does not name row %d with %q", row, want)
			}
		}
		// Nothing was recorded: reading the page appends only the
		// record of who saw the names.
		after, _ := e.db.RowCounts(context.Background())
		for table, n := range after {
			if n != before[table] && table != "events" {
				t.Errorf("a refused sheet changed table %s: %d rows, had %d", table, n, before[table])
			}
		}
		for _, c := range cases {
			if as, _ := e.lists.FindAnswers(e.as("liaison-a"), e.entryOf(id, c.ID).ID); len(as) != 0 {
				t.Fatalf("a refused sheet recorded an answer")
			}
		}

		// Asked to keep the good rows, it records the one good row.
		if r := liaison.uploadAnswers(id, bad, true); r.status != 200 || !strings.Contains(r.body, "1 answers recorded") {
			t.Fatalf("keep the good rows: status %d: %s", r.status, r.body[strings.Index(r.body, "<main"):])
		}
		if e := e.entryOf(id, cases[3].ID); e.Answer != homeward.AnswerNoRecord {
			t.Fatalf("the good row's entry = %+v", e)
		}

		good := fillSheet(t, sheet, map[string]map[string]string{
			ref(0): {"Answer": "return_agreed", "Answer date": "20.03.2026", "Where (institution, settlement)": "Synthetic children's home"},
			ref(1): {"Answer": "more_identifiers", "Answer date": "20.03.2026", "Details": "birth certificate, photo"},
			ref(2): {"Answer": "deferred", "Answer date": "20.03.2026", "Until (date) / interview date": "01.06.2026", "Details": "court hearing"},
			ref(3): {"Answer": "no_record", "Answer date": "20.03.2026"},
		})
		if r := liaison.uploadAnswers(id, good, false); r.status != 200 || !strings.Contains(r.body, "3 answers recorded") {
			t.Fatalf("the good sheet: status %d", r.status)
		}
		agreed := e.entryOf(id, cases[0].ID)
		if agreed.Answer != homeward.AnswerReturnAgreed || agreed.LocatedID == 0 {
			t.Fatalf("the agreed entry = %+v; its place should give a located record", agreed)
		}
		if e := e.entryOf(id, cases[2].ID); e.Answer != homeward.AnswerDeferred {
			t.Fatalf("the deferred entry = %+v", e)
		}
		page := e.login("worker-a").get(fmt.Sprintf("/cases/%d", cases[1].ID), "Accept-Language", "en")
		if !strings.Contains(page.body, "birth certificate") {
			t.Errorf("the case page does not show the identifiers asked for")
		}
	})
}

func TestEntryPageRecordsAnAnswerAndKeepsTheCorrectedOne(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ch := e.exchangeReady()
		c := e.tracedCase("worker-a", "Oleh", "Answerenko", true)
		id := e.sealedListOf(ch, c)
		en := e.entryOf(id, c.ID)
		liaison := e.login("liaison-a")
		path := fmt.Sprintf("/entries/%d", en.ID)
		r := liaison.postForm(path+"/answers", url.Values{"code": {"in_care"}, "answered_on": {"20.03.2026"}}, "Accept-Language", "en")
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "kind of care") {
			t.Fatalf("in care without the kind: status %d", r.status)
		}
		if r := liaison.postForm(path+"/answers", url.Values{"code": {"no_record"}, "answered_on": {"20.03.2026"}, "their_ref": {"CP-1"}}); r.status != http.StatusSeeOther {
			t.Fatalf("no record: status %d: %s", r.status, r.body)
		}
		if r := liaison.postForm(path+"/answers", url.Values{"code": {"in_care"}, "answered_on": {"25.03.2026"}, "their_ref": {"CP-1"},
			"location_kind": {"institution"}, "place": {"Synthetic home No 3"}, "region": {"Synthetic oblast"}}); r.status != http.StatusSeeOther {
			t.Fatalf("the correction: status %d: %s", r.status, r.body)
		}
		as, err := e.lists.FindAnswers(e.as("liaison-a"), en.ID)
		if err != nil || len(as) != 2 {
			t.Fatalf("answers = %d, %v; both stay", len(as), err)
		}
		en = e.entryOf(id, c.ID)
		if en.Answer != homeward.AnswerInCare || en.LocatedID == 0 {
			t.Fatalf("entry after the correction = %+v", en)
		}
		page := liaison.get(path, "Accept-Language", "en")
		for _, want := range []string{"CP-1", "Synthetic home No 3", "No record"} {
			if !strings.Contains(page.body, want) {
				t.Errorf("the entry page lacks %q", want)
			}
		}
		if r := e.login("worker-a").postForm(path+"/answers", url.Values{"code": {"no_record"}, "answered_on": {"20.03.2026"}}); r.status != http.StatusForbidden {
			t.Errorf("a caseworker recording an answer: status %d", r.status)
		}
	})
}

func TestBundlePageRefusesAFileThatIsNoBundle(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.exchangeReady()
		c := e.login("liaison-a")
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("bundle", "x.hwb")
		fw.Write([]byte("this is not a bundle"))
		mw.Close()
		r := c.send(http.MethodPost, "/bundles", mw.FormDataContentType(), &buf, "Accept-Language", "en")
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "role=\"alert\"") {
			t.Fatalf("not a bundle: status %d", r.status)
		}
		// Only the record of the refusal is kept, with its reason, for the
		// inbox: nothing of the file's content.
		bs, _ := e.ledger.FindBundles(e.as("liaison-a"), homeward.BundleFilter{})
		if len(bs) != 1 || bs[0].Status != homeward.BundleRefused || bs[0].Reason == "" {
			t.Fatalf("after a file that is no bundle: %+v", bs)
		}
		if inbox := c.get("/bundles", "Accept-Language", "en"); !strings.Contains(inbox.body, fmt.Sprintf("/bundles/%d", bs[0].ID)) {
			t.Errorf("the inbox does not show the refusal")
		}
	})
}

func TestExchangeAPIRefusesFiltersItDoesNotKnow(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.exchangeReady()
		cl, auth := e.client(), []string{"Authorization", "Bearer " + e.token("liaison-a")}
		for _, tc := range []struct{ path, field string }{
			{"/api/v1/bundles?status=lost", "status"},
			{"/api/v1/bundles?direction=sideways", "direction"},
			{"/api/v1/messages?state=forgotten", "state"},
			{"/api/v1/lists?direction=up", "direction"},
		} {
			r := cl.get(tc.path, auth...)
			if r.status != http.StatusBadRequest || !strings.Contains(r.body, `"field": "`+tc.field+`"`) {
				t.Errorf("GET %s: status %d, %s; want 400 naming %s", tc.path, r.status, r.body, tc.field)
			}
		}
		if r := cl.get("/api/v1/channels", auth...); r.status != 200 || !strings.Contains(r.body, "Return lists (test)") {
			t.Errorf("GET /api/v1/channels: status %d", r.status)
		}
		if r := cl.get("/api/v1/channels", "Authorization", "Bearer "+e.token("worker-a")); r.status != http.StatusForbidden {
			t.Errorf("a caseworker listing channels: status %d, want 403", r.status)
		}
	})
}
