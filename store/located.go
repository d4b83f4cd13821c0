package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/seal"
)

// LocatedService keeps records of located children; it implements
// homeward.LocatedService with the same scoping and event rules as CaseService.
type LocatedService struct{ db *DB }

var _ homeward.LocatedService = (*LocatedService)(nil)

// NewLocatedService returns the located-record service of db.
func NewLocatedService(db *DB) *LocatedService { return &LocatedService{db: db} }

const locatedColumns = `id, org_id, sex, location_kind, observed_at, source, reliability,
	import_key, version, created_by, created_at, updated_at, sealed`

// locatedPersonal are the fields of a located record sealed at rest (see
// casePersonal): the region and institution too, as they place a child.
type locatedPersonal struct {
	GivenName   string             `json:"given_name,omitempty"`
	FamilyName  string             `json:"family_name,omitempty"`
	Patronymic  string             `json:"patronymic,omitempty"`
	BirthDate   homeward.BirthDate `json:"birth_date"`
	BirthPlace  string             `json:"birth_place,omitempty"`
	Institution string             `json:"institution,omitempty"`
	Region      string             `json:"region,omitempty"`
	SourceRef   string             `json:"source_ref,omitempty"`
	Notes       string             `json:"notes,omitempty"`
}

func personalOfLocated(l *homeward.LocatedRecord) locatedPersonal {
	return locatedPersonal{l.GivenName, l.FamilyName, l.Patronymic, l.BirthDate, l.BirthPlace, l.Institution, l.Region, l.SourceRef, l.Notes}
}

func (p locatedPersonal) into(l *homeward.LocatedRecord) {
	l.GivenName, l.FamilyName, l.Patronymic, l.BirthDate, l.BirthPlace = p.GivenName, p.FamilyName, p.Patronymic, p.BirthDate, p.BirthPlace
	l.Institution, l.Region, l.SourceRef, l.Notes = p.Institution, p.Region, p.SourceRef, p.Notes
}

func (db *DB) scanLocated(ctx context.Context, r rowScanner) (*homeward.LocatedRecord, error) {
	var l homeward.LocatedRecord
	var sealed []byte
	err := r.Scan(&l.ID, &l.OrgID, &l.Sex, &l.LocationKind, dateScan{&l.ObservedAt}, &l.Source, &l.Reliability,
		&l.ImportKey, &l.Version, &l.CreatedBy, timeScan{&l.CreatedAt}, timeScan{&l.UpdatedAt}, &sealed)
	if err != nil {
		return nil, err
	}
	b, err := db.openRow(ctx, "located", l.ID, sealed)
	if err != nil {
		return nil, err
	}
	var p locatedPersonal
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("located record %d: damaged personal data: %w", l.ID, err)
	}
	p.into(&l)
	return &l, nil
}

// locatedNames are the names the blind index holds for a located record.
func locatedNames(l *homeward.LocatedRecord) []string {
	return []string{l.FamilyName, l.GivenName, l.Patronymic}
}

// locatedFields are the columns an edit writes, in the order of
// locatedValues.
const locatedFields = `sex, location_kind, observed_at, source, reliability, sealed`

func sealLocated(k seal.Key, l *homeward.LocatedRecord) ([]byte, error) {
	b, err := json.Marshal(personalOfLocated(l))
	if err != nil {
		return nil, err
	}
	return seal.Seal(k, b, rowAD("located", l.ID))
}

func (db *DB) locatedRowValues(l *homeward.LocatedRecord, sealed []byte) []any {
	return []any{string(l.Sex), string(l.LocationKind), l.ObservedAt.String(), string(l.Source), string(l.Reliability), sealed}
}

func (db *DB) locatedValues(ctx context.Context, q rowsQueryer, l *homeward.LocatedRecord) ([]any, error) {
	if db.keys == nil {
		return nil, errLocked
	}
	k, err := db.keys.activeKey(ctx, q)
	if err != nil {
		return nil, err
	}
	sealed, err := sealLocated(k, l)
	if err != nil {
		return nil, err
	}
	return db.locatedRowValues(l, sealed), nil
}

var locatedFieldCount = len(strings.Split(locatedFields, ","))

func (db *DB) locatedInsert() string {
	return `INSERT INTO located (id, ` + locatedFields + `, org_id, import_key, version, created_by, created_at, updated_at)
	VALUES (` + db.seqPlaceholders(locatedFieldCount+7) + `)`
}

// locatedInsertArgs appends the values of locatedInsert, l's ID first.
func (db *DB) locatedInsertArgs(args []any, l *homeward.LocatedRecord, sealed []byte) []any {
	args = append(args, l.ID)
	args = append(args, db.locatedRowValues(l, sealed)...)
	return append(args, l.OrgID, l.ImportKey, l.Version, l.CreatedBy, db.tv(l.CreatedAt), db.tv(l.UpdatedAt))
}

func normaliseLocated(l *homeward.LocatedRecord) {
	l.BirthDate.AgeAsOf = normTime(l.BirthDate.AgeAsOf)
	l.ObservedAt = normDate(l.ObservedAt)
}

func prepareNewLocated(a homeward.Actor, t *tx, l *homeward.LocatedRecord) error {
	if !a.System {
		l.OrgID = a.OrgID
	}
	if l.OrgID == 0 {
		return homeward.FieldErrorf(homeward.EINVALID, "org_id", "Organisation is required.")
	}
	normaliseLocated(l)
	l.Version = 1
	l.CreatedBy = a.UserID
	l.CreatedAt, l.UpdatedAt = t.at, t.at
	return nil
}

// FindLocatedByID returns a located record the actor may see and records the view.
func (s *LocatedService) FindLocatedByID(ctx context.Context, id int64) (*homeward.LocatedRecord, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	var l *homeward.LocatedRecord
	err := s.db.write(ctx, func(t *tx) error {
		var args []any
		arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
		q := `SELECT ` + locatedColumns + ` FROM located l WHERE l.id = ` + arg(id) + ` AND ` + visibleClause(a, "l", homeward.EntityLocated, arg)
		var err error
		l, err = s.db.scanLocated(ctx, t.QueryRowContext(ctx, q, args...))
		if err != nil {
			return scanErr(err, "located record", id)
		}
		return t.appendEvent(ctx, homeward.EntityLocated, id, homeward.ActionView, l.OrgID, nil)
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// FindLocated returns one page of the located records the actor may see,
// newest first, and how many match in all.
func (s *LocatedService) FindLocated(ctx context.Context, f homeward.LocatedFilter) ([]*homeward.LocatedRecord, int, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	var where []string
	if f.OrgID != 0 {
		where = append(where, "r.org_id = "+arg(f.OrgID))
	}
	if f.Source != "" {
		where = append(where, "r.source = "+arg(string(f.Source)))
	}
	if !f.From.IsZero() {
		where = append(where, "r.created_at >= "+arg(s.db.tv(f.From)))
	}
	if !f.To.IsZero() {
		where = append(where, "r.created_at < "+arg(s.db.tv(f.To)))
	}
	search, err := s.db.searchFilter(homeward.EntityLocated, f.Query, arg)
	if err != nil {
		return nil, 0, err
	}
	where = append(where, search...)
	l := list{table: "located", entityType: homeward.EntityLocated, columns: locatedColumns,
		filters: where, args: args, search: len(search) > 0, offset: max(f.Offset, 0), limit: limit}
	var ls []*homeward.LocatedRecord
	total, err := l.run(ctx, s.db, a, func(rows *sql.Rows) error {
		r, err := s.db.scanLocated(ctx, rows)
		if err == nil {
			ls = append(ls, r)
		}
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return ls, total, nil
}

// CreateLocated registers a located record in the actor's organisation (the
// system actor names it in r.OrgID) and records the creation.
func (s *LocatedService) CreateLocated(ctx context.Context, r *homeward.LocatedRecord) error {
	a := homeward.ActorFromContext(ctx)
	if err := canWrite(a); err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	if err := checkText(r); err != nil {
		return err
	}
	nl := *r
	err := s.db.write(ctx, func(t *tx) error { return t.insertLocated(ctx, a, &nl) })
	if err != nil {
		return err
	}
	*r = nl
	return nil
}

// insertLocated stores a new located record with its create event.
func (t *tx) insertLocated(ctx context.Context, a homeward.Actor, nl *homeward.LocatedRecord) error {
	if err := prepareNewLocated(a, t, nl); err != nil {
		return err
	}
	if t.db.keys == nil {
		return errLocked
	}
	ids, err := t.reserveIDs(ctx, "located", 1)
	if err != nil {
		return err
	}
	nl.ID = ids[0]
	k, err := t.db.keys.activeKey(ctx, t)
	if err != nil {
		return err
	}
	sealed, err := sealLocated(k, nl)
	if err != nil {
		return err
	}
	toks, err := t.db.recordTokens(locatedNames(nl)...)
	if err != nil {
		return err
	}
	t.addTokens(homeward.EntityLocated, nl.ID, toks)
	if _, err := t.ExecContext(ctx, t.db.locatedInsert(), t.db.locatedInsertArgs(nil, nl, sealed)...); err != nil {
		if isUniqueViolation(err) {
			return homeward.FieldErrorf(homeward.ECONFLICT, "import_key", "A located record with this import key already exists.")
		}
		return fmt.Errorf("insert located record: %w", err)
	}
	return t.appendEvent(ctx, homeward.EntityLocated, nl.ID, homeward.ActionCreate, nl.OrgID, locatedCreateLog(nl))
}

// UpdateLocated writes the editable fields of r if r.Version is still the
// stored version; otherwise it fails with ECONFLICT and changes nothing.
func (s *LocatedService) UpdateLocated(ctx context.Context, r *homeward.LocatedRecord) error {
	a := homeward.ActorFromContext(ctx)
	if err := canWrite(a); err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	if err := checkText(r); err != nil {
		return err
	}
	nl := *r
	normaliseLocated(&nl)
	if err := editRecord(ctx, s.db, a, locatedEdit, r.ID, r.Version, &nl); err != nil {
		return err
	}
	*r = nl
	return nil
}

// locatedEdit is how UpdateLocated edits a located record.
var locatedEdit = editKind[homeward.LocatedRecord]{
	table: "located", alias: "l", columns: locatedColumns, fields: locatedFields,
	entity: homeward.EntityLocated, what: "located record",
	forbidden: "Only the organisation that holds a record may change it.",
	scan:      (*DB).scanLocated,
	values:    (*DB).locatedValues,
	names:     locatedNames,
	org:       func(l *homeward.LocatedRecord) int64 { return l.OrgID },
	version:   func(l *homeward.LocatedRecord) int { return l.Version },
	keep: func(nl, old *homeward.LocatedRecord, at time.Time) {
		nl.OrgID, nl.ImportKey, nl.CreatedBy, nl.CreatedAt = old.OrgID, old.ImportKey, old.CreatedBy, old.CreatedAt
		nl.Version, nl.UpdatedAt = old.Version+1, at
	},
}

// ImportLocated stores all records in one transaction: all or nothing.
// Records whose ImportKey already exists in their organisation are skipped.
func (s *LocatedService) ImportLocated(ctx context.Context, rs []*homeward.LocatedRecord, progress func(done int)) (created, skipped int, err error) {
	return importRecords(ctx, s.db, importKind[homeward.LocatedRecord]{
		table: "located", entity: homeward.EntityLocated, what: "located records",
		head:     `INSERT INTO located (id, ` + locatedFields + `, org_id, import_key, version, created_by, created_at, updated_at) VALUES `,
		cols:     locatedFieldCount + 7,
		validate: (*homeward.LocatedRecord).Validate,
		prepare:  prepareNewLocated,
		key:      func(r *homeward.LocatedRecord) (int64, string) { return r.OrgID, r.ImportKey },
		assign: func(_ context.Context, _ *tx, fresh []*homeward.LocatedRecord, ids []int64) error {
			for i, r := range fresh {
				r.ID = ids[i]
			}
			return nil
		},
		args:    s.db.locatedInsertArgs,
		seal:    sealLocated,
		names:   locatedNames,
		id:      func(l *homeward.LocatedRecord) int64 { return l.ID },
		created: func(r *homeward.LocatedRecord) (int64, int64, any) { return r.ID, r.OrgID, locatedCreateLog(r) },
	}, rs, progress)
}

// ShareLocated lets another organisation see the located record.
func (s *LocatedService) ShareLocated(ctx context.Context, id, orgID int64) error {
	return s.db.share(ctx, homeward.EntityLocated, id, orgID)
}
