package linkage

import "math"

// Competition. A report is one child and a located record is one child, so
// when a report resembles two located records that are two different
// children, at most one of the pairs is true: the evidence for one is
// evidence against the other. Under the model, with the report matching
// record R or R' or neither, the posterior odds of R are
//
//	odds(R) / (1 + odds(R'))
//
// But R and R' may be one child listed twice, with probability dup(R, R')
// (the model applied to the two records of one file); then they do not
// compete. The competitor's odds are discounted to
//
//	(1 - dup) · odds(R') / (1 + dup · odds(R'))
//
// which is odds(R') when they are surely different children and vanishes
// when they are surely one, however strong both pairs are (discounting by
// 1 - dup alone would let a near-certain duplicate with overwhelming odds
// still take bits). The same holds for two reports and one record.
// Sibling rivalry is the case where the two reports are known to be
// different children; its pairs are left to it. Competitors are judged by
// their weights before competition, so the order of pairs does not matter.

// exclusive reports whether a record matches at most one of its
// candidates, so that they compete and EM knows it: linking two files under
// a model that says a child appears once in each, unless listed twice.
func (lk *Linker) exclusive() bool { return lk.model.Exclusive && !lk.dedupe }

// addCompetition takes from each pair the weight its competitors' odds
// claim. Pairs must be sorted.
func (lk *Linker) addCompetition(pairs []Pair, priorW float64) {
	lf, rf := lk.left.family, lk.right.family
	pens, best := rivalOdds(pairs, priorW, func(i, j int, sameLeft bool) float64 {
		p, q := pairs[i], pairs[j]
		var dup float64
		switch {
		case sameLeft:
			if sameFamily(rf, p.Right, q.Right) {
				return 0
			}
			dup = lk.duplicate(lk.right, p.Right, q.Right, priorW)
		default:
			if sameFamily(lf, p.Left, q.Left) {
				return 0
			}
			dup = lk.duplicate(lk.left, p.Left, q.Left, priorW)
		}
		o := math.Exp2(priorW + q.Weight)
		return (1 - dup) / (1 + dup*o)
	})
	lowerBy(pairs, pens, priorW, func(i int) {
		b := pairs[best[i]]
		pairs[i].Competitor = &OtherPair{Left: b.Left, Right: b.Right, Weight: -pens[i]}
	})
}

// duplicate is the probability, under the model and its prior, that rows i
// and j of one side are the same person listed twice.
func (lk *Linker) duplicate(s *sideData, i, j int, priorW float64) float64 {
	w := 0.0
	for _, k := range lk.comps {
		a, b := ref{s.vals, s.at(k.col, i)}, ref{s.vals, s.at(k.col, j)}
		sa, sb := ref{s.vals, 0}, ref{s.vals, 0}
		if k.swapCol >= 0 {
			sa, sb = ref{s.vals, s.at(k.swapCol, i)}, ref{s.vals, s.at(k.swapCol, j)}
		}
		w += k.levelWeight(k.level(a, b, sa, sb, nil), a, b)
	}
	return probability(priorW, w)
}
