package linkage

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
)

// Index holds records for interactive queries: given one record, the best
// candidates among all of them, found through the model's blocking keys
// without re-blocking anything. It is safe for concurrent queries.
type Index struct {
	lk     *Linker
	stamps sync.Pool
}

// Candidate is a record an index query found, with its evidence.
type Candidate struct {
	Row         int            `json:"row"`
	ID          string         `json:"id"`
	Probability float64        `json:"probability"`
	Weight      float64        `json:"weight"`
	Evidence    []Contribution `json:"evidence"`
}

// NewIndex prepares records for queries under a trained model (train one by
// linking, or load a saved one). The model's prior is the probability that
// a query and a random indexed record match.
func NewIndex(m *Model, records *Dataset) (*Index, error) {
	if !m.Trained {
		return nil, fmt.Errorf("%w: an index needs a trained model", ErrModel)
	}
	lk, err := NewLinker(m, records, nil)
	if err != nil {
		return nil, err
	}
	lk.dedupe = false
	// NewLinker keyed the records as one dataset; rules where a blank
	// agrees with anything key indexed records differently from queries.
	for ri, r := range lk.rules {
		if r.missingAgrees {
			lk.keySide(lk.right, ri, r, roleIndexed)
			lk.index[ri] = buildIndex(&lk.right.keys[ri], lk.right.n)
		}
	}
	ix := &Index{lk: lk}
	ix.stamps.New = func() any { return &stampSet{cells: make([]uint32, lk.right.n)} }
	return ix, nil
}

// Len is the number of records indexed.
func (ix *Index) Len() int { return ix.lk.right.n }

// Model returns the index's model.
func (ix *Index) Model() *Model { return ix.lk.model }

type stampSet struct {
	cells []uint32
	gen   uint32
}

// ErrNoField marks a query naming no field the model reads.
var ErrNoField = errors.New("query has no field the model compares")

// Query returns up to limit indexed records with match probability at
// least minProbability, best first. The query maps field names to values;
// fields the model does not read are ignored.
func (ix *Index) Query(q map[string]string, limit int, minProbability float64) ([]Candidate, error) {
	base := ix.lk
	vals := newValues()
	vals.ageAsOf = base.vals.ageAsOf
	nf := len(base.fields)
	side := &sideData{vals: vals, n: 1, ids: []string{q[base.model.ID()]}, data: make([]uint32, nf), stride: nf}
	known := false
	for fi, f := range base.fields {
		if fi == 0 {
			continue
		}
		if v, ok := q[f]; ok {
			side.data[fi] = vals.intern(v)
			known = known || side.data[fi] != 0
		}
	}
	if !known {
		return nil, ErrNoField
	}
	for _, k := range sortedKeys(base.kindsOf()) {
		vals.prepare(k, nil)
	}
	lk := *base
	lk.left = side
	side.keys = make([]keyList, len(lk.rules))
	for ri, r := range lk.rules {
		lk.keySide(side, ri, r, roleQuery)
	}
	st := ix.stamps.Get().(*stampSet)
	defer ix.stamps.Put(st)
	st.gen++
	if st.gen == 0 {
		clear(st.cells)
		st.gen = 1
	}
	minW := lk.weightThreshold(minProbability)
	rest := lk.restMax(0, nil)
	priorW := lk.priorWeight()
	var found []Pair
	lk.candidates(0, st.gen, st.cells, func(r, rule int) {
		adj := lk.blockingWeight(0, r, rule)
		if w := lk.score(0, r, minW-adj, rest, nil) + adj; w >= minW && !math.IsInf(w, -1) {
			found = append(found, Pair{Left: 0, Right: r, Weight: w, Probability: probability(priorW, w)})
		}
	})
	sortPairs(found)
	if limit > 0 && len(found) > limit {
		found = found[:limit]
	}
	out := make([]Candidate, len(found))
	for i, p := range found {
		out[i] = Candidate{Row: p.Right, ID: lk.right.ids[p.Right], Probability: p.Probability, Weight: p.Weight, Evidence: lk.Explain(p)}
	}
	return slices.Clip(out), nil
}
