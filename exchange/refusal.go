package exchange

import (
	"fmt"

	"github.com/homeward-project/homeward"
)

// Reasons a bundle is refused: stable codes to store, count and translate.
// Open gives the first ten and ReasonTooLarge; the last four are for the
// caller, which knows the state of each stream and checks a manifest's
// sequence and previous hash against it.
const (
	ReasonDamaged           = "damaged"                        // altered, truncated, or not an age file
	ReasonNotAddressed      = homeward.RefuseNotAddressed      // not encrypted to us, or not addressed to us
	ReasonTooLarge          = "too_large"                      // the file is larger than Limits.MaxBundle
	ReasonMalformed         = "malformed"                      // the archive inside is not what Seal writes
	ReasonMalformedManifest = homeward.RefuseMalformedManifest // the manifest does not follow its schema
	ReasonUnknownSender     = homeward.RefuseUnknownSender
	ReasonUntrustedSender   = "untrusted_sender" // added, but the fingerprint is not confirmed
	ReasonRetiredSender     = "retired_sender"
	ReasonBadSignature      = "bad_signature"
	ReasonExpired           = "expired"
	ReasonFileHash          = homeward.RefuseFileHash // a payload file missing, extra, or not as the manifest says

	ReasonReplay           = homeward.RefuseReplay           // an older bundle of the stream, seen before
	ReasonGap              = "gap"                           // bundles of the stream are missing before this one
	ReasonSequenceConflict = homeward.RefuseSequenceConflict // another bundle with this sequence was seen
	ReasonPreviousMismatch = homeward.RefusePreviousMismatch // Previous is not the hash of the bundle before
)

// Refusal is why a bundle was refused. Detail is an English sentence safe
// to show a user: it names fields, files and fingerprints, never the
// contents of a file. Manifest is set when the manifest could be read, so
// that a refusal can be reported to the sender and logged by bundle id.
type Refusal struct {
	Reason   string
	Detail   string
	Manifest *Manifest
}

func (r *Refusal) Error() string {
	return fmt.Sprintf("bundle refused (%s): %s", r.Reason, r.Detail)
}

func refuse(reason, format string, args ...any) *Refusal {
	return &Refusal{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// TrustStatus is what the caller knows of a sender. The zero value is
// Unknown, so that a lookup that forgets to set it trusts nobody.
type TrustStatus int

const (
	Unknown   TrustStatus = iota // never added
	Untrusted                    // added, but its fingerprint is not yet confirmed by a person
	Retired                      // trusted once, no longer
	Trusted
)

func (s TrustStatus) String() string {
	switch s {
	case Unknown:
		return "unknown"
	case Untrusted:
		return "untrusted"
	case Retired:
		return "retired"
	case Trusted:
		return "trusted"
	}
	return fmt.Sprintf("TrustStatus(%d)", int(s))
}

// Trust tells Open about the party with a fingerprint: its keys and the
// trust placed in it. An error means the lookup failed (a database down),
// not that the party is unknown: that is status Unknown with a nil error.
type Trust func(fingerprint string) (keys PublicKeys, status TrustStatus, err error)
