package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestServeStorePrintsTheAdministratorServesAndStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db, err := openDB(ctx, filepath.Join(t.TempDir(), "homeward.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- serveStore(ctx, db, nil, "127.0.0.1:0", pw)
		pw.Close()
	}()
	var out []string
	var url string
	sc := bufio.NewScanner(pr)
	for url == "" && sc.Scan() {
		out = append(out, sc.Text())
		if m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(sc.Text()); m != nil {
			url = m[1]
		}
	}
	go io.Copy(io.Discard, pr)
	text := strings.Join(out, "\n")
	if !strings.Contains(text, "login:    admin") || !regexp.MustCompile(`password: \S{10,}`).MatchString(text) {
		t.Errorf("no one-time administrator password printed:\n%s", text)
	}
	resp, err := http.Get(url + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /login: status %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serveStore after cancel: %v", err)
	}
}
