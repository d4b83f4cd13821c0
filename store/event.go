package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/homeward-project/homeward"
)

// EventService reads the event log; it implements homeward.EventService.
type EventService struct{ db *DB }

var _ homeward.EventService = (*EventService)(nil)

// NewEventService returns the event log reader of db.
func NewEventService(db *DB) *EventService { return &EventService{db: db} }

// appendEvent adds one event to the chain inside t. org is the organisation
// the event concerns when the actor has none (the system actor); data is
// marshalled to JSON unless it is already a json.RawMessage or nil.
func (t *tx) appendEvent(ctx context.Context, entityType string, entityID int64, action string, org int64, data any) error {
	return t.appendEventOf(ctx, "", 0, entityType, entityID, action, org, data)
}

// appendEventOf is appendEvent for an event whose data is personal and
// belongs to another record than its entity (ownerType, ownerID): the data
// is sealed under that record's key, so that erasing it erases the event's
// data too. With ownerType "", events of cases and located records are
// sealed under their own record's key and others stay clear.
func (t *tx) appendEventOf(ctx context.Context, ownerType string, ownerID int64, entityType string, entityID int64, action string, org int64, data any) error {
	var raw []byte
	switch d := data.(type) {
	case nil:
	case json.RawMessage:
		raw = d
	default:
		b, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("encode event data: %w", err)
		}
		raw = b
	}
	ev := homeward.Event{
		ID:         t.lastID + 1,
		At:         t.at,
		ActorID:    t.actor.UserID,
		OrgID:      t.actor.OrgID,
		EntityType: entityType,
		EntityID:   entityID,
		Action:     action,
		Data:       raw,
		PrevHash:   t.lastHash,
	}
	if ev.OrgID == 0 {
		ev.OrgID = org
	}
	if err := t.sealEvent(ctx, &ev, ownerType, ownerID); err != nil {
		return err
	}
	ev.Hash = ev.ComputeHash()
	t.pending = append(t.pending, ev)
	t.lastID, t.lastHash, t.appended = ev.ID, ev.Hash, true
	if len(t.pending) >= eventBatch {
		return t.flushEvents(ctx)
	}
	return nil
}

// eventBatch is how many events one INSERT writes: an import appends one
// event per row, and one statement per event would cost more than the rows.
const eventBatch = 1000

// flushEvents writes the buffered events. write calls it before commit.
func (t *tx) flushEvents(ctx context.Context) error {
	if err := t.flushRecordKeys(ctx); err != nil {
		return err
	}
	if err := t.flushTokens(ctx); err != nil {
		return err
	}
	if len(t.pending) == 0 {
		return nil
	}
	var st *sql.Stmt
	if len(t.pending) == eventBatch && t.evStmt != nil {
		st = t.evStmt
	} else {
		var err error
		st, err = t.PrepareContext(ctx, t.db.eventInsert(len(t.pending)))
		if err != nil {
			return fmt.Errorf("prepare event insert: %w", err)
		}
		if len(t.pending) == eventBatch {
			t.evStmt = st
		} else {
			defer st.Close()
		}
	}
	args := make([]any, 0, len(t.pending)*10)
	for _, ev := range t.pending {
		args = append(args, ev.ID, t.db.tv(ev.At), ev.ActorID, ev.OrgID, ev.EntityType, ev.EntityID, ev.Action, string(ev.Data), ev.PrevHash, ev.Hash)
	}
	if _, err := st.ExecContext(ctx, args...); err != nil {
		return fmt.Errorf("append events: %w", err)
	}
	t.pending = t.pending[:0]
	return nil
}

// eventInsert returns an INSERT of n events.
func (db *DB) eventInsert(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO events (` + eventColumns + `) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		if db.dialect == DialectSQLite {
			b.WriteString("(" + db.seqPlaceholders(10) + ")")
		} else {
			b.WriteString("(" + placeholders(i*10+1, 10) + ")")
		}
	}
	return b.String()
}

const eventColumns = `id, at, actor_id, org_id, entity_type, entity_id, action, data, prev_hash, hash`

// eventRow scans an event; a time that does not parse is kept as an error so
// that VerifyChain can name the tampered event instead of failing to read.
func scanEvent(rows *sql.Rows, ev *homeward.Event) (timeErr error, err error) {
	var at any
	var data string
	if err := rows.Scan(&ev.ID, &at, &ev.ActorID, &ev.OrgID, &ev.EntityType, &ev.EntityID, &ev.Action, &data, &ev.PrevHash, &ev.Hash); err != nil {
		return nil, err
	}
	if data != "" {
		ev.Data = json.RawMessage(data)
	} else {
		ev.Data = nil
	}
	return timeScan{&ev.At}.Scan(at), nil
}

// FindEvents returns events newest first. Anyone who may read a case or
// located record may read its events (filter by EntityType and EntityID);
// administrators may read all events of their organisation.
func (s *EventService) FindEvents(ctx context.Context, f homeward.EventFilter) ([]*homeward.Event, error) {
	a := homeward.ActorFromContext(ctx)
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	recordScoped := f.EntityID != 0 && (f.EntityType == homeward.EntityCase || f.EntityType == homeward.EntityLocated)
	switch {
	case a.System:
	case a.UserID == 0:
		return nil, errNoActor
	case f.EntityType == homeward.EntityList && f.EntityID != 0:
		// A list's timeline, for those who work with lists.
		if err := canExchange(a); err != nil {
			return nil, err
		}
		if err := s.db.checkVisible(ctx, a, f.EntityType, f.EntityID); err != nil {
			return nil, err
		}
	case recordScoped:
		if err := s.db.checkVisible(ctx, a, f.EntityType, f.EntityID); err != nil {
			return nil, err
		}
	case a.Role == homeward.RoleAdmin:
		where = append(where, "org_id = "+arg(a.OrgID))
	default:
		return nil, homeward.Errorf(homeward.EFORBIDDEN, "Only administrators may read the event log.")
	}
	if f.EntityType != "" {
		where = append(where, "entity_type = "+arg(f.EntityType))
	}
	if f.EntityID != 0 {
		where = append(where, "entity_id = "+arg(f.EntityID))
	}
	if f.ActorID != 0 {
		where = append(where, "actor_id = "+arg(f.ActorID))
	}
	q := `SELECT ` + eventColumns + ` FROM events`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	q += ` ORDER BY id DESC LIMIT ` + arg(limit) + ` OFFSET ` + arg(max(f.Offset, 0))
	rows, err := s.db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find events: %w", err)
	}
	defer rows.Close()
	var evs []*homeward.Event
	for rows.Next() {
		ev := new(homeward.Event)
		timeErr, err := scanEvent(rows, ev)
		if err != nil {
			return nil, fmt.Errorf("read event: %w", err)
		}
		if timeErr != nil {
			return nil, fmt.Errorf("read event %d: %w", ev.ID, timeErr)
		}
		evs = append(evs, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	// Opened once the rows are read: PostgreSQL runs one query at a time
	// on a connection, and opening may read a record's key.
	for _, ev := range evs {
		if err := s.db.openEvent(ctx, s.db.db, ev); err != nil {
			return nil, err
		}
	}
	return evs, nil
}

// VerifyChain walks the log in ID order and returns the number of events
// checked, or a *homeward.ChainError for the first event that was altered,
// follows a removed one, or is out of place. Only administrators and the
// system may run it.
func (s *EventService) VerifyChain(ctx context.Context) (int64, error) {
	a := homeward.ActorFromContext(ctx)
	if !a.System && a.Role != homeward.RoleAdmin {
		if a.UserID == 0 {
			return 0, errNoActor
		}
		return 0, homeward.Errorf(homeward.EFORBIDDEN, "Only administrators may verify the event log.")
	}
	var headID int64
	var headHash string
	if err := s.db.db.QueryRowContext(ctx, `SELECT last_id, last_hash FROM event_head WHERE id = 1`).Scan(&headID, &headHash); err != nil {
		return 0, fmt.Errorf("read event head: %w", err)
	}
	return walk(ctx, s.db.db, headID, headHash, nil)
}

// Head returns the ID and hash of the last event. Written down outside the
// database (a printout, a signed message), it lets a later verification
// detect even a log rewritten from start to end, which the chain alone
// cannot. Only administrators and the system may read it.
func (s *EventService) Head(ctx context.Context) (id int64, hash string, err error) {
	a := homeward.ActorFromContext(ctx)
	if !a.System && (a.UserID == 0 || a.Role != homeward.RoleAdmin) {
		return 0, "", homeward.Errorf(homeward.EFORBIDDEN, "Only administrators may read the event log head.")
	}
	if err := s.db.db.QueryRowContext(ctx, `SELECT last_id, last_hash FROM event_head WHERE id = 1`).Scan(&id, &hash); err != nil {
		return 0, "", fmt.Errorf("read event head: %w", err)
	}
	return id, hash, nil
}

// RecordAccess appends an event for a read of many records at once: who
// read (the actor), under which filter, how many rows. The entity ID is 0:
// a list's event concerns the list, not one record.
func (s *EventService) RecordAccess(ctx context.Context, acc homeward.Access) error {
	a := homeward.ActorFromContext(ctx)
	if !a.System && a.UserID == 0 {
		return errNoActor
	}
	switch acc.Action {
	case homeward.ActionList, homeward.ActionSearch, homeward.ActionExport:
	default:
		return fmt.Errorf("record access: unknown action %q", acc.Action)
	}
	data := map[string]any{"rows": acc.Rows, "total": acc.Total}
	if len(acc.Filter) > 0 {
		data["filter"] = acc.Filter
	}
	if acc.Format != "" {
		data["format"] = acc.Format
	}
	return s.db.write(ctx, func(t *tx) error {
		return t.appendEvent(ctx, acc.EntityType, acc.EntityID, acc.Action, a.OrgID, data)
	})
}
