package main

import (
	"bufio"
	"context"
	"flag"
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
	db, err := openDB(ctx, filepath.Join(t.TempDir(), "homeward.db"), nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- serveStore(ctx, db, nil, "127.0.0.1:0", pw, nil)
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

func TestServeFlagsReadTrustedProxiesAndSecureCookies(t *testing.T) {
	tests := []struct {
		args    []string
		want    []string
		secure  bool
		wantErr bool
	}{
		{nil, nil, false, false},
		{[]string{"--secure-cookies", "--trusted-proxy", "10.0.0.1, 192.168.0.0/16,::1"}, []string{"10.0.0.1/32", "192.168.0.0/16", "::1/128"}, true, false},
		{[]string{"--trusted-proxy", "proxy.example"}, nil, false, true},
		{[]string{"--session-idle", "0s"}, nil, false, true},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		o := addServeFlags(fs)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		err := o.parse()
		if (err != nil) != tt.wantErr {
			t.Errorf("%v: error %v, want error %v", tt.args, err, tt.wantErr)
			continue
		}
		var got []string
		for _, p := range o.trusted {
			got = append(got, p.String())
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") || o.secureCookies != tt.secure {
			t.Errorf("%v: trusted %v secure %v, want %v %v", tt.args, got, o.secureCookies, tt.want, tt.secure)
		}
	}
}
