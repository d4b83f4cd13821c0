package matching

import (
	"fmt"
	"math"

	"github.com/homeward-project/homeward"
)

// Sibling evidence. The linkage index scores one record at a time and
// knows nothing of families, so the matcher adds it itself: when a case
// and its sibling's case (homeward.Case.Siblings) match two different
// located records listed at the same institution, each match is evidence
// for the other. Only pairs at least even odds anchor the evidence, so that
// it does not feed on itself, and each pair gains it once, as the linkage
// engine's own sibling evidence does for whole lists.
//
// Located records carry no family grouping of their own, so the
// institution stands for it; two children of one family placed in
// different institutions get no sibling evidence.

// siblingBonus is what sibling evidence adds to a pair's match weight, in
// bits. It is fixed and small, unlike the linkage engine's estimate for
// whole lists: an institution is a weak stand-in for a family (unrelated
// children share one), and one organisation's matches are too few to
// estimate from.
const siblingBonus = 3

// anchor is a pair good enough to be evidence for its siblings' pairs.
type anchor struct {
	m       homeward.Match // as saved without sibling evidence
	sibling bool           // it has been saved with sibling evidence
}

// withSiblings adds sibling evidence to the batch's pairs and appends the
// earlier anchors that gain evidence from pairs of this batch, so that they
// are saved again with it.
func (m *Matcher) withSiblings(batch []homeward.Match) []homeward.Match {
	if m.anchors == nil {
		m.anchors = map[int64]map[int64]*anchor{}
	}
	// This batch's good pairs become anchors first, so that two siblings
	// matched in one batch are evidence for each other.
	for i := range batch {
		b := &batch[i]
		if b.Probability < 0.5 {
			if as := m.anchors[b.CaseID]; as != nil {
				delete(as, b.LocatedID)
			}
			continue
		}
		as := m.anchors[b.CaseID]
		if as == nil {
			as = map[int64]*anchor{}
			m.anchors[b.CaseID] = as
		}
		as[b.LocatedID] = &anchor{m: cloneMatch(*b)}
	}
	inBatch := map[[2]int64]bool{}
	for _, b := range batch {
		inBatch[[2]int64{b.CaseID, b.LocatedID}] = true
	}
	var again []homeward.Match
	for i := range batch {
		b := &batch[i]
		c, l := m.cases[b.CaseID], m.located[b.LocatedID]
		if c == nil || l == nil || l.institution == "" {
			continue
		}
		for _, sib := range c.siblings {
			s := m.cases[sib]
			if s == nil || s.org != c.org {
				continue
			}
			for lid, a := range m.anchors[sib] {
				o := m.located[lid]
				if lid == l.id || o == nil || o.institution != l.institution {
					continue
				}
				addSibling(b, s, lid)
				// The anchor gains the same evidence from this pair.
				if b.Probability >= 0.5 && !a.sibling && !inBatch[[2]int64{sib, lid}] {
					a.sibling = true
					mt := cloneMatch(a.m)
					addSibling(&mt, c, l.id)
					again = append(again, mt)
				}
				goto next
			}
		}
	next:
	}
	return append(batch, again...)
}

// addSibling lifts pair p by the sibling bonus, citing sibling case s and
// the located record it matches.
func addSibling(p *homeward.Match, s *caseRec, locID int64) {
	ref := s.reference
	if ref == "" {
		ref = fmt.Sprintf("case %d", s.id)
	}
	p.Explanation = append(p.Explanation, homeward.MatchEvidence{
		Comparison: "siblings",
		Level:      "a sibling matches a child at the same institution",
		Weight:     siblingBonus,
		Reason:     fmt.Sprintf("sibling %s matches located record %d, listed at the same institution", ref, locID),
		// The same words as a format for the reader's language (ReasonFormats).
		ReasonFormat: "sibling %s matches located record %s, listed at the same institution",
		ReasonArgs:   []string{ref, fmt.Sprint(locID)},
	})
	p.Weight += siblingBonus
	odds := p.Probability / (1 - p.Probability) * math.Exp2(siblingBonus)
	if math.IsInf(odds, 0) || math.IsNaN(odds) {
		p.Probability = 1
	} else {
		p.Probability = round(odds/(1+odds), 1e4)
	}
}

func cloneMatch(m homeward.Match) homeward.Match {
	m.Explanation = append([]homeward.MatchEvidence(nil), m.Explanation...)
	return m
}
