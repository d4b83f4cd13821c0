//go:build !linux

package matching

// lowerPriority is a no-op where threads have no nice value of their own.
func lowerPriority() bool { return false }
