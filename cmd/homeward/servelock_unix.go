//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/homeward-project/homeward"
)

// lockServe takes the lock that lets one "homeward serve" run on a SQLite
// file. Two servers on one file would each match every write and each
// keep its own sessions and throttles; commands (import, audit, backup)
// take no lock and run beside the server. The lock is an flock on a file
// beside the database, held until release: the kernel drops it when the
// process dies, so a crashed server never leaves a stale lock.
func lockServe(dbPath string) (release func(), err error) {
	path := dbPath + ".serve.lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the server lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		pid := "another process"
		if b, rerr := os.ReadFile(path); rerr == nil && strings.TrimSpace(string(b)) != "" {
			pid = "process " + strings.TrimSpace(string(b))
		}
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, homeward.Errorf(homeward.ECONFLICT, "Another “homeward serve” (%s) is running on %s: a SQLite database is served by one process. Stop it first, or run several servers on PostgreSQL.", pid, dbPath)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// The process that holds it, for the message a second server prints.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
