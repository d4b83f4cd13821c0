package backup

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
)

// sample is a small backup of two tables, the second empty.
func sample(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	h := &Header{Format: Format, SchemaVersion: 7, Dialect: "sqlite", CreatedAt: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC),
		Tables: []TableDef{{Name: "orgs", Columns: []string{"id", "logo", "name", "created_at"}}, {Name: "users", Columns: []string{"id"}}}}
	w, err := NewWriter(&buf, h)
	if err != nil {
		t.Fatal(err)
	}
	w.StartTable("orgs")
	for i := range 3 {
		if err := w.Row([]any{int64(i + 1), []byte{0, 1, byte(i)}, "Invented Agency", h.CreatedAt}); err != nil {
			t.Fatal(err)
		}
	}
	w.EndTable()
	w.StartTable("users")
	w.EndTable()
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// countingSink accepts whatever it is given and counts what it is given.
type countingSink struct {
	tables []string
	rows   int64
	last   []any
}

func (s *countingSink) Begin(*Header) error { return nil }
func (s *countingSink) StartTable(t *TableDef) error {
	s.tables = append(s.tables, t.Name)
	return nil
}
func (s *countingSink) Row(_ *TableDef, v []any) error {
	s.rows++
	s.last = v
	return nil
}

func TestReadGivesBackWhatWasWritten(t *testing.T) {
	var s countingSink
	m, err := Read(bytes.NewReader(sample(t)), &s)
	if err != nil {
		t.Fatal(err)
	}
	if m.Rows() != 3 || s.rows != 3 || strings.Join(s.tables, ",") != "orgs,users" {
		t.Fatalf("read %d rows of %v, manifest %d rows", s.rows, s.tables, m.Rows())
	}
	if b, ok := s.last[1].([]byte); !ok || !bytes.Equal(b, []byte{0, 1, 2}) {
		t.Errorf("bytes read back as %#v", s.last[1])
	}
	if s.last[3] != "2026-12-04T00:00:00.000000Z" {
		t.Errorf("time read back as %#v", s.last[3])
	}
}

func TestReadRefusesATruncatedStream(t *testing.T) {
	raw := sample(t)
	// The last 1024 bytes are the tar trailer: cut, the stream is still
	// whole (age, around it, catches that cut).
	for _, n := range []int{0, 100, len(raw) / 2, len(raw) - 1536} {
		_, err := Read(bytes.NewReader(raw[:n]), &countingSink{})
		if homeward.ErrorCode(err) != homeward.EINVALID {
			t.Errorf("a stream cut at %d of %d bytes: %v, want EINVALID", n, len(raw), err)
		}
	}
}

// FuzzRead drives the reader of decrypted backups with altered streams:
// it must never panic, refuse with EINVALID only, and what it accepts
// must agree with its own manifest.
func FuzzRead(f *testing.F) {
	raw := sample(f)
	f.Add(raw)
	f.Add(raw[:len(raw)/2])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var s countingSink
		m, err := Read(bytes.NewReader(b), &s)
		if err != nil {
			if homeward.ErrorCode(err) != homeward.EINVALID {
				t.Fatalf("a bad backup gave %v, not EINVALID", err)
			}
			return
		}
		if m.Rows() != s.rows {
			t.Fatalf("accepted a backup whose manifest says %d rows, %d read", m.Rows(), s.rows)
		}
	})
}
