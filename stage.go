package homeward

// Stage is where a case stands in the workflow from report to follow-up.
// The order is DESIGN.md's; closed is reachable from anywhere with a reason,
// and reopened sends a case back to tracing.
type Stage string

const (
	StageRegistered Stage = "registered"
	StageTracing    Stage = "tracing"
	StageLocated    Stage = "located"
	StageVerified   Stage = "verified"
	StageListed     Stage = "listed"
	StageAgreed     Stage = "agreed"
	StageHandedOver Stage = "handed_over"
	StageReunified  Stage = "reunified"
	StageMonitoring Stage = "monitoring"
	StageClosed     Stage = "closed"
	StageReopened   Stage = "reopened"
)

// Stages lists every stage in workflow order.
var Stages = []Stage{
	StageRegistered, StageTracing, StageLocated, StageVerified, StageListed, StageAgreed,
	StageHandedOver, StageReunified, StageMonitoring, StageClosed, StageReopened,
}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool {
	for _, v := range Stages {
		if s == v {
			return true
		}
	}
	return false
}

// CloseReason says why a case was closed.
type CloseReason string

const (
	CloseReunified          CloseReason = "reunified"
	CloseReunifiedElsewhere CloseReason = "reunified_elsewhere"
	CloseDuplicate          CloseReason = "duplicate"
	CloseWithdrawn          CloseReason = "withdrawn"
	CloseReachedAdulthood   CloseReason = "reached_adulthood"
	CloseDeceased           CloseReason = "deceased"
	CloseNotFound           CloseReason = "not_found"
)

// CloseReasons lists every close reason.
var CloseReasons = []CloseReason{
	CloseReunified, CloseReunifiedElsewhere, CloseDuplicate, CloseWithdrawn,
	CloseReachedAdulthood, CloseDeceased, CloseNotFound,
}

// Valid reports whether r is a known close reason.
func (r CloseReason) Valid() bool {
	for _, v := range CloseReasons {
		if r == v {
			return true
		}
	}
	return false
}
