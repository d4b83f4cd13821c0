package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/homeward-project/homeward"
)

// MatchService keeps candidate pairs and the people's decisions about them;
// it implements homeward.MatchService.
type MatchService struct{ db *DB }

var _ homeward.MatchService = (*MatchService)(nil)

// NewMatchService returns the match service of db.
func NewMatchService(db *DB) *MatchService { return &MatchService{db: db} }

const matchColumns = `m.id, m.org_id, m.case_id, m.located_id, m.probability, m.weight, m.explanation, m.model,
	m.case_fields_hash, m.located_fields_hash, m.status, m.reason, m.note, m.proposed_by, m.proposed_at,
	m.decided_by, m.decided_at, m.version, m.created_at, m.updated_at`

func scanMatch(r rowScanner) (*homeward.Match, error) {
	var m homeward.Match
	var expl string
	err := r.Scan(&m.ID, &m.OrgID, &m.CaseID, &m.LocatedID, &m.Probability, &m.Weight, &expl, &m.Model,
		&m.CaseFieldsHash, &m.LocatedFieldsHash, &m.Status, &m.Reason, &m.Note, &m.ProposedBy, timePtrScan{&m.ProposedAt},
		&m.DecidedBy, timePtrScan{&m.DecidedAt}, &m.Version, timeScan{&m.CreatedAt}, timeScan{&m.UpdatedAt})
	if err != nil {
		return nil, err
	}
	if err := decodeList(expl, &m.Explanation); err != nil {
		return nil, fmt.Errorf("match %d explanation: %w", m.ID, err)
	}
	return &m, nil
}

// matchVisible restricts matches m to those whose case and located record
// the actor may both see: a match reveals that the two are linked.
func matchVisible(a homeward.Actor, arg func(any) string) string {
	if a.System {
		return "1 = 1"
	}
	return `EXISTS (SELECT 1 FROM cases c WHERE c.id = m.case_id AND ` + visibleClause(a, "c", homeward.EntityCase, arg) + `)
		AND EXISTS (SELECT 1 FROM located l WHERE l.id = m.located_id AND ` + visibleClause(a, "l", homeward.EntityLocated, arg) + `)`
}

// matchEvent is the data of a match event on the case.
type matchEvent struct {
	MatchID     int64                 `json:"match_id"`
	LocatedID   int64                 `json:"located_id"`
	From        homeward.MatchStatus  `json:"from,omitempty"`
	To          homeward.MatchStatus  `json:"to,omitempty"`
	Reason      homeward.RejectReason `json:"reason,omitempty"`
	Note        string                `json:"note,omitempty"`
	Probability *float64              `json:"probability,omitempty"`
	Model       string                `json:"model,omitempty"`
}

var matchEventAction = map[homeward.MatchAction]string{
	homeward.MatchPropose: homeward.ActionMatchPropose,
	homeward.MatchConfirm: homeward.ActionMatchConfirm,
	homeward.MatchReject:  homeward.ActionMatchReject,
	homeward.MatchUnsure:  homeward.ActionMatchNotSure,
	homeward.MatchRevoke:  homeward.ActionMatchRevoke,
	homeward.MatchReopen:  homeward.ActionMatchReopen,
}

func (t *tx) addMatchHistory(ctx context.Context, m *homeward.Match, act homeward.MatchAction, from homeward.MatchStatus, reason homeward.RejectReason, note string) error {
	_, err := t.ExecContext(ctx, `INSERT INTO match_decisions (match_id, action, from_status, to_status, reason, note, actor_id, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, m.ID, string(act), string(from), string(m.Status), string(reason), note, t.actor.UserID, t.db.tv(t.at))
	if err != nil {
		return fmt.Errorf("record decision on match %d: %w", m.ID, err)
	}
	return t.appendEvent(ctx, homeward.EntityCase, m.CaseID, matchEventAction[act], m.OrgID,
		matchEvent{MatchID: m.ID, LocatedID: m.LocatedID, From: from, To: m.Status, Reason: reason, Note: note})
}

// SaveCandidates upserts the engine's candidates in one transaction and
// returns how many pairs were new and how many existing ones changed
// (rescored, or a rejected pair reopened because a compared field changed).
// Pairs whose case or located record the actor may not see are ENOTFOUND.
func (s *MatchService) SaveCandidates(ctx context.Context, ms []homeward.Match) (created, updated int, err error) {
	a := homeward.ActorFromContext(ctx)
	if err := canWrite(a); err != nil {
		return 0, 0, err
	}
	for i := range ms {
		if err := ms[i].Validate(); err != nil {
			return 0, 0, fmt.Errorf("candidate %d: %w", i+1, err)
		}
		if err := checkText(&ms[i]); err != nil {
			return 0, 0, fmt.Errorf("candidate %d: %w", i+1, err)
		}
	}
	err = s.db.write(ctx, func(t *tx) error {
		created, updated = 0, 0
		caseOrg := map[int64]int64{}
		locatedSeen := map[int64]bool{}
		for i := range ms {
			c := &ms[i]
			org, ok := caseOrg[c.CaseID]
			if !ok {
				var err error
				if org, err = ownerOf(ctx, t, a, homeward.EntityCase, c.CaseID); err != nil {
					return fmt.Errorf("candidate %d: %w", i+1, err)
				}
				caseOrg[c.CaseID] = org
			}
			if !locatedSeen[c.LocatedID] {
				if _, err := ownerOf(ctx, t, a, homeward.EntityLocated, c.LocatedID); err != nil {
					return fmt.Errorf("candidate %d: %w", i+1, err)
				}
				locatedSeen[c.LocatedID] = true
			}
			old, err := scanMatch(t.QueryRowContext(ctx, `SELECT `+matchColumns+` FROM matches m WHERE m.case_id = $1 AND m.located_id = $2`, c.CaseID, c.LocatedID))
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if err := t.insertCandidate(ctx, c, org); err != nil {
					return fmt.Errorf("candidate %d: %w", i+1, err)
				}
				created++
			case err != nil:
				return fmt.Errorf("candidate %d: read match: %w", i+1, err)
			default:
				changed, err := t.refreshCandidate(ctx, old, c)
				if err != nil {
					return fmt.Errorf("candidate %d: %w", i+1, err)
				}
				if changed {
					updated++
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return created, updated, nil
}

func (t *tx) insertCandidate(ctx context.Context, c *homeward.Match, org int64) error {
	var id int64
	err := t.QueryRowContext(ctx, `INSERT INTO matches (org_id, case_id, located_id, probability, weight, explanation, model,
		case_fields_hash, located_fields_hash, status, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11) RETURNING id`,
		org, c.CaseID, c.LocatedID, c.Probability, c.Weight, encodeList(c.Explanation), c.Model,
		c.CaseFieldsHash, c.LocatedFieldsHash, string(homeward.MatchCandidate), t.db.tv(t.at)).Scan(&id)
	if err != nil {
		return fmt.Errorf("insert match: %w", err)
	}
	p := c.Probability
	return t.appendEvent(ctx, homeward.EntityCase, c.CaseID, homeward.ActionMatchCandidate, org,
		matchEvent{MatchID: id, LocatedID: c.LocatedID, To: homeward.MatchCandidate, Probability: &p, Model: c.Model})
}

// refreshCandidate brings a stored pair up to date with a new score. The
// standing decision is kept, except that a rejection lapses when either
// record changed in a field the model compares: the people rejected other
// data than there is now.
func (t *tx) refreshCandidate(ctx context.Context, old, c *homeward.Match) (bool, error) {
	hashChanged := old.CaseFieldsHash != c.CaseFieldsHash || old.LocatedFieldsHash != c.LocatedFieldsHash
	expl := encodeList(c.Explanation)
	scoreChanged := old.Probability != c.Probability || old.Weight != c.Weight || old.Model != c.Model ||
		encodeList(old.Explanation) != expl || hashChanged
	if !scoreChanged || (old.Status == homeward.MatchRejected && !hashChanged) {
		return false, nil
	}
	set := `probability = $1, weight = $2, explanation = $3, model = $4, case_fields_hash = $5, located_fields_hash = $6, updated_at = $7`
	args := []any{c.Probability, c.Weight, expl, c.Model, c.CaseFieldsHash, c.LocatedFieldsHash, t.db.tv(t.at)}
	reopen := old.Status == homeward.MatchRejected
	if reopen {
		// A reopened pair is a new question; the version moves so that a
		// decision taken on the old data is refused as stale.
		set += `, status = '` + string(homeward.MatchCandidate) + `', reason = '', note = '', proposed_by = 0, proposed_at = NULL,
			decided_by = 0, decided_at = NULL, version = version + 1`
	}
	if _, err := t.ExecContext(ctx, `UPDATE matches SET `+set+` WHERE id = $8`, append(args, old.ID)...); err != nil {
		return false, fmt.Errorf("update match %d: %w", old.ID, err)
	}
	if reopen {
		m := *old
		m.Status = homeward.MatchCandidate
		return true, t.addMatchHistory(ctx, &m, homeward.MatchReopen, homeward.MatchRejected, "",
			"A field the model compares changed on the case or the located record.")
	}
	p := c.Probability
	return true, t.appendEvent(ctx, homeward.EntityCase, old.CaseID, homeward.ActionMatchRescore, old.OrgID,
		matchEvent{MatchID: old.ID, LocatedID: old.LocatedID, Probability: &p, Model: c.Model})
}

// FindMatches returns one page of the matches the actor may see, best first.
func (s *MatchService) FindMatches(ctx context.Context, f homeward.MatchFilter) ([]*homeward.Match, int, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, 0, err
	}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where := []string{matchVisible(a, arg)}
	if f.CaseID != 0 {
		where = append(where, "m.case_id = "+arg(f.CaseID))
	}
	if f.LocatedID != 0 {
		where = append(where, "m.located_id = "+arg(f.LocatedID))
	}
	if len(f.Status) > 0 {
		ph := make([]string, len(f.Status))
		for i, st := range f.Status {
			if !st.Valid() {
				return nil, 0, homeward.FieldErrorf(homeward.EINVALID, "status", "Unknown match status %q.", st)
			}
			ph[i] = arg(string(st))
		}
		where = append(where, "m.status IN ("+strings.Join(ph, ", ")+")")
	}
	if f.MinProbability > 0 {
		where = append(where, "m.probability >= "+arg(f.MinProbability))
	}
	if f.OrgID != 0 {
		where = append(where, "m.org_id = "+arg(f.OrgID))
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := s.db.db.QueryRowContext(ctx, `SELECT count(*) FROM matches m WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count matches: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+matchColumns+` FROM matches m WHERE `+w+
		` ORDER BY m.probability DESC, m.weight DESC, m.id LIMIT `+arg(limit)+` OFFSET `+arg(max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find matches: %w", err)
	}
	defer rows.Close()
	var out []*homeward.Match
	for rows.Next() {
		m, err := scanMatch(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("read match: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find matches: %w", err)
	}
	return out, total, nil
}

func findMatch(ctx context.Context, q queryer, a homeward.Actor, id int64) (*homeward.Match, error) {
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	m, err := scanMatch(q.QueryRowContext(ctx, `SELECT `+matchColumns+` FROM matches m WHERE m.id = `+arg(id)+` AND `+matchVisible(a, arg), args...))
	if err != nil {
		return nil, scanErr(err, "match", id)
	}
	return m, nil
}

// FindMatchByID returns a match the actor may see.
func (s *MatchService) FindMatchByID(ctx context.Context, id int64) (*homeward.Match, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	return findMatch(ctx, s.db.db, a, id)
}

// Decide applies a decision (see homeward.CheckMatchDecision for who may
// take which) if d.Version is the match's current version, records it in
// the match's history and as an event on the case, and returns the match.
// Only the organisation holding the case decides about its matches.
func (s *MatchService) Decide(ctx context.Context, id int64, d homeward.MatchDecision) (*homeward.Match, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	if err := checkText(&d); err != nil {
		return nil, err
	}
	var out *homeward.Match
	err := s.db.write(ctx, func(t *tx) error {
		m, err := findMatch(ctx, t, a, id)
		if err != nil {
			return err
		}
		if !a.System && m.OrgID != a.OrgID {
			return homeward.Errorf(homeward.EFORBIDDEN, "Only the organisation that holds the case decides about its matches.")
		}
		if m.Version != d.Version {
			return conflict("match")
		}
		to, act, err := homeward.CheckMatchDecision(m, d, a)
		if err != nil {
			return err
		}
		from := m.Status
		now := t.at
		m.Status, m.Note, m.DecidedBy, m.DecidedAt = to, strings.TrimSpace(d.Note), a.UserID, &now
		m.Reason = ""
		switch act {
		case homeward.MatchPropose:
			m.ProposedBy, m.ProposedAt = a.UserID, &now
		case homeward.MatchConfirm:
		case homeward.MatchReject:
			m.Reason = d.Reason
			m.ProposedBy, m.ProposedAt = 0, nil
		default: // not sure, revoke: a proposal that was not carried lapses
			m.ProposedBy, m.ProposedAt = 0, nil
		}
		res, err := t.ExecContext(ctx, `UPDATE matches SET status = $1, reason = $2, note = $3, proposed_by = $4, proposed_at = $5,
			decided_by = $6, decided_at = $7, version = version + 1, updated_at = $8 WHERE id = $9 AND version = $10`,
			string(m.Status), string(m.Reason), m.Note, m.ProposedBy, t.db.tvp(m.ProposedAt), m.DecidedBy, t.db.tvp(m.DecidedAt),
			t.db.tv(now), m.ID, m.Version)
		if err != nil {
			return fmt.Errorf("update match %d: %w", id, err)
		}
		if k, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("update match %d: %w", id, err)
		} else if k == 0 {
			return conflict("match")
		}
		m.Version++
		m.UpdatedAt = now
		if err := t.addMatchHistory(ctx, m, act, from, m.Reason, m.Note); err != nil {
			return err
		}
		out = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// MatchHistory returns every decision about a match the actor may see,
// oldest first.
func (s *MatchService) MatchHistory(ctx context.Context, id int64) ([]*homeward.MatchHistoryEntry, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	if _, err := findMatch(ctx, s.db.db, a, id); err != nil {
		return nil, err
	}
	rows, err := s.db.db.QueryContext(ctx, `SELECT id, match_id, action, from_status, to_status, reason, note, actor_id, at
		FROM match_decisions WHERE match_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("match %d history: %w", id, err)
	}
	defer rows.Close()
	var out []*homeward.MatchHistoryEntry
	for rows.Next() {
		var e homeward.MatchHistoryEntry
		if err := rows.Scan(&e.ID, &e.MatchID, &e.Action, &e.From, &e.To, &e.Reason, &e.Note, &e.ActorID, timeScan{&e.At}); err != nil {
			return nil, fmt.Errorf("read match %d history: %w", id, err)
		}
		out = append(out, &e)
	}
	return out, rows.Err()
}
