package matching

import (
	"runtime"
	"syscall"
)

// lowerPriority binds the calling goroutine to its OS thread and lowers
// that thread's scheduling priority, so that on a busy machine the kernel
// runs request handlers first and the matcher in the time left over. It
// returns false when the priority could not be lowered.
//
// The thread must never hold the database's write lock: a descheduled
// thread holding it would hold up every page that writes (see
// onNormalThread).
func lowerPriority() bool {
	runtime.LockOSThread()
	// On Linux, PRIO_PROCESS with a thread ID sets that thread's nice value.
	return syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), workerNice) == nil
}
