// Package linkage is Homeward's record-linkage engine: a Fellegi–Sunter model
// of comparisons and levels with m and u probabilities, blocking rules,
// training (u from random pairs, m and the prior by expectation-maximisation),
// scoring with a per-comparison explanation, clustering, one-to-one
// assignment, sibling evidence (a sibling's match shows two families are
// one, which stands in for the comparisons siblings share; against a pair
// when a sibling matches the same record better), competition between
// candidates that are different people, estimated ages, and an in-memory
// index for single queries.
//
// It is a library a stranger could use: it imports only the standard library
// and the names package. It must never store, log or send the records it is
// given, read files or the environment by itself, or decide a match on its
// own: it proposes candidates with evidence, and people decide.
package linkage
