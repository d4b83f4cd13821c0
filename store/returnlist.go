package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/homeward-project/homeward"
)

// querier runs queries inside or outside a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const listColumns = `l.id, l.uid, l.org_id, l.channel_id, l.phase_id, ph.number, l.direction, l.author_id, l.title, l.profile, l.state,
	l.revision, l.sealed_revision, l.seal_requested_by, l.seal_requested_at, l.version, l.created_by, l.created_at, l.updated_at,
	(SELECT count(*) FROM list_entries e WHERE e.list_id = l.id AND e.removed_revision = 0),
	(SELECT count(*) FROM list_entries e WHERE e.list_id = l.id AND e.removed_revision = 0 AND e.answer <> '')`

const listFrom = ` FROM return_lists l JOIN phases ph ON ph.id = l.phase_id`

func scanList(r rowScanner) (*homeward.ReturnList, error) {
	var l homeward.ReturnList
	err := r.Scan(&l.ID, &l.UID, &l.OrgID, &l.ChannelID, &l.PhaseID, &l.Phase, &l.Direction, &l.AuthorID, &l.Title, &l.Profile, &l.State,
		&l.Revision, &l.SealedRevision, &l.SealRequestedBy, timePtrScan{&l.SealRequestedAt}, &l.Version, &l.CreatedBy,
		timeScan{&l.CreatedAt}, timeScan{&l.UpdatedAt}, &l.Entries, &l.Answered)
	if err != nil {
		return nil, err
	}
	return &l, nil
}

// listOf reads a list of the actor's organisation.
func listOf(ctx context.Context, q queryer, a homeward.Actor, id int64) (*homeward.ReturnList, error) {
	l, err := scanList(q.QueryRowContext(ctx, `SELECT `+listColumns+listFrom+` WHERE l.id = $1`, id))
	if err != nil {
		return nil, scanErr(err, "list", id)
	}
	if !a.System && l.OrgID != a.OrgID {
		return nil, notFound("list", id)
	}
	return l, nil
}

// CreateList starts an outgoing draft list in a phase of a channel.
func (s *ListService) CreateList(ctx context.Context, l *homeward.ReturnList) error {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return err
	}
	nl := *l
	nl.Title = strings.TrimSpace(nl.Title)
	if nl.Profile == "" {
		nl.Profile = homeward.ProfileMinimal
	}
	if err := nl.Validate(); err != nil {
		return err
	}
	if err := checkText(&nl); err != nil {
		return err
	}
	err := s.db.write(ctx, func(t *tx) error {
		ch, err := channelOf(ctx, t, a, nl.ChannelID)
		if err != nil {
			return err
		}
		if ch.Role == homeward.RoleMediator {
			return homeward.Errorf(homeward.EINVALID, "A mediator forwards the sides' lists; it makes none of its own.")
		}
		var phase homeward.Phase
		if nl.PhaseID == 0 {
			err = t.QueryRowContext(ctx, `SELECT id, number FROM phases WHERE channel_id = $1 ORDER BY number DESC LIMIT 1`, ch.ID).Scan(&phase.ID, &phase.Number)
		} else {
			err = t.QueryRowContext(ctx, `SELECT id, number FROM phases WHERE channel_id = $1 AND id = $2`, ch.ID, nl.PhaseID).Scan(&phase.ID, &phase.Number)
		}
		if err != nil {
			return homeward.FieldErrorf(homeward.EINVALID, "phase_id", "Choose a phase of the channel.")
		}
		self, err := scanParty(t.QueryRowContext(ctx, `SELECT `+partyColumns+` FROM parties WHERE self`))
		if err != nil {
			return fmt.Errorf("read own party: %w", err)
		}
		nl.OrgID, nl.PhaseID, nl.Phase, nl.Direction, nl.AuthorID = ch.OrgID, phase.ID, phase.Number, homeward.ListOutgoing, self.ID
		nl.UID = newUID("L", 8)
		return t.insertList(ctx, &nl)
	})
	if err != nil {
		return err
	}
	*l = nl
	return nil
}

func (t *tx) insertList(ctx context.Context, l *homeward.ReturnList) error {
	if l.State == "" {
		l.State = homeward.ListDraft
	}
	if l.Revision == 0 {
		l.Revision = 1
	}
	l.Version, l.CreatedBy, l.CreatedAt, l.UpdatedAt = 1, t.actor.UserID, t.at, t.at
	if err := t.QueryRowContext(ctx, `INSERT INTO return_lists (uid, org_id, channel_id, phase_id, direction, author_id, title, profile, state,
		revision, sealed_revision, version, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
		l.UID, l.OrgID, l.ChannelID, l.PhaseID, string(l.Direction), l.AuthorID, l.Title, string(l.Profile), string(l.State),
		l.Revision, l.SealedRevision, l.Version, l.CreatedBy, t.db.tv(t.at), t.db.tv(t.at)).Scan(&l.ID); err != nil {
		if isUniqueViolation(err) {
			return homeward.Errorf(homeward.ECONFLICT, "A list with the identifier %s already exists.", l.UID)
		}
		return fmt.Errorf("insert list: %w", err)
	}
	return t.appendEvent(ctx, homeward.EntityList, l.ID, homeward.ActionListCreate, l.OrgID, map[string]any{
		"uid": l.UID, "channel_id": l.ChannelID, "phase": l.Phase, "direction": l.Direction, "profile": l.Profile})
}

// FindLists returns the lists of the actor's organisation, newest first.
func (s *ListService) FindLists(ctx context.Context, f homeward.ListFilter) ([]*homeward.ReturnList, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	return s.findLists(ctx, a, f)
}

func (s *ListService) findLists(ctx context.Context, a homeward.Actor, f homeward.ListFilter) ([]*homeward.ReturnList, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if !a.System {
		where = append(where, "l.org_id = "+arg(a.OrgID))
	}
	if f.ChannelID != 0 {
		where = append(where, "l.channel_id = "+arg(f.ChannelID))
	}
	if f.PhaseID != 0 {
		where = append(where, "l.phase_id = "+arg(f.PhaseID))
	}
	if f.Direction != "" {
		where = append(where, "l.direction = "+arg(string(f.Direction)))
	}
	if f.CaseID != 0 {
		where = append(where, "l.id IN (SELECT e.list_id FROM list_entries e WHERE e.case_id = "+arg(f.CaseID)+")")
	}
	q := `SELECT ` + listColumns + listFrom
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := s.db.db.QueryContext(ctx, q+` ORDER BY l.created_at DESC, l.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("find lists: %w", err)
	}
	defer rows.Close()
	var out []*homeward.ReturnList
	for rows.Next() {
		l, err := scanList(rows)
		if err != nil {
			return nil, fmt.Errorf("read list: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// FindListByID returns a list of the actor's organisation.
func (s *ListService) FindListByID(ctx context.Context, id int64) (*homeward.ReturnList, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	return listOf(ctx, s.db.db, a, id)
}

const entryColumns = `e.id, e.list_id, e.ref, e.position, e.case_id, e.person, e.added_revision, e.removed_revision, e.state, e.answer,
	e.answered_at, e.carried_from, e.carried_from_id, e.carried_to_id, e.located_id, e.candidates, e.created_at, e.updated_at`

// entryAD binds an entry's sealed person to its list and reference, which
// are unique together and known before the row has an ID.
func entryAD(listID int64, ref string) string { return fmt.Sprintf("list entry %d %s", listID, ref) }

// sealPerson seals an entry's disclosed person: the names and dates a list
// carries to a mediator are sealed like the case they come from.
func (t *tx) sealPerson(ctx context.Context, listID int64, ref string, person []byte) (string, error) {
	return t.db.sealText(ctx, t, entryAD(listID, ref), string(person))
}

func (db *DB) scanEntry(ctx context.Context, r rowScanner) (*homeward.ListEntry, error) {
	var e homeward.ListEntry
	var person string
	err := r.Scan(&e.ID, &e.ListID, &e.Ref, &e.Position, &e.CaseID, &person, &e.AddedRevision, &e.RemovedRevision, &e.State, &e.Answer,
		timePtrScan{&e.AnsweredAt}, &e.CarriedFrom, &e.CarriedFromID, &e.CarriedToID, &e.LocatedID, &e.CandidateCount,
		timeScan{&e.CreatedAt}, timeScan{&e.UpdatedAt})
	if err != nil {
		return nil, err
	}
	if person, err = db.openText(ctx, entryAD(e.ListID, e.Ref), person); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(person), &e.Person); err != nil {
		return nil, fmt.Errorf("entry %d person: %w", e.ID, err)
	}
	return &e, nil
}

func (db *DB) queryEntries(ctx context.Context, q querier, query string, args ...any) ([]*homeward.ListEntry, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("find entries: %w", err)
	}
	defer rows.Close()
	var out []*homeward.ListEntry
	for rows.Next() {
		e, err := db.scanEntry(ctx, rows)
		if err != nil {
			return nil, fmt.Errorf("read entry: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// entriesOf returns a list's entries in order, those removed last.
func (db *DB) entriesOf(ctx context.Context, q querier, listID int64) ([]*homeward.ListEntry, error) {
	return db.queryEntries(ctx, q, `SELECT `+entryColumns+` FROM list_entries e WHERE e.list_id = $1
		ORDER BY CASE WHEN e.removed_revision = 0 THEN 0 ELSE 1 END, e.position`, listID)
}

// FindEntries returns a list's entries. Reading them reads children's
// names: a view event on the list records it.
func (s *ListService) FindEntries(ctx context.Context, listID int64) ([]*homeward.ListEntry, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	var out []*homeward.ListEntry
	err := s.db.write(ctx, func(t *tx) error {
		l, err := listOf(ctx, t, a, listID)
		if err != nil {
			return err
		}
		out, err = t.db.entriesOf(ctx, t, listID)
		if err != nil {
			return err
		}
		return t.appendEvent(ctx, homeward.EntityList, listID, homeward.ActionView, l.OrgID, map[string]int{"entries": len(out)})
	})
	return out, err
}

// entryOf reads an entry of a list of the actor's organisation.
func (db *DB) entryOf(ctx context.Context, q queryer, a homeward.Actor, id int64) (*homeward.ListEntry, *homeward.ReturnList, error) {
	e, err := db.scanEntry(ctx, q.QueryRowContext(ctx, `SELECT `+entryColumns+` FROM list_entries e WHERE e.id = $1`, id))
	if err != nil {
		return nil, nil, scanErr(err, "list entry", id)
	}
	l, err := listOf(ctx, q, a, e.ListID)
	if err != nil {
		return nil, nil, notFound("list entry", id)
	}
	return e, l, nil
}

// FindEntryByID returns an entry and records the view on its list.
func (s *ListService) FindEntryByID(ctx context.Context, id int64) (*homeward.ListEntry, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	var out *homeward.ListEntry
	err := s.db.write(ctx, func(t *tx) error {
		e, l, err := t.db.entryOf(ctx, t, a, id)
		if err != nil {
			return err
		}
		out = e
		return t.appendEvent(ctx, homeward.EntityList, l.ID, homeward.ActionView, l.OrgID, map[string]any{"entry": e.Ref})
	})
	return out, err
}

// EntryHistory returns the entries an entry continues from earlier
// phases, earliest first, and the entry itself last.
func (s *ListService) EntryHistory(ctx context.Context, id int64) ([]*homeward.ListEntry, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	e, _, err := s.db.entryOf(ctx, s.db.db, a, id)
	if err != nil {
		return nil, err
	}
	chain := []*homeward.ListEntry{e}
	for seen := map[int64]bool{e.ID: true}; e.CarriedFromID != 0 && !seen[e.CarriedFromID]; {
		prev, _, err := s.db.entryOf(ctx, s.db.db, a, e.CarriedFromID)
		if err != nil {
			break
		}
		seen[prev.ID] = true
		chain = append([]*homeward.ListEntry{prev}, chain...)
		e = prev
	}
	return chain, nil
}

// FindListingsOfCase returns the case's entries on lists, newest first.
func (s *ListService) FindListingsOfCase(ctx context.Context, caseID int64) ([]*homeward.CaseListing, error) {
	a := homeward.ActorFromContext(ctx)
	if err := s.db.checkVisible(ctx, a, homeward.EntityCase, caseID); err != nil {
		return nil, err
	}
	es, err := s.db.queryEntries(ctx, s.db.db, `SELECT `+entryColumns+` FROM list_entries e WHERE e.case_id = $1 ORDER BY e.id DESC`, caseID)
	if err != nil {
		return nil, err
	}
	var out []*homeward.CaseListing
	for _, e := range es {
		l, err := listOf(ctx, s.db.db, a, e.ListID)
		if err != nil {
			continue // another organisation's list of a shared case
		}
		out = append(out, &homeward.CaseListing{List: l, Entry: e})
	}
	return out, nil
}
