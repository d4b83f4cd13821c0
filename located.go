package homeward

import (
	"context"
	"strings"
	"time"
)

// SourceKind is where a located record came from.
type SourceKind string

const (
	SourceCounterpartList SourceKind = "counterpart_list"
	SourceAdoptionDB      SourceKind = "adoption_db" // adoption or guardianship database
	SourceNGOReport       SourceKind = "ngo_report"
	SourceTestimony       SourceKind = "testimony"
	SourceOpenSource      SourceKind = "open_source"
	// SourceCounterpartAnswer is a record made from the other side's
	// answer about a list entry that said where the child is.
	SourceCounterpartAnswer SourceKind = "counterpart_answer"
)

// SourceKinds lists every source kind.
var SourceKinds = []SourceKind{SourceCounterpartList, SourceAdoptionDB, SourceNGOReport, SourceTestimony, SourceOpenSource, SourceCounterpartAnswer}

// Valid reports whether k is known; empty means not recorded.
func (k SourceKind) Valid() bool {
	if k == "" {
		return true
	}
	for _, v := range SourceKinds {
		if k == v {
			return true
		}
	}
	return false
}

// LocationKind is where a located child lives now.
type LocationKind string

const (
	LocationInstitution LocationKind = "institution"
	LocationFoster      LocationKind = "foster_family"
	LocationAdoptive    LocationKind = "adoptive_family"
	LocationOther       LocationKind = "other"
)

// LocationKinds lists every location kind.
var LocationKinds = []LocationKind{LocationInstitution, LocationFoster, LocationAdoptive, LocationOther}

// Valid reports whether k is known; empty means not recorded.
func (k LocationKind) Valid() bool {
	if k == "" {
		return true
	}
	for _, v := range LocationKinds {
		if k == v {
			return true
		}
	}
	return false
}

// Reliability grades a source's record.
type Reliability string

const (
	ReliabilityHigh    Reliability = "high"
	ReliabilityMedium  Reliability = "medium"
	ReliabilityLow     Reliability = "low"
	ReliabilityUnknown Reliability = ""
)

// Valid reports whether r is known.
func (r Reliability) Valid() bool {
	switch r {
	case ReliabilityHigh, ReliabilityMedium, ReliabilityLow, ReliabilityUnknown:
		return true
	}
	return false
}

// LocatedRecord is a child known to be somewhere, as a source recorded it:
// names as written there, not corrected.
type LocatedRecord struct {
	ID    int64 `json:"id"`
	OrgID int64 `json:"org_id"`

	GivenName  string    `json:"given_name"`
	FamilyName string    `json:"family_name"`
	Patronymic string    `json:"patronymic,omitempty"`
	Sex        Sex       `json:"sex,omitempty"`
	BirthDate  BirthDate `json:"birth_date"`
	BirthPlace string    `json:"birth_place,omitempty"`

	LocationKind LocationKind `json:"location_kind,omitempty"`
	Institution  string       `json:"institution,omitempty"`
	Region       string       `json:"region,omitempty"`
	ObservedAt   Date         `json:"observed_at"`

	Source      SourceKind  `json:"source,omitempty"`
	SourceRef   string      `json:"source_ref,omitempty"`
	Reliability Reliability `json:"reliability,omitempty"`
	Notes       string      `json:"notes,omitempty"`

	ImportKey string `json:"-"`

	Version   int       `json:"version"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// FullName joins the family, given and patronymic names.
func (r *LocatedRecord) FullName() string {
	return joinNonEmpty(r.FamilyName, r.GivenName, r.Patronymic)
}

// Validate checks a located record before it is stored; the error names the field.
func (r *LocatedRecord) Validate() error {
	// Lengths first: the other checks quote values in their messages.
	if err := (lengths{
		{"given_name", r.GivenName, MaxNameLength},
		{"family_name", r.FamilyName, MaxNameLength},
		{"patronymic", r.Patronymic, MaxNameLength},
		{"birth_place", r.BirthPlace, MaxTextLength},
		{"institution", r.Institution, MaxTextLength},
		{"region", r.Region, MaxTextLength},
		{"source_ref", r.SourceRef, MaxTextLength},
		{"notes", r.Notes, MaxTextLength},
	}).check(); err != nil {
		return err
	}
	if strings.TrimSpace(r.GivenName) == "" && strings.TrimSpace(r.FamilyName) == "" {
		return FieldErrorf(EINVALID, "given_name", "A given name or a family name is required.")
	}
	if !r.Sex.Valid() {
		return FieldErrorf(EINVALID, "sex", "Unknown sex %q (use f, m or leave empty).", Excerpt(string(r.Sex)))
	}
	if err := r.BirthDate.Validate("birth_date"); err != nil {
		return err
	}
	if !r.LocationKind.Valid() {
		return FieldErrorf(EINVALID, "location_kind", "Unknown location kind %q.", Excerpt(string(r.LocationKind)))
	}
	if !r.Source.Valid() {
		return FieldErrorf(EINVALID, "source", "Unknown source %q.", Excerpt(string(r.Source)))
	}
	if !r.Reliability.Valid() {
		return FieldErrorf(EINVALID, "reliability", "Unknown reliability %q.", Excerpt(string(r.Reliability)))
	}
	return nil
}

// LocatedFilter selects located records. Zero fields do not filter.
type LocatedFilter struct {
	OrgID  int64
	Source SourceKind
	From   time.Time // created at or after
	To     time.Time // created before
	Query  string
	Offset int
	Limit  int
}

// LocatedService registers and changes located records, with the same scoping
// and event rules as CaseService.
type LocatedService interface {
	FindLocatedByID(ctx context.Context, id int64) (*LocatedRecord, error)
	// FindLocatedByIDs returns the located records the actor may see among
	// ids, keyed by ID, and records one view event per record returned, all
	// in one transaction; IDs not visible are absent, not an error.
	FindLocatedByIDs(ctx context.Context, ids []int64) (map[int64]*LocatedRecord, error)
	FindLocated(ctx context.Context, f LocatedFilter) ([]*LocatedRecord, int, error)
	CreateLocated(ctx context.Context, r *LocatedRecord) error
	UpdateLocated(ctx context.Context, r *LocatedRecord) error
	ImportLocated(ctx context.Context, rs []*LocatedRecord, progress func(done int)) (created, skipped int, err error)
	ShareLocated(ctx context.Context, id, orgID int64) error
	// EraseLocated is CaseService.EraseCase for a located record.
	EraseLocated(ctx context.Context, id int64, reason string) error
}
