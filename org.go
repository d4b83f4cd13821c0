package homeward

import (
	"context"
	"time"
)

// OrgKind says what part an organisation plays in tracing and return.
type OrgKind string

const (
	OrgAgency      OrgKind = "agency"      // a state agency that takes reports and decides
	OrgNGO         OrgKind = "ngo"         // a non-governmental organisation doing tracing
	OrgMediator    OrgKind = "mediator"    // a third party carrying lists between sides
	OrgCounterpart OrgKind = "counterpart" // the other side, holding located children
)

// OrgKinds lists every organisation kind in display order.
var OrgKinds = []OrgKind{OrgAgency, OrgNGO, OrgMediator, OrgCounterpart}

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool {
	for _, v := range OrgKinds {
		if k == v {
			return true
		}
	}
	return false
}

// Org is an organisation whose users work in Homeward.
type Org struct {
	ID   int64   `json:"id"`
	Name string  `json:"name"`
	Kind OrgKind `json:"kind"`
	// RequireTOTP makes its supervisors and administrators turn on a
	// second factor before they may work.
	RequireTOTP bool      `json:"require_totp"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Validate checks an organisation before it is stored.
func (o *Org) Validate() error {
	if o.Name == "" {
		return FieldErrorf(EINVALID, "name", "Organisation name is required.")
	}
	if err := checkLength("name", o.Name, MaxNameLength); err != nil {
		return err
	}
	if !o.Kind.Valid() {
		return FieldErrorf(EINVALID, "kind", "Unknown organisation kind %q.", o.Kind)
	}
	return nil
}

// OrgService manages organisations. Only administrators may create or change them.
type OrgService interface {
	FindOrgByID(ctx context.Context, id int64) (*Org, error)
	FindOrgs(ctx context.Context) ([]*Org, error)
	CreateOrg(ctx context.Context, o *Org) error
	UpdateOrg(ctx context.Context, o *Org) error
}
