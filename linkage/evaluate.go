package linkage

import (
	"regexp"
	"sort"
)

// IDPair is a pair of record identifiers, left then right (for
// deduplication, in sorted order).
type IDPair struct{ Left, Right string }

// Truth is the set of true pairs of a benchmark.
type Truth struct {
	Pairs  map[IDPair]bool
	Dedupe bool
}

// Key returns the pair as the truth stores it (sorted when deduplicating).
func (t *Truth) Key(left, right string) IDPair {
	if t.Dedupe && right < left {
		left, right = right, left
	}
	return IDPair{left, right}
}

var febrlID = regexp.MustCompile(`^rec-(\d+)-`)

// FEBRL4Truth pairs rec-N-org on the left with rec-N-dup-0 on the right.
func FEBRL4Truth(left, right []string) *Truth {
	orgs := map[string]string{}
	for _, id := range left {
		if m := febrlID.FindStringSubmatch(id); m != nil && len(id) > 4 && id[len(id)-4:] == "-org" {
			orgs[m[1]] = id
		}
	}
	t := &Truth{Pairs: map[IDPair]bool{}}
	for _, id := range right {
		if m := febrlID.FindStringSubmatch(id); m != nil && len(id) > 6 && id[len(id)-6:] == "-dup-0" {
			if o, ok := orgs[m[1]]; ok {
				t.Pairs[IDPair{o, id}] = true
			}
		}
	}
	return t
}

// FEBRLDedupeTruth pairs every two records sharing N in rec-N-….
func FEBRLDedupeTruth(ids []string) *Truth {
	groups := make([]string, len(ids))
	for i, id := range ids {
		if m := febrlID.FindStringSubmatch(id); m != nil {
			groups[i] = m[1]
		} else {
			groups[i] = "\x00" + id
		}
	}
	return ClusterTruth(ids, groups)
}

// ClusterTruth pairs every two records of the same cluster (deduplication).
func ClusterTruth(ids, clusters []string) *Truth {
	by := map[string][]string{}
	for i, id := range ids {
		by[clusters[i]] = append(by[clusters[i]], id)
	}
	t := &Truth{Pairs: map[IDPair]bool{}, Dedupe: true}
	for _, members := range by {
		sort.Strings(members)
		for i := range members {
			for j := i + 1; j < len(members); j++ {
				t.Pairs[IDPair{members[i], members[j]}] = true
			}
		}
	}
	return t
}

// ScoredPair is a pair by identifiers with its probability.
type ScoredPair struct {
	Left, Right string
	Probability float64
}

// Metrics are precision, recall and F1 of pairs at a threshold, computed as
// the project's score_pairs.py computes them.
type Metrics struct {
	Threshold     float64 `json:"threshold"`
	True          int     `json:"true_pairs"`
	Predicted     int     `json:"predicted"`
	TruePositives int     `json:"true_positives"`
	Precision     float64 `json:"precision"`
	Recall        float64 `json:"recall"`
	F1            float64 `json:"f1"`
}

// Evaluate scores the pairs with probability at least threshold.
func (t *Truth) Evaluate(pairs []ScoredPair, threshold float64) Metrics {
	pred := map[IDPair]bool{}
	for _, p := range pairs {
		if p.Probability >= threshold {
			pred[t.Key(p.Left, p.Right)] = true
		}
	}
	m := Metrics{Threshold: threshold, True: len(t.Pairs), Predicted: len(pred)}
	for p := range pred {
		if t.Pairs[p] {
			m.TruePositives++
		}
	}
	if m.Predicted > 0 {
		m.Precision = float64(m.TruePositives) / float64(m.Predicted)
	}
	if m.True > 0 {
		m.Recall = float64(m.TruePositives) / float64(m.True)
	}
	if m.Precision+m.Recall > 0 {
		m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
	}
	return m
}

// BestThreshold tries each distinct probability as a threshold and returns
// the metrics with the highest F1.
func (t *Truth) BestThreshold(pairs []ScoredPair) Metrics {
	ps := append([]ScoredPair(nil), pairs...)
	sort.Slice(ps, func(i, j int) bool { return ps[i].Probability > ps[j].Probability })
	best := Metrics{}
	seen := map[IDPair]bool{}
	tp := 0
	for i, p := range ps {
		k := t.Key(p.Left, p.Right)
		if !seen[k] {
			seen[k] = true
			if t.Pairs[k] {
				tp++
			}
		}
		if i+1 < len(ps) && ps[i+1].Probability == p.Probability {
			continue
		}
		pr := float64(tp) / float64(len(seen))
		re := float64(tp) / float64(max(1, len(t.Pairs)))
		if pr+re > 0 {
			if f := 2 * pr * re / (pr + re); f > best.F1 {
				best = Metrics{Threshold: p.Probability, True: len(t.Pairs), Predicted: len(seen), TruePositives: tp, Precision: pr, Recall: re, F1: f}
			}
		}
	}
	return best
}

// Completeness is the share of true pairs among the candidate pairs
// blocking produces (pairs completeness).
func (lk *Linker) Completeness(t *Truth) (float64, int64) {
	found := 0
	stamp := make([]uint32, lk.right.n)
	var total int64
	for l := 0; l < lk.left.n; l++ {
		lk.candidates(l, uint32(l+1), stamp, func(r, _ int) {
			total++
			if t.Pairs[t.Key(lk.left.ids[l], lk.right.ids[r])] {
				found++
			}
		})
	}
	if len(t.Pairs) == 0 {
		return 1, total
	}
	return float64(found) / float64(len(t.Pairs)), total
}

// CompletenessWithSiblings is Completeness counting also the pairs no rule
// produced that sibling evidence brought in during the last call to Pairs:
// the share of true pairs that were scored at all.
func (lk *Linker) CompletenessWithSiblings(t *Truth) float64 {
	if len(t.Pairs) == 0 {
		return 1
	}
	c, _ := lk.Completeness(t)
	found := 0
	for _, p := range lk.siblingFound {
		if t.Pairs[t.Key(lk.left.ids[p[0]], lk.right.ids[p[1]])] {
			found++
		}
	}
	return c + float64(found)/float64(len(t.Pairs))
}

// Scored converts pairs to identifiers.
func (lk *Linker) Scored(pairs []Pair) []ScoredPair {
	out := make([]ScoredPair, len(pairs))
	for i, p := range pairs {
		out[i] = ScoredPair{lk.left.ids[p.Left], lk.right.ids[p.Right], p.Probability}
	}
	return out
}
