package matching

import (
	"context"
	"fmt"

	"github.com/homeward-project/homeward"
)

// ServiceLoader loads through the domain services.
type ServiceLoader struct {
	OrgService     homeward.OrgService
	CaseService    homeward.CaseService
	LocatedService homeward.LocatedService
	PageSize       int // 0: 5,000
}

var _ Loader = (*ServiceLoader)(nil)

// loaderUserID marks the org-scoped reader the loader acts as. The store
// scopes reads by the actor's organisation, but the system actor sees every
// organisation's records, so the loader reads as a caseworker of the
// organisation; it only lists records, which records no event, so the
// marker is never written anywhere.
const loaderUserID = -1

func (l *ServiceLoader) pageSize() int {
	if l.PageSize > 0 {
		return l.PageSize
	}
	return 5000
}

// OrgIDs lists every organisation, as the system.
func (l *ServiceLoader) OrgIDs(ctx context.Context) ([]int64, error) {
	os, err := l.OrgService.FindOrgs(homeward.NewContextWithActor(ctx, homeward.SystemActor()))
	if err != nil {
		return nil, fmt.Errorf("list organisations: %w", err)
	}
	ids := make([]int64, 0, len(os))
	for _, o := range os {
		ids = append(ids, o.ID)
	}
	return ids, nil
}

// Cases pages through org's own cases. Pages are newest first: a case
// created meanwhile shifts the rest to later pages, so a page may repeat a
// record but never skips one (and the matcher queues new ones anyway).
func (l *ServiceLoader) Cases(ctx context.Context, org int64, fn func([]*homeward.Case) error) error {
	ctx = homeward.NewContextWithActor(ctx, homeward.SystemActor())
	n := l.pageSize()
	for off := 0; ; off += n {
		cs, _, err := l.CaseService.FindCases(ctx, homeward.CaseFilter{OrgID: org, Offset: off, Limit: n})
		if err != nil {
			return fmt.Errorf("load cases of organisation %d: %w", org, err)
		}
		if err := fn(cs); err != nil {
			return err
		}
		if len(cs) < n {
			return nil
		}
	}
}

// Located pages through the located records org may see.
func (l *ServiceLoader) Located(ctx context.Context, org int64, fn func([]*homeward.LocatedRecord) error) error {
	ctx = homeward.NewContextWithActor(ctx, homeward.Actor{UserID: loaderUserID, OrgID: org, Role: homeward.RoleCaseworker})
	n := l.pageSize()
	for off := 0; ; off += n {
		rs, _, err := l.LocatedService.FindLocated(ctx, homeward.LocatedFilter{Offset: off, Limit: n})
		if err != nil {
			return fmt.Errorf("load located records of organisation %d: %w", org, err)
		}
		if err := fn(rs); err != nil {
			return err
		}
		if len(rs) < n {
			return nil
		}
	}
}
