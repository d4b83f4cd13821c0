// Package e2e holds Homeward's end-to-end tests: they build the real
// homeward binary, start "homeward serve" on a fresh database and drive
// Debian's Chromium through it as a user would.
//
// It holds tests only and must never be imported; the tests must never use
// real people's data (every name is invented) or reach any host but the
// server they started.
package e2e
