package matching

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/linkage"
)

// Config configures a Matcher. Cases, Located and Matches are required;
// the zero values of the rest are the defaults. Cases and Located are the
// undecorated services the default loader reads; writes must go through
// Matcher.Cases and Matcher.Located to be matched.
type Config struct {
	Cases   homeward.CaseService
	Located homeward.LocatedService
	Matches homeward.MatchService
	// Orgs lists organisations for the default loader.
	Orgs homeward.OrgService
	// Loader reads everything at start; nil: a ServiceLoader over the
	// services above.
	Loader Loader

	Logger *slog.Logger

	// MinProbability is the least probability a candidate is saved with
	// (default 0.2); PerRecord the most candidates saved per record
	// (default 10).
	MinProbability float64
	PerRecord      int
	// SaveChunk is the most candidates one SaveCandidates call writes
	// (default 200, at most 2,000): each call holds the database's write
	// lock, and pages that record a view wait for it (about 25 ms for 200
	// on SQLite here).
	SaveChunk int
	// Pace is the share of wall time the matcher works while it has work
	// (default 0.5; 1 never pauses): it pauses between slices of work so
	// that pages stay fast on a small machine while a list is matched.
	Pace float64
	// Debounce is how long the matcher waits for more changes before it
	// works on those queued (default 100 ms), so that a burst of edits is
	// matched at once.
	Debounce time.Duration
	// An organisation's own data trains the model when it has at least
	// TrainMinCases cases and TrainMinLocated located records (defaults 50
	// and 200); otherwise the embedded default model is used.
	TrainMinCases, TrainMinLocated int
	// LowPriority runs the worker on an OS thread of lower scheduling
	// priority (Linux), so that pages keep the processor while a list is
	// matched; saves still run at normal priority.
	LowPriority bool
}

func (c *Config) defaults() {
	if c.MinProbability <= 0 {
		c.MinProbability = 0.2
	}
	if c.PerRecord <= 0 {
		c.PerRecord = 10
	}
	if c.SaveChunk <= 0 {
		c.SaveChunk = 200
	}
	c.SaveChunk = min(c.SaveChunk, 2000)
	if c.Pace <= 0 || c.Pace > 1 {
		c.Pace = 0.5
	}
	if c.Debounce <= 0 {
		c.Debounce = 100 * time.Millisecond
	}
	if c.TrainMinCases <= 0 {
		c.TrainMinCases = 50
	}
	if c.TrainMinLocated <= 0 {
		c.TrainMinLocated = 200
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Loader == nil {
		c.Loader = &ServiceLoader{OrgService: c.Orgs, CaseService: c.Cases, LocatedService: c.Located}
	}
}

// Matcher keeps the organisations' linkage indexes and matches new and
// changed records in the background. Its methods are safe for concurrent
// use; the indexes are touched by its one worker goroutine only.
type Matcher struct {
	cfg Config
	log *slog.Logger
	def *linkage.Model

	mu      sync.Mutex
	queue   []change
	busy    bool // loading, or working on changes taken from the queue
	started bool
	closed  bool
	idle    chan struct{} // closed when the queue is empty and the worker idle
	wake    chan struct{}
	done    chan struct{}
	cancel  context.CancelFunc
	stats   Stats

	// Worker state.
	orgs    map[int64]*orgState
	cases   map[int64]*caseRec
	located map[int64]*locRec
	anchors map[int64]map[int64]*anchor // case → located → pair of at least even odds
}

// Stats counts what the matcher has done since it started.
type Stats struct {
	Orgs, Cases, Located int   // indexed
	Matched              int   // records matched
	Saved                int   // candidates handed to SaveCandidates
	Created, Updated     int   // as SaveCandidates reported
	Errors               int   // failed loads, queries or saves
	LastError            error `json:"-"`
	// Time spent building indexes, querying them (with explanations) and
	// saving candidates, and paused to leave the machine to others.
	BuildTime, QueryTime, SaveTime, PauseTime time.Duration
}

// change is one successful write seen by the service decorators.
type change struct {
	c        *homeward.Case
	l        *homeward.LocatedRecord
	locID    int64 // with shareOrg: a located record shared with an organisation
	shareOrg int64
}

// New returns a matcher; Start loads the indexes and starts the worker.
func New(cfg Config) (*Matcher, error) {
	if cfg.Cases == nil || cfg.Located == nil || cfg.Matches == nil {
		return nil, errors.New("matching: the case, located and match services are required")
	}
	if cfg.Loader == nil && cfg.Orgs == nil {
		return nil, errors.New("matching: an organisation service or a loader is required")
	}
	cfg.defaults()
	def, err := DefaultModel()
	if err != nil {
		return nil, err
	}
	m := &Matcher{cfg: cfg, log: cfg.Logger, def: def, idle: make(chan struct{}), wake: make(chan struct{}, 1), done: make(chan struct{}),
		orgs: map[int64]*orgState{}, cases: map[int64]*caseRec{}, located: map[int64]*locRec{}}
	close(m.idle)
	return m, nil
}

// Start loads every organisation's records, trains or loads its model,
// builds its indexes and matches all its cases, in the background: it
// returns at once, and Wait says when that is done. Changes made through
// the decorators meanwhile are queued and matched afterwards.
func (m *Matcher) Start(ctx context.Context) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.started || m.closed {
		return
	}
	m.started = true
	ctx, m.cancel = context.WithCancel(context.WithoutCancel(ctx))
	m.setBusy(true)
	go m.run(ctx)
}

// setBusy records whether work is pending; m.mu is held.
func (m *Matcher) setBusy(b bool) {
	if b && !m.busy {
		m.idle = make(chan struct{})
	} else if !b && m.busy {
		close(m.idle)
	}
	m.busy = b
}

// Idle reports whether nothing is queued and the worker is waiting.
func (m *Matcher) Idle() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return !m.busy && len(m.queue) == 0
}

// Wait blocks until the queue is empty and the worker idle, or ctx ends.
// Tests call it after a write instead of sleeping.
func (m *Matcher) Wait(ctx context.Context) error {
	for {
		m.mu.Lock()
		ch := m.idle
		m.mu.Unlock()
		select {
		case <-ch:
			if m.Idle() {
				return nil
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Stats returns the counters.
func (m *Matcher) Stats() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stats
}

// Close stops the worker, dropping what is still queued (a restart matches
// everything again), and waits for it to return.
func (m *Matcher) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	started := m.started
	if m.cancel != nil {
		m.cancel()
	}
	m.mu.Unlock()
	if started {
		<-m.done
	}
	return nil
}

// enqueue records successful writes for the worker.
func (m *Matcher) enqueue(chs ...change) {
	if len(chs) == 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed || !m.started {
		// Before Start the load will read these records anyway.
		return
	}
	m.queue = append(m.queue, chs...)
	m.setBusy(true)
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

func (m *Matcher) fail(err error, msg string, args ...any) {
	m.log.Error(msg, append(args, "err", err)...)
	m.mu.Lock()
	m.stats.Errors++
	m.stats.LastError = err
	m.mu.Unlock()
}

func (m *Matcher) run(ctx context.Context) {
	defer close(m.done)
	if m.cfg.LowPriority && !lowerPriority() {
		m.log.Debug("matcher: could not lower the worker thread's priority")
	}
	defer func() {
		// Closed: nothing more will be done, so nobody may wait for it.
		m.mu.Lock()
		m.queue = nil
		m.setBusy(false)
		m.mu.Unlock()
	}()
	start := time.Now()
	if err := m.load(ctx); err != nil {
		if ctx.Err() != nil {
			return
		}
		m.fail(err, "matcher: load")
	}
	all := make([]int64, 0, len(m.cases))
	for id := range m.cases {
		all = append(all, id)
	}
	slices.Sort(all)
	m.match(ctx, all, nil)
	m.log.Info("matcher: started", "orgs", len(m.orgs), "cases", len(m.cases), "located", len(m.located), "took", time.Since(start).Round(time.Millisecond))
	for {
		m.mu.Lock()
		if len(m.queue) == 0 {
			m.setBusy(false)
		}
		m.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-m.wake:
		}
		// Let a burst of changes gather.
		t := time.NewTimer(m.cfg.Debounce)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		m.mu.Lock()
		q := m.queue
		m.queue = nil
		m.mu.Unlock()
		cases, locs := m.apply(q)
		m.match(ctx, cases, locs)
	}
}

// load reads every organisation's records and prepares its model.
func (m *Matcher) load(ctx context.Context) error {
	ids, err := m.cfg.Loader.OrgIDs(ctx)
	if err != nil {
		return err
	}
	for _, org := range ids {
		st := m.org(org)
		err := m.cfg.Loader.Cases(ctx, org, func(cs []*homeward.Case) error {
			for _, c := range cs {
				if c.OrgID != org {
					continue // only an organisation's own cases are matched for it
				}
				r := newCaseRec(c)
				m.cases[r.id] = r
				st.cases[r.id] = r
			}
			return nil
		})
		if err != nil {
			return err
		}
		err = m.cfg.Loader.Located(ctx, org, func(rs []*homeward.LocatedRecord) error {
			for _, l := range rs {
				r := m.located[l.ID]
				if r == nil {
					r = newLocRec(l)
					m.located[r.id] = r
				}
				r.orgs[org] = true
				st.located[r.id] = r
			}
			return nil
		})
		if err != nil {
			return err
		}
		m.train(ctx, st)
		// Build both indexes now rather than at the first query, which
		// would otherwise build a large one while people are at work.
		m.locIndex(st)
		m.caseIndex(st)
	}
	m.mu.Lock()
	m.stats.Orgs, m.stats.Cases, m.stats.Located = len(m.orgs), len(m.cases), len(m.located)
	m.mu.Unlock()
	return nil
}

// locKey is a located record to match for one organisation.
type locKey struct{ org, id int64 }

// apply takes queued changes into the indexed records and returns the
// cases and located records to match.
func (m *Matcher) apply(q []change) (cases []int64, locs []locKey) {
	seenC := map[int64]bool{}
	seenL := map[locKey]bool{}
	addLoc := func(r *locRec) {
		for org := range r.orgs {
			st := m.org(org)
			st.located[r.id] = r
			st.locDirty = true
			if k := (locKey{org, r.id}); !seenL[k] {
				seenL[k] = true
				locs = append(locs, k)
			}
		}
	}
	for _, ch := range q {
		switch {
		case ch.c != nil:
			r := newCaseRec(ch.c)
			if old := m.cases[r.id]; old != nil && old.hash == r.hash && slices.Equal(old.siblings, r.siblings) {
				continue // nothing the model compares changed
			}
			m.cases[r.id] = r
			st := m.org(r.org)
			st.cases[r.id] = r
			st.caseDirty = true
			if !seenC[r.id] {
				seenC[r.id] = true
				cases = append(cases, r.id)
			}
		case ch.l != nil:
			r := newLocRec(ch.l)
			if old := m.located[r.id]; old != nil {
				if old.hash == r.hash && old.institution == r.institution {
					continue
				}
				r.orgs = old.orgs
			}
			m.located[r.id] = r
			addLoc(r)
		case ch.shareOrg != 0:
			r := m.located[ch.locID]
			if r == nil {
				m.log.Warn("matcher: a record shared before it was loaded; it is matched at the next start", "located", ch.locID)
				continue
			}
			if r.orgs[ch.shareOrg] {
				continue
			}
			r.orgs[ch.shareOrg] = true
			addLoc(&locRec{id: r.id, orgs: map[int64]bool{ch.shareOrg: true}})
			m.orgs[ch.shareOrg].located[r.id] = r
		}
	}
	m.mu.Lock()
	m.stats.Orgs, m.stats.Cases, m.stats.Located = len(m.orgs), len(m.cases), len(m.located)
	m.mu.Unlock()
	return cases, locs
}

// match queries each case against its organisation's located records and
// each located record against the cases of each organisation that sees
// it, and saves the candidates in chunks as they accumulate.
func (m *Matcher) match(ctx context.Context, cases []int64, locs []locKey) {
	var batch []homeward.Match
	seen := map[[2]int64]int{} // pair → index in batch
	add := func(mt homeward.Match) {
		k := [2]int64{mt.CaseID, mt.LocatedID}
		if i, ok := seen[k]; ok {
			if mt.Probability > batch[i].Probability {
				batch[i] = mt
			}
			return
		}
		seen[k] = len(batch)
		batch = append(batch, mt)
	}
	p := m.pacer()
	var qt time.Duration
	flush := func() {
		if len(batch) == 0 {
			return
		}
		ms := m.withSiblings(batch)
		onNormalThread(func() { m.save(ctx, ms, p) })
		batch = batch[:0]
		clear(seen)
	}
	done := 0
	for _, id := range cases {
		if ctx.Err() != nil {
			return
		}
		p.step(ctx)
		c := m.cases[id]
		st := m.orgs[c.org]
		ix := m.locIndex(st)
		if ix == nil {
			continue
		}
		qs := time.Now()
		found, err := ix.Query(c.vals.query(), m.cfg.PerRecord, m.cfg.MinProbability)
		if err != nil {
			if !errors.Is(err, linkage.ErrNoField) {
				m.fail(err, "matcher: query", "case", id)
			}
			continue
		}
		for _, f := range found {
			lid, _ := strconv.ParseInt(f.ID, 10, 64)
			if l := st.located[lid]; l != nil {
				add(m.candidate(st, c, l, f))
			}
		}
		qt += time.Since(qs)
		done++
		if len(batch) >= m.cfg.SaveChunk {
			flush()
		}
	}
	for _, k := range locs {
		if ctx.Err() != nil {
			return
		}
		p.step(ctx)
		st := m.orgs[k.org]
		l := st.located[k.id]
		ix := m.caseIndex(st)
		if ix == nil || l == nil {
			continue
		}
		qs := time.Now()
		found, err := ix.Query(l.vals.query(), m.cfg.PerRecord, m.cfg.MinProbability)
		if err != nil {
			if !errors.Is(err, linkage.ErrNoField) {
				m.fail(err, "matcher: query", "located", k.id)
			}
			continue
		}
		for _, f := range found {
			cid, _ := strconv.ParseInt(f.ID, 10, 64)
			if c := st.cases[cid]; c != nil {
				add(m.candidate(st, c, l, f))
			}
		}
		qt += time.Since(qs)
		done++
		if len(batch) >= m.cfg.SaveChunk {
			flush()
		}
	}
	flush()
	m.mu.Lock()
	m.stats.Matched += done
	m.stats.QueryTime += qt
	m.stats.PauseTime += p.paused
	m.mu.Unlock()
}

// candidate is the match of case c and located record l the index found.
func (m *Matcher) candidate(st *orgState, c *caseRec, l *locRec, f linkage.Candidate) homeward.Match {
	ev := evidence(st.model, f.Evidence, &c.vals, &l.vals)
	for i := range ev {
		ev[i].Weight = round(finite(ev[i].Weight), 100)
	}
	return homeward.Match{
		CaseID: c.id, LocatedID: l.id,
		Probability: round(f.Probability, 1e4), Weight: round(finite(f.Weight), 100),
		Explanation:    ev,
		Model:          st.fingerprint,
		CaseFieldsHash: c.hash, LocatedFieldsHash: l.hash,
	}
}

// round rounds x to 1/per. Scores are stored rounded, as shown, so that
// the drift of term frequencies as lists grow does not rescore every pair
// matched again.
func round(x, per float64) float64 { return math.Round(x*per) / per }

// finite keeps a weight storable: an exact agreement on a name seen once
// can weigh +Inf under term-frequency adjustment.
func finite(w float64) float64 {
	switch {
	case math.IsInf(w, 1) || w > 1e6:
		return 1e6
	case math.IsInf(w, -1) || w < -1e6 || math.IsNaN(w):
		return -1e6
	}
	return w
}

// save writes candidates in chunks, as the system.
func (m *Matcher) save(ctx context.Context, ms []homeward.Match, p *pacer) {
	sctx := homeward.NewContextWithActor(ctx, homeward.SystemActor())
	for len(ms) > 0 {
		chunk := ms[:min(len(ms), m.cfg.SaveChunk)]
		ms = ms[len(chunk):]
		ss := time.Now()
		created, updated, err := m.cfg.Matches.SaveCandidates(sctx, chunk)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			// A record removed or unshared meanwhile fails the chunk: save
			// the rest one by one so that one pair does not hold back others.
			m.fail(err, "matcher: save candidates; retrying one by one", "candidates", len(chunk))
			for _, c := range chunk {
				cr, up, err := m.cfg.Matches.SaveCandidates(sctx, []homeward.Match{c})
				if err != nil {
					m.log.Warn("matcher: save candidate", "case", c.CaseID, "located", c.LocatedID, "err", err)
					continue
				}
				created, updated = created+cr, updated+up
			}
		}
		m.mu.Lock()
		m.stats.SaveTime += time.Since(ss)
		m.stats.Saved += len(chunk)
		m.stats.Created += created
		m.stats.Updated += updated
		m.mu.Unlock()
		p.pause(ctx)
	}
}
