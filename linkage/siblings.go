package linkage

import "math"

// SiblingMatch is the evidence a pair gains from siblings: another record of
// the left record's family matches another record of the right record's
// family.
type SiblingMatch struct {
	Left, Right int     // the siblings' rows
	Weight      float64 // what the agreement adds
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
// rivalry applies, so that every rival that could take a noticeable share of
// weight (log2(1+odds) ≥ 0.07 bits) is among the scored pairs.
const rivalFloor = 0.1

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
	byLeft := map[int][]int{}
	byRight := map[int][]int{}
	for i, p := range pairs {
		byLeft[p.Left] = append(byLeft[p.Left], i)
		byRight[p.Right] = append(byRight[p.Right], i)
	}
	lf, rf := lk.left.family, lk.right.family
	penalties := make([]float64, len(pairs))
	rivals := make([]*SiblingMatch, len(pairs))
	for i, p := range pairs {
		odds, best, bestW := 0.0, -1, math.Inf(-1)
		consider := func(j int) {
			q := pairs[j]
			odds += math.Exp2(priorW + q.Weight)
			if q.Weight > bestW {
				best, bestW = j, q.Weight
			}
		}
		if lf != nil && lf[p.Left] != 0 {
			for _, j := range byRight[p.Right] {
				if q := pairs[j]; q.Left != p.Left && lf[q.Left] == lf[p.Left] {
					consider(j)
				}
			}
		}
		if rf != nil && rf[p.Right] != 0 {
			for _, j := range byLeft[p.Left] {
				if q := pairs[j]; q.Right != p.Right && rf[q.Right] == rf[p.Right] {
					consider(j)
				}
			}
		}
		if best < 0 {
			continue
		}
		pen := math.Log2(1 + odds)
		if pen < 0.01 {
			continue
		}
		penalties[i] = pen
		rivals[i] = &SiblingMatch{Left: pairs[best].Left, Right: pairs[best].Right, Weight: -pen}
	}
	for i := range pairs {
		if rivals[i] != nil {
			pairs[i].Rival = rivals[i]
			pairs[i].Weight -= penalties[i]
			pairs[i].Probability = probability(priorW, pairs[i].Weight)
		}
	}
}

func (lk *Linker) siblingWeight() float64 {
	if lk.model.SiblingWeight > 0 {
		return lk.model.SiblingWeight
	}
	return 3
}

// addSiblingEvidence lifts each pair for which another pair joins a sibling
// of its left record to a sibling of its right record with probability at
// least one half (judged before any sibling evidence, so evidence does not
// feed on itself), and keeps the pairs that reach minW.
func (lk *Linker) addSiblingEvidence(pairs []Pair, priorW, minW float64) []Pair {
	type famPair struct{ l, r uint32 }
	anchors := map[famPair][]int{} // family pair → indexes of good pairs
	for i, p := range pairs {
		if p.Probability < 0.5 {
			continue
		}
		fl, fr := lk.left.family[p.Left], lk.right.family[p.Right]
		if fl == 0 || fr == 0 {
			continue
		}
		k := famPair{fl, fr}
		anchors[k] = append(anchors[k], i)
	}
	bonus := lk.siblingWeight()
	out := pairs[:0:0]
	for _, p := range pairs {
		fl, fr := lk.left.family[p.Left], lk.right.family[p.Right]
		if fl != 0 && fr != 0 {
			for _, j := range anchors[famPair{fl, fr}] {
				a := pairs[j]
				if a.Left == p.Left || a.Right == p.Right || (lk.dedupe && (a.Left == p.Right || a.Right == p.Left)) {
					continue
				}
				p.Sibling = &SiblingMatch{Left: a.Left, Right: a.Right, Weight: bonus}
				p.Weight += bonus
				p.Probability = probability(priorW, p.Weight)
				break
			}
		}
		if p.Weight >= minW {
			out = append(out, p)
		}
	}
	return out
}
