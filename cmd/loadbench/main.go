// Command loadbench measures how Homeward's pages and API answer under load,
// against DESIGN.md's goal: p99 ≤ 50 ms at 200 concurrent clients on 2 cores.
//
// It creates a fresh SQLite store in a temporary directory, fills it with a
// synthetic corpus (linkage/synth: invented people only), starts the real web
// server on 127.0.0.1:0, signs users in, and drives concurrent clients over a
// mix of reads for a bounded time. It then prints latency percentiles and
// throughput per route.
//
// It is a benchmark, not a test or a tool for real data: it must never be
// pointed at a real database, and it prints no names, only routes and times.
//
// Usage:
//
//	go run ./cmd/loadbench -clients 200 -duration 20s
//
// Each client waits a random think time between requests (uniform in
// [0, 2×think], as people reading a page do); -think 0 drives the server as
// fast as it answers, which measures throughput rather than latency.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/internal/synthdata"
	"github.com/homeward-project/homeward/linkage/synth"
	"github.com/homeward-project/homeward/seal"
	"github.com/homeward-project/homeward/store"
	"github.com/homeward-project/homeward/web"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

type config struct {
	cases, located int
	users          int
	clients        int
	duration       time.Duration
	warmup         time.Duration
	think          time.Duration
	seed           uint64
	keep           bool
}

func run() error {
	var cfg config
	flag.IntVar(&cfg.cases, "cases", 20000, "synthetic cases (missing-child reports) to load")
	flag.IntVar(&cfg.located, "located", 100000, "synthetic located records to load")
	flag.IntVar(&cfg.users, "users", 20, "caseworkers signed in; clients share them round robin")
	flag.IntVar(&cfg.clients, "clients", 200, "concurrent clients")
	flag.DurationVar(&cfg.duration, "duration", 20*time.Second, "how long to measure")
	flag.DurationVar(&cfg.warmup, "warmup", 2*time.Second, "load before measuring, not counted")
	flag.DurationVar(&cfg.think, "think", time.Second, "mean think time between a client's requests (0: none)")
	flag.Uint64Var(&cfg.seed, "seed", 1, "seed of the synthetic corpus and of the clients")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the temporary database")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the measured period (server and clients) to this file")
	flag.Parse()
	if cfg.clients < 1 || cfg.users < 1 || cfg.cases < 1 || cfg.located < 1 {
		return errors.New("-clients, -users, -cases and -located must be positive")
	}
	ctx := context.Background()

	dir, err := os.MkdirTemp("", "homeward-loadbench-")
	if err != nil {
		return err
	}
	if cfg.keep {
		fmt.Println("database:", filepath.Join(dir, "homeward.db"))
	} else {
		defer os.RemoveAll(dir)
	}
	db, err := store.Open(ctx, filepath.Join(dir, "homeward.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	// A key of the run's own: the benchmark measures the server as it runs,
	// with its records sealed.
	key, err := seal.GenerateKey()
	if err != nil {
		return err
	}
	if _, err := db.Unlock(ctx, store.MasterKey{Key: key}); err != nil {
		return err
	}

	start := time.Now()
	w, err := load(ctx, db, cfg)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	fmt.Printf("loaded %d cases (%d visible to the clients' organisation) and %d located records in %v\n",
		cfg.cases, len(w.caseIDs), cfg.located, time.Since(start).Round(time.Millisecond))

	srv := web.NewServer(web.Config{
		Orgs:    store.NewOrgService(db),
		Users:   store.NewUserService(db),
		Cases:   store.NewCaseService(db),
		Located: store.NewLocatedService(db),
		Events:  store.NewEventService(db),
		Uploads: store.NewUploadService(db),
		// As serve wires them: the case list also shows the user's
		// waiting work, read through these.
		Matches:     store.NewMatchService(db),
		Workflow:    store.NewWorkflowService(db),
		Attachments: store.NewAttachmentService(db),
		// The real server formats a log line per request; so does this one,
		// into the void.
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String()

	hc := &http.Client{
		Transport: &http.Transport{MaxIdleConns: cfg.clients, MaxIdleConnsPerHost: cfg.clients, IdleConnTimeout: time.Minute},
		// A redirect means the session was lost; count it, do not follow it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
	sessions, err := signIn(hc, base, w)
	if err != nil {
		return err
	}

	routes := mix(w)
	fmt.Printf("GOMAXPROCS %d, %d clients, think %v, warm-up %v, measuring %v; load average before: %s\n",
		runtime.GOMAXPROCS(0), cfg.clients, cfg.think, cfg.warmup, cfg.duration, loadavg())
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		time.AfterFunc(cfg.warmup, func() { pprof.StartCPUProfile(f) })
		defer pprof.StopCPUProfile()
	}
	var cpu0 atomic.Int64
	time.AfterFunc(cfg.warmup, func() { cpu0.Store(int64(cpuTime())) })
	res := drive(hc, base, cfg, sessions, w.tokens, routes)
	cpu := cpuTime() - time.Duration(cpu0.Load())
	fmt.Printf("load average after: %s\n\n", loadavg())
	n := report(os.Stdout, routes, res, cfg.duration)
	// On a shared machine latency depends on what else runs; the CPU this
	// process (server and clients) spent per request does much less.
	if n > 0 {
		fmt.Printf("\nCPU of this process while measuring: %v, %.2f ms per request (%.2f cores busy)\n",
			cpu.Round(time.Millisecond), float64(cpu.Microseconds())/1000/float64(n), cpu.Seconds()/cfg.duration.Seconds())
	}
	return nil
}

// world is what the clients need to know about the loaded store.
type world struct {
	logins   []string
	password string
	tokens   []string // one API token per login
	caseIDs  []int64  // cases the clients' organisation may open
	searches []string // family names of loaded cases, to search for
}

// load creates an agency and an NGO, the agency's caseworkers, and imports a
// synthetic corpus: four fifths of the reports as the agency's cases, the
// rest as the NGO's, a quarter of which it shares with the agency (so that
// the shared-records condition has work to do), and every located record as
// the agency's.
func load(ctx context.Context, db *store.DB, cfg config) (*world, error) {
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor())
	orgs := store.NewOrgService(db)
	agency := &homeward.Org{Name: "Invented Agency", Kind: homeward.OrgAgency}
	ngo := &homeward.Org{Name: "Invented NGO", Kind: homeward.OrgNGO}
	for _, o := range []*homeward.Org{agency, ngo} {
		if err := orgs.CreateOrg(sys, o); err != nil {
			return nil, err
		}
	}
	password, err := store.GeneratePassword()
	if err != nil {
		return nil, err
	}
	w := &world{password: password}
	users := store.NewUserService(db)
	for i := range cfg.users {
		u := &homeward.User{Login: fmt.Sprintf("worker%02d", i), DisplayName: fmt.Sprintf("Worker %d", i), Role: homeward.RoleCaseworker, OrgID: agency.ID}
		if err := users.CreateUser(sys, u, password); err != nil {
			return nil, err
		}
		token, err := users.CreateAPIToken(homeward.NewContextWithActor(ctx, homeward.ActorOf(u)), u.ID, "loadbench", 0)
		if err != nil {
			return nil, err
		}
		w.logins = append(w.logins, u.Login)
		w.tokens = append(w.tokens, token)
	}

	corpus := synth.Generate(synth.Config{Reports: cfg.cases, Located: cfg.located, Seed: cfg.seed})
	rng := rand.New(rand.NewPCG(cfg.seed, 7))
	var agencyCases, ngoCases []*homeward.Case
	for _, row := range corpus.Reports {
		c := synthdata.Case(row, rng)
		if rng.IntN(5) == 0 {
			c.OrgID = ngo.ID
			ngoCases = append(ngoCases, c)
		} else {
			c.OrgID = agency.ID
			agencyCases = append(agencyCases, c)
		}
	}
	cases := store.NewCaseService(db)
	for _, batch := range []struct {
		org int64
		cs  []*homeward.Case
	}{{agency.ID, agencyCases}, {ngo.ID, ngoCases}} {
		orgCtx := homeward.NewContextWithActor(ctx, homeward.Actor{System: true, Role: homeward.RoleAdmin, OrgID: batch.org})
		if _, _, err := cases.ImportCases(orgCtx, batch.cs, nil); err != nil {
			return nil, err
		}
	}
	recs := make([]*homeward.LocatedRecord, len(corpus.Located))
	for i, row := range corpus.Located {
		recs[i] = synthdata.Located(row, rng)
		recs[i].OrgID = agency.ID
	}
	agencyCtx := homeward.NewContextWithActor(ctx, homeward.Actor{System: true, Role: homeward.RoleAdmin, OrgID: agency.ID})
	if _, _, err := store.NewLocatedService(db).ImportLocated(agencyCtx, recs, nil); err != nil {
		return nil, err
	}
	for _, c := range agencyCases {
		w.caseIDs = append(w.caseIDs, c.ID)
	}
	for i, c := range ngoCases {
		if i%4 == 0 {
			if err := cases.ShareCase(sys, c.ID, agency.ID); err != nil {
				return nil, err
			}
			w.caseIDs = append(w.caseIDs, c.ID)
		}
	}
	for i, row := range corpus.Reports {
		if i%10 == 0 && row[2] != "" {
			w.searches = append(w.searches, row[2])
		}
	}
	return w, nil
}

// signIn logs every user in through the login form and returns their
// session cookies.
func signIn(hc *http.Client, base string, w *world) ([]string, error) {
	var cookies []string
	for _, login := range w.logins {
		resp, err := hc.PostForm(base+"/login", url.Values{"login": {login}, "password": {w.password}, "next": {"/cases"}})
		if err != nil {
			return nil, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		var session string
		for _, c := range resp.Cookies() {
			if c.Name == "homeward_session" {
				session = c.Name + "=" + c.Value
			}
		}
		if resp.StatusCode != http.StatusSeeOther || session == "" {
			return nil, fmt.Errorf("sign in as %s: status %d", login, resp.StatusCode)
		}
		cookies = append(cookies, session)
	}
	return cookies, nil
}

// route is one kind of request of the mix.
type route struct {
	name   string
	weight int
	api    bool
	path   func(rng *rand.Rand) string
}

// mix is what the clients ask for: mostly lists, often one case, sometimes
// a search, and the API list an integration polls.
func mix(w *world) []route {
	page := func(rng *rand.Rand) string {
		// Most people look at the first page; some leaf through.
		if rng.IntN(4) == 0 {
			return fmt.Sprintf("offset=%d", 50*(1+rng.IntN(10)))
		}
		return ""
	}
	return []route{
		{name: "GET /cases", weight: 25, path: func(rng *rand.Rand) string { return "/cases?" + page(rng) }},
		{name: "GET /cases?q=", weight: 15, path: func(rng *rand.Rand) string {
			return "/cases?q=" + url.QueryEscape(w.searches[rng.IntN(len(w.searches))])
		}},
		{name: "GET /cases/{id}", weight: 25, path: func(rng *rand.Rand) string {
			return fmt.Sprintf("/cases/%d", w.caseIDs[rng.IntN(len(w.caseIDs))])
		}},
		{name: "GET /located", weight: 15, path: func(rng *rand.Rand) string { return "/located?" + page(rng) }},
		{name: "GET /api/v1/cases", weight: 20, api: true, path: func(rng *rand.Rand) string {
			return "/api/v1/cases?limit=50"
		}},
	}
}

// result holds the latencies of one route.
type result struct {
	lat    []time.Duration
	errors int
	first  string // first error, as an example
}

// drive runs the clients: a warm-up, then the measured period.
func drive(hc *http.Client, base string, cfg config, cookies, tokens []string, routes []route) []*result {
	total := 0
	for _, r := range routes {
		total += r.weight
	}
	var mu sync.Mutex
	res := make([]*result, len(routes))
	for i := range res {
		res[i] = &result{}
	}
	measureFrom := time.Now().Add(cfg.warmup)
	stop := measureFrom.Add(cfg.duration)
	var wg sync.WaitGroup
	for c := range cfg.clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(cfg.seed, uint64(c)))
			user := c % len(cookies)
			lat := make([][]time.Duration, len(routes))
			errs := make([]int, len(routes))
			firstErr := make([]string, len(routes))
			// Clients start spread over one think time, not all at once.
			if cfg.think > 0 {
				time.Sleep(rand.N(cfg.think))
			}
			for {
				k := pick(rng, routes, total)
				req, _ := http.NewRequest(http.MethodGet, base+routes[k].path(rng), nil)
				if routes[k].api {
					req.Header.Set("Authorization", "Bearer "+tokens[user])
				} else {
					req.Header.Set("Cookie", cookies[user])
				}
				t0 := time.Now()
				if t0.After(stop) {
					break
				}
				resp, err := hc.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				d := time.Since(t0)
				if t0.After(measureFrom) {
					if err != nil {
						errs[k]++
						if firstErr[k] == "" {
							firstErr[k] = err.Error()
						}
					} else {
						lat[k] = append(lat[k], d)
					}
				}
				if cfg.think > 0 {
					time.Sleep(rand.N(2 * cfg.think))
				}
			}
			mu.Lock()
			for k := range routes {
				res[k].lat = append(res[k].lat, lat[k]...)
				res[k].errors += errs[k]
				if res[k].first == "" {
					res[k].first = firstErr[k]
				}
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	return res
}

func pick(rng *rand.Rand, routes []route, total int) int {
	n := rng.IntN(total)
	for i, r := range routes {
		if n < r.weight {
			return i
		}
		n -= r.weight
	}
	return len(routes) - 1
}

// report prints the table and returns how many requests succeeded.
func report(out io.Writer, routes []route, res []*result, d time.Duration) int {
	fmt.Fprintf(out, "%-18s %8s %7s %9s %9s %9s %9s %8s\n", "route", "requests", "errors", "p50", "p95", "p99", "max", "req/s")
	var all result
	for i, r := range routes {
		line(out, r.name, res[i], d)
		all.lat = append(all.lat, res[i].lat...)
		all.errors += res[i].errors
	}
	line(out, "all", &all, d)
	for i, r := range routes {
		if res[i].first != "" {
			fmt.Fprintf(out, "first error of %s: %s\n", r.name, res[i].first)
		}
	}
	return len(all.lat)
}

// cpuTime returns the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func line(out io.Writer, name string, r *result, d time.Duration) {
	slices.Sort(r.lat)
	q := func(p float64) string {
		if len(r.lat) == 0 {
			return "-"
		}
		return fmtDur(r.lat[min(len(r.lat)-1, int(p*float64(len(r.lat))))])
	}
	fmt.Fprintf(out, "%-18s %8d %7d %9s %9s %9s %9s %8.1f\n", name, len(r.lat), r.errors, q(0.50), q(0.95), q(0.99), q(1), float64(len(r.lat))/d.Seconds())
}

func fmtDur(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000)
}

// loadavg returns the first three fields of /proc/loadavg, or "?".
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
