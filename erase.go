package homeward

// Erasure reasons. The reason is stored in the erase event, which stays
// readable after the record's key is destroyed: so it is a code from this
// list, never free text, which could carry the very names being erased.
const (
	// EraseDataSubjectRequest: the person the record is about (a child come
	// of age, a parent) asked for their data to be erased.
	EraseDataSubjectRequest = "data_subject_request"
	// EraseDuplicate: the record duplicates another one, which is kept.
	EraseDuplicate = "duplicate"
	// EraseRetention: the record outlived the period it may be kept for.
	EraseRetention = "retention"
)

// EraseReasons lists every erasure reason.
var EraseReasons = []string{EraseDataSubjectRequest, EraseDuplicate, EraseRetention}

// ValidateEraseReason returns a FieldError naming "reason" unless reason is
// one of EraseReasons.
func ValidateEraseReason(reason string) error {
	for _, r := range EraseReasons {
		if reason == r {
			return nil
		}
	}
	if reason == "" {
		return FieldErrorf(EINVALID, "reason", "A reason for the erasure is required.")
	}
	return FieldErrorf(EINVALID, "reason", "The reason for an erasure must be one of data_subject_request, duplicate or retention.")
}
