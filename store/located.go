package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
)

// LocatedService keeps records of located children; it implements
// homeward.LocatedService with the same scoping and event rules as CaseService.
type LocatedService struct{ db *DB }

var _ homeward.LocatedService = (*LocatedService)(nil)

// NewLocatedService returns the located-record service of db.
func NewLocatedService(db *DB) *LocatedService { return &LocatedService{db: db} }

const locatedColumns = `id, org_id, given_name, family_name, patronymic, sex,
	birth_year, birth_month, birth_day, birth_precision, birth_estimated_age, birth_age_as_of, birth_place,
	location_kind, institution, region, observed_at, source, source_ref, reliability, notes,
	import_key, version, created_by, created_at, updated_at`

func scanLocated(r rowScanner) (*homeward.LocatedRecord, error) {
	var l homeward.LocatedRecord
	err := r.Scan(&l.ID, &l.OrgID, &l.GivenName, &l.FamilyName, &l.Patronymic, &l.Sex,
		&l.BirthDate.Year, &l.BirthDate.Month, &l.BirthDate.Day, &l.BirthDate.Precision, &l.BirthDate.EstimatedAge,
		timePtrScan{&l.BirthDate.AgeAsOf}, &l.BirthPlace,
		&l.LocationKind, &l.Institution, &l.Region, dateScan{&l.ObservedAt}, &l.Source, &l.SourceRef, &l.Reliability, &l.Notes,
		&l.ImportKey, &l.Version, &l.CreatedBy, timeScan{&l.CreatedAt}, timeScan{&l.UpdatedAt})
	if err != nil {
		return nil, err
	}
	return &l, nil
}

// locatedFields are the columns a user edits, in the order of locatedValues.
const locatedFields = `given_name, family_name, patronymic, sex,
	birth_year, birth_month, birth_day, birth_precision, birth_estimated_age, birth_age_as_of, birth_place,
	location_kind, institution, region, observed_at, source, source_ref, reliability, notes, search_text`

func (db *DB) locatedValues(l *homeward.LocatedRecord) []any {
	return []any{l.GivenName, l.FamilyName, l.Patronymic, string(l.Sex),
		l.BirthDate.Year, l.BirthDate.Month, l.BirthDate.Day, string(l.BirthDate.Precision), l.BirthDate.EstimatedAge,
		db.tvp(l.BirthDate.AgeAsOf), l.BirthPlace,
		string(l.LocationKind), l.Institution, l.Region, l.ObservedAt.String(), string(l.Source), l.SourceRef,
		string(l.Reliability), l.Notes, searchText(l.FamilyName, l.GivenName, l.Patronymic)}
}

var locatedFieldCount = len(strings.Split(locatedFields, ","))

func (db *DB) locatedInsert() string {
	return `INSERT INTO located (` + locatedFields + `, org_id, import_key, version, created_by, created_at, updated_at)
	VALUES (` + db.seqPlaceholders(locatedFieldCount+6) + `)`
}

func (db *DB) locatedInsertArgs(l *homeward.LocatedRecord) []any {
	return append(db.locatedValues(l), l.OrgID, l.ImportKey, l.Version, l.CreatedBy, db.tv(l.CreatedAt), db.tv(l.UpdatedAt))
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
		l, err = scanLocated(t.QueryRowContext(ctx, q, args...))
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
	if fold(f.Query) != "" {
		where = append(where, `r.search_text LIKE `+arg(likePattern(f.Query))+` ESCAPE '\'`)
	}
	l := list{table: "located", entityType: homeward.EntityLocated, columns: locatedColumns,
		filters: where, args: args, search: fold(f.Query) != "", offset: max(f.Offset, 0), limit: limit}
	var ls []*homeward.LocatedRecord
	total, err := l.run(ctx, s.db, a, func(rows *sql.Rows) error {
		r, err := scanLocated(rows)
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
	if err := t.QueryRowContext(ctx, t.db.locatedInsert()+` RETURNING id`, t.db.locatedInsertArgs(nl)...).Scan(&nl.ID); err != nil {
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
	scan:      scanLocated,
	values:    (*DB).locatedValues,
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
		args: func(args []any, r *homeward.LocatedRecord) []any {
			return append(append(args, r.ID), s.db.locatedInsertArgs(r)...)
		},
		created: func(r *homeward.LocatedRecord) (int64, int64, any) { return r.ID, r.OrgID, locatedCreateLog(r) },
	}, rs, progress)
}

// ShareLocated lets another organisation see the located record.
func (s *LocatedService) ShareLocated(ctx context.Context, id, orgID int64) error {
	return s.db.share(ctx, homeward.EntityLocated, id, orgID)
}
