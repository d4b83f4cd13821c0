package homeward

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Circumstance is how a child was separated from the family.
type Circumstance string

const (
	CircumstanceDeportation Circumstance = "deportation"
	CircumstanceEvacuation  Circumstance = "evacuation"
	CircumstanceInstitution Circumstance = "institution_transfer" // transfer of an institution
	CircumstanceFiltration  Circumstance = "filtration"
	CircumstanceOther       Circumstance = "other"
)

// Circumstances lists every circumstance of separation.
var Circumstances = []Circumstance{
	CircumstanceDeportation, CircumstanceEvacuation, CircumstanceInstitution,
	CircumstanceFiltration, CircumstanceOther,
}

// Valid reports whether c is known; empty means not recorded.
func (c Circumstance) Valid() bool {
	if c == "" {
		return true
	}
	for _, v := range Circumstances {
		if c == v {
			return true
		}
	}
	return false
}

// FamilyMember is a relative or the inquirer. Contact details are personal data:
// they are never logged and never leave the organisation without consent.
type FamilyMember struct {
	Name       string `json:"name"`
	Relation   string `json:"relation"` // mother, father, grandmother, sibling, guardian, other
	Contact    string `json:"contact,omitempty"`
	Inquirer   bool   `json:"inquirer,omitempty"`    // the person who made the report
	LegalRep   bool   `json:"legal_rep,omitempty"`   // legal representative of the child
	LegalProof string `json:"legal_proof,omitempty"` // the document proving representation
}

// Consents records what the inquirer or legal representative agreed to.
type Consents struct {
	Tracing       bool       `json:"tracing"`
	ShareMediator bool       `json:"share_mediator"`
	DNA           bool       `json:"dna"`
	RecordedAt    *time.Time `json:"recorded_at,omitempty"`
}

// Case is one missing child as reported.
type Case struct {
	ID        int64  `json:"id"`
	Reference string `json:"reference"` // HW-2026-000123, assigned by the store
	OrgID     int64  `json:"org_id"`

	GivenName  string      `json:"given_name"`
	FamilyName string      `json:"family_name"`
	Patronymic string      `json:"patronymic,omitempty"`
	OtherNames []OtherName `json:"other_names,omitempty"`
	Sex        Sex         `json:"sex,omitempty"`
	BirthDate  BirthDate   `json:"birth_date"`
	BirthPlace string      `json:"birth_place,omitempty"`

	LastSeenPlace       string       `json:"last_seen_place,omitempty"`
	LastSeenDate        Date         `json:"last_seen_date"`
	Circumstance        Circumstance `json:"circumstance,omitempty"`
	DistinguishingMarks string       `json:"distinguishing_marks,omitempty"`
	Notes               string       `json:"notes,omitempty"`

	Family   []FamilyMember `json:"family,omitempty"`
	Siblings []int64        `json:"siblings,omitempty"` // IDs of the siblings' own cases
	Consents Consents       `json:"consents"`

	Stage       Stage       `json:"stage"`
	CloseReason CloseReason `json:"close_reason,omitempty"`

	// ImportKey identifies the spreadsheet row a case came from, so that
	// re-importing the same file creates no duplicates.
	ImportKey string `json:"-"`

	Version   int       `json:"version"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// FullName joins the family, given and patronymic names as usually written in Ukrainian.
func (c *Case) FullName() string {
	return joinNonEmpty(c.FamilyName, c.GivenName, c.Patronymic)
}

func joinNonEmpty(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p)
	}
	return b.String()
}

// Validate checks a case before it is stored; the error names the field.
func (c *Case) Validate() error {
	// Lengths first: the other checks quote values in their messages.
	if err := (lengths{
		{"given_name", c.GivenName, MaxNameLength},
		{"family_name", c.FamilyName, MaxNameLength},
		{"patronymic", c.Patronymic, MaxNameLength},
		{"birth_place", c.BirthPlace, MaxTextLength},
		{"last_seen_place", c.LastSeenPlace, MaxTextLength},
		{"distinguishing_marks", c.DistinguishingMarks, MaxTextLength},
		{"notes", c.Notes, MaxTextLength},
	}).check(); err != nil {
		return err
	}
	if err := checkCount("other_names", len(c.OtherNames)); err != nil {
		return err
	}
	if err := checkCount("family", len(c.Family)); err != nil {
		return err
	}
	for i, n := range c.OtherNames {
		if err := checkLength(indexed("other_names", i, ""), n.Name, MaxNameLength); err != nil {
			return err
		}
	}
	for i, m := range c.Family {
		if err := (lengths{
			{indexed("family", i, "name"), m.Name, MaxNameLength},
			{indexed("family", i, "relation"), m.Relation, MaxNameLength},
			{indexed("family", i, "contact"), m.Contact, MaxContactLength},
			{indexed("family", i, "legal_proof"), m.LegalProof, MaxTextLength},
		}).check(); err != nil {
			return err
		}
	}
	if strings.TrimSpace(c.GivenName) == "" && strings.TrimSpace(c.FamilyName) == "" {
		return FieldErrorf(EINVALID, "given_name", "A given name or a family name is required.")
	}
	if !c.Sex.Valid() {
		return FieldErrorf(EINVALID, "sex", "Unknown sex %q (use f, m or leave empty).", Excerpt(string(c.Sex)))
	}
	if err := c.BirthDate.Validate("birth_date"); err != nil {
		return err
	}
	if !c.Circumstance.Valid() {
		return FieldErrorf(EINVALID, "circumstance", "Unknown circumstance %q.", Excerpt(string(c.Circumstance)))
	}
	if c.Stage != "" && !c.Stage.Valid() {
		return FieldErrorf(EINVALID, "stage", "Unknown stage %q.", Excerpt(string(c.Stage)))
	}
	if c.CloseReason != "" && !c.CloseReason.Valid() {
		return FieldErrorf(EINVALID, "close_reason", "Unknown close reason %q.", Excerpt(string(c.CloseReason)))
	}
	for i, n := range c.OtherNames {
		if strings.TrimSpace(n.Name) == "" {
			return FieldErrorf(EINVALID, fmt.Sprintf("other_names[%d]", i), "Other name %d is empty.", i+1)
		}
		if !n.Script.Valid() {
			return FieldErrorf(EINVALID, fmt.Sprintf("other_names[%d]", i), "Unknown script %q.", Excerpt(string(n.Script)))
		}
	}
	for i, m := range c.Family {
		if strings.TrimSpace(m.Relation) == "" {
			return FieldErrorf(EINVALID, fmt.Sprintf("family[%d].relation", i), "Family member %d needs a relation.", i+1)
		}
	}
	return nil
}

// FormatReference renders a human case reference such as HW-2026-000123.
func FormatReference(year int, n int64) string { return fmt.Sprintf("HW-%04d-%06d", year, n) }

// CaseFilter selects cases. Zero fields do not filter.
type CaseFilter struct {
	Stage  Stage
	OrgID  int64
	From   time.Time // created at or after
	To     time.Time // created before
	Query  string    // name search: any of the names, folded
	Offset int
	Limit  int // 0: the service's default
}

// CaseService registers and changes cases. Every method scopes to the actor's
// organisation (and records shared with it), and every change or view appends
// an event in the same transaction.
type CaseService interface {
	// FindCaseByID returns a case and records the view as an event.
	FindCaseByID(ctx context.Context, id int64) (*Case, error)
	// FindCasesByIDs returns the cases the actor may see among ids, keyed by
	// ID, and records one view event per case returned, all in one
	// transaction; IDs not visible are absent, not an error.
	FindCasesByIDs(ctx context.Context, ids []int64) (map[int64]*Case, error)
	FindCases(ctx context.Context, f CaseFilter) ([]*Case, int, error)
	CreateCase(ctx context.Context, c *Case) error
	// UpdateCase writes c if c.Version is still current; otherwise ECONFLICT.
	UpdateCase(ctx context.Context, c *Case) error
	// ImportCases stores all cases in one transaction, skipping those whose
	// ImportKey already exists; it returns how many were created and skipped.
	// progress, when not nil, is called now and then with the rows done so far.
	ImportCases(ctx context.Context, cs []*Case, progress func(done int)) (created, skipped int, err error)
	// ShareCase lets another organisation see the case.
	ShareCase(ctx context.Context, id, orgID int64) error
	// EraseCase destroys the personal data of a case and of its events for
	// one of EraseReasons: the row stays, empty, and its events stay in the
	// chain, unreadable. Administrators and supervisors of the owning
	// organisation only; a case already erased is ECONFLICT.
	EraseCase(ctx context.Context, id int64, reason string) error
}
