package matching

import (
	"context"
	"slices"
	"time"

	"github.com/homeward-project/homeward/linkage"
)

// orgState is what the matcher keeps of one organisation: its model, its
// own cases and the located records it may see, and an index of each,
// rebuilt lazily when a query needs it after records changed (a
// linkage.Index is immutable).
type orgState struct {
	id          int64
	model       *linkage.Model // m and u; the prior is set per index build
	share       float64        // share of the smaller list expected to have a counterpart
	fingerprint string
	cases       map[int64]*caseRec
	located     map[int64]*locRec
	caseIx      *linkage.Index
	locIx       *linkage.Index
	caseDirty   bool
	locDirty    bool
}

// org returns the state of an organisation, with the default model until
// training gives it its own.
func (m *Matcher) org(id int64) *orgState {
	st := m.orgs[id]
	if st == nil {
		st = &orgState{id: id, model: m.def, share: defaultShare, fingerprint: "default-" + Fingerprint(m.def),
			cases: map[int64]*caseRec{}, located: map[int64]*locRec{}, caseDirty: true, locDirty: true}
		m.orgs[id] = st
	}
	return st
}

// defaultShare is the share of the smaller list assumed to have a
// counterpart in the other when no training estimated it: half.
const defaultShare = 0.5

// train estimates the organisation's model on its own cases against its
// located records, when there are enough of both for EM to be stable.
func (m *Matcher) train(ctx context.Context, st *orgState) {
	nc, nl := len(st.cases), len(st.located)
	if nc < m.cfg.TrainMinCases || nl < m.cfg.TrainMinLocated {
		return
	}
	start := time.Now()
	left, right := caseDataset(st), locDataset(st)
	lk, err := linkage.NewLinker(linkage.PersonModel(), left, right)
	if err == nil {
		_, err = lk.Train(ctx)
	}
	if err != nil {
		m.fail(err, "matcher: training failed; using the default model", "org", st.id)
		return
	}
	mod := lk.Model()
	st.model = mod
	st.share = min(1, max(0.01, mod.Prior*float64(nc)*float64(nl)/float64(min(nc, nl))))
	st.fingerprint = "trained-" + Fingerprint(mod)
	m.log.Info("matcher: trained", "org", st.id, "cases", nc, "located", nl, "took", time.Since(start).Round(time.Millisecond))
}

func caseDataset(st *orgState) *linkage.Dataset {
	d := &linkage.Dataset{Header: header, Rows: make([][]string, 0, len(st.cases))}
	for _, id := range sortedIDs(st.cases) {
		d.Rows = append(d.Rows, st.cases[id].vals.row(id))
	}
	return d
}

func locDataset(st *orgState) *linkage.Dataset {
	d := &linkage.Dataset{Header: header, Rows: make([][]string, 0, len(st.located))}
	for _, id := range sortedIDs(st.located) {
		d.Rows = append(d.Rows, st.located[id].vals.row(id))
	}
	return d
}

func sortedIDs[V any](m map[int64]V) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// indexModel is the organisation's model with the prior for its lists'
// present sizes: the chance that a case and a located record drawn at
// random are the same child.
func (st *orgState) indexModel() *linkage.Model {
	mod := st.model.Clone()
	// The list size is rounded up to a power of two so that the prior, and
	// with it every stored probability, does not move with each record
	// added: a moved probability is a "rescore" event on the case.
	n := 2
	for n < max(len(st.cases), len(st.located)) {
		n *= 2
	}
	mod.Prior = st.share / float64(n)
	mod.PriorFixed = true
	return mod
}

// locIndex returns the organisation's index of located records, rebuilt
// if records changed since it was built; nil when there are none.
func (m *Matcher) locIndex(st *orgState) *linkage.Index {
	if st.locDirty {
		st.locIx, st.locDirty = m.build(st, locDataset(st), "located"), false
	}
	return st.locIx
}

func (m *Matcher) caseIndex(st *orgState) *linkage.Index {
	if st.caseDirty {
		st.caseIx, st.caseDirty = m.build(st, caseDataset(st), "cases"), false
	}
	return st.caseIx
}

func (m *Matcher) build(st *orgState, d *linkage.Dataset, what string) *linkage.Index {
	if len(d.Rows) == 0 {
		return nil
	}
	start := time.Now()
	ix, err := linkage.NewIndex(st.indexModel(), d)
	m.mu.Lock()
	m.stats.BuildTime += time.Since(start)
	m.mu.Unlock()
	if err != nil {
		m.fail(err, "matcher: build index", "org", st.id, "of", what)
		return nil
	}
	m.log.Debug("matcher: index built", "org", st.id, "of", what, "records", len(d.Rows), "took", time.Since(start).Round(time.Millisecond))
	return ix
}
