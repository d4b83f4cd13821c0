//go:build unix

package store

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestSQLiteFilesAreReadableByTheirOwnerOnly(t *testing.T) {
	// A umask of 0 would let SQLite create its files 0666: the mode must
	// not depend on it.
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	stale := filepath.Join(dir, "stale.db")
	if err := os.WriteFile(stale, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{filepath.Join(dir, "new.db"), stale} {
		db, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		newWorld(t, db) // writes, so that the WAL and shared memory exist
		for _, f := range []string{path, path + "-wal", path + "-shm"} {
			fi, err := os.Stat(f)
			if err != nil {
				t.Fatalf("%s: %v", filepath.Base(f), err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %v, want 0600", filepath.Base(f), fi.Mode().Perm())
			}
		}
		db.Close()
	}
}
