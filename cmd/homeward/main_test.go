package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMain gives the commands under test a key file of their own, so that
// a command run without --key-file neither reads nor creates one in the
// user's configuration directory.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "homeward-cmd-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("HOMEWARD_KEY_FILE", filepath.Join(dir, "homeward.key"))
	os.Unsetenv("HOMEWARD_KEY")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
