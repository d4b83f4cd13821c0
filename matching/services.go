package matching

import (
	"context"

	"github.com/homeward-project/homeward"
)

// Cases returns svc, decorated so that every case it creates, changes or
// imports is queued for matching once the write succeeded.
// Optional methods of svc that the web layer looks for (counts by stage)
// stay visible through the decorator.
func (m *Matcher) Cases(svc homeward.CaseService) homeward.CaseService {
	d := &caseService{CaseService: svc, m: m}
	if c, ok := svc.(stageCounter); ok {
		return &countingCaseService{caseService: d, counter: c}
	}
	return d
}

// stageCounter is the store's optional count of cases by stage.
type stageCounter interface {
	CountCasesByStage(ctx context.Context) (map[homeward.Stage]int, error)
}

type countingCaseService struct {
	*caseService
	counter stageCounter
}

func (s *countingCaseService) CountCasesByStage(ctx context.Context) (map[homeward.Stage]int, error) {
	return s.counter.CountCasesByStage(ctx)
}

// Located returns svc, decorated so that every located record it creates,
// changes, imports or shares is queued for matching.
func (m *Matcher) Located(svc homeward.LocatedService) homeward.LocatedService {
	return &locatedService{LocatedService: svc, m: m}
}

type caseService struct {
	homeward.CaseService
	m *Matcher
}

func (s *caseService) CreateCase(ctx context.Context, c *homeward.Case) error {
	if err := s.CaseService.CreateCase(ctx, c); err != nil {
		return err
	}
	s.m.enqueue(caseChange(c))
	return nil
}

func (s *caseService) UpdateCase(ctx context.Context, c *homeward.Case) error {
	if err := s.CaseService.UpdateCase(ctx, c); err != nil {
		return err
	}
	s.m.enqueue(caseChange(c))
	return nil
}

func (s *caseService) ImportCases(ctx context.Context, cs []*homeward.Case, progress func(done int)) (int, int, error) {
	created, skipped, err := s.CaseService.ImportCases(ctx, cs, progress)
	if err != nil {
		return created, skipped, err
	}
	chs := make([]change, 0, created)
	for _, c := range cs {
		// Skipped rows keep no ID: they are already stored and matched.
		if c.ID != 0 && c.OrgID != 0 {
			chs = append(chs, caseChange(c))
		}
	}
	s.m.enqueue(chs...)
	return created, skipped, nil
}

// caseChange copies the case: the caller may go on changing its own.
func caseChange(c *homeward.Case) change {
	cp := *c
	cp.Siblings = append([]int64(nil), c.Siblings...)
	return change{c: &cp}
}

type locatedService struct {
	homeward.LocatedService
	m *Matcher
}

func (s *locatedService) CreateLocated(ctx context.Context, r *homeward.LocatedRecord) error {
	if err := s.LocatedService.CreateLocated(ctx, r); err != nil {
		return err
	}
	s.m.enqueue(locatedChange(r))
	return nil
}

func (s *locatedService) UpdateLocated(ctx context.Context, r *homeward.LocatedRecord) error {
	if err := s.LocatedService.UpdateLocated(ctx, r); err != nil {
		return err
	}
	s.m.enqueue(locatedChange(r))
	return nil
}

func (s *locatedService) ImportLocated(ctx context.Context, rs []*homeward.LocatedRecord, progress func(done int)) (int, int, error) {
	created, skipped, err := s.LocatedService.ImportLocated(ctx, rs, progress)
	if err != nil {
		return created, skipped, err
	}
	chs := make([]change, 0, created)
	for _, r := range rs {
		if r.ID != 0 && r.OrgID != 0 {
			chs = append(chs, locatedChange(r))
		}
	}
	s.m.enqueue(chs...)
	return created, skipped, nil
}

func (s *locatedService) ShareLocated(ctx context.Context, id, orgID int64) error {
	if err := s.LocatedService.ShareLocated(ctx, id, orgID); err != nil {
		return err
	}
	s.m.enqueue(change{locID: id, shareOrg: orgID})
	return nil
}

func locatedChange(r *homeward.LocatedRecord) change {
	cp := *r
	return change{l: &cp}
}

// LocatedCreated queues located records that were created without going
// through the decorated service: those the other side's answers made
// (store.DB.SetLocatedHook).
func (m *Matcher) LocatedCreated(rs []*homeward.LocatedRecord) {
	chs := make([]change, 0, len(rs))
	for _, r := range rs {
		chs = append(chs, locatedChange(r))
	}
	m.enqueue(chs...)
}
