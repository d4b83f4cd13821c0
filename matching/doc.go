// Package matching runs the linkage engine inside the server: it keeps, per
// organisation, an in-memory index of the cases it owns and of the located
// records it may see, keeps them current as records are created, edited,
// imported or shared (through decorators of the case and located services),
// matches every new or changed record in the background, and saves the
// candidates with their field-by-field explanation through the match
// service, which keeps people's decisions.
//
// It must never decide a match, never match across what an organisation may
// see (its own cases against the located records it owns or that are shared
// with it), never write to the database except through the match service,
// and never log names or any other personal data: logs carry IDs and counts.
package matching
