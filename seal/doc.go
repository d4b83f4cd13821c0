// Package seal is Homeward's authenticated encryption at rest: envelopes
// that carry the id of the key they were sealed under, keys kept in a key
// file or derived from a passphrase, and the check that a key is the right
// one before anything is trusted to it.
//
// Envelopes are XChaCha20-Poly1305 (golang.org/x/crypto) with a random
// 192-bit nonce, so that keys never run out of nonces; associated data binds
// an envelope to where it is stored, so that one cannot be moved to another
// place and opened there.
//
// It must never write a key or a plaintext anywhere but where its caller
// asks (no logs, no temporary files), never fall back to an unauthenticated
// mode, and never accept a key file that others may read.
package seal
