package homeward

import (
	"fmt"
	"strings"
	"time"
)

// AnswerCode is the other side's answer about one child on a list, as
// answers come back in practice, child by child.
type AnswerCode string

const (
	AnswerReturnAgreed    AnswerCode = "return_agreed"
	AnswerWithParent      AnswerCode = "with_parent"
	AnswerWithRelative    AnswerCode = "with_relative"
	AnswerInCare          AnswerCode = "in_care"       // which kind of care, where
	AnswerThirdCountry    AnswerCode = "third_country" // which country
	AnswerNoRecord        AnswerCode = "no_record"
	AnswerMoreIdentifiers AnswerCode = "more_identifiers" // which identifiers
	AnswerTurned18        AnswerCode = "turned_18"
	AnswerDeferred        AnswerCode = "deferred"       // until when, why
	AnswerChildDeclines   AnswerCode = "child_declines" // only with a witnessed interview
	AnswerCustodyDisputed AnswerCode = "custody_disputed"
	AnswerAlreadyReunited AnswerCode = "already_reunited"
	AnswerDeceased        AnswerCode = "deceased"
	AnswerDuplicate       AnswerCode = "duplicate"       // of another entry
	AnswerProofRequested  AnswerCode = "proof_requested" // proof of kinship or legal grounds
)

// AnswerCodes lists every code in display order.
var AnswerCodes = []AnswerCode{
	AnswerReturnAgreed, AnswerWithParent, AnswerWithRelative, AnswerInCare, AnswerThirdCountry,
	AnswerNoRecord, AnswerMoreIdentifiers, AnswerTurned18, AnswerDeferred, AnswerChildDeclines,
	AnswerCustodyDisputed, AnswerAlreadyReunited, AnswerDeceased, AnswerDuplicate, AnswerProofRequested,
}

// Valid reports whether c is a known code.
func (c AnswerCode) Valid() bool {
	for _, v := range AnswerCodes {
		if c == v {
			return true
		}
	}
	return false
}

// CarriedForward reports whether an entry with this answer (or with none,
// c == "") goes into the next phase when it is opened with carrying.
func (c AnswerCode) CarriedForward() bool {
	return c == "" || c == AnswerMoreIdentifiers || c == AnswerDeferred || c == AnswerNoRecord
}

// GivesLocation reports whether an answer with this code may say where the
// child is, which then becomes a located record.
func (c AnswerCode) GivesLocation() bool {
	switch c {
	case AnswerReturnAgreed, AnswerWithParent, AnswerWithRelative, AnswerInCare, AnswerThirdCountry:
		return true
	}
	return false
}

// AnswerDetails are the details some codes require: where the child is
// (in care, in a third country), until when and why (deferred), which
// identifiers (more identifiers needed), the witnessed interview (the child
// declines), the other entry (duplicate), the proof requested.
type AnswerDetails struct {
	LocationKind LocationKind `json:"location_kind,omitempty"`
	Place        string       `json:"place,omitempty"` // the institution, settlement or address as the answer gives it
	Region       string       `json:"region,omitempty"`
	Country      string       `json:"country,omitempty"`
	KnownAs      string       `json:"known_as,omitempty"` // the name the child is known by there
	Until        Date         `json:"until"`
	Identifiers  []string     `json:"identifiers,omitempty"`
	WitnessedBy  string       `json:"witnessed_by,omitempty"`
	InterviewOn  Date         `json:"interview_on"`
	DuplicateOf  string       `json:"duplicate_of,omitempty"` // the other entry's reference
	Proof        string       `json:"proof,omitempty"`
	Reason       string       `json:"reason,omitempty"` // why (deferred, disputed)
}

// HasLocation reports whether the details say where the child is.
func (d *AnswerDetails) HasLocation() bool {
	return strings.TrimSpace(d.Place) != "" || strings.TrimSpace(d.Region) != "" || strings.TrimSpace(d.Country) != ""
}

// AnswerSource is how an answer reached us.
type AnswerSource string

const (
	AnswerByBundle      AnswerSource = "bundle"
	AnswerBySpreadsheet AnswerSource = "spreadsheet"
	AnswerByHand        AnswerSource = "manual" // typed in from a letter or a call
)

// Answer is one answer about one list entry. A later answer corrects an
// earlier one; both stay, and the latest stands.
type Answer struct {
	ID       int64         `json:"id"`
	UID      string        `json:"uid"` // the same in every installation
	EntryID  int64         `json:"entry_id"`
	EntryRef string        `json:"entry_ref"`
	Code     AnswerCode    `json:"code"`
	On       Date          `json:"answered_on"` // the date the other side gives its answer
	TheirRef string        `json:"their_ref,omitempty"`
	Text     string        `json:"text,omitempty"`
	Details  AnswerDetails `json:"details"`
	// Corrects is the UID of the answer this one corrects, if any.
	Corrects string       `json:"corrects,omitempty"`
	Source   AnswerSource `json:"source"`
	// SentIn is the bundle that carried our answer out (received lists).
	SentIn     int64     `json:"sent_in,omitempty"`
	RecordedBy int64     `json:"recorded_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// MaxAnswerText bounds the free text of an answer.
const MaxAnswerText = 4000

// Validate checks an answer, and that the details its code requires are
// there; the error names the field.
func (a *Answer) Validate() error {
	d := &a.Details
	blank := func(s string) bool { return strings.TrimSpace(s) == "" }
	switch {
	case a.Code == "":
		return FieldErrorf(EINVALID, "code", "Choose the answer.")
	case !a.Code.Valid():
		return FieldErrorf(EINVALID, "code", "Unknown answer %q.", Excerpt(string(a.Code)))
	case a.On.IsZero():
		return FieldErrorf(EINVALID, "answered_on", "Give the date of the answer.")
	case len([]rune(a.Text)) > MaxAnswerText:
		return FieldErrorf(EINVALID, "text", "The text is longer than %d characters.", MaxAnswerText)
	case !d.LocationKind.Valid():
		return FieldErrorf(EINVALID, "location_kind", "Unknown kind of care %q.", Excerpt(string(d.LocationKind)))
	case d.HasLocation() && !a.Code.GivesLocation():
		return FieldErrorf(EINVALID, "place", "An answer %q does not say where the child is; leave the place empty.", Excerpt(string(a.Code)))
	}
	for _, s := range []struct{ field, v string }{
		{"place", d.Place}, {"region", d.Region}, {"country", d.Country}, {"known_as", d.KnownAs},
		{"witnessed_by", d.WitnessedBy}, {"duplicate_of", d.DuplicateOf}, {"proof", d.Proof}, {"reason", d.Reason},
	} {
		if len([]rune(s.v)) > MaxNameLength*5 {
			return FieldErrorf(EINVALID, s.field, "The %s is longer than %d characters.", strings.ReplaceAll(s.field, "_", " "), MaxNameLength*5)
		}
	}
	switch a.Code {
	case AnswerInCare:
		if d.LocationKind == "" {
			return FieldErrorf(EINVALID, "location_kind", "An answer “in care” needs the kind of care (institution, foster or adoptive family, other).")
		}
		if blank(d.Place) && blank(d.Region) {
			return FieldErrorf(EINVALID, "place", "An answer “in care” needs where: the institution or settlement, or the region.")
		}
	case AnswerThirdCountry:
		if blank(d.Country) {
			return FieldErrorf(EINVALID, "country", "An answer “in a third country” needs the country.")
		}
	case AnswerMoreIdentifiers:
		if len(nonBlank(d.Identifiers)) == 0 {
			return FieldErrorf(EINVALID, "identifiers", "An answer “more identifiers needed” needs which identifiers.")
		}
	case AnswerDeferred:
		if d.Until.IsZero() {
			return FieldErrorf(EINVALID, "until", "An answer “deferred” needs the date until which.")
		}
		if blank(d.Reason) {
			return FieldErrorf(EINVALID, "reason", "An answer “deferred” needs the reason.")
		}
	case AnswerChildDeclines:
		if blank(d.WitnessedBy) || d.InterviewOn.IsZero() {
			return FieldErrorf(EINVALID, "witnessed_by", "An answer “the child declines” is accepted only with a witnessed interview: who witnessed it and when.")
		}
	case AnswerDuplicate:
		if blank(d.DuplicateOf) {
			return FieldErrorf(EINVALID, "duplicate_of", "An answer “duplicate” needs the reference of the other entry.")
		}
	case AnswerProofRequested:
		if blank(d.Proof) {
			return FieldErrorf(EINVALID, "proof", "An answer “proof requested” needs which proof (of kinship or of legal grounds).")
		}
	}
	return nil
}

func nonBlank(ss []string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}

// Normalize trims the answer's text fields and drops empty identifiers,
// so that what is stored is what is shown.
func (a *Answer) Normalize() {
	a.TheirRef, a.Text = strings.TrimSpace(a.TheirRef), strings.TrimSpace(a.Text)
	d := &a.Details
	for _, p := range []*string{&d.Place, &d.Region, &d.Country, &d.KnownAs, &d.WitnessedBy, &d.DuplicateOf, &d.Proof, &d.Reason} {
		*p = strings.TrimSpace(*p)
	}
	d.Identifiers = nonBlank(d.Identifiers)
}

// TaskKind is the work an answer opens on a case.
type TaskKind string

const (
	TaskBestInterests   TaskKind = "best_interests"   // return agreed: decide best interests, then move to agreed
	TaskMoreIdentifiers TaskKind = "more_identifiers" // gather the identifiers asked for
	TaskReview          TaskKind = "review"           // review what the answer says and decide what follows
	TaskFollowDeferral  TaskKind = "deferred"         // ask again when the deferral ends
	TaskProof           TaskKind = "proof"            // provide the proof requested
	TaskAdulthood       TaskKind = "adulthood"        // the child has turned 18
	TaskLocation        TaskKind = "location"         // check the location the answer gave
)

// TaskFor returns the work an answer with code c opens on the case.
func TaskFor(c AnswerCode) TaskKind {
	switch c {
	case AnswerReturnAgreed:
		return TaskBestInterests
	case AnswerMoreIdentifiers:
		return TaskMoreIdentifiers
	case AnswerDeferred:
		return TaskFollowDeferral
	case AnswerProofRequested:
		return TaskProof
	case AnswerTurned18:
		return TaskAdulthood
	case AnswerWithParent, AnswerWithRelative, AnswerInCare, AnswerThirdCountry:
		return TaskLocation
	}
	return TaskReview
}

// Task is work a case is waiting for, opened by an answer (or by a person).
type Task struct {
	ID       int64    `json:"id"`
	CaseID   int64    `json:"case_id"`
	OrgID    int64    `json:"org_id"`
	Kind     TaskKind `json:"kind"`
	EntryID  int64    `json:"entry_id,omitempty"`
	AnswerID int64    `json:"answer_id,omitempty"`
	// Detail says what the task concerns in the answer's own words: the
	// identifiers asked for, the date of a deferral.
	Detail    string     `json:"detail,omitempty"`
	DoneBy    int64      `json:"done_by,omitempty"`
	DoneAt    *time.Time `json:"done_at,omitempty"`
	Note      string     `json:"note,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// TaskDetail returns the detail of the task an answer opens.
func TaskDetail(a *Answer) string {
	d := &a.Details
	switch a.Code {
	case AnswerMoreIdentifiers:
		return strings.Join(d.Identifiers, ", ")
	case AnswerDeferred:
		return fmt.Sprintf("%s: %s", d.Until.String(), d.Reason)
	case AnswerProofRequested:
		return d.Proof
	case AnswerDuplicate:
		return d.DuplicateOf
	case AnswerChildDeclines:
		return fmt.Sprintf("%s, %s", d.WitnessedBy, d.InterviewOn.String())
	}
	return strings.Join(nonBlank([]string{d.Place, d.Region, d.Country}), ", ")
}
