package homeward

import (
	"strings"
	"time"
)

// Case event actions for the return itself.
const (
	ActionHandover      = "handover"
	ActionReunification = "reunification"
	ActionFollowUp      = "follow_up"
)

// Handover records the handover of a child: when, where, by which route or
// through which third country, who escorted the child, and the direction of
// the return (either side can be the receiving one).
type Handover struct {
	ID           int64     `json:"id"`
	CaseID       int64     `json:"case_id"`
	HandoverOn   Date      `json:"handover_on"`
	Place        string    `json:"place"`
	Route        string    `json:"route,omitempty"`
	ThirdCountry string    `json:"third_country,omitempty"`
	Escort       string    `json:"escort"`
	FromCountry  string    `json:"from_country"` // where the child leaves
	ToCountry    string    `json:"to_country"`   // where the child goes home
	Notes        string    `json:"notes,omitempty"`
	RecordedBy   int64     `json:"recorded_by"`
	CreatedAt    time.Time `json:"created_at"`
}

// Validate checks a handover record before it is stored.
func (h *Handover) Validate() error {
	if err := (lengths{
		{"place", h.Place, MaxTextLength},
		{"route", h.Route, MaxTextLength},
		{"third_country", h.ThirdCountry, MaxNameLength},
		{"escort", h.Escort, MaxTextLength},
		{"from_country", h.FromCountry, MaxNameLength},
		{"to_country", h.ToCountry, MaxNameLength},
		{"notes", h.Notes, MaxTextLength},
	}).check(); err != nil {
		return err
	}
	switch {
	case h.HandoverOn.IsZero():
		return FieldErrorf(EINVALID, "handover_on", "Give the date of the handover.")
	case strings.TrimSpace(h.Place) == "":
		return FieldErrorf(EINVALID, "place", "Give the place of the handover.")
	case strings.TrimSpace(h.Route) == "" && strings.TrimSpace(h.ThirdCountry) == "":
		return FieldErrorf(EINVALID, "route", "Give the route or the third country of the handover.")
	case strings.TrimSpace(h.Escort) == "":
		return FieldErrorf(EINVALID, "escort", "Say who escorted the child.")
	case strings.TrimSpace(h.FromCountry) == "":
		return FieldErrorf(EINVALID, "from_country", "Give the country the child leaves.")
	case strings.TrimSpace(h.ToCountry) == "":
		return FieldErrorf(EINVALID, "to_country", "Give the country the child returns to.")
	case strings.EqualFold(strings.TrimSpace(h.FromCountry), strings.TrimSpace(h.ToCountry)):
		return FieldErrorf(EINVALID, "to_country", "The child must return to another country than the one it leaves.")
	}
	return nil
}

// Reunification records with whom a child was reunited, their relation, and
// the proof of that relation (a birth certificate, a court decision, DNA).
type Reunification struct {
	ID          int64     `json:"id"`
	CaseID      int64     `json:"case_id"`
	ReunifiedOn Date      `json:"reunified_on"`
	WithWhom    string    `json:"with_whom"`
	Relation    string    `json:"relation"`
	Proof       string    `json:"proof"`
	Notes       string    `json:"notes,omitempty"`
	RecordedBy  int64     `json:"recorded_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// Validate checks a reunification record before it is stored.
func (r *Reunification) Validate() error {
	if err := (lengths{
		{"with_whom", r.WithWhom, MaxTextLength},
		{"relation", r.Relation, MaxNameLength},
		{"proof", r.Proof, MaxTextLength},
		{"notes", r.Notes, MaxTextLength},
	}).check(); err != nil {
		return err
	}
	switch {
	case r.ReunifiedOn.IsZero():
		return FieldErrorf(EINVALID, "reunified_on", "Give the date of the reunification.")
	case strings.TrimSpace(r.WithWhom) == "":
		return FieldErrorf(EINVALID, "with_whom", "Say with whom the child was reunited.")
	case strings.TrimSpace(r.Relation) == "":
		return FieldErrorf(EINVALID, "relation", "Give their relation to the child.")
	case strings.TrimSpace(r.Proof) == "":
		return FieldErrorf(EINVALID, "proof", "Give the proof of the relation.")
	}
	return nil
}

// RiskFlag names a risk seen at a follow-up visit.
type RiskFlag string

const (
	RiskNone           RiskFlag = "none"
	RiskNeglect        RiskFlag = "neglect"
	RiskAbuse          RiskFlag = "abuse"
	RiskHealth         RiskFlag = "health"
	RiskSchooling      RiskFlag = "schooling"
	RiskTrauma         RiskFlag = "trauma"
	RiskRecontact      RiskFlag = "recontact" // contact attempts from the other side
	RiskFamilyConflict RiskFlag = "family_conflict"
	RiskOther          RiskFlag = "other"
)

// RiskFlags lists every risk flag.
var RiskFlags = []RiskFlag{RiskNone, RiskNeglect, RiskAbuse, RiskHealth, RiskSchooling, RiskTrauma, RiskRecontact, RiskFamilyConflict, RiskOther}

// Valid reports whether f is a known flag.
func (f RiskFlag) Valid() bool {
	for _, v := range RiskFlags {
		if f == v {
			return true
		}
	}
	return false
}

// FollowUp is a visit to a reunited child.
type FollowUp struct {
	ID         int64      `json:"id"`
	CaseID     int64      `json:"case_id"`
	VisitedOn  Date       `json:"visited_on"`
	Visitor    string     `json:"visitor"` // who visited
	Findings   string     `json:"findings"`
	RiskFlags  []RiskFlag `json:"risk_flags,omitempty"`
	Notes      string     `json:"notes,omitempty"`
	RecordedBy int64      `json:"recorded_by"`
	CreatedAt  time.Time  `json:"created_at"`
}

// Validate checks a follow-up visit before it is stored.
func (v *FollowUp) Validate() error {
	if err := (lengths{
		{"visitor", v.Visitor, MaxTextLength},
		{"findings", v.Findings, MaxTextLength},
		{"notes", v.Notes, MaxTextLength},
	}).check(); err != nil {
		return err
	}
	switch {
	case v.VisitedOn.IsZero():
		return FieldErrorf(EINVALID, "visited_on", "Give the date of the visit.")
	case strings.TrimSpace(v.Visitor) == "":
		return FieldErrorf(EINVALID, "visitor", "Say who visited.")
	case strings.TrimSpace(v.Findings) == "":
		return FieldErrorf(EINVALID, "findings", "Record the findings of the visit.")
	}
	for _, f := range v.RiskFlags {
		if !f.Valid() {
			return FieldErrorf(EINVALID, "risk_flags", "Unknown risk flag %q.", f)
		}
	}
	return nil
}
