package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/seal"
)

// Encryption at rest. The personal fields of every case and located record
// are sealed under the installation's data key, as one envelope per row;
// the personal data of their events under a key of each record's own,
// wrapped by the data key, so that erasing a record destroys one key and
// leaves the hash chain intact (the chain hashes what is stored). The data
// key and the blind index's key are wrapped by the master key: the
// installation's key file or variable, or a passphrase, which the database
// never holds. A stolen database file, WAL or backup holds envelopes and
// keyed tokens only.

// MasterKey unlocks the data keys: the installation's key, or a passphrase
// when Passphrase is set.
type MasterKey struct {
	Key        seal.Key
	Passphrase string
}

// ID names the master key in messages and in data_keys; "passphrase" for a
// passphrase, whose id would change with every salt.
func (m MasterKey) ID() string {
	if m.Passphrase != "" {
		return "passphrase"
	}
	return m.Key.ID()
}

func (m MasterKey) zero() bool { return m.Passphrase == "" && m.Key.IsZero() }

// Purposes of the data keys.
const (
	purposeData  = "data"
	purposeIndex = "index"
)

// keyring is what an unlocked database seals and opens with.
type keyring struct {
	master MasterKey

	mu     sync.RWMutex
	data   map[string]seal.Key // data keys by id, the retired ones included
	active seal.Key            // the data key new envelopes are sealed under
	index  seal.Key            // the blind index's key
	// checked is when the active data key was last read from the database:
	// a rotation by another process switches it, and writers follow within
	// activeRecheck.
	checked time.Time

	// records caches unwrapped record keys by "entity/id". Bounded: cleared
	// when full, as a cache of keys that are cheap to unwrap again. An entry
	// lives recordKeyTTL: another process (the CLI, a second server) may
	// erase a record, and this one must stop opening its events soon after.
	rmu     sync.Mutex
	records map[string]cachedKey

	// macs pools HMACs under the index key: setting up the key costs as
	// much as a token.
	macOnce sync.Once
	macs    sync.Pool
}

// activeRecheck is a variable so that tests of a rotation need not wait.
var activeRecheck = 2 * time.Second

const recordKeysCache = 100_000

// errLocked is returned by anything that needs personal data from a
// database opened without its key.
var errLocked = homeward.Errorf(homeward.EINVALID, "The database is locked: this process was started without the installation's key (--key-file, HOMEWARD_KEY or a passphrase).")

func dataKeyAD(purpose string) []byte { return []byte("homeward data key v1 " + purpose) }

// UnlockResult says what Unlock did.
type UnlockResult struct {
	// Created is true when the database had no data keys yet: they were made
	// and wrapped by the master key given.
	Created bool
	// Migrated counts the rows and events of an older, clear database that
	// were sealed in place.
	Migrated int
}

// WrongKeyError is returned by Unlock when the master key is not the one
// the data keys are wrapped by.
type WrongKeyError struct{ Want, Have string }

func (e *WrongKeyError) Error() string {
	if e.Want == "passphrase" {
		return "The database's keys are wrapped by a passphrase, and the passphrase given does not open them."
	}
	if e.Have == "passphrase" {
		return fmt.Sprintf("The database's keys are wrapped by the key %s, not by a passphrase: give that key (--key-file or HOMEWARD_KEY).", e.Want)
	}
	return fmt.Sprintf("The key given (%s) is not this database's key (%s): give the key file the database was created with. Starting with another key would not open a single record.", e.Have, e.Want)
}

// Unlock gives the store its master key. A database without data keys gets
// new ones, wrapped by mk; a database with keys must be opened by the key
// that wraps them, else a *WrongKeyError. Rows and events that an older
// version stored in clear are then sealed in place.
func (db *DB) Unlock(ctx context.Context, mk MasterKey) (UnlockResult, error) {
	var res UnlockResult
	if mk.zero() {
		return res, errors.New("store: unlock without a key")
	}
	kr := &keyring{master: mk, data: map[string]seal.Key{}, records: map[string]cachedKey{}}
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor())
	// Read first, without the write lock: every command unlocks, and most
	// find the keys there.
	n, err := kr.load(ctx, db.db)
	if err != nil {
		return res, err
	}
	if n == 0 {
		err = db.write(sys, func(t *tx) error {
			n, err := kr.load(ctx, t)
			if err != nil || n > 0 {
				return err
			}
			res.Created = true
			return kr.create(ctx, t)
		})
		if err != nil {
			return res, err
		}
	}
	db.keys = kr
	if res.Migrated, err = db.sealClear(sys); err != nil {
		return res, fmt.Errorf("seal the clear records of an older version: %w", err)
	}
	return res, nil
}

// HasKeys reports whether the database has its data keys: false for a new
// database, or one an older version made.
func (db *DB) HasKeys(ctx context.Context) (bool, error) {
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM data_keys`).Scan(&n); err != nil {
		return false, fmt.Errorf("read data keys: %w", err)
	}
	return n > 0, nil
}

type dataKeyRow struct {
	id, purpose, kekID, chainedBy string
	wrapped, chained              []byte
	active                        bool
}

func readDataKeys(ctx context.Context, q rowsQueryer) ([]dataKeyRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, purpose, wrapped, kek_id, chained, chained_by, active FROM data_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("read data keys: %w", err)
	}
	defer rows.Close()
	var out []dataKeyRow
	for rows.Next() {
		var r dataKeyRow
		if err := rows.Scan(&r.id, &r.purpose, &r.wrapped, &r.kekID, &r.chained, &r.chainedBy, &r.active); err != nil {
			return nil, fmt.Errorf("read data keys: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// load unwraps the stored data keys and returns how many there are.
func (kr *keyring) load(ctx context.Context, q rowsQueryer) (int, error) {
	rs, err := readDataKeys(ctx, q)
	if err != nil {
		return 0, err
	}
	kr.mu.Lock()
	defer kr.mu.Unlock()
	for _, r := range rs {
		if _, ok := kr.data[r.id]; ok && r.purpose == purposeData {
			if r.active {
				kr.active = kr.data[r.id]
			}
			continue
		}
		if r.purpose == purposeIndex && kr.index.ID() == r.id {
			continue
		}
		k, err := kr.unwrap(r)
		if err != nil {
			return 0, err
		}
		switch {
		case r.purpose == purposeIndex:
			kr.index = k
		case r.purpose == purposeData:
			kr.data[r.id] = k
			if r.active {
				kr.active = k
			}
		}
	}
	kr.checked = time.Now()
	if len(rs) > 0 && (kr.active.IsZero() || kr.index.IsZero()) {
		return 0, errors.New("store: the database's key table is incomplete (no active data key or no index key)")
	}
	return len(rs), nil
}

// unwrap opens one data key: by the master key, or, for a key a rotation
// made while this process ran, by the data key that chains to it.
func (kr *keyring) unwrap(r dataKeyRow) (seal.Key, error) {
	if prev, ok := kr.data[r.chainedBy]; ok && len(r.chained) > 0 {
		if k, err := seal.UnwrapKey(prev, r.chained, dataKeyAD(r.purpose)); err == nil {
			return k, nil
		}
	}
	var k seal.Key
	var err error
	if kr.master.Passphrase != "" {
		if !seal.PassphraseSealed(r.wrapped) {
			return k, &WrongKeyError{Want: r.kekID, Have: "passphrase"}
		}
		if k, err = seal.UnwrapKeyWithPassphrase(kr.master.Passphrase, r.wrapped, dataKeyAD(r.purpose)); err != nil {
			return k, &WrongKeyError{Want: "passphrase", Have: "passphrase"}
		}
		return k, nil
	}
	if seal.PassphraseSealed(r.wrapped) {
		return k, &WrongKeyError{Want: "passphrase", Have: kr.master.ID()}
	}
	k, err = seal.UnwrapKey(kr.master.Key, r.wrapped, dataKeyAD(r.purpose))
	var wk *seal.WrongKeyError
	if errors.As(err, &wk) {
		return k, &WrongKeyError{Want: wk.Want, Have: wk.Have}
	}
	if err != nil {
		return k, fmt.Errorf("store: the wrapped %s key %s is damaged: %w", r.purpose, r.id, err)
	}
	return k, nil
}

// wrap wraps a data key of purpose by the master key m.
func (m MasterKey) wrap(k seal.Key, purpose string) ([]byte, error) {
	if m.Passphrase != "" {
		return seal.WrapKeyWithPassphrase(m.Passphrase, k, dataKeyAD(purpose))
	}
	return seal.WrapKey(m.Key, k, dataKeyAD(purpose))
}

// create makes the data key and the index key of a new database.
func (kr *keyring) create(ctx context.Context, t *tx) error {
	dk, err := seal.GenerateKey()
	if err != nil {
		return err
	}
	ik, err := seal.GenerateKey()
	if err != nil {
		return err
	}
	for _, k := range []struct {
		key     seal.Key
		purpose string
	}{{dk, purposeData}, {ik, purposeIndex}} {
		w, err := kr.master.wrap(k.key, k.purpose)
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO data_keys (id, purpose, wrapped, kek_id, active, created_at) VALUES ($1, $2, $3, $4, TRUE, $5)`,
			k.key.ID(), k.purpose, w, kr.master.ID(), t.db.tv(t.at)); err != nil {
			return fmt.Errorf("store data key: %w", err)
		}
	}
	kr.data[dk.ID()], kr.active, kr.index = dk, dk, ik
	kr.checked = time.Now()
	return t.appendEvent(ctx, homeward.EntityAudit, 0, ActionKeysCreated, 0,
		map[string]string{"data_key": dk.ID(), "wrapped_by": kr.master.ID()})
}

// Event actions of the keys, on the audit entity.
const (
	ActionKeysCreated = "keys_created"
	ActionKeyRewrap   = "key_rewrapped"
	ActionKeyRotated  = "key_rotated"
)

// activeKey returns the key to seal under, following a rotation that
// another process switched.
func (kr *keyring) activeKey(ctx context.Context, q rowsQueryer) (seal.Key, error) {
	kr.mu.RLock()
	k, fresh := kr.active, time.Since(kr.checked) < activeRecheck
	kr.mu.RUnlock()
	if fresh {
		return k, nil
	}
	if _, err := kr.load(ctx, q); err != nil {
		return seal.Key{}, err
	}
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	return kr.active, nil
}

// dataKey returns the data key of id, reading data_keys again when a
// rotation made it after this process loaded them.
func (kr *keyring) dataKey(ctx context.Context, q rowsQueryer, id string) (seal.Key, error) {
	kr.mu.RLock()
	k, ok := kr.data[id]
	kr.mu.RUnlock()
	if ok {
		return k, nil
	}
	if _, err := kr.load(ctx, q); err != nil {
		return seal.Key{}, err
	}
	kr.mu.RLock()
	defer kr.mu.RUnlock()
	if k, ok = kr.data[id]; !ok {
		return seal.Key{}, fmt.Errorf("store: data sealed under the key %s, which this database does not hold", id)
	}
	return k, nil
}

// sealRow seals a row's personal fields under the active data key, bound
// to the table and ID.
func (db *DB) sealRow(ctx context.Context, q rowsQueryer, table string, id int64, plaintext []byte) ([]byte, error) {
	if db.keys == nil {
		return nil, errLocked
	}
	k, err := db.keys.activeKey(ctx, q)
	if err != nil {
		return nil, err
	}
	return seal.Seal(k, plaintext, rowAD(table, id))
}

// openRow opens what sealRow sealed.
func (db *DB) openRow(ctx context.Context, table string, id int64, envelope []byte) ([]byte, error) {
	if db.keys == nil {
		return nil, errLocked
	}
	if len(envelope) == 0 {
		return nil, fmt.Errorf("%s %d holds no sealed data (an older version's clear row not yet sealed)", table, id)
	}
	k, err := db.keys.dataKey(ctx, db.db, seal.EnvelopeKeyID(envelope))
	if err != nil {
		return nil, err
	}
	b, err := seal.Open(k, envelope, rowAD(table, id))
	if err != nil {
		return nil, &unsealError{table, id, err}
	}
	return b, nil
}

// unsealError is a row whose sealed fields do not open under the key
// they name: altered, or moved from another row.
type unsealError struct {
	table string
	id    int64
	err   error
}

func (e *unsealError) Error() string { return fmt.Sprintf("open %s %d: %v", e.table, e.id, e.err) }
func (e *unsealError) Unwrap() error { return e.err }

func rowAD(table string, id int64) []byte {
	return fmt.Appendf(nil, "homeward row v1 %s %d", table, id)
}

func recordKeyAD(entity string, id int64) []byte {
	return fmt.Appendf(nil, "homeward record key v1 %s %d", entity, id)
}

func recordRef(entity string, id int64) string { return fmt.Sprintf("%s/%d", entity, id) }

// errErased says a record's key was destroyed: its personal data is gone.
var errErased = errors.New("store: the record was erased")

// errErasedWrite refuses a change to an erased record.
var errErasedWrite = homeward.Errorf(homeward.ECONFLICT, "This record was erased: its personal data is gone, and it can no longer be changed.")

type cachedKey struct {
	key seal.Key
	at  time.Time
}

// recordKeyTTL bounds how long an erasure by another process leaves a
// record's events readable here.
const recordKeyTTL = 10 * time.Second

// cachedRecordKey returns a record key from the cache.
func (kr *keyring) cachedRecordKey(ref string) (seal.Key, bool) {
	kr.rmu.Lock()
	defer kr.rmu.Unlock()
	c, ok := kr.records[ref]
	if ok && time.Since(c.at) > recordKeyTTL {
		delete(kr.records, ref)
		return seal.Key{}, false
	}
	k := c.key
	return k, ok
}

func (kr *keyring) cacheRecordKey(ref string, k seal.Key) {
	kr.rmu.Lock()
	defer kr.rmu.Unlock()
	if len(kr.records) >= recordKeysCache {
		clear(kr.records)
	}
	kr.records[ref] = cachedKey{k, time.Now()}
}

func (kr *keyring) forgetRecordKey(ref string) {
	kr.rmu.Lock()
	defer kr.rmu.Unlock()
	delete(kr.records, ref)
}

// recordKey returns the key of a record's events, reading it through q (a
// transaction sees the keys it created itself).
func (db *DB) recordKey(ctx context.Context, q rowsQueryer, entity string, id int64) (seal.Key, error) {
	if db.keys == nil {
		return seal.Key{}, errLocked
	}
	ref := recordRef(entity, id)
	if k, ok := db.keys.cachedRecordKey(ref); ok {
		return k, nil
	}
	var wrapped []byte
	rows, err := q.QueryContext(ctx, `SELECT wrapped FROM record_keys WHERE entity_type = $1 AND entity_id = $2`, entity, id)
	if err != nil {
		return seal.Key{}, fmt.Errorf("read record key: %w", err)
	}
	found := rows.Next()
	if found {
		err = rows.Scan(&wrapped)
	}
	rows.Close()
	if err != nil {
		return seal.Key{}, fmt.Errorf("read record key: %w", err)
	}
	if !found {
		return seal.Key{}, sql.ErrNoRows
	}
	if wrapped == nil {
		return seal.Key{}, errErased
	}
	dk, err := db.keys.dataKey(ctx, q, seal.EnvelopeKeyID(wrapped))
	if err != nil {
		return seal.Key{}, err
	}
	k, err := seal.UnwrapKey(dk, wrapped, recordKeyAD(entity, id))
	if err != nil {
		return seal.Key{}, fmt.Errorf("open the key of %s: %w", ref, err)
	}
	db.keys.cacheRecordKey(ref, k)
	return k, nil
}

// allRecordKeys reads every record key, for a pass over the whole log
// that cannot query while it reads (PostgreSQL runs one query at a time on
// a transaction): it returns a look-up that unwraps on first use.
func (db *DB) allRecordKeys(ctx context.Context, q rowsQueryer) (func(entity string, id int64) (seal.Key, error), error) {
	if db.keys == nil {
		return nil, errLocked
	}
	rows, err := q.QueryContext(ctx, `SELECT entity_type, entity_id, wrapped FROM record_keys`)
	if err != nil {
		return nil, fmt.Errorf("read record keys: %w", err)
	}
	wrapped := map[string][]byte{}
	for rows.Next() {
		var entity string
		var id int64
		var w []byte
		if err := rows.Scan(&entity, &id, &w); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read record keys: %w", err)
		}
		if w == nil {
			w = []byte{} // erased: present, without a key
		}
		wrapped[recordRef(entity, id)] = w
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read record keys: %w", err)
	}
	// The data keys are read now, for the same reason.
	if _, err := db.keys.load(ctx, q); err != nil {
		return nil, err
	}
	open := map[string]seal.Key{}
	return func(entity string, id int64) (seal.Key, error) {
		ref := recordRef(entity, id)
		if k, ok := open[ref]; ok {
			return k, nil
		}
		w, ok := wrapped[ref]
		switch {
		case !ok:
			return seal.Key{}, sql.ErrNoRows
		case len(w) == 0:
			return seal.Key{}, errErased
		}
		db.keys.mu.RLock()
		dk, ok := db.keys.data[seal.EnvelopeKeyID(w)]
		db.keys.mu.RUnlock()
		if !ok {
			return seal.Key{}, fmt.Errorf("the key of %s is wrapped by a data key this database does not hold", ref)
		}
		k, err := seal.UnwrapKey(dk, w, recordKeyAD(entity, id))
		if err != nil {
			return seal.Key{}, fmt.Errorf("open the key of %s: %w", ref, err)
		}
		open[ref] = k
		return k, nil
	}, nil
}

// recordKeyRow is a record key to insert when the transaction's events are.
type recordKeyRow struct {
	entity  string
	id      int64
	wrapped []byte
}

// txRecordKey returns the key of a record's events inside t, creating it
// for a record that has none yet (its create event).
func (t *tx) txRecordKey(ctx context.Context, entity string, id int64) (seal.Key, error) {
	ref := recordRef(entity, id)
	if k, ok := t.rkeys[ref]; ok {
		return k, nil
	}
	k, err := t.db.recordKey(ctx, t, entity, id)
	if err == nil {
		return k, nil
	}
	if errors.Is(err, errErased) {
		// Nothing personal may be written about an erased record: its data
		// would be sealed under a key that no longer exists.
		return seal.Key{}, errErasedWrite
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return seal.Key{}, err
	}
	if k, err = seal.GenerateKey(); err != nil {
		return seal.Key{}, err
	}
	dk, err := t.db.keys.activeKey(ctx, t)
	if err != nil {
		return seal.Key{}, err
	}
	w, err := seal.WrapKey(dk, k, recordKeyAD(entity, id))
	if err != nil {
		return seal.Key{}, err
	}
	if t.rkeys == nil {
		t.rkeys = map[string]seal.Key{}
	}
	t.rkeys[ref] = k
	t.newRKeys = append(t.newRKeys, recordKeyRow{entity, id, w})
	return k, nil
}

// flushRecordKeys writes the record keys the transaction created.
func (t *tx) flushRecordKeys(ctx context.Context) error {
	const batch = 1000
	for len(t.newRKeys) > 0 {
		part := t.newRKeys[:min(batch, len(t.newRKeys))]
		t.newRKeys = t.newRKeys[len(part):]
		var b strings.Builder
		b.WriteString(`INSERT INTO record_keys (entity_type, entity_id, wrapped) VALUES `)
		args := make([]any, 0, 3*len(part))
		for i, r := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + t.db.params(3*i+1, 3) + ")")
			args = append(args, r.entity, r.id, r.wrapped)
		}
		if _, err := t.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("store record keys: %w", err)
		}
	}
	return nil
}

// sealedEntities are the entities whose events' data is sealed under a
// record key.
func sealedEntity(entity string) bool {
	return entity == homeward.EntityCase || entity == homeward.EntityLocated
}

// sealedPrefix starts the stored data of a sealed event: JSON, so that a
// reader of the raw log sees a well-formed value, never the payload.
const sealedPrefix = `{"sealed":"`

// isSealedData reports whether an event's stored data is sealed.
func isSealedData(data []byte) bool { return strings.HasPrefix(string(data), sealedPrefix) }

func eventAD(ev *homeward.Event) []byte {
	return fmt.Appendf(nil, "homeward event v1 %d %s %d", ev.ID, ev.EntityType, ev.EntityID)
}

// sealedData is the stored data of a sealed event. Owner names the record
// whose key sealed it when that is not the event's own entity (a
// verification's event is sealed under its case's key, so that erasing the
// case erases it too).
type sealedData struct {
	Sealed []byte `json:"sealed"`
	Owner  string `json:"owner,omitempty"`
}

// sealEvent seals ev's data under its owner's record key: the event's own
// entity for cases and located records, ownerType/ownerID when given.
// Events of other entities, events without data and erase events stay as
// they are.
func (t *tx) sealEvent(ctx context.Context, ev *homeward.Event, ownerType string, ownerID int64) error {
	// An erase event must stay readable after the key it destroys: its data
	// is a reason code, never personal (see EraseCase).
	if len(ev.Data) == 0 || ev.Action == homeward.ActionErase {
		return nil
	}
	if ownerType == "" {
		if !sealedEntity(ev.EntityType) || ev.EntityID == 0 {
			return nil
		}
		ownerType, ownerID = ev.EntityType, ev.EntityID
	}
	if t.db.keys == nil {
		return errLocked
	}
	k, err := t.txRecordKey(ctx, ownerType, ownerID)
	if errors.Is(err, errErasedWrite) && (ev.Action == homeward.ActionView || ev.Action == homeward.ActionAttachmentView) {
		// Reading what is left of an erased record (its outcomes, an
		// emptied attachment) is still an event; what it names (which
		// attachment, which match) is no personal data, and there is no
		// key left to seal it under.
		return nil
	}
	if err != nil {
		return err
	}
	env, err := seal.Seal(k, ev.Data, eventAD(ev))
	if err != nil {
		return err
	}
	sd := sealedData{Sealed: env}
	if ownerType != ev.EntityType || ownerID != ev.EntityID {
		sd.Owner = recordRef(ownerType, ownerID)
	}
	b, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	ev.Data = b
	return nil
}

// openEvent replaces a sealed event's data by its plaintext, or, for a
// record that was erased, by nothing with ev.Erased set. The event's hash
// covers the stored data: verify it before opening.
func (db *DB) openEvent(ctx context.Context, q rowsQueryer, ev *homeward.Event) error {
	return db.openEventWith(ev, func(entity string, id int64) (seal.Key, error) { return db.recordKey(ctx, q, entity, id) })
}

// openEventWith is openEvent with the record keys from keyOf.
func (db *DB) openEventWith(ev *homeward.Event, keyOf func(entity string, id int64) (seal.Key, error)) error {
	if !isSealedData(ev.Data) {
		return nil
	}
	var sd sealedData
	if err := json.Unmarshal(ev.Data, &sd); err != nil {
		return fmt.Errorf("event %d: damaged sealed data: %w", ev.ID, err)
	}
	entity, id := ev.EntityType, ev.EntityID
	if sd.Owner != "" {
		var err error
		if entity, id, err = parseRecordRef(sd.Owner); err != nil {
			return fmt.Errorf("event %d: %w", ev.ID, err)
		}
	}
	k, err := keyOf(entity, id)
	switch {
	case errors.Is(err, errErased):
		ev.Data, ev.Erased = nil, true
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("event %d: the key of %s is missing", ev.ID, recordRef(entity, id))
	case err != nil:
		return err
	}
	b, err := seal.Open(k, sd.Sealed, eventAD(ev))
	if err != nil {
		return fmt.Errorf("event %d: %w", ev.ID, err)
	}
	ev.Data = b
	return nil
}

func parseRecordRef(s string) (string, int64, error) {
	entity, num, ok := strings.Cut(s, "/")
	id, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || entity == "" {
		return "", 0, fmt.Errorf("bad record reference %q", s)
	}
	return entity, id, nil
}

// sealText seals a text column (a match's explanation, a note) under the
// active data key, bound to ad; "" stays "". The stored form is the sealed
// event data's, so that a column keeps holding text.
func (db *DB) sealText(ctx context.Context, q rowsQueryer, ad, s string) (string, error) {
	if s == "" {
		return "", nil
	}
	if db.keys == nil {
		return "", errLocked
	}
	k, err := db.keys.activeKey(ctx, q)
	if err != nil {
		return "", err
	}
	env, err := seal.Seal(k, []byte(s), []byte("homeward text v1 "+ad))
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(sealedData{Sealed: env})
	return string(b), err
}

// openText opens what sealText sealed; text an older version stored in
// clear comes back as it is.
func (db *DB) openText(ctx context.Context, ad, s string) (string, error) {
	if !isSealedData([]byte(s)) {
		return s, nil
	}
	if db.keys == nil {
		return "", errLocked
	}
	var sd sealedData
	if err := json.Unmarshal([]byte(s), &sd); err != nil {
		return "", fmt.Errorf("damaged sealed text: %w", err)
	}
	k, err := db.keys.dataKey(ctx, db.db, seal.EnvelopeKeyID(sd.Sealed))
	if err != nil {
		return "", err
	}
	b, err := seal.Open(k, sd.Sealed, []byte("homeward text v1 "+ad))
	if err != nil {
		return "", fmt.Errorf("open sealed text (%s): %w", ad, err)
	}
	return string(b), nil
}
