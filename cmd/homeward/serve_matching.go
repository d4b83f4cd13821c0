package main

import (
	"context"
	"log/slog"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/matching"
	"github.com/homeward-project/homeward/store"
)

// startMatcher starts background matching over db and returns the case and
// located services the web layer must use, so that every record written
// through it is matched. The matcher loads and matches everything in the
// background: the server answers meanwhile. Close stops it.
func startMatcher(ctx context.Context, db *store.DB, log *slog.Logger) (*matching.Matcher, homeward.CaseService, homeward.LocatedService, error) {
	cases, located := store.NewCaseService(db), store.NewLocatedService(db)
	m, err := matching.New(matching.Config{
		Cases:   cases,
		Located: located,
		Matches: store.NewMatchService(db),
		Orgs:    store.NewOrgService(db),
		Logger:  log,
		// Pages come first: the worker runs at low priority and paces
		// itself (matching.Config.Pace).
		LowPriority: true,
	})
	if err != nil {
		return nil, nil, nil, err
	}
	m.Start(ctx)
	return m, m.Cases(cases), m.Located(located), nil
}
