package matching

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/linkage"
)

// EntryLinker finds, for every entry of a list the other side sent us, the
// cases and located records of our organisation that may be the child, so
// that the person answering sees them side by side.
type EntryLinker struct {
	Lists homeward.ListService
	// Loader reads the organisation's records; a ServiceLoader in the server.
	Loader Loader
	// PerEntry is the most candidates kept per entry (default 5), and
	// MinProbability the least probability kept (default 0.05): a person
	// checks a short list, and a weak candidate is worth a look when the
	// other side's spelling is all there is.
	PerEntry       int
	MinProbability float64
}

// entryValues are the compared values of a received child.
func entryValues(p *homeward.DisclosedChild) values {
	return values{strings.TrimSpace(p.GivenName), strings.TrimSpace(p.FamilyName), strings.TrimSpace(p.Patronymic),
		string(p.Sex), birthDate(p.BirthDate), strings.TrimSpace(p.BirthPlace)}
}

// LinkList finds and saves the candidates of every entry of a received
// list, and returns how many it saved.
func (el *EntryLinker) LinkList(ctx context.Context, listID int64) (int, error) {
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor())
	l, err := el.Lists.FindListByID(sys, listID)
	if err != nil {
		return 0, err
	}
	if l.Direction != homeward.ListIncoming {
		return 0, homeward.Errorf(homeward.EINVALID, "Candidates are found for the entries of a received list.")
	}
	entries, err := el.Lists.FindEntries(sys, listID)
	if err != nil {
		return 0, err
	}
	cases, locs := &linkage.Dataset{Header: header}, &linkage.Dataset{Header: header}
	caseVals, locVals := map[int64]values{}, map[int64]values{}
	if err := el.Loader.Cases(ctx, l.OrgID, func(cs []*homeward.Case) error {
		for _, c := range cs {
			if _, seen := caseVals[c.ID]; !seen {
				v := caseValues(c)
				caseVals[c.ID] = v
				cases.Rows = append(cases.Rows, v.row(c.ID))
			}
		}
		return nil
	}); err != nil {
		return 0, err
	}
	if err := el.Loader.Located(ctx, l.OrgID, func(rs []*homeward.LocatedRecord) error {
		for _, r := range rs {
			if _, seen := locVals[r.ID]; !seen {
				v := locatedValues(r)
				locVals[r.ID] = v
				locs.Rows = append(locs.Rows, v.row(r.ID))
			}
		}
		return nil
	}); err != nil {
		return 0, err
	}
	per, minP := el.PerEntry, el.MinProbability
	if per <= 0 {
		per = 5
	}
	if minP <= 0 {
		minP = 0.05
	}
	var out []homeward.EntryCandidate
	for _, side := range []struct {
		entity string
		data   *linkage.Dataset
		vals   map[int64]values
	}{{homeward.EntityCase, cases, caseVals}, {homeward.EntityLocated, locs, locVals}} {
		if len(side.data.Rows) == 0 {
			continue
		}
		mod, err := DefaultModel()
		if err != nil {
			return 0, err
		}
		// As in the server's index: the chance that an entry and a record
		// drawn at random are one child, for lists of these sizes.
		n := 2
		for n < max(len(side.data.Rows), len(entries)) {
			n *= 2
		}
		mod.Prior, mod.PriorFixed = defaultShare/float64(n), true
		ix, err := linkage.NewIndex(mod, side.data)
		if err != nil {
			return 0, fmt.Errorf("index %s records: %w", side.entity, err)
		}
		for _, e := range entries {
			if e.RemovedRevision != 0 {
				continue
			}
			ev := entryValues(&e.Person)
			found, err := ix.Query(ev.query(), per, minP)
			if errors.Is(err, linkage.ErrNoField) {
				continue
			} else if err != nil {
				return 0, fmt.Errorf("query entry %s: %w", e.Ref, err)
			}
			for _, f := range found {
				id, _ := strconv.ParseInt(f.ID, 10, 64)
				rv := side.vals[id]
				exp := evidence(mod, f.Evidence, &rv, &ev)
				for i := range exp {
					exp[i].Weight = round(finite(exp[i].Weight), 100)
				}
				out = append(out, homeward.EntryCandidate{EntryID: e.ID, EntityType: side.entity, EntityID: id,
					Probability: round(f.Probability, 1e4), Explanation: exp})
			}
		}
	}
	if err := el.Lists.SaveCandidates(sys, listID, out); err != nil {
		return 0, err
	}
	return len(out), nil
}
