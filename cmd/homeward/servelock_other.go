//go:build !unix

package main

// lockServe does nothing where flock does not exist; there a second server
// on one SQLite file is not refused.
func lockServe(string) (func(), error) { return func() {}, nil }
