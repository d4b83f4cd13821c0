package e2e

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserBringsAChildFromCandidateToClosed walks issue 5's way home: a
// report and an imported list, the candidate the background matcher finds,
// a proposal by one supervisor and the confirmation by another, a
// verification approved by a second person, the handover, the
// reunification, a follow-up visit and the closing, each step refused or
// allowed by the workflow and visible in the timeline; the audit chain
// verifies afterwards.
func TestBrowserBringsAChildFromCandidateToClosed(t *testing.T) {
	touchSources()
	needChromium(t)
	for name, dsn := range databases(t) {
		t.Run(name, func(t *testing.T) {
			db := dsn(t)
			// The agency's party, and a mediator and a counterpart without
			// Homeward: its lists go out printed and come back answered
			// on paper.
			keyFile := filepath.Join(t.TempDir(), "homeward.key")
			homewardCmd(t, "party", "init", "--name", "Вигадана агенція (тест)", "--key-file", keyFile, "--db", db)
			homewardCmd(t, "party", "add", "--offline", "--name", "Вигаданий посередник (тест)", "--kind", "mediator", "--key-file", keyFile, "--db", db)
			homewardCmd(t, "party", "add", "--offline", "--name", "Вигадана інша сторона (тест)", "--kind", "counterpart", "--key-file", keyFile, "--db", db)
			srv := startServer(t, db, "--key-file", keyFile)
			xlsx := filepath.Join(t.TempDir(), "located.xlsx")
			writeLocatedXLSX(t, xlsx)
			b := browser{t: t, ctx: newBrowser(t)}
			id := func(s string) chromedp.ID { return chromedp.ID(s) }
			css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
			login := func(user, password string) { b.login(srv.url, user, password) }
			logout := b.logout

			login(srv.login, srv.password)
			b.do("create a second supervisor",
				chromedp.Navigate(srv.url+"/admin/users"),
				chromedp.WaitVisible(id("display_name")),
				chromedp.SendKeys(id("login"), "second.supervisor"),
				chromedp.SendKeys(id("display_name"), "Другий супервізор"),
				chromedp.SetValue(id("role"), "supervisor"),
				chromedp.Submit(id("display_name")),
				chromedp.WaitVisible(id("new-password")),
			)
			secret, err := chromedp.Run(b.ctx, chromedp.Text(css("#new-password code")))
			if err != nil || strings.TrimSpace(secret) == "" {
				t.Fatalf("the new supervisor's password: %q %v", secret, err)
			}
			secret = strings.TrimSpace(secret)

			b.do("report a missing child",
				chromedp.Navigate(srv.url+"/cases/new"),
				chromedp.WaitVisible(id("family_name")),
				chromedp.SendKeys(id("family_name"), "Вигаданенко"),
				chromedp.SendKeys(id("given_name"), "Соломія"),
				chromedp.SendKeys(id("patronymic"), "Андріївна"),
				chromedp.SendKeys(id("birth_date"), "14.05.2014"),
				chromedp.Click(id("consent_tracing")),
				chromedp.Click(id("consent_share")),
				chromedp.Click(id("save")),
				chromedp.WaitVisible(id("case-name")),
			)
			loc, err := chromedp.Run(b.ctx, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}
			caseURL := loc
			if i := strings.IndexByte(caseURL, '#'); i >= 0 {
				caseURL = caseURL[:i]
			}
			caseID := caseURL[strings.LastIndexByte(caseURL, '/')+1:]
			stage := func(s string) chromedp.Action[chromedp.Void] {
				return chromedp.WaitVisible(css("#current-stage.stage-" + s))
			}
			// move presses a transition button and waits for the new stage or
			// the refusal, and fails with the refusal's words.
			move := func(to string) {
				t.Helper()
				b.do("move to "+to, chromedp.Navigate(caseURL), chromedp.WaitVisible(id("workflow")),
					chromedp.Click(id("move-"+to)),
					chromedp.WaitVisible(css("#current-stage.stage-"+to+", #form-error")))
				if msg := b.formError(); msg != "" {
					t.Fatalf("moving to %s was refused: %s", to, msg)
				}
			}
			move("tracing")

			b.do("import the counterpart's list",
				chromedp.Navigate(srv.url+"/import/located"),
				chromedp.WaitVisible(id("file")),
				chromedp.SetUploadFiles(id("file"), []string{xlsx}),
				chromedp.Click(id("upload")),
				chromedp.WaitVisible(id("run-import")),
				chromedp.Click(id("run-import")),
				chromedp.WaitVisible(id("import-result")),
			)
			// The matcher works in the background: ask the API, as the page's
			// own session, until the candidate is stored. A bound, not a
			// timing assertion.
			b.do("wait for the candidate",
				chromedp.Navigate(caseURL),
				chromedp.WaitVisible(id("workflow")),
				chromedp.Poll[chromedp.Void](fmt.Sprintf(`(function () {
					var s = window.__homeward || (window.__homeward = {n: 0, busy: false});
					if (!s.busy) {
						s.busy = true;
						fetch("/api/v1/cases/%s/matches").then(function (r) { return r.json(); })
							.then(function (j) { s.n = j.total || 0; s.busy = false; }, function () { s.busy = false; });
					}
					return s.n > 0;
				})()`, caseID), chromedp.WithPollingInterval(200*time.Millisecond), chromedp.WithPollingTimeout(90*time.Second)),
				chromedp.Navigate(caseURL),
				chromedp.WaitVisible(css("article.candidate")),
			)
			b.screenshot("candidate")
			cand, err := chromedp.Run(b.ctx, chromedp.Text(css("article.candidate")))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(cand, "Вигаданенко") || !regexp.MustCompile(`\d+\.\d %`).MatchString(cand) {
				t.Errorf("the candidate does not show the located child and a probability: %q", cand)
			}

			b.do("refuse to move to located without a confirmed match", chromedp.Click(id("move-located")), chromedp.WaitVisible(id("form-error")))
			if msg := b.text("form-error"); !strings.Contains(msg, "підтверджений збіг") && !strings.Contains(msg, "confirmed match") {
				t.Errorf("the refusal does not name the missing confirmed match: %q", msg)
			}
			b.do("propose the match", chromedp.Navigate(caseURL), chromedp.WaitVisible(css("article.candidate")),
				chromedp.Click(css(`article.candidate button[data-key="c"]`)), chromedp.WaitVisible(css("article.candidate .status-proposed")))
			logout()

			login("second.supervisor", secret)
			b.do("confirm the match as the second supervisor", chromedp.Navigate(caseURL), chromedp.WaitVisible(css("article.candidate .status-proposed")),
				chromedp.Click(css(`article.candidate button[data-key="c"]`)), chromedp.WaitVisible(css("article.candidate .status-confirmed")))
			move("located")
			b.do("record a verification",
				chromedp.Navigate(caseURL+"/records/verification"),
				chromedp.WaitVisible(id("method")),
				chromedp.SetValue(id("method"), "documents"),
				chromedp.SetValue(id("outcome"), "confirmed"),
				chromedp.SendKeys(id("performed_by"), "Вигаданий РАЦС"),
				chromedp.SendKeys(id("performed_on"), "10.01.2026"),
				chromedp.Click(id("save")),
				chromedp.WaitVisible(id("records")),
			)
			logout()

			login(srv.login, srv.password)
			b.do("approve the verification", chromedp.Navigate(caseURL), chromedp.WaitVisible(css(`#verifications ~ table button`)),
				chromedp.Click(css(`#verifications ~ table button`)), chromedp.WaitNotPresent(css(`#verifications ~ table button`)))
			move("verified")
			// Listed is the seal of a list the case is on; the second
			// supervisor seals what the administrator asked for.
			b.do("open a channel", chromedp.Navigate(srv.url+"/exchange"), chromedp.WaitVisible(id("channel-form")),
				chromedp.SendKeys(id("channel-name"), "Повернення (тест)"),
				pickOption("#mediator_id", "посередник"), pickOption("#counterpart_id", "інша сторона"),
				chromedp.Click(id("channel-create")), chromedp.WaitVisible(id("list-form")),
				chromedp.SendKeys(id("list-title"), "Фаза 1 (тест)"), chromedp.Click(id("list-create")),
				chromedp.WaitVisible(id("add-cases-form")))
			b.do("put the case on the list from its page", chromedp.Navigate(caseURL), chromedp.WaitVisible(id("case-list")),
				pickOption("#case-list", "Фаза 1 (тест)"), chromedp.Click(id("case-add-to-list")), chromedp.WaitVisible(id("entries-table")),
				chromedp.Click(id("list-seal-request")), chromedp.WaitVisible(id("seal-notice")))
			listURL, err := chromedp.Run(b.ctx, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}
			logout()
			login("second.supervisor", secret)
			b.do("seal the list", chromedp.Navigate(listURL), chromedp.WaitVisible(id("list-seal")),
				chromedp.Click(id("list-seal")), chromedp.WaitVisible(id("list-print")))
			b.do("the case is listed", chromedp.Navigate(caseURL), stage("listed"))
			b.do("record the answer written on the printed list",
				chromedp.Navigate(listURL), chromedp.WaitVisible(css("#entries-table a[href^='/entries/']")),
				chromedp.Click(css("#entries-table a[href^='/entries/']")), chromedp.WaitVisible(id("answer-form")),
				chromedp.SetValue(id("code"), "return_agreed"), chromedp.SendKeys(id("answered_on"), "25.01.2026"),
				chromedp.SendKeys(id("their_ref"), "CP-0001"),
				chromedp.Click(id("answer-save")), chromedp.WaitVisible(css("#answer-list, #form-error")))
			if msg := b.formError(); msg != "" {
				t.Fatalf("the answer was refused: %s", msg)
			}
			logout()
			login(srv.login, srv.password)
			record := func(kind string, fields map[string]string, selects map[string]string) {
				steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(caseURL + "/records/" + kind), chromedp.WaitVisible(id("save"))}
				for f, v := range selects {
					steps = append(steps, chromedp.SetValue(id(f), v))
				}
				for f, v := range fields {
					steps = append(steps, chromedp.SendKeys(id(f), v))
				}
				steps = append(steps, chromedp.Click(id("save")), chromedp.WaitVisible(css("#records, #form-error")))
				b.do("record "+kind, steps...)
				if msg := b.formError(); msg != "" {
					t.Fatalf("recording %s was refused: %s", kind, msg)
				}
			}
			record("best-interests", map[string]string{"decided_on": "01.02.2026", "child_wishes": "Хоче додому", "assessment": "Сім'я готова", "panel": "Вигаданий член комісії"},
				map[string]string{"decision": "return"})
			move("agreed")
			record("handover", map[string]string{"handover_on": "15.02.2026", "place": "Вигаданий пункт", "third_country": "Вигадана країна",
				"escort": "Вигаданий супровід", "from_country": "RU", "to_country": "UA"}, nil)
			move("handed_over")
			record("reunification", map[string]string{"reunified_on": "16.02.2026", "with_whom": "Вигаданенко Ольга", "relation": "мати", "proof": "свідоцтво про народження"}, nil)
			move("reunified")
			record("follow-up", map[string]string{"visited_on": "01.03.2026", "visitor": "Вигаданий соцпрацівник", "findings": "Дитина адаптується"}, nil)
			move("monitoring")
			b.do("close the case", chromedp.Navigate(caseURL), chromedp.WaitVisible(id("close_reason")),
				chromedp.SetValue(id("close_reason"), "reunified"), chromedp.Click(id("move-closed")), stage("closed"))
			b.screenshot("closed")

			timeline, err := chromedp.Run(b.ctx, chromedp.Text(css(`#history-h ~ ol.history`)))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"Збіг запропоновано", "Збіг підтверджено", "Записано перевірку", "Перевірку затверджено",
				"Записано визначення найкращих інтересів", "Записано передачу", "Записано возз'єднання", "Записано подальший візит", "Етап змінено",
				"Список на повернення скріплено", "Відповідь записано"} {
				if !strings.Contains(timeline, want) {
					t.Errorf("the timeline lacks %q", want)
				}
			}
			out, err := exec.Command(binary, "audit", "verify", "--db", db, "--key-file", keyFile).CombinedOutput()
			if err != nil || !strings.HasPrefix(string(out), "ok: ") || !strings.Contains(string(out), "head: signed") {
				t.Errorf("homeward audit verify: %v\n%s", err, out)
			}
		})
	}
}
