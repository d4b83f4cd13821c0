package linkage

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
)

// TrainReport says what training saw and where EM stopped.
type TrainReport struct {
	RandomPairs int     `json:"random_pairs"` // pairs u was estimated from
	EMPairs     int     `json:"em_pairs"`     // blocked pairs EM saw
	Patterns    int     `json:"patterns"`     // distinct comparison vectors among them
	Iterations  int     `json:"iterations"`
	Converged   bool    `json:"converged"`
	Prior       float64 `json:"prior"`
	// Sessions are the EM runs that estimated m, one per blocking rule.
	Sessions []Session `json:"sessions,omitempty"`
}

// Session is one EM run over the pairs one blocking rule produces. The
// comparisons of the rule's own fields are left out of it: among pairs
// blocked on a field, agreement on that field says nothing.
type Session struct {
	Rule       string   `json:"rule"`
	Pairs      int      `json:"pairs"`
	Estimated  []string `json:"estimated"` // comparisons whose m it estimated
	Iterations int      `json:"iterations"`
	Converged  bool     `json:"converged"`
}

// Train estimates the model's parameters on the linker's data: u from random
// pairs, m and the share of matches by expectation-maximisation over blocked
// pairs, and from that the prior. Levels marked fixed keep their values. A
// model already trained keeps its m and u, and only its prior is estimated
// again (unless the prior is fixed too), since the prior depends on the input.
func (lk *Linker) Train(ctx context.Context) (TrainReport, error) {
	cfg := lk.model.Training.withDefaults()
	var rep TrainReport
	retrain := !lk.model.Trained
	if retrain {
		n, err := lk.estimateU(ctx, cfg)
		if err != nil {
			return rep, err
		}
		rep.RandomPairs = n
	}
	if lk.model.Trained && lk.model.PriorFixed {
		return rep, nil
	}
	pats, err := lk.patterns(ctx, cfg)
	if err != nil {
		return rep, err
	}
	rep.EMPairs = int(pats.total)
	rep.Patterns = len(pats.counts)
	if retrain {
		rep.Sessions = lk.trainM(pats, cfg)
	}
	rep.Iterations, rep.Converged = lk.trainPrior(pats, cfg)
	rep.Prior = lk.model.Prior
	lk.model.Trained = true
	for _, k := range lk.comps {
		k.setWeights()
	}
	lk.computeTF() // its prior frequencies are the u values just trained
	return rep, nil
}

// estimateU counts levels among random pairs. Chunks of pairs have their own
// seeds, so the result does not depend on how many workers there are.
func (lk *Linker) estimateU(ctx context.Context, cfg TrainingConfig) (int, error) {
	nl, nr := lk.left.n, lk.right.n
	total := float64(nl) * float64(nr)
	if lk.dedupe {
		total = float64(nl) * float64(nl-1) / 2
	}
	if total < 1 {
		return 0, nil
	}
	n := int(math.Min(float64(cfg.RandomPairs), total))
	const chunk = 10_000
	chunks := (n + chunk - 1) / chunk
	counts := make([][][]float64, chunks)
	var next int64 = -1
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cache := newSimCache()
			for ctx.Err() == nil {
				mu.Lock()
				next++
				c := int(next)
				mu.Unlock()
				if c >= chunks {
					return
				}
				rng := rand.New(rand.NewPCG(cfg.Seed, uint64(c)+1))
				cnt := make([][]float64, len(lk.comps))
				for i, k := range lk.comps {
					cnt[i] = make([]float64, len(k.when))
				}
				for p := c * chunk; p < min(n, (c+1)*chunk); p++ {
					l, r := rng.IntN(nl), rng.IntN(nr)
					if lk.dedupe {
						for r == l && nl > 1 {
							r = rng.IntN(nr)
						}
					}
					for i, k := range lk.comps {
						a, b, sa, sb := lk.refs(k, l, r)
						cnt[i][k.level(a, b, sa, sb, cache)]++
					}
				}
				counts[c] = cnt
				if lk.Progress != nil {
					lk.Progress("estimating u", min(n, (c+1)*chunk), n)
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	for i, k := range lk.comps {
		sum := make([]float64, len(k.when))
		for _, cnt := range counts {
			for j, v := range cnt[i] {
				sum[j] += v
			}
		}
		setProbabilities(k.c.Levels, sum, 0.5, func(l *Level) *float64 { return &l.U })
	}
	return n, nil
}

// setProbabilities turns counts into probabilities over the non-missing,
// non-fixed levels, adding pseudo to each count so that a level never seen
// is rare rather than impossible.
func setProbabilities(levels []Level, counts []float64, pseudo float64, field func(*Level) *float64) {
	fixedMass, free := 0.0, 0.0
	for j := range levels {
		l := &levels[j]
		if l.When == WhenMissing {
			continue
		}
		if l.Fixed && *field(l) > 0 {
			fixedMass += *field(l)
			continue
		}
		free += counts[j] + pseudo
	}
	for j := range levels {
		l := &levels[j]
		if l.When == WhenMissing || (l.Fixed && *field(l) > 0) {
			continue
		}
		*field(l) = (1 - fixedMass) * (counts[j] + pseudo) / free
	}
}

// patternSet is the comparison vectors of blocked pairs with their counts
// and the rules that produce them; EM runs on these rather than on pairs.
type patternSet struct {
	keys     []patternKey
	counts   []float64
	total    float64
	possible float64 // all pairs of the left rows sampled
	rows     int
	// groups lists, per sampled left row, the pattern of each of its
	// pairs: what an exclusive model's E-step needs (see em).
	groups [][]int32
}

type patternKey struct {
	levels uint64 // 4 bits per comparison
	rules  uint64 // bit per blocking rule producing the pair
}

func (k patternKey) level(i int) int { return int(k.levels >> (4 * i) & 0xf) }

// patterns computes the comparison vectors of the blocked pairs of a
// reproducible sample of left rows, as many rows as fit in MaxEMPairs.
func (lk *Linker) patterns(ctx context.Context, cfg TrainingConfig) (*patternSet, error) {
	nl := lk.left.n
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	perm := rng.Perm(nl)
	stamp := make([]uint32, lk.right.n)
	var rows []int
	pairs, possible := 0, 0.0
	for _, l := range perm {
		c := 0
		lk.candidates(l, uint32(l+1), stamp, func(int, int) { c++ })
		if pairs+c > cfg.MaxEMPairs && len(rows) > 0 {
			break
		}
		pairs += c
		rows = append(rows, l)
		if lk.dedupe {
			possible += float64(nl - 1 - l)
		} else {
			possible += float64(lk.right.n)
		}
	}
	// Training tells pairs apart only by the training rules that produce
	// them: leaving the others out keeps the patterns few (and EM fast)
	// however many rules catch altered records.
	trainMask := lk.trainingRules()
	workers := runtime.GOMAXPROCS(0)
	maps := make([]map[patternKey]float64, workers)
	// Only an exclusive model's E-step needs each row's pairs.
	var rowKeys [][]patternKey
	if lk.exclusive() {
		rowKeys = make([][]patternKey, len(rows))
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			m := map[patternKey]float64{}
			stamp := make([]uint32, lk.right.n)
			cache := newSimCache()
			for i := w; i < len(rows); i += workers {
				if i%1024 == 0 && ctx.Err() != nil {
					return
				}
				l := rows[i]
				lk.candidates(l, uint32(l+1), stamp, func(r, _ int) {
					var key patternKey
					for ci, k := range lk.comps {
						a, b, sa, sb := lk.refs(k, l, r)
						key.levels |= uint64(k.level(a, b, sa, sb, cache)) << (4 * ci)
					}
					key.rules = lk.rulesIn(l, r, trainMask)
					m[key]++
					if rowKeys != nil {
						rowKeys[i] = append(rowKeys[i], key)
					}
				})
			}
			maps[w] = m
		}(w)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	all := map[patternKey]float64{}
	for _, m := range maps {
		for k, v := range m {
			all[k] += v
		}
	}
	ps := &patternSet{possible: possible, rows: len(rows)}
	for k := range all {
		ps.keys = append(ps.keys, k)
	}
	slices.SortFunc(ps.keys, func(a, b patternKey) int {
		if c := cmp.Compare(a.levels, b.levels); c != 0 {
			return c
		}
		return cmp.Compare(a.rules, b.rules)
	})
	index := make(map[patternKey]int32, len(ps.keys))
	for i, k := range ps.keys {
		ps.counts = append(ps.counts, all[k])
		ps.total += all[k]
		index[k] = int32(i)
	}
	if rowKeys == nil {
		return ps, nil
	}
	ps.groups = make([][]int32, len(rows))
	for i, keys := range rowKeys {
		g := make([]int32, len(keys))
		for j, k := range keys {
			g[j] = index[k]
		}
		ps.groups[i] = g
	}
	return ps, nil
}

// rulesOf returns the set of rules under which left row l and right row r
// share a key.
func (lk *Linker) rulesOf(l, r int) uint64 {
	return lk.rulesIn(l, r, 1<<len(lk.rules)-1)
}

// rulesIn is rulesOf restricted to the rules in mask.
func (lk *Linker) rulesIn(l, r int, mask uint64) uint64 {
	var out uint64
	for ri := range lk.rules {
		if mask&(1<<ri) != 0 && intersects(lk.left.keys[ri].of(l), lk.right.keys[ri].of(r)) {
			out |= 1 << ri
		}
	}
	return out
}

// intersects reports whether two sorted key lists share a key.
func intersects(a, b []uint64) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			return true
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return false
}

// startingM is the m a level starts EM from when the model gives none:
// agreement likely among matches, the else level unlikely.
func startingM(levels []Level) []float64 {
	out := make([]float64, len(levels))
	var idx []int
	for j, l := range levels {
		if l.When != WhenMissing {
			idx = append(idx, j)
		}
	}
	if len(idx) == 0 {
		return out
	}
	sum := 0.0
	for n, j := range idx {
		if levels[j].M > 0 {
			out[j] = levels[j].M
		} else if n == len(idx)-1 {
			out[j] = 0.05
		} else {
			out[j] = 0.95 * math.Pow(0.5, float64(n+1))
		}
		sum += out[j]
	}
	for _, j := range idx {
		out[j] /= sum
	}
	return out
}

// ruleFields reports, per comparison, whether blocking rule ri reads its
// field. (A swap field does not count: the swapped level is rare, and
// counting it would leave given and family names never estimated.)
func (lk *Linker) ruleFields(ri int) []bool {
	out := make([]bool, len(lk.comps))
	r := lk.rules[ri]
	for i, k := range lk.comps {
		for pi, cols := range r.cols {
			switch r.parts[pi].Key {
			case BlockYear, BlockYearMonth, BlockMonthDay, BlockDay, BlockMonth, BlockAll:
				// A coarse part leaves most levels of the comparison
				// possible among the pairs, so EM can still learn them.
				continue
			case BlockNamePrefix:
				if r.parts[pi].Length <= 1 {
					continue
				}
			}
			for _, c := range cols {
				if c == k.col {
					out[i] = true
				}
			}
		}
	}
	return out
}

// trainM estimates m as the EM engines that do it well do (Splink's
// sessions): one EM run per blocking rule over the pairs that rule produces,
// leaving out the comparisons of the rule's own fields; each comparison's m
// is the mean of the runs that estimated it. A comparison no run could
// estimate keeps its starting values.
func (lk *Linker) trainM(ps *patternSet, cfg TrainingConfig) []Session {
	nc := len(lk.comps)
	start := make([][]float64, nc)
	for i, k := range lk.comps {
		start[i] = startingM(k.c.Levels)
	}
	sum := make([][]float64, nc)
	runs := make([]int, nc)
	for i := range sum {
		sum[i] = make([]float64, len(start[i]))
	}
	var sessions []Session
	for ri, r := range lk.rules {
		if !r.train {
			continue
		}
		excluded := lk.ruleFields(ri)
		active := make([]bool, nc)
		any := false
		for i := range active {
			active[i] = !excluded[i]
			any = any || active[i]
		}
		sub := ps.subset(1 << ri)
		s := Session{Rule: r.name, Pairs: int(sub.total)}
		if !any || sub.total == 0 {
			sessions = append(sessions, s)
			continue
		}
		m := cloneMatrix(start)
		_, s.Iterations, s.Converged = lk.em(sub, cfg, active, m, true)
		for i := range active {
			if !active[i] {
				continue
			}
			s.Estimated = append(s.Estimated, lk.comps[i].c.Label())
			runs[i]++
			for j := range m[i] {
				sum[i][j] += m[i][j]
			}
		}
		sessions = append(sessions, s)
	}
	for i, k := range lk.comps {
		for j := range k.c.Levels {
			l := &k.c.Levels[j]
			if l.When == WhenMissing || (l.Fixed && l.M > 0) {
				continue
			}
			if runs[i] > 0 {
				l.M = math.Max(sum[i][j]/float64(runs[i]), 1e-6)
			} else {
				l.M = math.Max(start[i][j], 1e-6)
			}
		}
	}
	return sessions
}

// trainPrior estimates the share of matches among all blocked pairs with m
// held, and from it the prior.
func (lk *Linker) trainPrior(ps *patternSet, cfg TrainingConfig) (int, bool) {
	if lk.model.PriorFixed {
		return 0, true
	}
	if ps.total == 0 {
		lk.model.Prior = max(lk.model.Prior, 1e-9)
		return 0, true
	}
	m := make([][]float64, len(lk.comps))
	active := make([]bool, len(lk.comps))
	for i, k := range lk.comps {
		active[i] = true
		m[i] = make([]float64, len(k.c.Levels))
		for j, l := range k.c.Levels {
			m[i][j] = max(l.M, 1e-9)
		}
	}
	mask := lk.trainingRules()
	all := ps
	lk.model.NoTrainingWeight = 0
	if mask != 1<<len(lk.rules)-1 {
		ps = ps.subset(mask)
		if ps.total == 0 {
			lk.model.Prior = max(lk.model.Prior, 1e-9)
			return 0, true
		}
	}
	lambda, iter, conv := lk.em(ps, cfg, active, m, false)
	lk.model.Prior = math.Min(math.Max(lambda*ps.total/ps.possible, 1e-12), 0.5)
	if extra := all.without(mask); extra.total > 0 {
		// The pairs only the other rules find: their own share of matches,
		// as a weight relative to the prior.
		le, _, _ := lk.em(extra, cfg, active, m, false)
		p := math.Min(math.Max(le*extra.total/extra.possible, 1e-15), 0.5)
		w := math.Log2(p/(1-p)) - math.Log2(lk.model.Prior/(1-lk.model.Prior))
		lk.model.NoTrainingWeight = math.Min(0, w)
	}
	return iter, conv
}

// without returns the patterns no rule in mask produces.
func (ps *patternSet) without(mask uint64) *patternSet {
	return ps.filter(func(k patternKey) bool { return k.rules&mask == 0 })
}

// subset returns the patterns produced by any rule in mask.
func (ps *patternSet) subset(mask uint64) *patternSet {
	return ps.filter(func(k patternKey) bool { return k.rules&mask != 0 })
}

// filter returns the patterns keep accepts, with the groups' pairs of
// those patterns.
func (ps *patternSet) filter(keep func(patternKey) bool) *patternSet {
	out := &patternSet{possible: ps.possible, rows: ps.rows}
	remap := make([]int32, len(ps.keys))
	for i, k := range ps.keys {
		remap[i] = -1
		if keep(k) {
			remap[i] = int32(len(out.keys))
			out.keys = append(out.keys, k)
			out.counts = append(out.counts, ps.counts[i])
			out.total += ps.counts[i]
		}
	}
	if ps.groups != nil {
		out.groups = make([][]int32, 0, len(ps.groups))
		for _, g := range ps.groups {
			var ng []int32
			for _, p := range g {
				if remap[p] >= 0 {
					ng = append(ng, remap[p])
				}
			}
			out.groups = append(out.groups, ng)
		}
	}
	return out
}

func cloneMatrix(x [][]float64) [][]float64 {
	out := make([][]float64, len(x))
	for i := range x {
		out[i] = append([]float64(nil), x[i]...)
	}
	return out
}

// em fits a two-class mixture to the patterns over the active comparisons:
// m (when fitM) and the share of matches, with u among blocked non-matches
// free (it is not the u of random pairs: blocking makes non-matches agree on
// the blocked fields). The starting m values act as a Dirichlet prior of
// PriorStrength pseudo-pairs, which keeps EM sensible on small data. m is
// updated in place.
//
// Under an exclusive model (linking two files) the E-step knows that a
// report matches at most one of its candidates: a pair's posterior is its
// odds over one plus the sum of its report's odds. Among a million records
// a report has hundreds of candidates and a few look-alikes that agree on
// most fields; plain EM counts each look-alike as part of a match and
// learns that matches often disagree, which on the synthetic corpus cost
// 0.005 of F1 at a million records and nothing at 20,000.
func (lk *Linker) em(ps *patternSet, cfg TrainingConfig, active []bool, m [][]float64, fitM bool) (lambda float64, iter int, converged bool) {
	nc := len(lk.comps)
	m0 := cloneMatrix(m)
	u := make([][]float64, nc)
	for i, k := range lk.comps {
		u[i] = make([]float64, len(k.when))
		for j, l := range k.c.Levels {
			u[i][j] = max(l.U, 1e-6)
		}
	}
	u0 := cloneMatrix(u)
	lambda = math.Min(0.5, math.Max(1e-4, float64(ps.rows)/ps.total))
	missing := func(i, lv int) bool { return lk.comps[i].when[lv] == cMissing }
	am := make([][]float64, nc)
	au := make([][]float64, nc)
	for i, k := range lk.comps {
		am[i] = make([]float64, len(k.when))
		au[i] = make([]float64, len(k.when))
	}
	exclusive := lk.exclusive() && ps.groups != nil
	post := make([]float64, len(ps.keys)) // expected matches per pattern
	var odds []float64
	if exclusive {
		odds = make([]float64, len(ps.keys))
	}
	for iter < cfg.MaxIterations {
		iter++
		for i := range nc {
			clear(am[i])
			clear(au[i])
		}
		sumW := 0.0
		for p, key := range ps.keys {
			pm, pu := lambda, 1-lambda
			for i := range nc {
				if !active[i] {
					continue
				}
				l := key.level(i)
				if missing(i, l) {
					continue
				}
				pm *= m[i][l]
				pu *= u[i][l]
			}
			if exclusive {
				odds[p] = pm / pu
				continue
			}
			w := pm / (pm + pu)
			if math.IsNaN(w) {
				w = 0
			}
			post[p] = w * ps.counts[p]
		}
		if exclusive {
			// One report, at most one match among its candidates: a
			// pair's posterior is its odds over one plus all its
			// report's odds, so look-alikes share what evidence there is
			// rather than each counting as a match.
			clear(post)
			for _, g := range ps.groups {
				sum := 0.0
				for _, p := range g {
					sum += odds[p]
				}
				for _, p := range g {
					if w := odds[p] / (1 + sum); !math.IsNaN(w) {
						post[p] += w
					}
				}
			}
		}
		for p, key := range ps.keys {
			w, c := post[p], ps.counts[p]
			sumW += w
			for i := range nc {
				l := key.level(i)
				am[i][l] += w
				au[i][l] += c - w
			}
		}
		newLambda := math.Min(math.Max(sumW/ps.total, 1e-9), 1-1e-9)
		delta := math.Abs(newLambda - lambda)
		lambda = newLambda
		for i, k := range lk.comps {
			if !active[i] {
				continue
			}
			if fitM {
				next := mStep(k.c.Levels, am[i], m0[i], cfg.PriorStrength, func(l *Level) float64 { return l.M })
				for j := range next {
					delta = math.Max(delta, math.Abs(next[j]-m[i][j]))
				}
				m[i] = next
			}
			nu := mStep(k.c.Levels, au[i], u0[i], cfg.PriorStrength, func(*Level) float64 { return 0 })
			for j := range nu {
				delta = math.Max(delta, math.Abs(nu[j]-u[i][j]))
			}
			u[i] = nu
		}
		if delta < cfg.Tolerance {
			converged = true
			break
		}
	}
	return lambda, iter, converged
}

// mStep re-estimates level probabilities from expected counts, with prior
// pseudo-counts; fixed levels keep their values.
func mStep(levels []Level, counts, prior []float64, strength float64, fixed func(*Level) float64) []float64 {
	out := make([]float64, len(counts))
	fixedMass, free, priorFree := 0.0, 0.0, 0.0
	isFixed := func(j int) bool {
		return levels[j].Fixed && fixed(&levels[j]) > 0
	}
	isMissing := func(j int) bool { return levels[j].When == WhenMissing }
	for j := range counts {
		if isMissing(j) {
			continue
		}
		if isFixed(j) {
			fixedMass += fixed(&levels[j])
			continue
		}
		free += counts[j]
		priorFree += prior[j]
	}
	if priorFree == 0 {
		priorFree = 1
	}
	for j := range counts {
		switch {
		case isMissing(j):
			out[j] = prior[j]
		case isFixed(j):
			out[j] = fixed(&levels[j])
		default:
			out[j] = (1 - fixedMass) * (counts[j] + strength*prior[j]/priorFree) / (free + strength)
			out[j] = math.Max(out[j], 1e-9)
		}
	}
	return out
}
