package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/names"
	"github.com/homeward-project/homeward/seal"
)

// CaseService keeps missing-child reports; it implements homeward.CaseService.
type CaseService struct{ db *DB }

var _ homeward.CaseService = (*CaseService)(nil)

// NewCaseService returns the case service of db.
func NewCaseService(db *DB) *CaseService { return &CaseService{db: db} }

const caseColumns = `id, reference, org_id, sex, circumstance,
	consent_tracing, consent_share_mediator, consent_dna, consent_recorded_at, stage, close_reason,
	import_key, version, created_by, created_at, updated_at, sealed`

type rowScanner interface{ Scan(dest ...any) error }

// casePersonal are the fields of a case sealed at rest: everything that
// names, dates, places or describes the child and the family. What stays
// in clear columns is what lists filter and count by (stage, sex,
// circumstance, consents) and what the store numbers.
type casePersonal struct {
	GivenName           string                  `json:"given_name,omitempty"`
	FamilyName          string                  `json:"family_name,omitempty"`
	Patronymic          string                  `json:"patronymic,omitempty"`
	OtherNames          []homeward.OtherName    `json:"other_names,omitempty"`
	BirthDate           homeward.BirthDate      `json:"birth_date"`
	BirthPlace          string                  `json:"birth_place,omitempty"`
	LastSeenPlace       string                  `json:"last_seen_place,omitempty"`
	LastSeenDate        homeward.Date           `json:"last_seen_date"`
	DistinguishingMarks string                  `json:"distinguishing_marks,omitempty"`
	Notes               string                  `json:"notes,omitempty"`
	Family              []homeward.FamilyMember `json:"family,omitempty"`
	Siblings            []int64                 `json:"siblings,omitempty"`
}

func personalOfCase(c *homeward.Case) casePersonal {
	return casePersonal{c.GivenName, c.FamilyName, c.Patronymic, c.OtherNames, c.BirthDate, c.BirthPlace,
		c.LastSeenPlace, c.LastSeenDate, c.DistinguishingMarks, c.Notes, c.Family, c.Siblings}
}

func (p casePersonal) into(c *homeward.Case) {
	c.GivenName, c.FamilyName, c.Patronymic, c.OtherNames, c.BirthDate, c.BirthPlace = p.GivenName, p.FamilyName, p.Patronymic, p.OtherNames, p.BirthDate, p.BirthPlace
	c.LastSeenPlace, c.LastSeenDate, c.DistinguishingMarks, c.Notes, c.Family, c.Siblings = p.LastSeenPlace, p.LastSeenDate, p.DistinguishingMarks, p.Notes, p.Family, p.Siblings
	if len(c.OtherNames) == 0 {
		c.OtherNames = nil
	}
	if len(c.Family) == 0 {
		c.Family = nil
	}
	if len(c.Siblings) == 0 {
		c.Siblings = nil
	}
}

func (db *DB) scanCase(ctx context.Context, r rowScanner) (*homeward.Case, error) {
	var c homeward.Case
	var sealed []byte
	err := r.Scan(&c.ID, &c.Reference, &c.OrgID, &c.Sex, &c.Circumstance,
		&c.Consents.Tracing, &c.Consents.ShareMediator, &c.Consents.DNA, timePtrScan{&c.Consents.RecordedAt}, &c.Stage, &c.CloseReason,
		&c.ImportKey, &c.Version, &c.CreatedBy, timeScan{&c.CreatedAt}, timeScan{&c.UpdatedAt}, &sealed)
	if err != nil {
		return nil, err
	}
	b, err := db.openRow(ctx, "cases", c.ID, sealed)
	if err != nil {
		return nil, err
	}
	var p casePersonal
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("case %d: damaged personal data: %w", c.ID, err)
	}
	p.into(&c)
	return &c, nil
}

// decodeList reads a JSON list column; an empty list reads as nil so that a
// record round-trips unchanged.
func decodeList[T any](s string, dst *[]T) error {
	var v []T
	if s != "" {
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return err
		}
	}
	if len(v) == 0 {
		v = nil
	}
	*dst = v
	return nil
}

func encodeList[T any](v []T) string {
	if len(v) == 0 {
		return "[]"
	}
	b, err := json.Marshal(v)
	if err != nil {
		// The element types are plain structs, strings and numbers.
		panic(fmt.Sprintf("encode list: %v", err))
	}
	return string(b)
}

// caseNames are the names the blind index holds for a case.
func caseNames(c *homeward.Case) []string {
	parts := []string{c.FamilyName, c.GivenName, c.Patronymic}
	for _, n := range c.OtherNames {
		parts = append(parts, n.Name)
	}
	return parts
}

// caseFields are the columns a user's edit writes, in the order of
// caseValues.
const caseFields = `sex, circumstance, consent_tracing, consent_share_mediator, consent_dna, consent_recorded_at, stage, close_reason, sealed`

// sealCase seals the personal fields of c under k for its row.
func sealCase(k seal.Key, c *homeward.Case) ([]byte, error) {
	b, err := json.Marshal(personalOfCase(c))
	if err != nil {
		return nil, err
	}
	return seal.Seal(k, b, rowAD("cases", c.ID))
}

func (db *DB) caseRowValues(c *homeward.Case, sealed []byte) []any {
	return []any{string(c.Sex), string(c.Circumstance),
		c.Consents.Tracing, c.Consents.ShareMediator, c.Consents.DNA, db.tvp(c.Consents.RecordedAt),
		string(c.Stage), string(c.CloseReason), sealed}
}

// caseValues returns the values of caseFields, the personal fields sealed
// for the row of c.ID.
func (db *DB) caseValues(ctx context.Context, q rowsQueryer, c *homeward.Case) ([]any, error) {
	if db.keys == nil {
		return nil, errLocked
	}
	k, err := db.keys.activeKey(ctx, q)
	if err != nil {
		return nil, err
	}
	sealed, err := sealCase(k, c)
	if err != nil {
		return nil, err
	}
	return db.caseRowValues(c, sealed), nil
}

// seqPlaceholders returns n placeholders for parameters bound in order. On
// SQLite they are anonymous: the driver resolves each numbered one by a
// linear search, which makes wide and multi-row inserts quadratic.
func (db *DB) seqPlaceholders(n int) string {
	if db.dialect == DialectSQLite {
		return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
	}
	return placeholders(1, n)
}

// placeholders returns "$from, $from+1, ..." for n values.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}

var caseFieldCount = len(strings.Split(caseFields, ","))

func (db *DB) caseInsert() string {
	return `INSERT INTO cases (id, ` + caseFields + `, reference, org_id, import_key, version, created_by, created_at, updated_at)
	VALUES (` + db.seqPlaceholders(caseFieldCount+8) + `)`
}

// normaliseCase keeps the optional times as the database will return them,
// so that the struct a caller holds equals the stored record.
func normaliseCase(c *homeward.Case) {
	c.BirthDate.AgeAsOf = normTime(c.BirthDate.AgeAsOf)
	c.Consents.RecordedAt = normTime(c.Consents.RecordedAt)
	c.LastSeenDate = normDate(c.LastSeenDate)
}

func normTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.UTC().Truncate(time.Microsecond)
	return &v
}

func normDate(d homeward.Date) homeward.Date {
	if d.IsZero() {
		return d
	}
	return homeward.NewDate(d.Year(), d.Month(), d.Day())
}

// nextReferences reserves n case references for year and returns the first
// number. Writers are serialised, so the counter cannot race.
func (t *tx) nextReferences(ctx context.Context, year, n int) (int64, error) {
	var last int64
	err := t.QueryRowContext(ctx, `INSERT INTO reference_counters (year, last_n) VALUES ($1, $2)
		ON CONFLICT (year) DO UPDATE SET last_n = reference_counters.last_n + $2 RETURNING last_n`, year, n).Scan(&last)
	if err != nil {
		return 0, fmt.Errorf("reserve case reference: %w", err)
	}
	return last - int64(n) + 1, nil
}

// FindCaseByID returns a case the actor may see and records the view.
func (s *CaseService) FindCaseByID(ctx context.Context, id int64) (*homeward.Case, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	var c *homeward.Case
	err := s.db.write(ctx, func(t *tx) error {
		var args []any
		arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
		q := `SELECT ` + caseColumns + ` FROM cases c WHERE c.id = ` + arg(id) + ` AND ` + visibleClause(a, "c", homeward.EntityCase, arg)
		var err error
		c, err = s.db.scanCase(ctx, t.QueryRowContext(ctx, q, args...))
		if err != nil {
			return scanErr(err, "case", id)
		}
		return t.appendEvent(ctx, homeward.EntityCase, id, homeward.ActionView, c.OrgID, nil)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// caseFilters returns the conditions of f on cases aliased r.
func caseFilters(db *DB, f homeward.CaseFilter, arg func(any) string) []string {
	var where []string
	if f.Stage != "" {
		where = append(where, "r.stage = "+arg(string(f.Stage)))
	}
	if f.OrgID != 0 {
		where = append(where, "r.org_id = "+arg(f.OrgID))
	}
	if !f.From.IsZero() {
		where = append(where, "r.created_at >= "+arg(db.tv(f.From)))
	}
	if !f.To.IsZero() {
		where = append(where, "r.created_at < "+arg(db.tv(f.To)))
	}
	return where
}

// searchFilter returns the conditions of a name search on records of
// entity aliased r, one per word: the blind index, or for cases a part of
// the reference when the word has a digit.
func (db *DB) searchFilter(entity, query string, arg func(any) string) ([]string, error) {
	words := strings.Fields(fold(query))
	if len(words) == 0 {
		return nil, nil
	}
	if db.keys == nil {
		return nil, errLocked
	}
	tt := tokenTables[entity]
	where := make([]string, 0, len(words))
	for _, w := range words {
		var alts []string
		if toks := db.keys.tokensOf(names.QueryKeys(w)); len(toks) > 0 {
			marks := make([]string, len(toks))
			for i, tk := range toks {
				marks[i] = arg(tk)
			}
			alts = append(alts, `r.id IN (SELECT `+tt[1]+` FROM `+tt[0]+` WHERE token IN (`+strings.Join(marks, ", ")+`))`)
		}
		if entity == homeward.EntityCase && strings.ContainsAny(w, "0123456789") {
			alts = append(alts, `lower(r.reference) LIKE `+arg(likePattern(w))+` ESCAPE '\'`)
		}
		if len(alts) == 0 {
			// A word that can match nothing makes the search match nothing,
			// not everything.
			alts = append(alts, "1 = 0")
		}
		where = append(where, "("+strings.Join(alts, " OR ")+")")
	}
	return where, nil
}

// DefaultLimit is the page size when a filter asks for none.
const DefaultLimit = 50

// FindCases returns one page of the cases the actor may see, newest first,
// and how many match in all. Listing records no view event; opening one does.
func (s *CaseService) FindCases(ctx context.Context, f homeward.CaseFilter) ([]*homeward.Case, int, error) {
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
	search, err := s.db.searchFilter(homeward.EntityCase, f.Query, arg)
	if err != nil {
		return nil, 0, err
	}
	l := list{table: "cases", entityType: homeward.EntityCase, columns: caseColumns,
		filters: append(caseFilters(s.db, f, arg), search...), search: len(search) > 0, offset: max(f.Offset, 0), limit: limit}
	l.args = args
	var cs []*homeward.Case
	total, err := l.run(ctx, s.db, a, func(rows *sql.Rows) error {
		c, err := s.db.scanCase(ctx, rows)
		if err == nil {
			cs = append(cs, c)
		}
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return cs, total, nil
}

// CountCasesByStage counts the cases the actor's organisation sees, by
// stage. Analysts may call it: it reveals no individual record.
func (s *CaseService) CountCasesByStage(ctx context.Context) (map[homeward.Stage]int, error) {
	a := homeward.ActorFromContext(ctx)
	if !a.System && a.UserID == 0 {
		return nil, errNoActor
	}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	q := `SELECT r.stage, count(*) FROM cases r GROUP BY r.stage`
	if !a.System {
		// As in list.run: own cases from record_counts, shared ones apart.
		org := arg(a.OrgID)
		q = `SELECT stage, CAST(sum(n) AS BIGINT) FROM (
			SELECT stage, n FROM record_counts WHERE entity_type = '` + homeward.EntityCase + `' AND org_id = ` + org + ` AND n <> 0
			UNION ALL
			SELECT r.stage, count(*) AS n FROM cases r WHERE r.id IN (SELECT sh.entity_id FROM shares sh
				WHERE sh.entity_type = '` + homeward.EntityCase + `' AND sh.org_id = ` + org + `) AND r.org_id <> ` + org + `
			GROUP BY r.stage) u GROUP BY stage`
	}
	rows, err := s.db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("count cases: %w", err)
	}
	defer rows.Close()
	counts := map[homeward.Stage]int{}
	for rows.Next() {
		var st homeward.Stage
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count cases: %w", err)
		}
		counts[st] = n
	}
	return counts, rows.Err()
}

// prepareNewCase fills what the store assigns to a new case, except the
// reference and ID.
func prepareNewCase(a homeward.Actor, t *tx, c *homeward.Case) error {
	if !a.System {
		c.OrgID = a.OrgID
	}
	if c.OrgID == 0 {
		return homeward.FieldErrorf(homeward.EINVALID, "org_id", "Organisation is required.")
	}
	// A new case starts at the beginning of the workflow; only the system
	// (demo loader, migrations of old registers) may place it further on.
	if c.Stage == "" || !a.System {
		c.Stage, c.CloseReason = homeward.StageRegistered, ""
	}
	normaliseCase(c)
	c.Version = 1
	c.CreatedBy = a.UserID
	c.CreatedAt, c.UpdatedAt = t.at, t.at
	return nil
}

// caseInsertArgs appends the values of caseInsert, c's ID first.
func (db *DB) caseInsertArgs(args []any, c *homeward.Case, sealed []byte) []any {
	args = append(args, c.ID)
	args = append(args, db.caseRowValues(c, sealed)...)
	return append(args, c.Reference, c.OrgID, c.ImportKey, c.Version, c.CreatedBy, db.tv(c.CreatedAt), db.tv(c.UpdatedAt))
}

// CreateCase registers a case in the actor's organisation (the system actor
// names the organisation in c.OrgID), assigns its reference and ID, and
// records the creation.
func (s *CaseService) CreateCase(ctx context.Context, c *homeward.Case) error {
	a := homeward.ActorFromContext(ctx)
	if err := canWrite(a); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if err := checkText(c); err != nil {
		return err
	}
	if s.db.keys == nil {
		return errLocked
	}
	nc := *c
	err := s.db.write(ctx, func(t *tx) error {
		if err := prepareNewCase(a, t, &nc); err != nil {
			return err
		}
		first, err := t.nextReferences(ctx, t.at.Year(), 1)
		if err != nil {
			return err
		}
		nc.Reference = homeward.FormatReference(t.at.Year(), first)
		ids, err := t.reserveIDs(ctx, "cases", 1)
		if err != nil {
			return err
		}
		nc.ID = ids[0]
		k, err := s.db.keys.activeKey(ctx, t)
		if err != nil {
			return err
		}
		sealed, err := sealCase(k, &nc)
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, s.db.caseInsert(), s.db.caseInsertArgs(nil, &nc, sealed)...); err != nil {
			if isUniqueViolation(err) {
				return homeward.FieldErrorf(homeward.ECONFLICT, "import_key", "A case with this import key already exists.")
			}
			return fmt.Errorf("insert case: %w", err)
		}
		toks, err := s.db.recordTokens(caseNames(&nc)...)
		if err != nil {
			return err
		}
		t.addTokens(homeward.EntityCase, nc.ID, toks)
		ch := caseCreateLog(&nc)
		return t.appendEvent(ctx, homeward.EntityCase, nc.ID, homeward.ActionCreate, nc.OrgID, ch)
	})
	if err != nil {
		return err
	}
	*c = nc
	return nil
}

// UpdateCase writes the editable fields of c if c.Version is still the
// stored version; otherwise it fails with ECONFLICT and changes nothing.
// Only the owning organisation may change a case; organisations it is shared
// with may read it.
func (s *CaseService) UpdateCase(ctx context.Context, c *homeward.Case) error {
	a := homeward.ActorFromContext(ctx)
	if err := canWrite(a); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if err := checkText(c); err != nil {
		return err
	}
	nc := *c
	normaliseCase(&nc)
	if err := editRecord(ctx, s.db, a, caseEdit, c.ID, c.Version, &nc); err != nil {
		return err
	}
	*c = nc
	return nil
}

// caseEdit is how UpdateCase edits a case.
var caseEdit = editKind[homeward.Case]{
	table: "cases", alias: "c", columns: caseColumns, fields: caseFields,
	entity: homeward.EntityCase, what: "case",
	forbidden: "Only the organisation that holds a case may change it.",
	scan:      (*DB).scanCase,
	values:    (*DB).caseValues,
	names:     caseNames,
	org:       func(c *homeward.Case) int64 { return c.OrgID },
	version:   func(c *homeward.Case) int { return c.Version },
	keep: func(nc, old *homeward.Case, at time.Time) {
		// The stage moves only through WorkflowService.Transition, where
		// the guards run; an edit can neither skip them nor undo a move.
		nc.Stage, nc.CloseReason = old.Stage, old.CloseReason
		// What the store owns stays as stored.
		nc.Reference, nc.OrgID, nc.ImportKey, nc.CreatedBy, nc.CreatedAt = old.Reference, old.OrgID, old.ImportKey, old.CreatedBy, old.CreatedAt
		nc.Version, nc.UpdatedAt = old.Version+1, at
	},
}

// ImportCases stores all cases in one transaction: all or nothing. Cases
// whose ImportKey already exists in their organisation are skipped. It
// records a create event per case and one import event for the batch.
func (s *CaseService) ImportCases(ctx context.Context, cs []*homeward.Case, progress func(done int)) (created, skipped int, err error) {
	return importRecords(ctx, s.db, importKind[homeward.Case]{
		table: "cases", entity: homeward.EntityCase, what: "cases",
		head:     `INSERT INTO cases (id, ` + caseFields + `, reference, org_id, import_key, version, created_by, created_at, updated_at) VALUES `,
		cols:     caseFieldCount + 8,
		validate: (*homeward.Case).Validate,
		prepare:  prepareNewCase,
		key:      func(c *homeward.Case) (int64, string) { return c.OrgID, c.ImportKey },
		assign: func(ctx context.Context, t *tx, fresh []*homeward.Case, ids []int64) error {
			if len(fresh) == 0 {
				return nil
			}
			first, err := t.nextReferences(ctx, t.at.Year(), len(fresh))
			if err != nil {
				return err
			}
			for i, c := range fresh {
				c.ID = ids[i]
				c.Reference = homeward.FormatReference(t.at.Year(), first+int64(i))
			}
			return nil
		},
		args:    s.db.caseInsertArgs,
		seal:    sealCase,
		names:   caseNames,
		id:      func(c *homeward.Case) int64 { return c.ID },
		created: func(c *homeward.Case) (int64, int64, any) { return c.ID, c.OrgID, caseCreateLog(c) },
	}, cs, progress)
}

// importSummary is the data of an import event.
type importSummary struct {
	Kind    string `json:"kind"`
	Rows    int    `json:"rows"`
	Created int    `json:"created"`
	Skipped int    `json:"skipped"`
}

// ShareCase lets another organisation see the case.
func (s *CaseService) ShareCase(ctx context.Context, id, orgID int64) error {
	return s.db.share(ctx, homeward.EntityCase, id, orgID)
}
