package linkage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/homeward-project/homeward/names"
)

// ErrInput marks input a model cannot be applied to (a missing column).
var ErrInput = errors.New("invalid input")

// Linker links two datasets, or deduplicates one, under a model.
type Linker struct {
	model  *Model
	fields []string
	vals   *values
	left   *sideData
	right  *sideData // == left when deduplicating
	dedupe bool
	comps  []*comparator
	order  []int // comparators, cheapest first
	rules  []*compiledRule
	index  []*blockIndex // per rule, over the right side
	// families interns the values of the sibling field.
	families   *values
	siblingEst SiblingEstimate
	// siblingFound holds the pairs no rule produced that sibling evidence
	// brought in during the last call to Pairs.
	siblingFound [][2]int

	// Progress, when set, is told how far each stage has come.
	Progress func(stage string, done, total int)
}

// sideData is one dataset as value ids per model field.
type sideData struct {
	vals    *values // the table its value ids refer to
	ids     []string
	data    []uint32 // value ids, record-major: a record's fields share a cache line
	stride  int      // fields per record
	n       int
	family  []uint32  // family group per record (0: none), when the model names a sibling field
	famSize []int32   // records per family group, by family id
	keys    []keyList // per rule
}

func (s *sideData) at(field, row int) uint32 { return s.data[row*s.stride+field] }

// Pair is a candidate pair with its score. Left and Right are row indexes
// in the left and right datasets (both in the one dataset when deduplicating,
// Left < Right).
type Pair struct {
	Left, Right int
	Weight      float64
	Probability float64
	// Sibling, when set, is the pair of siblings whose match added to this
	// pair's weight.
	Sibling *OtherPair
	// Rival, when set, is the better-supported pair of a sibling that
	// competes for one of this pair's records, and the weight it took.
	Rival *OtherPair
	// NoSibling is the weight (≤ 0) the pair gained because both its
	// records have siblings on their sides and no sibling pair matches.
	NoSibling float64
	// Competitor, when set, is the best of the pairs that compete with this
	// one for one of its records (see Model.Exclusive), and the weight
	// they took.
	Competitor *OtherPair
}

// Contribution is one comparison's part in a pair's weight: the level it
// reached and what that weighs.
type Contribution struct {
	Comparison string  `json:"comparison"`
	Level      string  `json:"level"`
	Weight     float64 `json:"weight"`
	Detail     string  `json:"detail,omitempty"`
}

// RuleCount is how many candidate pairs a blocking rule produced that no
// earlier rule had.
type RuleCount struct {
	Rule  string `json:"rule"`
	Pairs int64  `json:"pairs"`
}

// BlockingReport counts candidate pairs by rule; Total is the number scored.
// SiblingFound counts the pairs no rule produced that sibling evidence
// brought in (they are scored too, on top of Total).
type BlockingReport struct {
	Rules        []RuleCount `json:"rules"`
	Total        int64       `json:"total"`
	SiblingFound int         `json:"sibling_found,omitempty"`
}

// NewLinker prepares left and right for linkage under m (right nil: find
// duplicates within left). The model is copied; training changes the copy.
// Every field the model reads must be a column unless AllowMissingFields.
func NewLinker(m *Model, left, right *Dataset) (*Linker, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	lk := &Linker{model: m.Clone(), fields: m.Fields(), vals: newValues(), families: newValues(), dedupe: right == nil}
	lk.vals.ageAsOf = parseDate(m.AgeAsOf)
	var err error
	if lk.left, err = lk.load(left, "left"); err != nil {
		return nil, err
	}
	if right == nil {
		lk.right = lk.left
	} else if lk.right, err = lk.load(right, "right"); err != nil {
		return nil, err
	}
	lk.prepare()
	lk.compile()
	lk.computeTF()
	lk.left.keys = make([]keyList, len(lk.rules))
	lk.right.keys = make([]keyList, len(lk.rules))
	lk.index = make([]*blockIndex, len(lk.rules))
	// Rules are independent: key and index them in parallel.
	parallel(len(lk.rules), 1, func(lo, hi int) {
		for ri := lo; ri < hi; ri++ {
			r := lk.rules[ri]
			if lk.dedupe {
				lk.keySide(lk.left, ri, r, roleBoth)
			} else {
				lk.keySide(lk.left, ri, r, roleQuery)
				lk.keySide(lk.right, ri, r, roleIndexed)
			}
			lk.index[ri] = buildIndex(&lk.right.keys[ri], lk.right.n)
		}
	})
	return lk, nil
}

// Model returns the linker's model, trained once Train has run.
func (lk *Linker) Model() *Model { return lk.model }

// LeftID and RightID return a row's identifier.
func (lk *Linker) LeftID(i int) string  { return lk.left.ids[i] }
func (lk *Linker) RightID(i int) string { return lk.right.ids[i] }

// Sizes returns the number of records on each side.
func (lk *Linker) Sizes() (left, right int) { return lk.left.n, lk.right.n }

func (lk *Linker) load(d *Dataset, side string) (*sideData, error) {
	if d == nil {
		return nil, fmt.Errorf("%w: no %s dataset", ErrInput, side)
	}
	fam := -1
	if f := lk.model.SiblingField; f != "" {
		fam = d.column(f)
	}
	idc := d.column(lk.model.ID())
	if idc < 0 {
		return nil, fmt.Errorf("%w: %s file has no %q column", ErrInput, side, lk.model.ID())
	}
	present := 0
	for _, c := range lk.model.Comparisons {
		if d.column(c.Field) >= 0 {
			present++
		}
	}
	if present == 0 && lk.model.AllowMissingFields {
		var want []string
		for _, c := range lk.model.Comparisons {
			want = append(want, c.Field)
		}
		return nil, fmt.Errorf("%w: %s file has none of the columns the model compares (%s)", ErrInput, side, strings.Join(want, ", "))
	}
	nf := len(lk.fields)
	s := &sideData{vals: lk.vals, n: len(d.Rows), ids: make([]string, len(d.Rows)), data: make([]uint32, len(d.Rows)*nf), stride: nf}
	for fi, f := range lk.fields {
		c := d.column(f)
		if c < 0 && fi > 0 && !lk.model.AllowMissingFields {
			return nil, fmt.Errorf("%w: %s file has no column %q that the model compares", ErrInput, side, f)
		}
		if c >= 0 && fi > 0 {
			for i, row := range d.Rows {
				if c < len(row) {
					s.data[i*nf+fi] = lk.vals.intern(row[c])
				}
			}
		}
	}
	if fam >= 0 {
		s.family = make([]uint32, len(d.Rows))
		for i, row := range d.Rows {
			if fam < len(row) && row[fam] != "" {
				s.family[i] = lk.families.intern(row[fam])
			}
		}
	}
	for i, row := range d.Rows {
		if idc < len(row) {
			s.ids[i] = strings.TrimSpace(row[idc])
		}
	}
	return s, nil
}

// fieldKinds lists, per model field, the prepared forms it needs.
func (lk *Linker) fieldKinds() []map[string]bool {
	out := make([]map[string]bool, len(lk.fields))
	for i := range out {
		out[i] = map[string]bool{}
	}
	add := func(field, kind string) {
		if i := indexOf(lk.fields, field); i >= 0 {
			out[i][kind] = true
		}
	}
	for _, c := range lk.model.Comparisons {
		add(c.Field, c.Kind)
		add(c.SwapField, c.Kind)
	}
	for _, r := range lk.model.Blocking {
		for _, p := range r.Parts {
			kind := KindDate
			switch p.Key {
			case BlockNameKeys, BlockNamePrefix:
				kind = KindName
			case BlockOblast, BlockSettlement:
				kind = KindPlace
			case BlockValue, BlockPrefix:
				kind = KindString
			case BlockAll:
				continue
			}
			add(p.Field, kind)
			for _, f := range p.Also {
				add(f, kind)
			}
		}
	}
	return out
}

// kindsOf lists every prepared form the model needs.
func (lk *Linker) kindsOf() map[string]bool {
	all := map[string]bool{}
	for _, ks := range lk.fieldKinds() {
		for k := range ks {
			all[k] = true
		}
	}
	return all
}

// prepare fills, for each field, the prepared forms its kinds need, for the
// distinct values it holds: a million birth dates need no name analysis.
func (lk *Linker) prepare() {
	seen := make([]bool, len(lk.vals.strs))
	for fi, kinds := range lk.fieldKinds() {
		if len(kinds) == 0 {
			continue
		}
		clear(seen)
		var ids []uint32
		for _, s := range []*sideData{lk.left, lk.right} {
			for i := 0; i < s.n; i++ {
				id := s.at(fi, i)
				if !seen[id] {
					seen[id] = true
					ids = append(ids, id)
				}
			}
		}
		for _, k := range sortedKeys(kinds) {
			lk.vals.prepare(k, ids)
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (lk *Linker) compile() {
	lk.comps = lk.comps[:0]
	for i := range lk.model.Comparisons {
		lk.comps = append(lk.comps, compileComparison(&lk.model.Comparisons[i], lk.fields))
	}
	lk.order = make([]int, len(lk.comps))
	for i := range lk.order {
		lk.order[i] = i
	}
	// Among comparisons of one cost, those of fields with fewer distinct
	// values go first: their similarities come from the cache, and by the
	// time a field of many (family names) is reached, most look-alikes
	// have fallen below the threshold and it is never compared.
	distinct := lk.distinctValues()
	slices.SortStableFunc(lk.order, func(a, b int) int {
		ka, kb := lk.comps[a], lk.comps[b]
		if ka.cost != kb.cost {
			return ka.cost - kb.cost
		}
		return cmp.Compare(distinct[ka.col], distinct[kb.col])
	})
	lk.rules = lk.rules[:0]
	for _, r := range lk.model.Blocking {
		cr := &compiledRule{name: r.Name, parts: r.Parts, unordered: r.Unordered, train: !r.NoTraining}
		for _, p := range r.Parts {
			cr.missingAgrees = cr.missingAgrees || p.MissingAgrees
			cols := []int{indexOf(lk.fields, p.Field)}
			for _, f := range p.Also {
				cols = append(cols, indexOf(lk.fields, f))
			}
			cr.cols = append(cr.cols, cols)
		}
		lk.rules = append(lk.rules, cr)
	}
}

// distinctValues counts, per field, the distinct values over both sides.
func (lk *Linker) distinctValues() []int {
	out := make([]int, len(lk.fields))
	if lk.left == nil {
		return out
	}
	seen := make([]bool, len(lk.vals.strs))
	for fi := range lk.fields {
		clear(seen)
		for _, s := range []*sideData{lk.left, lk.right} {
			for i := 0; i < s.n; i++ {
				if id := s.at(fi, i); !seen[id] {
					seen[id] = true
					out[fi]++
				}
			}
		}
	}
	return out
}

// computeTF counts, per comparison with a term-frequency level, how often
// each normalised value occurs over both datasets.
// tfPriorRecords is the weight, in records, of the prior frequency that
// term frequencies are shrunk towards.
const tfPriorRecords = 500

// tfPriorU is the u of the comparison's first term-frequency-adjusted level:
// the chance that two random records share a value, which is also the mean
// frequency of a random record's value. 0 when the level has no u yet.
func (k *comparator) tfPriorU() float64 {
	for i, l := range k.c.Levels {
		if k.tfLevel[i] {
			return l.U
		}
	}
	return 0
}

func (lk *Linker) computeTF() {
	for _, k := range lk.comps {
		if !slices.Contains(k.tfLevel, true) {
			continue
		}
		// Count by value id (cheap), then by normalised form over the
		// distinct ids only.
		perID := make([]int32, len(lk.vals.strs))
		total := 0
		sides := []*sideData{lk.left}
		if !lk.dedupe {
			sides = append(sides, lk.right)
		}
		for _, s := range sides {
			for i := 0; i < s.n; i++ {
				if id := s.at(k.col, i); id != 0 {
					perID[id]++
					total++
				}
			}
		}
		counts := map[string]int{}
		for id, n := range perID {
			if n > 0 {
				counts[lk.vals.norms[id]] += int(n)
			}
		}
		k.tf = make([]float32, len(lk.vals.strs))
		k.tfVals = lk.vals
		if total == 0 {
			continue
		}
		// A value's frequency is shrunk towards the level's u, the frequency
		// of a random record's value, as if tfPriorRecords records had been
		// seen at that frequency. Without it a handful of records (a new
		// organisation's first list) make every name look common: one in
		// four, and agreeing on it worth almost nothing. With many records
		// the data outweigh the prior.
		u0 := k.tfPriorU()
		for id, n := range perID {
			if n > 0 {
				c := float64(counts[lk.vals.norms[id]])
				if u0 > 0 {
					k.tf[id] = float32((c + tfPriorRecords*u0) / (float64(total) + tfPriorRecords))
				} else {
					k.tf[id] = float32(c / float64(total))
				}
			}
		}
	}
}

func (lk *Linker) keySide(s *sideData, ri int, r *compiledRule, role keyRole) {
	kl := &s.keys[ri]
	kl.off = make([]uint32, s.n+1)
	kl.keys = make([]uint64, 0, s.n)
	scratch := make([][]uint64, len(r.parts))
	for i := 0; i < s.n; i++ {
		kl.keys = ruleKeys(kl.keys, ri, r, s.vals, func(col int) uint32 { return s.at(col, i) }, scratch, role)
		kl.off[i+1] = uint32(len(kl.keys))
	}
	// Appending leaves up to half the backing array unused; a million
	// records under twenty rules make that hundreds of megabytes.
	kl.keys = slices.Clone(kl.keys)
}

// refs returns the values of comparator k for left row l and right row r.
func (lk *Linker) refs(k *comparator, l, r int) (a, b, sa, sb ref) {
	lv, rv := lk.left.vals, lk.right.vals
	a = ref{lv, lk.left.at(k.col, l)}
	b = ref{rv, lk.right.at(k.col, r)}
	if k.swapCol >= 0 {
		sa = ref{lv, lk.left.at(k.swapCol, l)}
		sb = ref{rv, lk.right.at(k.swapCol, r)}
	} else {
		sa, sb = ref{lv, 0}, ref{rv, 0}
	}
	return
}

// levelWeight is the weight of level lv of k for values a and b, adjusted
// for the values' frequency when the level asks for it.
func (k *comparator) levelWeight(lv int, a, b ref) float64 {
	if k.tfLevel[lv] && k.tf != nil && k.m[lv] > 0 {
		u := max(k.freq(a), k.freq(b), k.tfMinU) * k.tfScale[lv]
		return math.Log2(k.m[lv] / u)
	}
	return k.weights[lv]
}

func (k *comparator) freq(r ref) float64 {
	id := r.id
	if r.t != k.tfVals {
		// A value from a query, not in the indexed table: its frequency is
		// that of the same value there, if any.
		var ok bool
		if id, ok = k.tfVals.lookup(r.t.strs[r.id]); !ok {
			return 0
		}
	}
	if int(id) < len(k.tf) && id != 0 {
		return float64(k.tf[id])
	}
	return 0
}

// candidates calls fn for every candidate right row of left row l, once
// each, with the first rule that produced it. stamp has a cell per right row
// and must not hold mark anywhere on entry.
func (lk *Linker) candidates(l int, mark uint32, stamp []uint32, fn func(r, rule int)) {
	for ri := range lk.rules {
		ix := lk.index[ri]
		mask := ix.recMask()
		for _, key := range lk.left.keys[ri].of(l) {
			for _, e := range ix.lookup(key) {
				r := uint32(e & mask)
				if lk.dedupe && int(r) <= l {
					continue
				}
				if stamp[r] == mark {
					continue
				}
				stamp[r] = mark
				fn(int(r), ri)
			}
		}
	}
}

// blockingWeight is the model's NoTrainingWeight when only no-training
// rules produce the pair of left row l and right row r (rule: the first
// rule, in the model's order, that produces it), else 0.
func (lk *Linker) blockingWeight(l, r, rule int) float64 {
	w := lk.model.NoTrainingWeight
	if w == 0 || lk.rules[rule].train {
		return 0
	}
	// Candidates come with the first rule that produces them, so only the
	// rules after it can produce the pair too.
	for ri := rule + 1; ri < len(lk.rules); ri++ {
		if lk.rules[ri].train && intersects(lk.left.keys[ri].of(l), lk.right.keys[ri].of(r)) {
			return 0
		}
	}
	return w
}

// onlyNoTraining reports whether only no-training rules produce the pair.
func (lk *Linker) onlyNoTraining(l, r int) bool {
	mask := lk.rulesOf(l, r)
	return mask != 0 && mask&lk.trainingRules() == 0
}

// trainingRules is the set of the rules training learns from, a bit each.
func (lk *Linker) trainingRules() uint64 {
	var mask uint64
	for ri, r := range lk.rules {
		if r.train {
			mask |= 1 << ri
		}
	}
	return mask
}

// priorWeight is log2 of the prior odds.
func (lk *Linker) priorWeight() float64 {
	p := lk.model.Prior
	if p <= 0 {
		p = 1e-6
	}
	return math.Log2(p / (1 - p))
}

func probability(priorW, w float64) float64 {
	return 1 / (1 + math.Exp2(-(priorW + w)))
}

// weightThreshold is the match weight at which a pair reaches probability p.
func (lk *Linker) weightThreshold(p float64) float64 {
	if p <= 0 {
		return math.Inf(-1)
	}
	if p >= 1 {
		return math.Inf(1)
	}
	return math.Log2(p/(1-p)) - lk.priorWeight()
}

// score is a pair's match weight, or -Inf as soon as the comparisons left
// cannot lift it to min.
func (lk *Linker) score(l, r int, min float64, rest []float64, cache *simCache) float64 {
	w := 0.0
	for i, ci := range lk.order {
		if w+rest[i] < min {
			return math.Inf(-1)
		}
		k := lk.comps[ci]
		a, b, sa, sb := lk.refs(k, l, r)
		lv := k.level(a, b, sa, sb, cache)
		w += k.levelWeight(lv, a, b)
	}
	return w
}

// restMax is, for each position in the evaluation order, the most the
// comparisons from there on can add to a pair of left row l.
func (lk *Linker) restMax(l int, rest []float64) []float64 {
	rest = grow(rest[:0], len(lk.order)+1)
	rest[len(lk.order)] = 0
	for i := len(lk.order) - 1; i >= 0; i-- {
		k := lk.comps[lk.order[i]]
		rest[i] = rest[i+1] + k.maxFor(ref{lk.left.vals, lk.left.at(k.col, l)})
	}
	return rest
}

// Pairs scores every candidate pair and returns those with probability at
// least threshold, best first (ties by row), and how many pairs each
// blocking rule produced.
func (lk *Linker) Pairs(ctx context.Context, threshold float64) ([]Pair, BlockingReport, error) {
	minW := lk.weightThreshold(threshold)
	finalW := minW
	sib := lk.siblings()
	if sib {
		lk.familySizes()
	}
	if sib || lk.rivalry() || lk.exclusive() {
		// Sibling evidence lifts pairs, rivals and competitors take from
		// them: score down to the floor whatever the threshold, and keep
		// what reaches it at the end. (The pairs a sibling supports from
		// below the floor are scored again whole.)
		minW = min(minW, lk.weightThreshold(rivalFloor))
	}
	priorW := lk.priorWeight()
	workers := runtime.GOMAXPROCS(0)
	type result struct {
		pairs      []Pair
		counts     []int64
		applicable int64
	}
	results := make([]result, workers)
	var next, done atomic.Int64
	const chunk = 64
	var wg sync.WaitGroup
	var stopped atomic.Bool
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(res *result) {
			defer wg.Done()
			stamp := make([]uint32, lk.right.n)
			cache := newSimCache()
			var rest []float64
			res.counts = make([]int64, len(lk.rules))
			for !stopped.Load() {
				start := int(next.Add(chunk)) - chunk
				if start >= lk.left.n {
					return
				}
				if ctx.Err() != nil {
					stopped.Store(true)
					return
				}
				for l := start; l < min(start+chunk, lk.left.n); l++ {
					rest = lk.restMax(l, rest)
					lk.candidates(l, uint32(l+1), stamp, func(r, rule int) {
						res.counts[rule]++
						if sib && lk.applicable(l, r) {
							res.applicable++
						}
						adj := lk.blockingWeight(l, r, rule)
						if w := lk.score(l, r, minW-adj, rest, cache) + adj; w >= minW {
							res.pairs = append(res.pairs, Pair{Left: l, Right: r, Weight: w, Probability: probability(priorW, w)})
						}
					})
				}
				d := done.Add(int64(min(chunk, lk.left.n-start)))
				if lk.Progress != nil {
					lk.Progress("scoring", int(d), lk.left.n)
				}
			}
		}(&results[w])
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, BlockingReport{}, err
	}
	var rep BlockingReport
	rep.Rules = make([]RuleCount, len(lk.rules))
	var out []Pair
	for i, r := range lk.rules {
		rep.Rules[i].Rule = r.name
	}
	var applicable int64
	for _, res := range results {
		out = append(out, res.pairs...)
		applicable += res.applicable
		for i, c := range res.counts {
			rep.Rules[i].Pairs += c
			rep.Total += c
		}
	}
	// Workers finish in any order: sort first, so that which sibling pair is
	// cited as evidence does not depend on scheduling.
	sortPairs(out)
	if lk.rivalry() {
		lk.addSiblingRivalry(out, priorW)
	}
	if sib {
		out = lk.addSiblingEvidence(out, priorW, applicable)
		rep.SiblingFound = lk.siblingEst.Found
		sortPairs(out)
	}
	if lk.exclusive() {
		lk.addCompetition(out, priorW)
	}
	if minW < finalW {
		out = slices.DeleteFunc(out, func(p Pair) bool { return p.Weight < finalW })
	}
	sortPairs(out)
	return out, rep, nil
}

func sortPairs(ps []Pair) {
	slices.SortFunc(ps, func(a, b Pair) int {
		if a.Weight != b.Weight {
			if a.Weight > b.Weight {
				return -1
			}
			return 1
		}
		if a.Left != b.Left {
			return a.Left - b.Left
		}
		return a.Right - b.Right
	})
}

// Explain returns, for each comparison, the level pair p reached and its
// weight: the evidence a caseworker reads.
func (lk *Linker) Explain(p Pair) []Contribution {
	out := make([]Contribution, 0, len(lk.comps)+1)
	for _, k := range lk.comps {
		a, b, sa, sb := lk.refs(k, p.Left, p.Right)
		out = append(out, k.explain(a, b, sa, sb))
	}
	if w := lk.model.NoTrainingWeight; w != 0 && lk.onlyNoTraining(p.Left, p.Right) {
		out = append(out, Contribution{
			Comparison: "blocking",
			Level:      "found only by rules for altered records",
			Weight:     w,
		})
	}
	other := func(comparison, level string, o *OtherPair) {
		if o != nil {
			out = append(out, Contribution{Comparison: comparison, Level: level, Weight: o.Weight,
				Detail: lk.left.ids[o.Left] + " ↔ " + lk.right.ids[o.Right]})
		}
	}
	other("siblings", "a sibling matches too", p.Sibling)
	if p.NoSibling != 0 {
		out = append(out, Contribution{
			Comparison: "siblings",
			Level:      "both families list other children, and none of them match",
			Weight:     p.NoSibling,
		})
	}
	other("competition", "another candidate for one of these records is a different person", p.Competitor)
	other("siblings", "a sibling matches one of these records too", p.Rival)
	return out
}

func (k *comparator) explain(a, b, sa, sb ref) Contribution {
	lv := k.level(a, b, sa, sb, nil)
	c := Contribution{Comparison: k.c.Label(), Level: k.c.Levels[lv].Label, Weight: k.levelWeight(lv, a, b)}
	if k.c.Kind == KindName && !a.blank() && !b.blank() && k.when[lv] != cSwapped && k.when[lv] != cMissing {
		s := names.CompareNames(a.t.names[a.id], b.t.names[b.id])
		if s.Reason != names.Different {
			c.Detail = s.Reason.String()
			if s.System != "" {
				c.Detail += " (" + s.System + ")"
			}
		}
	}
	if k.tfLevel[lv] && k.tf != nil {
		c.Detail = strings.TrimSpace(c.Detail + fmt.Sprintf(" frequency %.2g", max(k.freq(a), k.freq(b))))
	}
	return c
}

// FormatExplanation renders contributions on one line, as the CLI writes them.
func FormatExplanation(cs []Contribution) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s %+.2f", c.Comparison, c.Level, c.Weight)
		if c.Detail != "" {
			fmt.Fprintf(&b, " [%s]", c.Detail)
		}
	}
	return b.String()
}
