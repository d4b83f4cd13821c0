//go:build unix

package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
)

func TestASecondServerOnOneSQLiteFileIsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "homeward.db")
	release, err := lockServe(db)
	if err != nil {
		t.Fatalf("first server: %v", err)
	}
	// flock locks belong to an open file, so a second open in this process
	// meets the first as a second server would.
	_, err = lockServe(db)
	if homeward.ErrorCode(err) != homeward.ECONFLICT || !strings.Contains(homeward.ErrorMessage(err), db) || !strings.Contains(homeward.ErrorMessage(err), "process ") {
		t.Fatalf("second server: %v; want a conflict naming the file and the process", err)
	}
	release()
	again, err := lockServe(db)
	if err != nil {
		t.Fatalf("after the first stopped: %v", err)
	}
	again()
	if _, err := lockServe(filepath.Join(t.TempDir(), "other.db")); err != nil {
		t.Fatalf("another file: %v", err)
	}
}
