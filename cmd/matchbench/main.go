// Command matchbench measures background matching inside the server: a
// fresh SQLite store holding a synthetic list of located children
// (linkage/synth), the matcher started over it, then a list of reports
// imported through the matcher's decorated case service, timed until every
// candidate is saved, while clients read pages and the API of the real web
// server; their latency is compared with the same load while the matcher
// is idle, measured first in the same run.
//
// It generates synthetic people only and must never be pointed at a real
// database: it creates its own in a temporary directory and removes it.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/internal/synthdata"
	"github.com/homeward-project/homeward/linkage/synth"
	"github.com/homeward-project/homeward/matching"
	"github.com/homeward-project/homeward/seal"
	"github.com/homeward-project/homeward/store"
	"github.com/homeward-project/homeward/web"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "matchbench:", err)
		os.Exit(1)
	}
}

type options struct {
	located, cases, clients int
	baseline                time.Duration
	seed                    uint64
	verbose                 bool
	think                   time.Duration
	pace                    float64
	nice                    bool
}

func run() error {
	var o options
	flag.IntVar(&o.located, "located", 100_000, "located records in the store before the matcher starts")
	flag.IntVar(&o.cases, "cases", 10_000, "reports imported while clients read pages")
	flag.IntVar(&o.clients, "clients", 20, "concurrent web clients")
	flag.DurationVar(&o.baseline, "baseline", 10*time.Second, "how long to measure page latency with the matcher idle")
	flag.Uint64Var(&o.seed, "seed", 7, "seed of the synthetic corpus")
	flag.BoolVar(&o.verbose, "v", false, "log the matcher's progress to stderr")
	flag.DurationVar(&o.think, "think", 0, "mean pause of each client between requests (0: back to back, the harshest load)")
	flag.Float64Var(&o.pace, "pace", 0, "the matcher's Pace (0: its default)")
	flag.BoolVar(&o.nice, "nice", true, "run the matcher's worker at low priority, as serve does")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the import and matching phase to this file")
	flag.Parse()
	ctx := context.Background()

	dir, err := os.MkdirTemp("", "matchbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, dir+"/homeward.db")
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
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor())

	org := &homeward.Org{Name: "Benchmark agency", Kind: homeward.OrgAgency}
	if err := store.NewOrgService(db).CreateOrg(sys, org); err != nil {
		return err
	}
	users := store.NewUserService(db)
	u := &homeward.User{OrgID: org.ID, Login: "bench", DisplayName: "Benchmark", Role: homeward.RoleSupervisor}
	if err := users.CreateUser(sys, u, "benchmark-password-1234"); err != nil {
		return err
	}
	actor := homeward.NewContextWithActor(ctx, homeward.ActorOf(u))
	session, err := users.CreateSession(actor, u, time.Hour)
	if err != nil {
		return err
	}
	apiToken, err := users.CreateAPIToken(actor, u.ID, "matchbench", 0)
	if err != nil {
		return err
	}

	fmt.Printf("matchbench: %d located records, %d reports, %d clients (think %v), matcher pace %v, low priority %v, GOMAXPROCS %d\n",
		o.located, o.cases, o.clients, o.think, o.pace, o.nice, runtime.GOMAXPROCS(0))
	t0 := time.Now()
	corpus := synth.Generate(synth.Config{Reports: o.cases, Located: o.located, Seed: o.seed})
	rawLocated := store.NewLocatedService(db)
	locs := make([]*homeward.LocatedRecord, len(corpus.Located))
	for i, row := range corpus.Located {
		locs[i] = synthdata.Located(row, nil)
	}
	for lo := 0; lo < len(locs); lo += 10_000 {
		if _, _, err := rawLocated.ImportLocated(actor, locs[lo:min(lo+10_000, len(locs))], nil); err != nil {
			return fmt.Errorf("import located records: %w", err)
		}
	}
	fmt.Printf("setup: generated and stored %d located records in %v\n", len(locs), time.Since(t0).Round(time.Millisecond))

	logger := slog.New(slog.DiscardHandler)
	if o.verbose {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	rawCases := store.NewCaseService(db)
	matches := store.NewMatchService(db)
	m, err := matching.New(matching.Config{Cases: rawCases, Located: rawLocated, Matches: matches, Orgs: store.NewOrgService(db), Logger: logger, Pace: o.pace, LowPriority: o.nice})
	if err != nil {
		return err
	}
	defer m.Close()
	t1 := time.Now()
	m.Start(ctx)
	if err := m.Wait(ctx); err != nil {
		return err
	}
	fmt.Printf("matcher start: loaded and indexed %d located records in %v\n", m.Stats().Located, time.Since(t1).Round(time.Millisecond))

	srv := web.NewServer(web.Config{
		Orgs: store.NewOrgService(db), Users: users,
		Cases: m.Cases(rawCases), Located: m.Located(rawLocated),
		Events: store.NewEventService(db), Uploads: store.NewUploadService(db),
		Matches: matches, Workflow: store.NewWorkflowService(db), Attachments: store.NewAttachmentService(db),
		Logger: slog.New(slog.DiscardHandler),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String()

	// Reads the clients make: pages and API reads of located records (and,
	// once imported, of cases).
	locIDs := make([]int64, len(locs))
	for i, l := range locs {
		locIDs[i] = l.ID
	}
	var caseIDs atomic.Pointer[[]int64]
	load := &loadGen{think: o.think, base: base, session: session, token: apiToken, locIDs: locIDs, caseIDs: &caseIDs,
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.clients}, Timeout: 30 * time.Second}}

	// Baseline: the same load with the matcher idle.
	stop := make(chan struct{})
	time.AfterFunc(o.baseline, func() { close(stop) })
	idle := load.run(o.clients, stop)
	idle.print("idle matcher, before (no cases yet)")
	if idle.errors > 0 {
		fmt.Printf("  %d failed requests, first: %v\n", idle.errors, idle.firstErr)
	}

	// Import the reports through the decorated service and wait for the
	// matcher, while the clients read.
	cases := make([]*homeward.Case, len(corpus.Reports))
	for i, row := range corpus.Reports {
		cases[i] = synthdata.Case(row, nil)
	}
	stop = make(chan struct{})
	var busy *loadResult
	done := make(chan struct{})
	go func() { busy = load.run(o.clients, stop); close(done) }()
	before := m.Stats()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	t2 := time.Now()
	created, _, err := m.Cases(rawCases).ImportCases(actor, cases, nil)
	if err != nil {
		close(stop)
		return fmt.Errorf("import cases: %w", err)
	}
	imported := time.Since(t2)
	ids := make([]int64, 0, len(cases))
	for _, c := range cases {
		ids = append(ids, c.ID)
	}
	caseIDs.Store(&ids)
	if err := m.Wait(ctx); err != nil {
		return err
	}
	total := time.Since(t2)
	if *cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	close(stop)
	<-done
	after := m.Stats()
	fmt.Printf("import of %d reports (one transaction): %v\n", created, imported.Round(time.Millisecond))
	fmt.Printf("background matching: all candidates saved %v after the import began (%v after it committed); %d records matched, %d candidates saved (%d new), %d errors\n",
		total.Round(time.Millisecond), (total - imported).Round(time.Millisecond), after.Matched-before.Matched, after.Saved-before.Saved, after.Created-before.Created, after.Errors)
	fmt.Printf("  matcher time: building indexes %v, querying and explaining %v, saving %v, paused %v\n",
		(after.BuildTime - before.BuildTime).Round(time.Millisecond), (after.QueryTime - before.QueryTime).Round(time.Millisecond),
		(after.SaveTime - before.SaveTime).Round(time.Millisecond), (after.PauseTime - before.PauseTime).Round(time.Millisecond))
	busy.print("during import and matching")
	if busy.errors > 0 {
		fmt.Printf("  %d failed requests, first: %v\n", busy.errors, busy.firstErr)
	}
	// The same load again with the matcher idle: now the case pages exist,
	// so this is the like-for-like baseline of the phase above.
	stop = make(chan struct{})
	time.AfterFunc(o.baseline, func() { close(stop) })
	after2 := load.run(o.clients, stop)
	after2.print("idle matcher, after")
	if after2.errors > 0 {
		fmt.Printf("  %d failed requests, first: %v\n", after2.errors, after2.firstErr)
	}
	recall(ctx, matches, corpus, locs, cases)

	if *restart {
		// A restart: a new matcher loads everything, trains the
		// organisation's model on its now sufficient data and matches every
		// case again; stored decisions stay.
		m.Close()
		m2, err := matching.New(matching.Config{Cases: rawCases, Located: rawLocated, Matches: matches, Orgs: store.NewOrgService(db), Logger: logger, Pace: o.pace, LowPriority: o.nice})
		if err != nil {
			return err
		}
		defer m2.Close()
		t3 := time.Now()
		m2.Start(ctx)
		if err := m2.Wait(ctx); err != nil {
			return err
		}
		s := m2.Stats()
		fmt.Printf("restart: loaded %d cases and %d located records, trained, matched every case and saved in %v; %d candidates saved (%d new, %d changed), %d errors\n",
			s.Cases, s.Located, time.Since(t3).Round(time.Millisecond), s.Saved, s.Created, s.Updated, s.Errors)
		recall(ctx, matches, corpus, locs, cases)
	}
	return nil
}

var restart = flag.Bool("restart", true, "restart the matcher at the end and time its full rebuild")

// recall reports how many true pairs of the corpus became candidates.
func recall(ctx context.Context, ms homeward.MatchService, c *synth.Corpus, locs []*homeward.LocatedRecord, cases []*homeward.Case) {
	locID := make(map[string]int64, len(locs))
	for _, l := range locs {
		locID[l.ImportKey] = l.ID
	}
	caseID := make(map[string]int64, len(cases))
	for _, k := range cases {
		caseID[k.ImportKey] = k.ID
	}
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor())
	found := map[[2]int64]bool{}
	for off := 0; ; off += 5000 {
		page, _, err := ms.FindMatches(sys, homeward.MatchFilter{Offset: off, Limit: 5000})
		if err != nil {
			fmt.Println("recall: ", err)
			return
		}
		for _, m := range page {
			found[[2]int64{m.CaseID, m.LocatedID}] = true
		}
		if len(page) < 5000 {
			break
		}
	}
	hit := 0
	for _, p := range c.Truth {
		if found[[2]int64{caseID[synthdata.ImportKey(p[:1])], locID[synthdata.ImportKey(p[1:])]}] {
			hit++
		}
	}
	fmt.Printf("quality: %d of %d true pairs are among the %d candidates (recall %.3f)\n", hit, len(c.Truth), len(found), float64(hit)/float64(max(1, len(c.Truth))))
}

type loadGen struct {
	base, session, token string
	think                time.Duration
	locIDs               []int64
	caseIDs              *atomic.Pointer[[]int64]
	client               *http.Client
}

type loadResult struct {
	lat      []time.Duration
	byKind   map[string][]time.Duration
	errors   int
	firstErr error
	elapsed  time.Duration
}

// run has n clients request pages back to back until stop closes.
func (g *loadGen) run(n int, stop chan struct{}) *loadResult {
	var mu sync.Mutex
	res := &loadResult{byKind: map[string][]time.Duration{}}
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, 1))
			var lat []time.Duration
			byKind := map[string][]time.Duration{}
			for {
				select {
				case <-stop:
					mu.Lock()
					res.lat = append(res.lat, lat...)
					for k, v := range byKind {
						res.byKind[k] = append(res.byKind[k], v...)
					}
					mu.Unlock()
					return
				default:
				}
				if g.think > 0 {
					time.Sleep(time.Duration(rng.ExpFloat64() * float64(g.think)))
				}
				req, kind := g.request(rng)
				t := time.Now()
				resp, err := g.client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("%s %s: %s", req.Method, req.URL.Path, resp.Status)
					}
				}
				lat = append(lat, time.Since(t))
				byKind[kind] = append(byKind[kind], lat[len(lat)-1])
				if err != nil {
					mu.Lock()
					if res.errors == 0 {
						res.firstErr = err
					}
					res.errors++
					mu.Unlock()
				}
			}
		}(uint64(i))
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// request picks a read: a located record's page or API record, the case
// list, or (once there are cases) a case's page with its candidates.
func (g *loadGen) request(rng *rand.Rand) (*http.Request, string) {
	var path, kind string
	api := false
	cs := g.caseIDs.Load()
	switch x := rng.IntN(10); {
	case x < 3:
		path, kind = "/located/"+strconv.FormatInt(g.locIDs[rng.IntN(len(g.locIDs))], 10), "GET /located/{id}"
	case x < 5:
		path, api, kind = "/api/v1/located/"+strconv.FormatInt(g.locIDs[rng.IntN(len(g.locIDs))], 10), true, "GET /api/v1/located/{id}"
	case x < 6:
		path, kind = "/cases", "GET /cases"
	case x < 8 && cs != nil:
		path, kind = "/cases/"+strconv.FormatInt((*cs)[rng.IntN(len(*cs))], 10), "GET /cases/{id}"
	case cs != nil:
		path, api, kind = "/api/v1/cases/"+strconv.FormatInt((*cs)[rng.IntN(len(*cs))], 10), true, "GET /api/v1/cases/{id}"
	default:
		path, kind = "/located", "GET /located"
	}
	req, _ := http.NewRequest(http.MethodGet, g.base+path, nil)
	if api {
		req.Header.Set("Authorization", "Bearer "+g.token)
	} else {
		req.AddCookie(&http.Cookie{Name: "homeward_session", Value: g.session})
	}
	return req, kind
}

func (r *loadResult) print(phase string) {
	if len(r.lat) == 0 {
		fmt.Printf("pages, %s: no requests\n", phase)
		return
	}
	slices.Sort(r.lat)
	q := func(p float64) time.Duration {
		return r.lat[min(len(r.lat)-1, int(p*float64(len(r.lat))))].Round(100 * time.Microsecond)
	}
	fmt.Printf("pages, %s: %d requests in %v (%.0f/s), p50 %v, p95 %v, p99 %v, max %v\n", phase, len(r.lat), r.elapsed.Round(time.Millisecond),
		float64(len(r.lat))/r.elapsed.Seconds(), q(0.50), q(0.95), q(0.99), r.lat[len(r.lat)-1].Round(100*time.Microsecond))
	if !*byRoute {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(r.byKind)) {
		l := r.byKind[k]
		slices.Sort(l)
		q := func(p float64) time.Duration {
			return l[min(len(l)-1, int(p*float64(len(l))))].Round(100 * time.Microsecond)
		}
		fmt.Printf("  %-26s %5d requests, p50 %v, p95 %v, p99 %v\n", k, len(l), q(0.5), q(0.95), q(0.99))
	}
}

var byRoute = flag.Bool("routes", false, "print latency per route")
