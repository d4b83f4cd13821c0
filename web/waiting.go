package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/homeward-project/homeward"
)

// stageCounts counts the cases the user sees at each stage, in workflow
// order.
func (s *Server) stageCounts(ctx context.Context) ([]stageCount, error) {
	var counts map[homeward.Stage]int
	if sc, ok := s.cfg.Cases.(countsByStage); ok {
		var err error
		if counts, err = sc.CountCasesByStage(ctx); err != nil {
			return nil, err
		}
	} else {
		counts = map[homeward.Stage]int{}
		for _, st := range homeward.Stages {
			_, n, err := s.cfg.Cases.FindCases(ctx, homeward.CaseFilter{Stage: st, Limit: 1})
			if err != nil {
				return nil, err
			}
			counts[st] = n
		}
	}
	out := make([]stageCount, 0, len(homeward.Stages))
	for _, st := range homeward.Stages {
		out = append(out, stageCount{st, counts[st]})
	}
	return out, nil
}

// Kinds of work waiting on a user.
const (
	waitConfirmMatch  = "confirm_match"        // a proposed match awaits a second supervisor
	waitApproveVerify = "approve_verification" // a verification awaits a second supervisor
	waitMoveCase      = "move_case"            // every condition of the case's next stage is met
)

// waitingItem is one thing the current user can do next.
type waitingItem struct {
	Kind      string         `json:"kind"`
	CaseID    int64          `json:"case_id"`
	Reference string         `json:"reference,omitempty"`
	MatchID   int64          `json:"match_id,omitempty"`
	ItemID    int64          `json:"verification_id,omitempty"`
	Next      homeward.Stage `json:"next_stage,omitempty"`
	Link      string         `json:"-"`
}

// waitingScan bounds how many cases "waiting on me" looks at per kind: it
// reads their facts (in one batch), and the case list must stay fast.
const waitingScan = 20

// waitingOn lists what the user can do next: proposed matches another
// supervisor proposed, verifications another person recorded, and cases
// whose next stage has every condition met.
func (s *Server) waitingOn(ctx context.Context, u *homeward.User) ([]waitingItem, error) {
	if s.cfg.Matches == nil || s.cfg.Workflow == nil || !u.Role.CanWriteRecords() {
		return nil, nil
	}
	var out []waitingItem
	sup := u.Role.IsSupervisorRank()
	if sup {
		ms, _, err := s.cfg.Matches.FindMatches(ctx, homeward.MatchFilter{Status: []homeward.MatchStatus{homeward.MatchProposed}, OrgID: u.OrgID, Limit: waitingScan})
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if m.ProposedBy != u.ID {
				out = append(out, waitingItem{Kind: waitConfirmMatch, CaseID: m.CaseID, MatchID: m.ID, Link: "/matches/" + strconv.FormatInt(m.ID, 10)})
			}
		}
		cs, _, err := s.cfg.Cases.FindCases(ctx, homeward.CaseFilter{Stage: homeward.StageLocated, OrgID: u.OrgID, Limit: waitingScan})
		if err != nil {
			return nil, err
		}
		vss, err := s.cfg.Workflow.FindVerificationsForCases(ctx, caseIDs(cs))
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			for _, v := range vss[c.ID] {
				if !v.Approved() && v.RecordedBy != u.ID {
					out = append(out, waitingItem{Kind: waitApproveVerify, CaseID: c.ID, Reference: c.Reference, ItemID: v.ID,
						Link: "/cases/" + strconv.FormatInt(c.ID, 10) + "#verifications"})
				}
			}
		}
	}
	cs, _, err := s.cfg.Cases.FindCases(ctx, homeward.CaseFilter{OrgID: u.OrgID, Limit: waitingScan})
	if err != nil {
		return nil, err
	}
	open := make([]*homeward.Case, 0, len(cs))
	for _, c := range cs {
		if c.Stage != homeward.StageClosed {
			open = append(open, c)
		}
	}
	facts, err := s.cfg.Workflow.FactsForCases(ctx, caseIDs(open))
	if err != nil {
		return nil, err
	}
	for _, c := range open {
		f, ok := facts[c.ID]
		if !ok {
			continue // no longer visible since the list was read
		}
		needs := homeward.NextStepNeeds(c.Stage, f)
		ready := len(needs) > 0
		for _, n := range needs {
			ready = ready && n.Met
		}
		if ready {
			out = append(out, waitingItem{Kind: waitMoveCase, CaseID: c.ID, Reference: c.Reference, Next: needs[0].Stage,
				Link: "/cases/" + strconv.FormatInt(c.ID, 10) + "#workflow"})
		}
	}
	return out, nil
}

func caseIDs(cs []*homeward.Case) []int64 {
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

// caseOverview adds the counts per stage and the user's waiting work to
// the case list.
func (s *Server) caseOverview(r *http.Request, d *caseListData) error {
	var err error
	if d.Counts, err = s.stageCounts(r.Context()); err != nil {
		return err
	}
	d.Waiting, err = s.waitingOn(r.Context(), userFrom(r.Context()))
	return err
}
