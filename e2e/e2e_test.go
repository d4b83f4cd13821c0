package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/homeward-project/homeward/internal/dbtest"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/xuri/excelize/v2"
)

// binary is the homeward binary TestMain builds.
var binary string

const chromiumPath = "/usr/bin/chromium"

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "homeward-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "homeward")
	// The commands the tests run without --key-file keep their key here,
	// not in the user's configuration directory.
	os.Setenv("HOMEWARD_KEY_FILE", filepath.Join(dir, "homeward.key"))
	os.Unsetenv("HOMEWARD_KEY")
	build := exec.Command("go", "build", "-o", binary, "github.com/homeward-project/homeward/cmd/homeward")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build homeward:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// touchSources stats every source file of the module. TestMain builds the
// binary in a child process, which go test cannot see; stats made during a
// test are recorded, so any change to the sources invalidates a cached result.
func touchSources() {
	filepath.WalkDir("..", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if n := d.Name(); n != ".." && (strings.HasPrefix(n, ".") || n == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(p) {
		case ".go", ".html", ".css", ".js", ".json", ".sql", ".mod", ".sum":
			os.Stat(p)
		}
		return nil
	})
}

// needChromium skips without Chromium, except in CI where it must be there.
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		msg := "end-to-end tests need Debian's Chromium at " + chromiumPath + " (apt-get install chromium)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// databases returns the DSNs to run on: a fresh SQLite file, and a fresh
// schema of HOMEWARD_TEST_DATABASE_URL (see dbtest).
func databases(t *testing.T) map[string]func(t *testing.T) string {
	out := map[string]func(t *testing.T) string{}
	for _, b := range dbtest.Backends {
		out[b] = func(t *testing.T) string { return dbtest.DSN(t, b) }
	}
	return out
}

type server struct {
	url      string
	login    string
	password string
	// stop stops the server with SIGINT and waits for it, as the end of
	// the test would.
	stop func()
}

var (
	listenLine   = regexp.MustCompile(`listening on (http://\S+)`)
	loginLine    = regexp.MustCompile(`^\s*login:\s+(\S+)`)
	passwordLine = regexp.MustCompile(`^\s*password:\s+(\S+)`)
)

// startServer runs "homeward serve" on a free port and reads the address and
// the one-time administrator password it prints. The server is stopped with
// SIGINT when the test ends, and must shut down cleanly. extra are more
// flags of serve, such as the key file of the installation's party.
func startServer(t *testing.T, dsn string, extra ...string) server {
	t.Helper()
	s := launchServer(t, dsn, extra...)
	if s.login == "" || s.password == "" {
		t.Fatalf("homeward serve printed no administrator login and password")
	}
	return s
}

// restartServer runs "homeward serve" again on a database whose first start
// is over: it prints no password, and the caller signs in as before.
func restartServer(t *testing.T, dsn string, first server, extra ...string) server {
	t.Helper()
	s := launchServer(t, dsn, extra...)
	s.login, s.password = first.login, first.password
	return s
}

func launchServer(t *testing.T, dsn string, extra ...string) server {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", dsn}, extra...)...)
	cmd.Env = append(os.Environ(), "HOMEWARD_ADDR=", "HOMEWARD_DATABASE_URL=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cmd.Process.Signal(os.Interrupt)
			if err := <-done; err != nil {
				t.Errorf("homeward serve did not stop cleanly: %v\n%s", err, stderr.String())
			}
		})
	}
	t.Cleanup(stop)
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, stdout)
		done <- cmd.Wait()
	}()
	s := server{stop: stop}
	// A bound, not a timing assertion: a server that never says it listens fails.
	deadline := time.After(60 * time.Second)
	for s.url == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("homeward serve exited early:\n%s", stderr.String())
			}
			if m := listenLine.FindStringSubmatch(line); m != nil {
				s.url = m[1]
			} else if m := loginLine.FindStringSubmatch(line); m != nil {
				s.login = m[1]
			} else if m := passwordLine.FindStringSubmatch(line); m != nil {
				s.password = m[1]
			}
		case <-deadline:
			t.Fatalf("homeward serve printed no address:\n%s", stderr.String())
		}
	}
	go func() {
		for range lines {
		}
	}()
	return s
}

// writeLocatedXLSX writes a workbook of invented located children, with the
// headers in Ukrainian as a counterpart's list might have them and one birth
// date as a real date cell.
func writeLocatedXLSX(t *testing.T, path string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	rows := [][]any{
		{"Прізвище", "Ім'я", "По батькові", "Стать", "Дата народження", "Регіон", "Заклад"},
		{"Вигаданенко", "Соломія", "Андріївна", "ж", "14.05.2014", "Вигадана область", "Дитячий будинок №0"},
		{"Тестовенко", "Остап", "Петрович", "ч", time.Date(2013, 9, 2, 0, 0, 0, 0, time.UTC), "Вигадана область", "Прийомна родина"},
		{"Макетенко", "Злата", "", "ж", "2016", "Уявна область", ""},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "uk-UA"),
		chromedp.Flag("accept-lang", "uk-UA,uk"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	// A bound on the whole browser session, so that a hung page fails the
	// test instead of hanging it.
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// browser drives one tab and fails the test at the first error.
type browser struct {
	t   *testing.T
	ctx context.Context
}

func (b browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	start := time.Now()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	b.t.Logf("%s: %v", what, time.Since(start))
}

// login signs in on the server at base through its login form.
func (b browser) login(base, user, password string) {
	b.t.Helper()
	b.do("log in as "+user,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), user),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("logout")),
	)
}

func (b browser) logout() {
	b.t.Helper()
	b.do("log out", chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("login")))
}

// formError is the refusal the page shows, or "" when there is none.
func (b browser) formError() string {
	b.t.Helper()
	msg, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(document.querySelector("#form-error") || {}).textContent || ""`))
	if err != nil {
		b.t.Fatalf("read the form error: %v", err)
	}
	return msg
}

func (b browser) text(id string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.ID(id)))
	if err != nil {
		b.t.Fatalf("read #%s: %v", id, err)
	}
	return s
}

// screenshot saves a full-page PNG (quality 100 makes PNG, less JPEG) into HOMEWARD_E2E_SCREENSHOTS, when set,
// for a person to look at.
func (b browser) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("HOMEWARD_E2E_SCREENSHOTS")
	if dir == "" {
		return
	}
	start := time.Now()
	buf, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	b.t.Logf("screenshot %s: %v", name, time.Since(start))
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, b.t.Name()[strings.LastIndexByte(b.t.Name(), '/')+1:]+"-"+name+".png"), buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func TestBrowserLogsInCreatesACaseImportsAndFindsALocatedChild(t *testing.T) {
	touchSources()
	needChromium(t)
	for name, dsn := range databases(t) {
		t.Run(name, func(t *testing.T) {
			srv := startServer(t, dsn(t))
			xlsx := filepath.Join(t.TempDir(), "located.xlsx")
			writeLocatedXLSX(t, xlsx)
			b := browser{t: t, ctx: newBrowser(t)}
			id := func(s string) chromedp.ID { return chromedp.ID(s) }

			b.login(srv.url, srv.login, srv.password)
			b.do("create a case",
				chromedp.Navigate(srv.url+"/cases"),
				chromedp.WaitVisible(id("new-case")),
				chromedp.Click(id("new-case")),
				chromedp.WaitVisible(id("family_name")),
				chromedp.SendKeys(id("family_name"), "Вигаданенко"),
				chromedp.SendKeys(id("given_name"), "Мирослава"),
				chromedp.SendKeys(id("patronymic"), "Тарасівна"),
				chromedp.SendKeys(id("birth_date"), "03.07.2014"),
				chromedp.SendKeys(id("last_seen_place"), "Вигадане місто"),
				chromedp.SendKeys(id("last_seen_date"), "12.03.2022"),
				chromedp.SetValue(chromedp.CSS(`select[name="fm.0.relation"]`), "mother"),
				chromedp.SendKeys(chromedp.CSS(`input[name="fm.0.name"]`), "Вигаданенко Ольга"),
				chromedp.Click(id("consent_tracing")),
			)
			b.screenshot("case-form")
			b.do("save the case", chromedp.Click(id("save")), chromedp.WaitVisible(id("case-name")))
			if got := b.text("case-name"); got != "Вигаданенко Мирослава Тарасівна" {
				t.Errorf("case page shows %q", got)
			}
			b.screenshot("case-page")
			b.do("open the case list", chromedp.Navigate(srv.url+"/cases"), chromedp.WaitVisible(id("cases")))
			if got := b.text("cases"); !strings.Contains(got, "Вигаданенко Мирослава Тарасівна") {
				t.Errorf("case list does not show the new case: %q", got)
			}
			b.screenshot("case-list")

			b.do("upload the spreadsheet",
				chromedp.Navigate(srv.url+"/located"),
				chromedp.WaitVisible(id("import-located")),
				chromedp.Click(id("import-located")),
				chromedp.WaitVisible(id("file")),
				chromedp.SetUploadFiles(id("file"), []string{xlsx}),
				chromedp.Click(id("upload")),
				chromedp.WaitVisible(id("run-import")),
			)
			b.screenshot("import-mapping")
			b.do("import", chromedp.Click(id("run-import")), chromedp.WaitVisible(id("import-result")))
			b.screenshot("import-done")
			if got := b.text("import-result"); !regexp.MustCompile(`(Створено|Created)\D*3\D`).MatchString(got) {
				t.Errorf("import result %q, want 3 created", got)
			}

			b.do("search the located children",
				chromedp.Navigate(srv.url+"/located"),
				chromedp.WaitVisible(id("q")),
				chromedp.SendKeys(id("q"), "Тестовенко"),
				chromedp.Click(id("search")),
				// The results page, not the page the search was typed on.
				chromedp.WaitVisible(chromedp.CSS(`#q[value="Тестовенко"]`)),
				chromedp.WaitVisible(id("located")),
			)
			found := b.text("located")
			if !strings.Contains(found, "Тестовенко Остап Петрович") || !strings.Contains(found, "02.09.2013") {
				t.Errorf("located search shows %q, want Тестовенко Остап Петрович born 02.09.2013", found)
			}
			if strings.Contains(found, "Макетенко") {
				t.Errorf("located search shows records that do not match: %q", found)
			}
			b.screenshot("located-list")

			if os.Getenv("HOMEWARD_E2E_SCREENSHOTS") != "" {
				// Pages not otherwise visited, for a person to look at.
				for _, p := range []string{"/", "/admin/users", "/admin/orgs", "/account"} {
					b.do("open "+p, chromedp.Navigate(srv.url+p), chromedp.WaitVisible(id("main")))
					b.screenshot(strings.Trim(strings.ReplaceAll(p, "/", "-"), "-") + "page")
				}
			}
		})
	}
}
