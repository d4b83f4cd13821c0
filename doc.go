// Package homeward holds the domain of Homeward, a system for tracing children
// separated from their families by war and bringing them home: cases (reports of
// a missing child), located records (a child known to be somewhere), organisations,
// users and their roles, the case workflow, the event log, and the error vocabulary.
//
// It imports only the standard library. Storage, HTTP and the matching engines live
// in their own packages and implement or consume the interfaces declared here.
package homeward
