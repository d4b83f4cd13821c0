package linkage

import "math"

// OtherPair is another pair that bears on a pair's weight (a sibling's
// match, a sibling's or a stranger's rival claim to one of its records), and
// what it added or took.
type OtherPair struct {
	Left, Right int // the other pair's rows
	Weight      float64
}

func (lk *Linker) siblings() bool {
	return lk.model.SiblingField != "" && lk.left.family != nil && lk.right.family != nil
}

// rivalry reports whether sibling rivalry applies: linking two files (a
// record may have several duplicates within one file) with a family column
// on at least one side.
func (lk *Linker) rivalry() bool {
	return lk.model.SiblingField != "" && !lk.dedupe && (lk.left.family != nil || lk.right.family != nil)
}

// rivalFloor is the probability down to which pairs are scored when sibling
// evidence, rivalry or competition applies, and the least a pair must have
// to count as a rival, a competitor or in the sibling estimate. It does not
// depend on the threshold asked for, so neither does any pair's
// probability; a pair below it could take at most log2(1.01) = 0.014 bits.
const rivalFloor = 0.01

// addSiblingRivalry takes weight from each pair whose record a sibling of
// its other record also matches. Two children of one family are two people,
// and one record is one child: if report L and its sibling L' both resemble
// located record R, then R is L, or L', or neither, and the stronger the
// evidence for L', the weaker that for L. Under the model that is the
// posterior odds of R = L against "not L":
//
//	odds(L) / (1 + odds(L'))
//
// so the pair loses log2(1 + odds(L')) bits; the same holds for two
// located siblings R, R' and one report. It is what makes twins (the same
// surname, patronymic, birthplace and birth date) and siblings with
// replaced given names stop matching each other's records, without
// assigning pairs one to one. Rivals are judged by their own weights before
// rivalry, so the order of pairs does not matter. Pairs must be sorted.
func (lk *Linker) addSiblingRivalry(pairs []Pair, priorW float64) {
	lf, rf := lk.left.family, lk.right.family
	pens, best := rivalOdds(pairs, priorW, func(i, j int, sameLeft bool) float64 {
		p, q := pairs[i], pairs[j]
		if sameLeft {
			// Two located siblings and one report.
			return b2f(sameFamily(rf, p.Right, q.Right))
		}
		return b2f(sameFamily(lf, p.Left, q.Left))
	})
	lowerBy(pairs, pens, priorW, func(i int) {
		b := pairs[best[i]]
		pairs[i].Rival = &OtherPair{Left: b.Left, Right: b.Right, Weight: -pens[i]}
	})
}

// sameFamily reports whether rows a and b of a side belong to one family.
func sameFamily(family []uint32, a, b int) bool {
	return family != nil && family[a] != 0 && family[a] == family[b]
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// rivalOdds works out, for each pair, what the other pairs of its records
// take from it: log2(1 + the sum of their odds, each times share(i, j)),
// with the pair that takes most. share is 0 for a pair that does not
// compete (sameLeft: pairs i and j share their left record, else their
// right one). Penalties under minPenalty are left out (best is -1).
func rivalOdds(pairs []Pair, priorW float64, share func(i, j int, sameLeft bool) float64) (pens []float64, best []int) {
	byLeft := map[int][]int{}
	byRight := map[int][]int{}
	for i, p := range pairs {
		byLeft[p.Left] = append(byLeft[p.Left], i)
		byRight[p.Right] = append(byRight[p.Right], i)
	}
	pens = make([]float64, len(pairs))
	best = make([]int, len(pairs))
	for i, p := range pairs {
		odds, top, topOdds := 0.0, -1, 0.0
		for k, js := range [2][]int{byLeft[p.Left], byRight[p.Right]} {
			for _, j := range js {
				if j == i || pairs[j].Probability < rivalFloor {
					continue
				}
				o := math.Exp2(priorW+pairs[j].Weight) * share(i, j, k == 0)
				odds += o
				if o > topOdds {
					top, topOdds = j, o
				}
			}
		}
		best[i] = -1
		if pen := math.Log2(1 + odds); top >= 0 && pen >= minPenalty {
			pens[i], best[i] = pen, top
		}
	}
	return pens, best
}

// minPenalty is the least weight, in bits, a rival or competitor takes
// before it is worth showing.
const minPenalty = 0.01

// lowerBy takes pens[i] bits from each pair with a penalty, refreshes its
// probability, and lets note record what took them. Penalties are all
// worked out before any is applied, so the order of pairs does not matter.
func lowerBy(pairs []Pair, pens []float64, priorW float64, note func(i int)) {
	for i := range pairs {
		if pens[i] > 0 {
			pairs[i].Weight -= pens[i]
			pairs[i].Probability = probability(priorW, pairs[i].Weight)
			note(i)
		}
	}
}

// maxFamily is the largest family whose records sibling evidence pairs
// up: beyond it a "family" is a group (a home, a transport), and two of its
// members matching says little about a third.
const maxFamily = 12

// SiblingEstimate is what sibling evidence rested on in the last call to
// Pairs.
type SiblingEstimate struct {
	// Applicable counts the blocked candidate pairs whose records both
	// belong to a family with other records on its side; Supported counts
	// those a sibling pair supports.
	Applicable, Supported int64
	// M and U are the shares of supported pairs among applicable matches
	// and non-matches.
	M, U float64
	// Within is the share of matches among supported pairs before their
	// own comparisons (estimated by EM); Family is the weight that turns
	// the prior into it. A supported pair gains what Family exceeds its
	// family-shared comparisons (and blocking weight) by.
	Within, Family float64
	// NoMatch (≤ 0) is the weight an applicable pair gains when no sibling
	// pair supports it.
	NoMatch float64
	// Found counts pairs no blocking rule produced that sibling evidence
	// brought in: a sibling of a matched child is worth scoring against the
	// other children of the family its match belongs to.
	Found int
	Fixed bool
}

// familySizes counts each side's records per family.
func (lk *Linker) familySizes() {
	n := len(lk.families.strs)
	for _, s := range []*sideData{lk.left, lk.right} {
		if s.family == nil || s.famSize != nil {
			continue
		}
		s.famSize = make([]int32, n)
		for _, f := range s.family {
			if f != 0 {
				s.famSize[f]++
			}
		}
	}
}

// applicable reports whether the records of a pair each belong to a family
// with other records on its side, so a sibling pair could support it.
func (lk *Linker) applicable(l, r int) bool {
	fl, fr := lk.left.family[l], lk.right.family[r]
	if fl == 0 || fr == 0 || (lk.dedupe && fl == fr) {
		return false
	}
	sl, sr := lk.left.famSize[fl], lk.right.famSize[fr]
	return sl >= 2 && sl <= maxFamily && sr >= 2 && sr <= maxFamily
}

// addSiblingEvidence weighs each pair by whether another pair joins a
// sibling of its left record to a sibling of its right record with
// probability at least one half (judged before any sibling evidence, so
// evidence does not feed on itself).
//
// Such an anchor says the two families are one. For a pair of their other
// records that makes the question which of the family's children the
// report is, and the comparisons of what siblings share (family name,
// patronymic, birthplace) no longer tell: so the family-shared
// comparisons give way to the weight of family identity where that is
// larger (with the blocking weight, which adjusts the prior that family
// identity replaces). That weight lifts the pair's prior to the share of
// matches among supported pairs, which EM estimates on their other
// comparisons (withinFamilyPrior); the given name and the date of birth
// then decide between the siblings. Adding a fixed bonus instead lifted
// unreported siblings (another name, another year) over the threshold at a
// million records.
//
// A pair whose records both have siblings, none matching, is a pair whose
// families look different; it gains log2((1-m)/(1-u)), with m the share
// of supported pairs among applicable matches (weighted by probability)
// and u that among the other applicable blocked candidates.
//
// Pairs of the two families no rule produced are scored too, and kept if
// the evidence lifts them.
func (lk *Linker) addSiblingEvidence(pairs []Pair, priorW float64, applicable int64) []Pair {
	type famPair struct{ l, r uint32 }
	type rowPair struct{ l, r int }
	anchors := map[famPair][]int{} // family pair → indexes of good pairs
	var order []famPair
	// Pairs scored from the floor up, judged before rivalry; a pair below
	// it (scored only because the threshold is lower still) is scored
	// again when a sibling supports it, as it would be at any threshold.
	kept := make(map[rowPair]int, len(pairs))
	floorW := lk.weightThreshold(rivalFloor)
	drop := make([]bool, len(pairs))
	below := map[rowPair]int{}
	for i, p := range pairs {
		pre := p.Weight
		if p.Rival != nil {
			pre -= p.Rival.Weight
		}
		if pre >= floorW {
			kept[rowPair{p.Left, p.Right}] = i
		} else {
			below[rowPair{p.Left, p.Right}] = i
		}
		if p.Probability < 0.5 || !lk.applicable(p.Left, p.Right) {
			continue
		}
		k := famPair{lk.left.family[p.Left], lk.right.family[p.Right]}
		if anchors[k] == nil {
			order = append(order, k)
		}
		anchors[k] = append(anchors[k], i)
	}
	// The records of the anchors' families.
	need := map[uint32]bool{}
	for _, k := range order {
		need[k.l], need[k.r] = true, true
	}
	members := func(s *sideData) map[uint32][]int {
		out := map[uint32][]int{}
		for i, f := range s.family {
			if f != 0 && need[f] {
				out[f] = append(out[f], i)
			}
		}
		return out
	}
	membersL := members(lk.left)
	membersR := membersL
	if !lk.dedupe {
		membersR = members(lk.right)
	}
	support := make([]*OtherPair, len(pairs))
	var extra []Pair
	var extraSupport []*OtherPair
	est := SiblingEstimate{Applicable: applicable}
	lk.siblingFound = lk.siblingFound[:0]
	var sumSP float64 // matches among supported blocked pairs
	var rest []float64
	seen := map[rowPair]bool{}
	for _, k := range order {
		for _, l := range membersL[k.l] {
			for _, r := range membersR[k.r] {
				if lk.dedupe && l == r {
					continue
				}
				key := rowPair{l, r}
				if lk.dedupe && l > r {
					key = rowPair{r, l}
				}
				if seen[key] {
					continue
				}
				var by *OtherPair
				for _, j := range anchors[k] {
					a := pairs[j]
					if a.Left == l || a.Right == r || (lk.dedupe && (a.Left == r || a.Right == l)) {
						continue
					}
					if by == nil || a.Probability > by.Weight {
						by = &OtherPair{Left: a.Left, Right: a.Right, Weight: a.Probability}
					}
				}
				if by == nil {
					continue
				}
				seen[key] = true
				rules := lk.rulesOf(key.l, key.r)
				if i, ok := kept[key]; ok {
					support[i] = by
					if rules != 0 {
						est.Supported++
						if pairs[i].Probability >= rivalFloor {
							sumSP += pairs[i].Probability
						}
					}
					continue
				}
				// Below the scoring floor, or found by no rule: score it whole.
				if i, ok := below[key]; ok {
					drop[i] = true
				}
				rest = lk.restMax(key.l, rest)
				w := lk.score(key.l, key.r, math.Inf(-1), rest, nil)
				if rules != 0 {
					est.Supported++
					w += lk.pairBlockingWeight(key.l, key.r)
				} else {
					est.Found++
					lk.siblingFound = append(lk.siblingFound, [2]int{key.l, key.r})
				}
				p := Pair{Left: key.l, Right: key.r, Weight: w, Probability: probability(priorW, w)}
				if rules != 0 && p.Probability >= rivalFloor {
					sumSP += p.Probability
				}
				extra = append(extra, p)
				extraSupport = append(extraSupport, by)
			}
		}
	}
	// Both sums take pairs from the floor up, kept or scored again, so that
	// they do not depend on the threshold.
	var sumAP float64 // matches among applicable blocked pairs
	for _, p := range pairs {
		if p.Probability >= rivalFloor && lk.applicable(p.Left, p.Right) {
			sumAP += p.Probability
		}
	}
	for _, p := range extra {
		if p.Probability >= rivalFloor && lk.applicable(p.Left, p.Right) && lk.rulesOf(p.Left, p.Right) != 0 {
			sumAP += p.Probability
		}
	}
	// What the supported pairs' comparisons say apart from the family: the
	// part family identity does not replace.
	type supported struct {
		i      int // in pairs, or len(pairs)+j for extra[j]
		shared float64
	}
	var sup []supported
	var child []float64
	for i, by := range append(support, extraSupport...) {
		if by == nil {
			continue
		}
		var p *Pair
		if i < len(pairs) {
			p = &pairs[i]
		} else {
			p = &extra[i-len(pairs)]
		}
		sh := lk.sharedWeight(p.Left, p.Right) + lk.pairBlockingWeight(p.Left, p.Right)
		sup = append(sup, supported{i, sh})
		child = append(child, p.Weight-sh)
	}
	if w := lk.model.SiblingWeight; w > 0 {
		est.Fixed, est.Family, est.NoMatch = true, w, lk.model.SiblingAbsentWeight
	} else {
		est.Within = withinFamilyPrior(child)
		est.Family = math.Log2(est.Within/(1-est.Within)) - priorW
		// A weak prior (m one half, u from one pseudo-pair) keeps small
		// inputs sensible.
		est.M = (sumSP + 1) / (sumAP + 2)
		est.U = (max(float64(est.Supported)-sumSP, 0) + 0.5) / (max(float64(applicable)-sumAP, 0) + 1)
		est.U = min(est.U, est.M)
		est.NoMatch = min(0, math.Log2((1-est.M)/(1-est.U)))
	}
	lk.siblingEst = est
	gain := make([]float64, len(pairs)+len(extra))
	for _, s := range sup {
		gain[s.i] = max(0, est.Family-s.shared)
	}
	out := pairs[:0:0]
	apply := func(p Pair, by *OtherPair, gain float64) {
		switch {
		case by != nil:
			by.Weight = gain
			p.Sibling = by
			p.Weight += gain
		case lk.applicable(p.Left, p.Right):
			p.NoSibling = est.NoMatch
			p.Weight += est.NoMatch
		}
		p.Probability = probability(priorW, p.Weight)
		out = append(out, p)
	}
	for i, p := range pairs {
		if !drop[i] {
			apply(p, support[i], gain[i])
		}
	}
	for i, p := range extra {
		apply(p, extraSupport[i], gain[len(pairs)+i])
	}
	return out
}

// pairBlockingWeight is the blocking weight of a pair (0 for a pair no
// rule produced). It adjusts the prior, which family identity replaces.
func (lk *Linker) pairBlockingWeight(l, r int) float64 {
	if lk.onlyNoTraining(l, r) {
		return lk.model.NoTrainingWeight
	}
	return 0
}

// withinFamilyPrior estimates, by expectation-maximisation, the share of
// matches among pairs a sibling pair supports, from what their comparisons
// other than the family-shared ones say (child, in bits): the prior of a
// pair once the families are known to be one. A Beta(1, 1) prior keeps it
// inside (0, 1) on few pairs.
func withinFamilyPrior(child []float64) float64 {
	pi := 0.5
	for range 200 {
		lo := math.Log2(pi / (1 - pi))
		s := 0.0
		for _, c := range child {
			s += 1 / (1 + math.Exp2(-(lo + c)))
		}
		next := (s + 1) / (float64(len(child)) + 2)
		if math.Abs(next-pi) < 1e-9 {
			return next
		}
		pi = next
	}
	return pi
}

// sharedWeight is the weight of a pair's family-shared comparisons.
func (lk *Linker) sharedWeight(l, r int) float64 {
	w := 0.0
	for _, k := range lk.comps {
		if k.c.FamilyShared {
			a, b, sa, sb := lk.refs(k, l, r)
			w += k.levelWeight(k.level(a, b, sa, sb, nil), a, b)
		}
	}
	return w
}

// SiblingEstimate returns the sibling evidence the last call to Pairs
// weighed pairs with.
func (lk *Linker) SiblingEstimate() SiblingEstimate { return lk.siblingEst }
