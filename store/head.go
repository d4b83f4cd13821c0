package store

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/seal"
)

// HeadKeyPurpose is the purpose the head key is derived for from the
// installation's key (seal.Key.Derive): it separates that key from every
// other use of the installation's key.
const HeadKeyPurpose = "homeward audit event head mac v1"

// SetHeadKey gives the store the key that signs the event head: every
// transaction that appends events then writes an HMAC of the new head (last
// event ID and hash) beside it. The key must come from outside the database
// (cmd/homeward derives it from the installation's key file): whoever can
// rewrite the database could otherwise cut events off the end of the log and
// rewrite the head to match, and the chain alone would still verify. Without
// a key (tests, installations without a key file) the head is written
// unsigned and Audit says so.
func (db *DB) SetHeadKey(key []byte) { db.headKey = bytes.Clone(key) }

// headMAC is the signature of a head: HMAC-SHA256 over a label, the last
// event's ID (which is also the number of events: IDs are gapless from 1)
// and its hash. "" without a key.
func headMAC(key []byte, id int64, hash string) string {
	if len(key) == 0 {
		return ""
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("homeward event head v1\n" + strconv.FormatInt(id, 10) + "\n" + hash))
	return hex.EncodeToString(m.Sum(nil))
}

// Messages of the head checks, translated in web.
const (
	msgHeadNeedsKey = "The audit log's head is signed with the installation's key, and this process was started without it: give the key file (--key-file or HOMEWARD_KEY_FILE)."
	msgHeadBroken   = "The audit log's head does not carry a valid signature: events may have been cut from its end, or the key is not this installation's. Nothing more is written until “homeward audit verify” has been run and the cause found."
)

// checkHead refuses to append to a head this writer cannot vouch for. A
// signature that does not hold is kept as it is, not signed over: signing
// afresh would hide a log cut short from every later verification. A
// writer without the key may not replace a signature with none, for the
// same reason. An unsigned head with events before it (a database from
// before signing, or written without the key) is signed from here on, and
// the first event appended says so: audit verify counts these, as a
// signature removed to be signed afresh would show as a second one.
func (t *tx) checkHead(ctx context.Context, mac string) error {
	key := t.db.headKey
	switch {
	case len(key) == 0 && mac != "":
		return homeward.Errorf(homeward.EINVALID, msgHeadNeedsKey)
	case len(key) == 0:
		return nil
	case mac != "":
		if !hmac.Equal([]byte(mac), []byte(headMAC(key, t.lastID, t.lastHash))) {
			return homeward.Errorf(homeward.EINTERNAL, msgHeadBroken)
		}
		return nil
	case t.lastID == 0:
		return nil
	}
	return t.appendEvent(ctx, homeward.EntityAudit, 0, homeward.ActionHeadSigned, 0, map[string]int64{"unsigned_events": t.lastID})
}

// AuditOptions are the checks Audit makes beyond the chain itself.
type AuditOptions struct {
	// ExpectHead is a head hash written down elsewhere (printed by an
	// earlier verification): it must be the hash of an event in the log, or
	// the log was cut before it or rewritten.
	ExpectHead string
}

// AuditReport is what Audit checked.
type AuditReport struct {
	Events   int64 // events whose hashes and links verify
	HeadID   int64
	HeadHash string
	// HeadSigned is true when the head's signature was checked and holds;
	// otherwise Unsigned says why it was not checked.
	HeadSigned bool
	Unsigned   string
	// SignedFrom is the event from which the head is signed, when events
	// before it were written unsigned (0: signed from the first event).
	SignedFrom int64
	// Records counts the rows compared with the state their events
	// produce, by entity type.
	Records map[string]int
	// Locked says why the rows were not compared: the process was started
	// without the key that opens them and their events.
	Locked string
	// Erasures are the records whose personal data was erased: their
	// events verify, and their data can no longer be read.
	Erasures []Erasure
}

// Erasure is one erased record, as Audit reports it.
type Erasure struct {
	EntityType string
	EntityID   int64
	At         time.Time
	By         int64 // the user who erased it
	Event      int64 // the erase event
	Events     int   // events whose data was sealed under the destroyed key
}

// Audit verifies the whole log, as VerifyChain does, and then that it was
// not cut short (the head's signature, a head anchored elsewhere, and events
// present wherever records are), and that every case and located record row
// holds the values its create, update and transition events produce. It
// returns the report so far and the first problem found: a
// *homeward.ChainError, *homeward.HeadError or *homeward.RecordError. Only
// administrators and the system may run it.
func (s *EventService) Audit(ctx context.Context, opt AuditOptions) (*AuditReport, error) {
	a := homeward.ActorFromContext(ctx)
	if !a.System && a.Role != homeward.RoleAdmin {
		if a.UserID == 0 {
			return nil, errNoActor
		}
		return nil, homeward.Errorf(homeward.EFORBIDDEN, "Only administrators may verify the event log.")
	}
	// One snapshot for every read: on a live database, a record changed
	// between reading its events and reading its row would otherwise look
	// edited behind the log's back. A read-only transaction takes no write
	// lock, so the server keeps writing meanwhile.
	opts := &sql.TxOptions{ReadOnly: true}
	if s.db.dialect == DialectPostgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	snap, err := s.db.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("begin audit: %w", err)
	}
	defer snap.Rollback()
	rep := &AuditReport{Records: map[string]int{}}
	var mac string
	if err := snap.QueryRowContext(ctx, `SELECT last_id, last_hash, mac FROM event_head WHERE id = 1`).Scan(&rep.HeadID, &rep.HeadHash, &mac); err != nil {
		return rep, fmt.Errorf("read event head: %w", err)
	}
	replay := newReplay()
	var keyOf func(string, int64) (seal.Key, error)
	if s.db.keys == nil {
		rep.Locked = "no key was given to open the records and their events"
	} else if keyOf, err = s.db.allRecordKeys(ctx, snap); err != nil {
		return rep, err
	}
	anchored := opt.ExpectHead == ""
	var adoptions []int64
	n, err := walk(ctx, snap, rep.HeadID, rep.HeadHash, func(ev *homeward.Event) error {
		if ev.Hash == opt.ExpectHead {
			anchored = true
		}
		if ev.EntityType == homeward.EntityAudit && ev.Action == homeward.ActionHeadSigned {
			adoptions = append(adoptions, ev.ID)
		}
		if s.db.keys == nil {
			return nil
		}
		// The hash was checked on the stored data; the replay reads it open.
		open := *ev
		if err := s.db.openEventWith(&open, keyOf); err != nil {
			return &homeward.RecordError{EntityType: ev.EntityType, EntityID: ev.EntityID,
				Reason: fmt.Sprintf("event %d (%s) cannot be opened: %v", ev.ID, ev.Action, err)}
		}
		return replay.apply(&open)
	})
	rep.Events = n
	if err != nil {
		return rep, err
	}

	// A log emptied whole, head and all, walks as a valid empty chain; the
	// records left behind give it away, as every record was created by an
	// event.
	var records int
	if err := snap.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM cases) + (SELECT count(*) FROM located)`).Scan(&records); err != nil {
		return rep, fmt.Errorf("count records: %w", err)
	}
	if n == 0 && records > 0 {
		return rep, &homeward.HeadError{Reason: fmt.Sprintf("the log holds no events, but the database holds %d cases and located records: the events were deleted", records)}
	}

	switch {
	case len(s.db.headKey) == 0 && mac == "":
		rep.Unsigned = "the head is unsigned and no key was given to check it"
	case len(s.db.headKey) == 0:
		rep.Unsigned = "the head is signed, but no key was given to check it"
	case mac == "" && n > 0:
		return rep, &homeward.HeadError{Reason: "the head is unsigned: it was written without the installation's key, or its signature was removed (events may have been cut from the end)"}
	case mac == "":
		// An empty log has no head to sign yet.
	case !hmac.Equal([]byte(mac), []byte(headMAC(s.db.headKey, rep.HeadID, rep.HeadHash))):
		return rep, &homeward.HeadError{Reason: fmt.Sprintf("the signature of the head (event %d) does not hold: events were cut from the end of the log or the head was rewritten, or the key is not this installation's", rep.HeadID)}
	default:
		rep.HeadSigned = true
	}
	// Writers with the key never sign over a signature, and writers without
	// it never remove one; so a head is signed afresh once, when signing
	// begins. A second time means its signature was removed in between.
	if len(adoptions) > 1 {
		return rep, &homeward.HeadError{Reason: fmt.Sprintf("the head was signed afresh at events %d and %d: its signature was removed in between, which hides events cut from the end", adoptions[0], adoptions[1])}
	}
	if len(adoptions) == 1 {
		rep.SignedFrom = adoptions[0]
	}
	if !anchored {
		return rep, &homeward.HeadError{Reason: fmt.Sprintf("no event has the anchored hash %s: the log was cut before it or rewritten", opt.ExpectHead)}
	}
	if s.db.keys == nil {
		return rep, nil
	}
	// Before the rows: a record whose key was destroyed behind the log's
	// back has no replayed state, and its row would otherwise be reported
	// as written without a create event, which hides the cause.
	for _, e := range replay.erased {
		if e.Event == 0 {
			return rep, &homeward.RecordError{EntityType: e.EntityType, EntityID: e.EntityID,
				Reason: fmt.Sprintf("the key of %d events was destroyed without an erase event: erased behind the log's back", e.Events)}
		}
	}
	if err := s.db.checkRecords(ctx, snap, replay, rep); err != nil {
		return rep, err
	}
	for _, e := range replay.erasures {
		rep.Erasures = append(rep.Erasures, *e)
	}
	return rep, nil
}

// walk reads the log in ID order, checks each event's hash and link and
// the head (headID, headHash) against the chain's end, and hands each
// event to visit. It returns the number of events that verify.
func walk(ctx context.Context, q rowsQueryer, headID int64, headHash string, visit func(*homeward.Event) error) (int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+eventColumns+` FROM events ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	var n int64
	prev := ""
	for rows.Next() {
		var ev homeward.Event
		timeErr, err := scanEvent(rows, &ev)
		if err != nil {
			return n, fmt.Errorf("read event after %d: %w", n, err)
		}
		switch {
		case ev.ID != n+1:
			return n, &homeward.ChainError{EventID: ev.ID, Reason: "gap in sequence"}
		case ev.PrevHash != prev:
			return n, &homeward.ChainError{EventID: ev.ID, Reason: "broken link"}
		case timeErr != nil || ev.ComputeHash() != ev.Hash:
			return n, &homeward.ChainError{EventID: ev.ID, Reason: "hash mismatch"}
		}
		if visit != nil {
			if err := visit(&ev); err != nil {
				return n, err
			}
		}
		prev = ev.Hash
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("read events: %w", err)
	}
	// Events removed from the end leave no gap to see; the head remembers
	// how long the chain was.
	if headID > n {
		return n, &homeward.ChainError{EventID: n + 1, Reason: "gap in sequence"}
	}
	if headID < n {
		// Events written past the head were not appended by the store.
		return n, &homeward.ChainError{EventID: headID + 1, Reason: "broken link"}
	}
	if headHash != prev {
		return n, &homeward.ChainError{EventID: n, Reason: "hash mismatch"}
	}
	return n, nil
}

// rowsQueryer is a database or transaction to read rows from.
type rowsQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// replay is the state of each case and located record that its events
// produce: field name to JSON value, as the events record them.
type replay struct {
	state map[string]map[int64]map[string]json.RawMessage
	// erased are the erased records, by "entity/id", in the order of
	// their erase events.
	erased   map[string]*Erasure
	erasures []*Erasure
}

func newReplay() *replay {
	return &replay{state: map[string]map[int64]map[string]json.RawMessage{
		homeward.EntityCase: {}, homeward.EntityLocated: {},
	}, erased: map[string]*Erasure{}}
}

// recordedChange is homeward.Change as read back: values kept as JSON, so
// that they compare with a row's values byte for byte.
type recordedChange struct {
	Field string          `json:"field"`
	New   json.RawMessage `json:"new"`
}

func (r *replay) apply(ev *homeward.Event) error {
	byID, ok := r.state[ev.EntityType]
	if !ok || ev.EntityID == 0 {
		return nil
	}
	ref := recordRef(ev.EntityType, ev.EntityID)
	if ev.Action == homeward.ActionErase {
		e := &Erasure{EntityType: ev.EntityType, EntityID: ev.EntityID, At: ev.At, By: ev.ActorID, Event: ev.ID}
		if prev := r.erased[ref]; prev != nil {
			e.Events = prev.Events
		}
		r.erased[ref] = e
		r.erasures = append(r.erasures, e)
		delete(byID, ev.EntityID)
		return nil
	}
	if ev.Erased {
		// Sealed under the destroyed key: counted, not replayed. The erase
		// event comes after all of them.
		e := r.erased[ref]
		if e == nil {
			e = &Erasure{EntityType: ev.EntityType, EntityID: ev.EntityID}
			r.erased[ref] = e
		}
		e.Events++
		return nil
	}
	bad := func(err error) error {
		return &homeward.RecordError{EntityType: ev.EntityType, EntityID: ev.EntityID,
			Reason: fmt.Sprintf("event %d (%s) cannot be read: %v", ev.ID, ev.Action, err)}
	}
	switch ev.Action {
	case homeward.ActionCreate, homeward.ActionUpdate:
		var cs []recordedChange
		if len(ev.Data) > 0 {
			if err := json.Unmarshal(ev.Data, &cs); err != nil {
				return bad(err)
			}
		}
		st := byID[ev.EntityID]
		if ev.Action == homeward.ActionCreate || st == nil {
			st = map[string]json.RawMessage{}
			byID[ev.EntityID] = st
		}
		for _, c := range cs {
			st[c.Field] = c.New
		}
	case homeward.ActionTransition:
		var t transitionEvent
		if err := json.Unmarshal(ev.Data, &t); err != nil {
			return bad(err)
		}
		st := byID[ev.EntityID]
		if st == nil {
			st = map[string]json.RawMessage{}
			byID[ev.EntityID] = st
		}
		st["stage"], _ = json.Marshal(t.To)
		st["close_reason"], _ = json.Marshal(t.CloseReason)
	}
	return nil
}

// checkRecords compares every case and located record row with its
// replayed state and reports the first field that differs.
func (db *DB) checkRecords(ctx context.Context, q rowsQueryer, r *replay, rep *AuditReport) error {
	if err := checkTable(ctx, q, r, rep, homeward.EntityCase, `SELECT `+caseColumns+` FROM cases c ORDER BY c.id`,
		func(rs rowScanner) (int64, any, error) {
			c, err := db.scanCase(ctx, rs)
			if err != nil {
				return 0, nil, err
			}
			return c.ID, c, nil
		}); err != nil {
		return err
	}
	return checkTable(ctx, q, r, rep, homeward.EntityLocated, `SELECT `+locatedColumns+` FROM located l ORDER BY l.id`,
		func(rs rowScanner) (int64, any, error) {
			l, err := db.scanLocated(ctx, rs)
			if err != nil {
				return 0, nil, err
			}
			return l.ID, l, nil
		})
}

func checkTable(ctx context.Context, db rowsQueryer, r *replay, rep *AuditReport, entity, q string, scan func(rowScanner) (int64, any, error)) error {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("read %s records: %w", entity, err)
	}
	defer rows.Close()
	want := r.state[entity]
	seen := map[int64]bool{}
	for rows.Next() {
		id, rec, err := scan(rows)
		var ue *unsealError
		if errors.As(err, &ue) {
			return &homeward.RecordError{EntityType: entity, EntityID: ue.id, Reason: "its sealed fields do not open: they were altered, or copied from another record"}
		}
		if err != nil {
			return fmt.Errorf("read %s record: %w", entity, err)
		}
		seen[id] = true
		st, ok := want[id]
		if e := r.erased[recordRef(entity, id)]; !ok && e != nil && e.Event != 0 {
			continue
		}
		if !ok {
			return &homeward.RecordError{EntityType: entity, EntityID: id, Reason: "the row has no create event: it was written behind the log's back"}
		}
		got, err := fieldsOf(rec)
		if err != nil {
			return err
		}
		if field := firstDifference(got, st); field != "" {
			return &homeward.RecordError{EntityType: entity, EntityID: id, Field: field, Reason: "the stored value is not the one its events produce: the row was edited behind the log's back"}
		}
		rep.Records[entity]++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s records: %w", entity, err)
	}
	// Records are never deleted (erasure, when it comes, keeps the row), so
	// events of a record without a row mean the row was removed.
	for id := range want {
		if !seen[id] {
			return &homeward.RecordError{EntityType: entity, EntityID: id, Reason: "the log holds its events, but the row is gone"}
		}
	}
	return nil
}

// firstDifference returns the first field, in name order, whose stored
// value differs from the replayed one; "" when they agree. A field that
// says nothing (absent, empty, zero) on one side agrees with one that says
// nothing on the other, as change lists leave such fields out.
func firstDifference(stored, replayed map[string]json.RawMessage) string {
	var fields []string
	for k := range stored {
		fields = append(fields, k)
	}
	for k := range replayed {
		if _, ok := stored[k]; !ok {
			fields = append(fields, k)
		}
	}
	sort.Strings(fields)
	for _, k := range fields {
		if metaFields[k] {
			continue
		}
		a, b := stored[k], replayed[k]
		if isZeroJSON(a) && isZeroJSON(b) {
			continue
		}
		if !sameJSON(a, b) {
			return k
		}
	}
	return ""
}

// sameJSON compares two JSON values by what they decode to, so that
// spacing or key order cannot make equal values differ.
func sameJSON(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}
