package homeward

import (
	"strconv"
	"strings"
	"time"
)

// Case event actions for the records of the workflow.
const (
	ActionVerificationAdd     = "verification_add"
	ActionVerificationApprove = "verification_approve"
	ActionBestInterests       = "best_interests"
)

// VerificationMethod is how an identity was verified.
type VerificationMethod string

const (
	VerifyDocuments       VerificationMethod = "documents"
	VerifyPhotoComparison VerificationMethod = "photo_comparison"
	VerifyInterview       VerificationMethod = "interview"
	VerifyDNA             VerificationMethod = "dna"
	VerifyTestimony       VerificationMethod = "testimony"
)

// VerificationMethods lists every method.
var VerificationMethods = []VerificationMethod{VerifyDocuments, VerifyPhotoComparison, VerifyInterview, VerifyDNA, VerifyTestimony}

// Valid reports whether m is a known method.
func (m VerificationMethod) Valid() bool {
	for _, v := range VerificationMethods {
		if m == v {
			return true
		}
	}
	return false
}

// VerificationOutcome is what a verification found.
type VerificationOutcome string

const (
	OutcomeConfirmed    VerificationOutcome = "confirmed"
	OutcomeInconclusive VerificationOutcome = "inconclusive"
	OutcomeRefuted      VerificationOutcome = "refuted"
)

// VerificationOutcomes lists every outcome.
var VerificationOutcomes = []VerificationOutcome{OutcomeConfirmed, OutcomeInconclusive, OutcomeRefuted}

// Valid reports whether o is a known outcome.
func (o VerificationOutcome) Valid() bool {
	for _, v := range VerificationOutcomes {
		if o == v {
			return true
		}
	}
	return false
}

// Verification is one check of a located child's identity against the case.
// Only an approved verification with outcome confirmed lets the case move to
// verified; the approver must be a supervisor other than the recorder.
type Verification struct {
	ID          int64               `json:"id"`
	CaseID      int64               `json:"case_id"`
	Method      VerificationMethod  `json:"method"`
	Outcome     VerificationOutcome `json:"outcome"`
	PerformedBy string              `json:"performed_by"` // who verified: a person, a laboratory
	PerformedOn Date                `json:"performed_on"`
	Notes       string              `json:"notes,omitempty"`
	// AttachmentIDs are the evidence: attachments of the same case.
	AttachmentIDs []int64 `json:"attachment_ids,omitempty"`

	RecordedBy int64      `json:"recorded_by"`
	ApprovedBy int64      `json:"approved_by,omitempty"`
	ApprovedAt *time.Time `json:"approved_at,omitempty"`

	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
}

// Approved reports whether a second person approved the verification.
func (v *Verification) Approved() bool { return v.ApprovedBy != 0 || v.ApprovedAt != nil }

// Validate checks a verification before it is stored.
func (v *Verification) Validate() error {
	if err := (lengths{
		{"performed_by", v.PerformedBy, MaxTextLength},
		{"notes", v.Notes, MaxTextLength},
	}).check(); err != nil {
		return err
	}
	if !v.Method.Valid() {
		return FieldErrorf(EINVALID, "method", "Choose how the identity was verified (documents, photo comparison, interview, DNA or testimony).")
	}
	if !v.Outcome.Valid() {
		return FieldErrorf(EINVALID, "outcome", "Choose the outcome (confirmed, inconclusive or refuted).")
	}
	if strings.TrimSpace(v.PerformedBy) == "" {
		return FieldErrorf(EINVALID, "performed_by", "Say who performed the verification.")
	}
	if v.PerformedOn.IsZero() {
		return FieldErrorf(EINVALID, "performed_on", "Give the date of the verification.")
	}
	for i, id := range v.AttachmentIDs {
		if id <= 0 {
			return FieldErrorf(EINVALID, "attachment_ids["+strconv.Itoa(i)+"]", "Attachment %d is not an attachment ID.", i+1)
		}
	}
	return nil
}

// BestInterestsDecision is the decision of a best-interests determination.
type BestInterestsDecision string

const (
	BestInterestsReturn   BestInterestsDecision = "return"   // return to the family
	BestInterestsRemain   BestInterestsDecision = "remain"   // remain where the child is for now
	BestInterestsDeferred BestInterestsDecision = "deferred" // more assessment needed
)

// BestInterestsDecisions lists every decision.
var BestInterestsDecisions = []BestInterestsDecision{BestInterestsReturn, BestInterestsRemain, BestInterestsDeferred}

// Valid reports whether d is a known decision.
func (d BestInterestsDecision) Valid() bool {
	for _, v := range BestInterestsDecisions {
		if d == v {
			return true
		}
	}
	return false
}

// BestInterests is a best-interests determination: what the child said, the
// assessment, the panel that decided, and the decision. A new determination
// is a new record; the latest one stands.
type BestInterests struct {
	ID          int64                 `json:"id"`
	CaseID      int64                 `json:"case_id"`
	ChildWishes string                `json:"child_wishes"`
	Assessment  string                `json:"assessment"`
	Panel       []string              `json:"panel"` // members of the panel
	Decision    BestInterestsDecision `json:"decision"`
	DecidedOn   Date                  `json:"decided_on"`
	RecordedBy  int64                 `json:"recorded_by"`
	CreatedAt   time.Time             `json:"created_at"`
}

// Validate checks a best-interests record before it is stored.
func (b *BestInterests) Validate() error {
	if err := (lengths{
		{"child_wishes", b.ChildWishes, MaxTextLength},
		{"assessment", b.Assessment, MaxTextLength},
	}).check(); err != nil {
		return err
	}
	if err := checkCount("panel", len(b.Panel)); err != nil {
		return err
	}
	for i, p := range b.Panel {
		if err := checkLength(indexed("panel", i, ""), p, MaxNameLength); err != nil {
			return err
		}
	}
	if strings.TrimSpace(b.Assessment) == "" {
		return FieldErrorf(EINVALID, "assessment", "The assessment is required.")
	}
	if strings.TrimSpace(b.ChildWishes) == "" {
		return FieldErrorf(EINVALID, "child_wishes", "Record the child's expressed wishes (or why they could not be heard).")
	}
	n := 0
	for _, p := range b.Panel {
		if strings.TrimSpace(p) != "" {
			n++
		}
	}
	if n == 0 {
		return FieldErrorf(EINVALID, "panel", "Name at least one member of the panel.")
	}
	if !b.Decision.Valid() {
		return FieldErrorf(EINVALID, "decision", "Choose the decision (return, remain or deferred).")
	}
	if b.DecidedOn.IsZero() {
		return FieldErrorf(EINVALID, "decided_on", "Give the date of the decision.")
	}
	return nil
}
