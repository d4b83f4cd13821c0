// Package exchange is the low-level format by which Homeward installations
// send each other return lists, answers, messages and receipts through a
// mediator: party keys and their fingerprints (keys.go), party cards that a
// person can mail or paste (card.go), documents signed end to end by their
// author so that whoever carries them cannot alter them (document.go), and
// bundles, the .hwb files that carry documents from one hop to the next
// (manifest.go, archive.go, bundle.go); and the bundle service
// (service.go), which holds this installation's keys, makes bundles of what
// the store's ledger has waiting and opens arriving ones into it.
//
// A bundle is an age file (https://age-encryption.org/v1) encrypted to the
// next hop and to the sender's own archive key. Inside is a deterministic
// tar archive: manifest.json, its Ed25519 signature manifest.sig, and the
// payload files under payload/. Signatures use the pre-authentication
// encoding of DSSE (https://github.com/secure-systems-lab/dsse, protocol.md)
// with a media type per kind of content, so that a signature made for one
// purpose is never valid for another. Open checks everything a bundle can
// prove on its own and refuses with a *Refusal that names its reason; the
// checks that need the state of a stream (sequence, replay, gap, previous
// hash) are left to the caller, which holds that state.
//
// The format must never store, log or send anything itself: it reads and
// writes the streams it is handed and keeps no state. The service stores
// only through the homeward.BundleLedger it is given, in one transaction per
// bundle, and logs IDs, counts and reasons, never a document's content. It must never accept an unsigned
// or unverifiable manifest, nor return the payload of a bundle it refused.
// It must never read more than the limits it is given, whatever a bundle
// claims. It must never use any key scheme but Ed25519 for signatures and
// age X25519 for encryption: no passphrases, no SSH keys, no plugins. Its
// errors and refusals must never quote the contents of a payload file.
package exchange
