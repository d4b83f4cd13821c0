package linkage

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
