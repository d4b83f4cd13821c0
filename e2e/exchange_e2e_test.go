package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/seal"
	"github.com/homeward-project/homeward/store"
)

// homewardCmd runs the binary with a command of its own (party, audit) and
// returns what it printed, failing the test when it fails.
func homewardCmd(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "HOMEWARD_DATABASE_URL=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("homeward %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

var fingerprintLine = regexp.MustCompile(`(?m)^Fingerprint: ([0-9A-F ]+)$`)

// install is one installation of the test: its database, its key file,
// its party card and, once started, its server.
type install struct {
	name    string
	dsn     string
	keyFile string
	card    string // file holding the party card
	fp      string
	srv     server
}

// newInstall makes an installation's party keys with "homeward party init",
// as its administrator does before the first exchange.
func newInstall(t *testing.T, dsn, name, kind string) *install {
	t.Helper()
	dir := t.TempDir()
	in := &install{name: name, dsn: dsn, keyFile: filepath.Join(dir, "homeward.key"), card: filepath.Join(dir, "party.txt")}
	homewardCmd(t, "party", "init", "--name", name, "--kind", kind, "--key-file", in.keyFile, "--db", dsn)
	out := homewardCmd(t, "party", "show", "--db", dsn, "--key-file", in.keyFile)
	m := fingerprintLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("party show printed no fingerprint:\n%s", out)
	}
	in.fp = m[1]
	if err := os.WriteFile(in.card, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	return in
}

// trusts adds the others' cards, confirmed with the fingerprints they read
// out over the telephone.
func (in *install) trusts(t *testing.T, others ...*install) {
	t.Helper()
	for _, o := range others {
		// Each command that writes signs the audit log's head with the
		// installation's key.
		homewardCmd(t, "party", "add", o.card, "--confirm", o.fp, "--key-file", in.keyFile, "--db", in.dsn)
	}
}

func (in *install) start(t *testing.T) {
	t.Helper()
	in.srv = startServer(t, in.dsn, "--key-file", in.keyFile)
}

// seed arranges what an installation holds before the exchange begins,
// through the store as the server's first start would find it: the
// organisation the first administrator joins, and fn's records in it.
func seed(t *testing.T, in *install, fn func(ctx context.Context, db *store.DB, org *homeward.Org)) {
	t.Helper()
	ctx := homeward.NewContextWithActor(context.Background(), homeward.SystemActor())
	db, err := store.Open(ctx, in.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// As every command that writes, with the key that signs the audit
	// log's head.
	key, err := seal.LoadKeyFile(in.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	db.SetHeadKey(key.Derive(store.HeadKeyPurpose))
	if _, err := db.Unlock(ctx, store.MasterKey{Key: key}); err != nil {
		t.Fatal(err)
	}
	org := &homeward.Org{Name: store.FirstOrgName, Kind: homeward.OrgAgency}
	if err := store.NewOrgService(db).CreateOrg(ctx, org); err != nil {
		t.Fatal(err)
	}
	fn(ctx, db, org)
}

// pages is a signed-in session on the pages and API of one server, for the
// mediator's and the counterpart's parts, which the test drives without a
// browser.
type pages struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func signIn(t *testing.T, s server) *pages {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	p := &pages{t: t, base: s.url, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	if status, _, body := p.post("/login", url.Values{"login": {s.login}, "password": {s.password}}); status != http.StatusSeeOther {
		t.Fatalf("sign in at %s: status %d: %s", s.url, status, body)
	}
	return p
}

func (p *pages) do(req *http.Request) (int, http.Header, []byte) {
	p.t.Helper()
	req.Header.Set("Accept-Language", "en")
	resp, err := p.hc.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, body
}

func (p *pages) post(path string, v url.Values) (int, http.Header, string) {
	p.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, p.base+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, hdr, body := p.do(req)
	return status, hdr, string(body)
}

func (p *pages) get(path string) (int, []byte) {
	p.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, p.base+path, nil)
	status, _, body := p.do(req)
	return status, body
}

// json reads an API answer into v.
func (p *pages) json(path string, v any) {
	p.t.Helper()
	status, body := p.get("/api/v1" + path)
	if status != 200 {
		p.t.Fatalf("GET %s: status %d: %s", path, status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		p.t.Fatalf("GET %s: %v", path, err)
	}
}

// redirectID posts a form and returns the number of the page it leads to.
func (p *pages) redirectID(path string, v url.Values, prefix string) int64 {
	p.t.Helper()
	status, hdr, body := p.post(path, v)
	loc := hdr.Get("Location")
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		p.t.Fatalf("POST %s: status %d, location %q: %s", path, status, loc, body)
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(loc, prefix), 10, 64)
	if err != nil {
		p.t.Fatalf("POST %s: location %q", path, loc)
	}
	return n
}

// open uploads a bundle file on the bundles page.
func (p *pages) open(file []byte) {
	p.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("bundle", "bundle.hwb")
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, p.base+"/bundles", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	status, _, body := p.do(req)
	if status != 200 || !bytes.Contains(body, []byte(`id="bundle-opened"`)) {
		p.t.Fatalf("open a bundle at %s: status %d: %s", p.base, status, body)
	}
}

// bundleFile downloads a bundle from its page's link.
func (p *pages) bundleFile(id int64) []byte {
	p.t.Helper()
	status, body := p.get(fmt.Sprintf("/bundles/%d/file", id))
	if status != 200 || len(body) == 0 {
		p.t.Fatalf("download bundle %d: status %d", id, status)
	}
	return body
}

type apiChannel struct {
	ID            int64 `json:"id"`
	OriginID      int64 `json:"origin_id"`
	MediatorID    int64 `json:"mediator_id"`
	CounterpartID int64 `json:"counterpart_id"`
}

// channel returns the installation's only channel.
func (p *pages) channel() apiChannel {
	p.t.Helper()
	var out struct {
		Channels []apiChannel `json:"items"`
	}
	p.json("/channels", &out)
	if len(out.Channels) != 1 {
		p.t.Fatalf("%s has %d channels", p.base, len(out.Channels))
	}
	return out.Channels[0]
}

// forward makes what waits on the channel for a party into a bundle, as
// the mediator's liaison does on the channel page, and downloads it.
func (p *pages) forward(ch apiChannel, to int64) []byte {
	p.t.Helper()
	id := p.redirectID(fmt.Sprintf("/channels/%d/bundles", ch.ID), url.Values{"to_id": {fmt.Sprint(to)}}, "/bundles/")
	return p.bundleFile(id)
}

type seedChild struct {
	given, family string
	sex           homeward.Sex
	ru            [2]string // as the counterpart's register spells the names; empty: unknown there
	answer        homeward.AnswerCode
}

var sevenChildren = []seedChild{
	{"Олександр", "Вигаданенко", homeward.SexMale, [2]string{"Александр", "Выдуманенко"}, homeward.AnswerReturnAgreed},
	{"Микола", "Вигаданенко", homeward.SexMale, [2]string{"Николай", "Выдуманенко"}, homeward.AnswerReturnAgreed},
	{"Андрій", "Тестовенко", homeward.SexMale, [2]string{"Андрей", "Тестовенко"}, homeward.AnswerReturnAgreed},
	{"Богдан", "Макетенко", homeward.SexMale, [2]string{"Богдан", "Макетенко"}, homeward.AnswerReturnAgreed},
	{"Олена", "Пробна", homeward.SexFemale, [2]string{"Елена", "Пробная"}, homeward.AnswerReturnAgreed},
	{"Тарас", "Зразковий", homeward.SexMale, [2]string{"Тарас", "Образцовый"}, homeward.AnswerMoreIdentifiers},
	{"Дмитро", "Уявний", homeward.SexMale, [2]string{}, homeward.AnswerNoRecord},
}

// TestThreeInstallationsNegotiateAReturnThroughBundleFiles is issue 9's
// exchange end to end: three server processes with three databases (an
// origin agency, a mediator, a counterpart), bundle files carried between
// them. The origin's part is driven in Chromium; the mediator's and the
// counterpart's through their pages and API.
func TestThreeInstallationsNegotiateAReturnThroughBundleFiles(t *testing.T) {
	touchSources()
	needChromium(t)
	for name, dsn := range databases(t) {
		t.Run(name, func(t *testing.T) {
			origin := newInstall(t, dsn(t), "Вигадана агенція (тест)", "agency")
			mediator := newInstall(t, dsn(t), "Вигаданий посередник (тест)", "mediator")
			counterpart := newInstall(t, dsn(t), "Вигадана інша сторона (тест)", "counterpart")
			origin.trusts(t, mediator, counterpart)
			mediator.trusts(t, origin, counterpart)
			counterpart.trusts(t, origin, mediator)

			// The origin's seven children, verified, with consent to share;
			// the first two are brothers. Each has a contact and a note that
			// must never leave.
			var cases []*homeward.Case
			seed(t, origin, func(ctx context.Context, db *store.DB, org *homeward.Org) {
				cs := store.NewCaseService(db)
				for i, ch := range sevenChildren {
					c := &homeward.Case{OrgID: org.ID, GivenName: ch.given, FamilyName: ch.family, Sex: ch.sex,
						BirthDate:  homeward.BirthDate{Year: 2010 + i, Month: 4, Day: 10 + i, Precision: homeward.PrecisionDay},
						BirthPlace: "Вигадане місто", Stage: homeward.StageVerified, Consents: homeward.Consents{Tracing: true, ShareMediator: true},
						Family: []homeward.FamilyMember{{Name: "Вигадана мати " + ch.family, Relation: "mother",
							Contact: fmt.Sprintf("+380 00 777 %04d", i), LegalRep: true, LegalProof: "свідоцтво про народження"}},
						Notes: fmt.Sprintf("synthetic-e2e-note-%d", i)}
					if err := cs.CreateCase(ctx, c); err != nil {
						t.Fatal(err)
					}
					cases = append(cases, c)
				}
				cases[0].Siblings = []int64{cases[1].ID}
				if err := cs.UpdateCase(ctx, cases[0]); err != nil {
					t.Fatal(err)
				}
			})
			// The counterpart's register knows six of them, in Russian.
			seed(t, counterpart, func(ctx context.Context, db *store.DB, org *homeward.Org) {
				ls := store.NewLocatedService(db)
				for i, ch := range sevenChildren {
					if ch.ru[0] == "" {
						continue
					}
					if err := ls.CreateLocated(ctx, &homeward.LocatedRecord{OrgID: org.ID, GivenName: ch.ru[0], FamilyName: ch.ru[1], Sex: ch.sex,
						BirthDate:  homeward.BirthDate{Year: 2010 + i, Month: 4, Day: 10 + i, Precision: homeward.PrecisionDay},
						BirthPlace: "Выдуманный город", LocationKind: homeward.LocationInstitution, Institution: "Вигаданий дитячий будинок"}); err != nil {
						t.Fatal(err)
					}
				}
			})
			for _, in := range []*install{origin, mediator, counterpart} {
				in.start(t)
			}
			med, cp := signIn(t, mediator.srv), signIn(t, counterpart.srv)
			files := t.TempDir()
			fileNo := 0
			// save writes a bundle file where a person would keep it to
			// carry it to the next installation.
			save := func(b []byte) string {
				fileNo++
				p := filepath.Join(files, fmt.Sprintf("bundle-%02d.hwb", fileNo))
				if err := os.WriteFile(p, b, 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			}

			// The origin, in the browser.
			b := browser{t: t, ctx: newBrowser(t)}
			id := func(s string) chromedp.ID { return chromedp.ID(s) }
			css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
			o := origin.srv
			login := func(user, password string) { b.login(o.url, user, password) }
			logout := b.logout
			eval := func(what, js string) string {
				t.Helper()
				s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				return s
			}
			formError := b.formError
			here := func() string {
				loc, err := chromedp.Run(b.ctx, chromedp.Location())
				if err != nil {
					t.Fatal(err)
				}
				if i := strings.IndexAny(loc, "?#"); i >= 0 {
					loc = loc[:i]
				}
				return loc
			}
			// download fetches the bundle of the page shown (its download
			// link) in the page's own session, as the browser would save it.
			download := func() []byte {
				t.Helper()
				s := eval("download the bundle", `(async function () {
					const r = await fetch(document.querySelector("#bundle-download").href);
					if (!r.ok) { return "status " + r.status; }
					const b = new Uint8Array(await r.arrayBuffer());
					let s = "";
					for (let i = 0; i < b.length; i += 8192) { s += String.fromCharCode.apply(null, b.subarray(i, i + 8192)); }
					return "ok:" + btoa(s);
				})()`)
				data, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "ok:"))
				if !strings.HasPrefix(s, "ok:") || err != nil || len(data) == 0 {
					t.Fatalf("download the bundle: %.80s %v", s, err)
				}
				return data
			}
			upload := func(what string, file []byte) {
				b.do(what, chromedp.Navigate(o.url+"/bundles"), chromedp.WaitVisible(id("bundle-file")),
					chromedp.SetUploadFiles(id("bundle-file"), []string{save(file)}), chromedp.Click(id("bundle-upload")),
					chromedp.WaitVisible(css("#bundle-opened, #form-error")))
				if msg := formError(); msg != "" {
					t.Fatalf("%s: refused: %s", what, msg)
				}
			}
			login(o.login, o.password)
			b.do("create a second supervisor",
				chromedp.Navigate(o.url+"/admin/users"),
				chromedp.WaitVisible(id("display_name")),
				chromedp.SendKeys(id("login"), "second.supervisor"),
				chromedp.SendKeys(id("display_name"), "Другий супервізор"),
				chromedp.SetValue(id("role"), "supervisor"),
				chromedp.Submit(id("display_name")),
				chromedp.WaitVisible(id("new-password")),
			)
			secret := strings.TrimSpace(eval("the new password", `document.querySelector("#new-password code").textContent`))

			b.do("open a channel through the mediator",
				chromedp.Navigate(o.url+"/exchange"),
				chromedp.WaitVisible(id("channel-form")),
				chromedp.SendKeys(id("channel-name"), "Повернення дітей (тест)"),
				pickOption("#mediator_id", "посередник"),
				pickOption("#counterpart_id", "інша сторона"),
				chromedp.Click(id("channel-create")),
				chromedp.WaitVisible(id("list-form")),
			)
			channelURL := here()
			b.do("start the list of phase 1",
				chromedp.SendKeys(id("list-title"), "Фаза 1 (тест)"),
				chromedp.Click(id("list-create")),
				chromedp.WaitVisible(id("add-cases-form")),
			)
			listURL := here()
			var refs []string
			for i, c := range cases {
				if i != 1 { // the younger brother comes as the sibling proposed
					refs = append(refs, c.Reference)
				}
			}
			b.do("add six cases; the brother is proposed",
				chromedp.SendKeys(id("case_ids"), strings.Join(refs, ", ")),
				chromedp.Click(id("add-cases")),
				chromedp.WaitVisible(id("add-siblings")),
			)
			b.screenshot("siblings")
			b.do("add the brother too", chromedp.Click(id("add-siblings")), chromedp.WaitNotPresent(id("add-siblings")),
				chromedp.WaitVisible(id("entries-table")))
			if n := eval("count entries", `String(document.querySelectorAll("#entries-table tbody tr").length)`); n != "7" {
				t.Fatalf("the list has %s entries, want 7", n)
			}
			if n := eval("what leaves", `document.querySelectorAll("#disclosure tr.leaves").length + "/" + document.querySelectorAll("#disclosure tr.stays").length`); strings.HasPrefix(n, "0/") || strings.HasSuffix(n, "/0") {
				t.Errorf("the table of what leaves shows %s fields leaving/staying", n)
			}
			b.do("ask for the seal", chromedp.Click(id("list-seal-request")), chromedp.WaitVisible(id("seal-notice")))
			logout()

			login("second.supervisor", secret)
			b.do("seal as the second supervisor", chromedp.Navigate(listURL), chromedp.WaitVisible(id("list-seal")),
				chromedp.Click(id("list-seal")), chromedp.WaitVisible(id("list-send")))
			b.screenshot("sealed")
			b.do("send to the mediator", chromedp.Click(id("list-send")), chromedp.WaitVisible(id("bundle-download")))
			first := download()

			// The mediator opens it; its receipt goes back to the origin,
			// and it forwards the list to the counterpart.
			med.open(first)
			mch := med.channel()
			var out struct {
				Bundles []struct {
					ID       int64 `json:"id"`
					Sequence int64 `json:"sequence"`
				} `json:"items"`
			}
			med.json("/bundles?direction=out", &out)
			if len(out.Bundles) != 1 || out.Bundles[0].Sequence != 0 {
				t.Fatalf("the mediator's outbox after opening = %+v, want its receipt", out.Bundles)
			}
			upload("open the mediator's receipt", med.bundleFile(out.Bundles[0].ID))
			b.do("the list shows the bundle received", chromedp.Navigate(listURL), chromedp.WaitVisible(id("list-bundles")))
			if got := eval("list bundles", `document.querySelector("#list-bundles tbody tr td:last-child").textContent.trim()`); !regexp.MustCompile(`^\d\d\.\d\d\.\d{4}`).MatchString(got) {
				t.Errorf("the list does not show when its bundle was received: %q", got)
			}
			cp.open(med.forward(mch, mch.CounterpartID))

			// The counterpart links the entries to its register and answers.
			var lists struct {
				Lists []struct {
					ID int64 `json:"id"`
				} `json:"items"`
			}
			cp.json("/lists?direction=incoming", &lists)
			if len(lists.Lists) != 1 {
				t.Fatalf("the counterpart has %d incoming lists", len(lists.Lists))
			}
			cpList := lists.Lists[0].ID
			var entries struct {
				Entries []struct {
					ID     int64                   `json:"id"`
					Ref    string                  `json:"ref"`
					Person homeward.DisclosedChild `json:"person"`
				} `json:"items"`
			}
			cp.json(fmt.Sprintf("/lists/%d/entries", cpList), &entries)
			if len(entries.Entries) != 7 {
				t.Fatalf("the counterpart received %d entries", len(entries.Entries))
			}
			for _, e := range entries.Entries {
				var ch *seedChild
				for i := range sevenChildren {
					if sevenChildren[i].given == e.Person.GivenName {
						ch = &sevenChildren[i]
					}
				}
				if ch == nil {
					t.Fatalf("entry %s is none of the seven", e.Ref)
				}
				var cands struct {
					Candidates []struct {
						EntityType  string  `json:"entity_type"`
						Probability float64 `json:"probability"`
					} `json:"items"`
				}
				cp.json(fmt.Sprintf("/entries/%d/candidates", e.ID), &cands)
				if ch.ru[0] != "" && (len(cands.Candidates) == 0 || cands.Candidates[0].EntityType != "located" || cands.Candidates[0].Probability < 0.5) {
					t.Errorf("entry %s (%s) has candidates %+v; its record is in the register", e.Ref, ch.given, cands.Candidates)
				}
				if ch.ru[0] != "" {
					if status, page := cp.get(fmt.Sprintf("/entries/%d", e.ID)); status != 200 || !strings.Contains(string(page), ch.ru[0]) || !strings.Contains(string(page), ch.given) {
						t.Errorf("the entry page of %s does not show the entry and its candidate side by side", e.Ref)
					}
				}
				form := url.Values{"code": {string(ch.answer)}, "answered_on": {"20.03.2026"}, "their_ref": {"CP-" + e.Ref[len(e.Ref)-4:]}}
				switch ch.answer {
				case homeward.AnswerReturnAgreed:
					form.Set("place", "Вигаданий дитячий будинок")
				case homeward.AnswerMoreIdentifiers:
					form.Set("identifiers", "свідоцтво про народження, фото")
				}
				if status, _, body := cp.post(fmt.Sprintf("/entries/%d/answers", e.ID), form); status != http.StatusSeeOther {
					t.Fatalf("answer %s: status %d: %s", e.Ref, status, body)
				}
			}
			cpch := cp.channel()
			answers := cp.bundleFile(cp.redirectID(fmt.Sprintf("/lists/%d/send-answers", cpList), nil, "/bundles/"))
			med.open(answers)
			upload("open the answers", med.forward(mch, mch.OriginID))

			// At the origin: five may move to agreed once best interests are
			// recorded; the one asked for more identifiers may not.
			b.do("the list is answered", chromedp.Navigate(listURL), chromedp.WaitVisible(id("list-answered")))
			if n := strings.TrimSpace(b.text("list-answered")); n != "7" {
				t.Fatalf("the origin's list shows %s answered, want 7", n)
			}
			b.screenshot("answered")
			logout()
			login(o.login, o.password)
			for i, c := range cases {
				caseURL := fmt.Sprintf("%s/cases/%d", o.url, c.ID)
				if sevenChildren[i].answer != homeward.AnswerReturnAgreed {
					if sevenChildren[i].answer == homeward.AnswerMoreIdentifiers {
						b.do("refuse agreed without the answer", chromedp.Navigate(caseURL), chromedp.WaitVisible(id("workflow")),
							chromedp.Click(id("move-agreed")), chromedp.WaitVisible(id("form-error")))
					}
					continue
				}
				b.do(fmt.Sprintf("record best interests for case %d", i),
					chromedp.Navigate(caseURL+"/records/best-interests"), chromedp.WaitVisible(id("save")),
					chromedp.SetValue(id("decision"), "return"),
					chromedp.SendKeys(id("decided_on"), "22.03.2026"),
					chromedp.SendKeys(id("child_wishes"), "Хоче додому"),
					chromedp.SendKeys(id("assessment"), "Сім'я готова (тест)"),
					chromedp.SendKeys(id("panel"), "Вигаданий член комісії"),
					chromedp.Click(id("save")), chromedp.WaitVisible(css("#records, #form-error")))
				if msg := formError(); msg != "" {
					t.Fatalf("best interests of case %d refused: %s", i, msg)
				}
				b.do(fmt.Sprintf("move case %d to agreed", i), chromedp.Navigate(caseURL), chromedp.WaitVisible(id("workflow")),
					chromedp.Click(id("move-agreed")), chromedp.WaitVisible(css("#current-stage.stage-agreed, #form-error")))
				if msg := formError(); msg != "" {
					t.Fatalf("case %d to agreed refused: %s", i, msg)
				}
			}
			b.do("open phase 2, carrying forward what waits", chromedp.Navigate(channelURL), chromedp.WaitVisible(id("phase-open")),
				chromedp.Click(id("phase-open")), chromedp.WaitVisible(id("entries-table")))
			carried := eval("phase 2 entries", `Array.from(document.querySelectorAll("#entries-table tbody tr td:nth-child(8)")).map(function (td) { return td.textContent.trim(); }).join(",")`)
			if n := eval("count", `String(document.querySelectorAll("#entries-table tbody tr").length)`); n != "2" || strings.Count(carried, "-") != 2 {
				t.Fatalf("phase 2 has %s entries carried from %q, want 2", n, carried)
			}
			if h := eval("phase 2 title", `document.querySelector("h1").textContent`); !strings.Contains(h, "Фаза 2") {
				t.Errorf("the carried list is titled %q, not in the page's language", h)
			}
			b.screenshot("phase2")

			// A welfare message for the first child, approved by the
			// second supervisor, and its read receipt coming back.
			firstCase := fmt.Sprintf("%s/cases/%d", o.url, cases[0].ID)
			b.do("write a welfare message", chromedp.Navigate(firstCase), chromedp.WaitVisible(id("message-text")),
				chromedp.SendKeys(id("message-text"), "Мама і брат передають вітання. (вигадано)"),
				chromedp.Click(id("message-write")), chromedp.WaitVisible(css(`#message-list tr[data-state="draft"]`)))
			logout()
			login("second.supervisor", secret)
			b.do("approve the message", chromedp.Navigate(firstCase), chromedp.WaitVisible(css(`#message-list button[id^="message-approve-"]`)),
				chromedp.Click(css(`#message-list button[id^="message-approve-"]`)), chromedp.WaitVisible(css(`#message-list tr[data-state="approved"]`)))
			b.do("make the bundle for the mediator", chromedp.Navigate(channelURL), chromedp.WaitVisible(css(`button[id^="bundle-make-"]`)),
				chromedp.Click(css(`button[id^="bundle-make-"]`)), chromedp.WaitVisible(id("bundle-download")))
			med.open(download())
			cp.open(med.forward(mch, mch.CounterpartID))
			var msgs struct {
				Messages []struct {
					ID        int64  `json:"id"`
					Direction string `json:"direction"`
				} `json:"items"`
			}
			cp.json("/messages", &msgs)
			if len(msgs.Messages) != 1 || msgs.Messages[0].Direction != "incoming" {
				t.Fatalf("the counterpart's messages = %+v", msgs.Messages)
			}
			if status, _, body := cp.post(fmt.Sprintf("/messages/%d/read", msgs.Messages[0].ID), url.Values{"next": {"/bundles"}}); status != http.StatusSeeOther {
				t.Fatalf("mark read: status %d: %s", status, body)
			}
			med.open(cp.forward(cpch, cpch.MediatorID))
			upload("open the read receipt", med.forward(mch, mch.OriginID))
			b.do("the message was read", chromedp.Navigate(firstCase), chromedp.WaitVisible(css(`#message-list tr[data-state="read"]`)))
			timeline, err := chromedp.Run(b.ctx, chromedp.Text(css(`#history-h ~ ol.history`)))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"Внесено до списку на повернення", "Список на повернення скріплено", "Відповідь записано", "Повернення погоджено"} {
				if !strings.Contains(timeline, want) {
					t.Errorf("the first child's timeline lacks %q", want)
				}
			}
			b.screenshot("message-read")

			for _, in := range []*install{origin, mediator, counterpart} {
				if out := homewardCmd(t, "audit", "verify", "--db", in.dsn, "--key-file", in.keyFile); !strings.HasPrefix(out, "ok: ") || !strings.Contains(out, "head: signed") {
					t.Errorf("%s: homeward audit verify: %s", in.name, out)
				}
			}
			// The mediator never holds a way to reach a family.
			var secrets []string
			for _, c := range cases {
				secrets = append(secrets, c.Notes, c.Family[0].Contact)
			}
			// Opened without its key, as a thief would: FindText reads what
			// is stored.
			db, err := store.Open(context.Background(), mediator.dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if found, err := db.FindText(context.Background(), secrets); err != nil || len(found) > 0 {
				t.Errorf("the mediator's database holds %v (%v)", found, err)
			}
		})
	}
}

// pickOption chooses the option of a select whose text holds text.
func pickOption(sel, text string) chromedp.Action[chromedp.Void] {
	check := chromedp.Evaluate[bool](fmt.Sprintf(`(function () {
		const s = document.querySelector(%q);
		for (const o of s.options) { if (o.text.indexOf(%q) >= 0) { s.value = o.value; return true; } }
		return false;
	})()`, sel, text))
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		ok, err := check(ctx, tg)
		if err == nil && !ok {
			err = fmt.Errorf("no option %q in %s", text, sel)
		}
		return chromedp.Void{}, err
	}
}
