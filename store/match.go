package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
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

// A match's explanation names both children ("Александр is the Russian
// form of Олександр") and its note is free text: both are sealed, bound to
// the pair, which is unique and known before the row has an ID.
func matchAD(caseID, locatedID int64, what string) string {
	return fmt.Sprintf("match %d %d %s", caseID, locatedID, what)
}

func (db *DB) scanMatch(ctx context.Context, r rowScanner) (*homeward.Match, error) {
	var m homeward.Match
	var expl, note string
	err := r.Scan(&m.ID, &m.OrgID, &m.CaseID, &m.LocatedID, &m.Probability, &m.Weight, &expl, &m.Model,
		&m.CaseFieldsHash, &m.LocatedFieldsHash, &m.Status, &m.Reason, &note, &m.ProposedBy, timePtrScan{&m.ProposedAt},
		&m.DecidedBy, timePtrScan{&m.DecidedAt}, &m.Version, timeScan{&m.CreatedAt}, timeScan{&m.UpdatedAt})
	if err != nil {
		return nil, err
	}
	if expl, err = db.openText(ctx, matchAD(m.CaseID, m.LocatedID, "explanation"), expl); err != nil {
		return nil, err
	}
	if m.Note, err = db.openText(ctx, matchAD(m.CaseID, m.LocatedID, "note"), note); err != nil {
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
	sealedNote, err := t.db.sealText(ctx, t, fmt.Sprintf("match decision %d", m.ID), note)
	if err != nil {
		return err
	}
	_, err = t.ExecContext(ctx, `INSERT INTO match_decisions (match_id, action, from_status, to_status, reason, note, actor_id, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, m.ID, string(act), string(from), string(m.Status), string(reason), sealedNote, t.actor.UserID, t.db.tv(t.at))
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
// The call holds the write lock throughout (about 0.3 s for 10,000 new pairs
// on SQLite here): a background matcher saving more should call it in
// chunks of a few thousand so that pages writing view events are not held up.
func (s *MatchService) SaveCandidates(ctx context.Context, ms []homeward.Match) (created, updated int, err error) {
	a := homeward.ActorFromContext(ctx)
	if err := canWrite(a); err != nil {
		return 0, 0, err
	}
	if len(ms) == 0 {
		return 0, 0, nil
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
		caseIDs := make([]int64, 0, len(ms))
		locIDs := make([]int64, 0, len(ms))
		for i := range ms {
			caseIDs = append(caseIDs, ms[i].CaseID)
			locIDs = append(locIDs, ms[i].LocatedID)
		}
		caseOrg, err := t.visibleOwners(ctx, a, homeward.EntityCase, caseIDs)
		if err != nil {
			return err
		}
		locOrg, err := t.visibleOwners(ctx, a, homeward.EntityLocated, locIDs)
		if err != nil {
			return err
		}
		existing, err := t.matchesOfCases(ctx, slices.Collect(maps.Keys(caseOrg)))
		if err != nil {
			return err
		}
		var fresh []*homeward.Match
		for i := range ms {
			c := &ms[i]
			org, ok := caseOrg[c.CaseID]
			if !ok {
				return fmt.Errorf("candidate %d: %w", i+1, notFound(homeward.EntityCase, c.CaseID))
			}
			if _, ok := locOrg[c.LocatedID]; !ok {
				return fmt.Errorf("candidate %d: %w", i+1, notFound(homeward.EntityLocated, c.LocatedID))
			}
			key := [2]int64{c.CaseID, c.LocatedID}
			if old := existing[key]; old != nil && old.ID != 0 {
				changed, err := t.refreshCandidate(ctx, old, c)
				if err != nil {
					return fmt.Errorf("candidate %d: %w", i+1, err)
				}
				if changed {
					updated++
				}
				continue
			} else if old != nil {
				// The same new pair twice in one batch: the last score wins.
				*old = newCandidate(c, org, t)
				continue
			}
			m := newCandidate(c, org, t)
			existing[key] = &m
			fresh = append(fresh, &m)
		}
		if err := t.insertCandidates(ctx, fresh); err != nil {
			return err
		}
		created = len(fresh)
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return created, updated, nil
}

func newCandidate(c *homeward.Match, org int64, t *tx) homeward.Match {
	return homeward.Match{OrgID: org, CaseID: c.CaseID, LocatedID: c.LocatedID, Probability: c.Probability, Weight: c.Weight,
		Explanation: c.Explanation, Model: c.Model, CaseFieldsHash: c.CaseFieldsHash, LocatedFieldsHash: c.LocatedFieldsHash,
		Status: homeward.MatchCandidate, Version: 1, CreatedAt: t.at, UpdatedAt: t.at}
}

// insertBatch is how many candidates one INSERT writes: a background match
// of an imported list saves thousands, and a round trip per row would hold
// the write lock several times longer.
const insertBatch = 100

// insertCandidates stores new candidates, sets their IDs, and appends an
// event for each to its case.
func (t *tx) insertCandidates(ctx context.Context, ms []*homeward.Match) error {
	const cols = 12
	for len(ms) > 0 {
		batch := ms[:min(len(ms), insertBatch)]
		ms = ms[len(batch):]
		var q strings.Builder
		q.WriteString(`INSERT INTO matches (org_id, case_id, located_id, probability, weight, explanation, model,
			case_fields_hash, located_fields_hash, status, created_at, updated_at) VALUES `)
		args := make([]any, 0, len(batch)*cols)
		byPair := make(map[[2]int64]*homeward.Match, len(batch))
		for i, m := range batch {
			if i > 0 {
				q.WriteString(", ")
			}
			if t.db.dialect == DialectSQLite {
				q.WriteString("(" + t.db.seqPlaceholders(cols) + ")")
			} else {
				q.WriteString("(" + placeholders(len(args)+1, cols) + ")")
			}
			expl, err := t.db.sealText(ctx, t, matchAD(m.CaseID, m.LocatedID, "explanation"), encodeList(m.Explanation))
			if err != nil {
				return err
			}
			args = append(args, m.OrgID, m.CaseID, m.LocatedID, m.Probability, m.Weight, expl, m.Model,
				m.CaseFieldsHash, m.LocatedFieldsHash, string(m.Status), t.db.tv(t.at), t.db.tv(t.at))
			byPair[[2]int64{m.CaseID, m.LocatedID}] = m
		}
		// Rows come back in no promised order; the pair is unique.
		q.WriteString(` RETURNING id, case_id, located_id`)
		rows, err := t.QueryContext(ctx, q.String(), args...)
		if err != nil {
			return fmt.Errorf("insert matches: %w", err)
		}
		for rows.Next() {
			var id, caseID, locID int64
			if err := rows.Scan(&id, &caseID, &locID); err != nil {
				rows.Close()
				return fmt.Errorf("insert matches: %w", err)
			}
			if m := byPair[[2]int64{caseID, locID}]; m != nil {
				m.ID = id
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("insert matches: %w", err)
		}
		for _, m := range batch {
			if m.ID == 0 {
				return fmt.Errorf("insert matches: no ID returned for case %d and located record %d", m.CaseID, m.LocatedID)
			}
			p := m.Probability
			if err := t.appendEvent(ctx, homeward.EntityCase, m.CaseID, homeward.ActionMatchCandidate, m.OrgID,
				matchEvent{MatchID: m.ID, LocatedID: m.LocatedID, To: homeward.MatchCandidate, Probability: &p, Model: m.Model}); err != nil {
				return err
			}
		}
	}
	return nil
}

// idChunk bounds the IDs of one IN list, well under both databases' limits
// on bound parameters.
const idChunk = 500

// inChunks calls fn with the distinct IDs in chunks, with placeholders for
// them numbered from 1.
func inChunks(ids []int64, fn func(ph string, args []any) error) error {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	for len(ids) > 0 {
		n := min(len(ids), idChunk)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		if err := fn(placeholders(1, n), args); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// visibleOwners returns the owning organisation of each record among ids
// that the actor may see; records missing from the map do not exist or are
// not visible.
func (t *tx) visibleOwners(ctx context.Context, a homeward.Actor, entityType string, ids []int64) (map[int64]int64, error) {
	table, err := recordTable(entityType)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]int64, len(ids))
	err = inChunks(ids, func(ph string, args []any) error {
		arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
		rows, err := t.QueryContext(ctx, `SELECT r.id, r.org_id FROM `+table+` r WHERE r.id IN (`+ph+`) AND `+visibleClause(a, "r", entityType, arg), args...)
		if err != nil {
			return fmt.Errorf("find %s records: %w", entityType, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, org int64
			if err := rows.Scan(&id, &org); err != nil {
				return fmt.Errorf("find %s records: %w", entityType, err)
			}
			out[id] = org
		}
		return rows.Err()
	})
	return out, err
}

// matchesOfCases returns the stored matches of the cases by pair.
func (t *tx) matchesOfCases(ctx context.Context, caseIDs []int64) (map[[2]int64]*homeward.Match, error) {
	out := map[[2]int64]*homeward.Match{}
	err := inChunks(caseIDs, func(ph string, args []any) error {
		rows, err := t.QueryContext(ctx, `SELECT `+matchColumns+` FROM matches m WHERE m.case_id IN (`+ph+`)`, args...)
		if err != nil {
			return fmt.Errorf("read matches: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			m, err := t.db.scanMatch(ctx, rows)
			if err != nil {
				return fmt.Errorf("read match: %w", err)
			}
			out[[2]int64{m.CaseID, m.LocatedID}] = m
		}
		return rows.Err()
	})
	return out, err
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
	sealedExpl, err := t.db.sealText(ctx, t, matchAD(old.CaseID, old.LocatedID, "explanation"), expl)
	if err != nil {
		return false, err
	}
	args := []any{c.Probability, c.Weight, sealedExpl, c.Model, c.CaseFieldsHash, c.LocatedFieldsHash, t.db.tv(t.at)}
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
	// old now mirrors the row, for a pair that comes twice in one batch.
	old.Probability, old.Weight, old.Explanation, old.Model = c.Probability, c.Weight, c.Explanation, c.Model
	old.CaseFieldsHash, old.LocatedFieldsHash, old.UpdatedAt = c.CaseFieldsHash, c.LocatedFieldsHash, t.at
	if reopen {
		old.Status, old.Reason, old.Note, old.ProposedBy, old.ProposedAt, old.DecidedBy, old.DecidedAt =
			homeward.MatchCandidate, "", "", 0, nil, 0, nil
		old.Version++
		return true, t.addMatchHistory(ctx, old, homeward.MatchReopen, homeward.MatchRejected, "",
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
	if f.NotProposedBy != 0 {
		where = append(where, "m.proposed_by <> "+arg(f.NotProposedBy))
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
		m, err := s.db.scanMatch(ctx, rows)
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

func (db *DB) findMatch(ctx context.Context, q queryer, a homeward.Actor, id int64) (*homeward.Match, error) {
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	m, err := db.scanMatch(ctx, q.QueryRowContext(ctx, `SELECT `+matchColumns+` FROM matches m WHERE m.id = `+arg(id)+` AND `+matchVisible(a, arg), args...))
	if err != nil {
		return nil, scanErr(err, "match", id)
	}
	return m, nil
}

// FindMatchByID returns a match the actor may see and records the view on
// the case and the located record it pairs: its explanation carries both
// records' names, so reading it is reading them.
func (s *MatchService) FindMatchByID(ctx context.Context, id int64) (*homeward.Match, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	var m *homeward.Match
	err := s.db.write(ctx, func(t *tx) error {
		var err error
		if m, err = t.db.findMatch(ctx, t, a, id); err != nil {
			return err
		}
		via := map[string]int64{"match_id": m.ID}
		if err := t.appendEvent(ctx, homeward.EntityCase, m.CaseID, homeward.ActionView, m.OrgID, via); err != nil {
			return err
		}
		return t.appendEvent(ctx, homeward.EntityLocated, m.LocatedID, homeward.ActionView, m.OrgID, via)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
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
		m, err := t.db.findMatch(ctx, t, a, id)
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
		sealedNote, err := t.db.sealText(ctx, t, matchAD(m.CaseID, m.LocatedID, "note"), m.Note)
		if err != nil {
			return err
		}
		res, err := t.ExecContext(ctx, `UPDATE matches SET status = $1, reason = $2, note = $3, proposed_by = $4, proposed_at = $5,
			decided_by = $6, decided_at = $7, version = version + 1, updated_at = $8 WHERE id = $9 AND version = $10`,
			string(m.Status), string(m.Reason), sealedNote, m.ProposedBy, t.db.tvp(m.ProposedAt), m.DecidedBy, t.db.tvp(m.DecidedAt),
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
	if _, err := s.db.findMatch(ctx, s.db.db, a, id); err != nil {
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
		if e.Note, err = s.db.openText(ctx, fmt.Sprintf("match decision %d", e.MatchID), e.Note); err != nil {
			return nil, err
		}
		out = append(out, &e)
	}
	return out, rows.Err()
}
