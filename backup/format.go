// Package backup is Homeward's backup format: a tar stream of a header,
// each table's rows as JSON lines, and a manifest of row counts and
// hashes. It reads and writes the clear stream only; it must never touch
// a database (store does) nor write anything to disk (the caller encrypts
// the stream with age before it reaches a file).
package backup

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
)

// Format is the version of the backup format written and read here.
// The format is a tar stream: a header (format, schema version, dialect,
// tables and their columns), then each table's rows as JSON lines in
// entries of about a megabyte, then a manifest with each table's row count
// and the SHA-256 of its lines. Rows are portable values (times as text,
// bytes tagged), so a backup of one dialect restores into the other.
// Encryption is the caller's: this stream is clear text.
const Format = 1

const (
	headerName   = "homeward-backup.json"
	manifestName = "manifest.json"
	// chunkSize is the size at which a table's lines are cut into a new
	// tar entry: a tar entry's size comes first, so lines are held in
	// memory until then, and a large table must not be.
	chunkSize = 1 << 20
	// maxMeta bounds the header and the manifest a reader accepts.
	maxMeta = 4 << 20
	// maxLine bounds one row: attachments are the largest.
	maxLine = 64 << 20
)

// TimeLayout is how times are written: the layout SQLite stores them in,
// fixed-width and in UTC, which PostgreSQL parses as a timestamp.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// Header opens a backup.
type Header struct {
	Format        int        `json:"format"`
	SchemaVersion int        `json:"schema_version"`
	Dialect       string     `json:"dialect"`
	CreatedAt     time.Time  `json:"created_at"`
	Tables        []TableDef `json:"tables"`
}

// TableDef is a table and its columns, in the order of each row.
type TableDef struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
}

// Manifest closes a backup: what a restore checks before it commits.
type Manifest struct {
	Format        int        `json:"format"`
	SchemaVersion int        `json:"schema_version"`
	Dialect       string     `json:"dialect"`
	Tables        []TableSum `json:"tables"`
}

// TableSum is one table's row count and the SHA-256 of its lines.
type TableSum struct {
	Name   string `json:"name"`
	Rows   int64  `json:"rows"`
	SHA256 string `json:"sha256"`
}

// Rows returns the number of rows in every table.
func (m *Manifest) Rows() int64 {
	var n int64
	for _, t := range m.Tables {
		n += t.Rows
	}
	return n
}

// Writer writes the tar stream: NewWriter, then StartTable, Row and
// EndTable for each table of the header in its order, then Close.
type Writer struct {
	tw       *tar.Writer
	at       time.Time
	buf      bytes.Buffer
	table    string
	chunk    int
	rows     int64
	h        hash.Hash
	manifest Manifest
}

func NewWriter(w io.Writer, h *Header) (*Writer, error) {
	bw := &Writer{tw: tar.NewWriter(w), at: h.CreatedAt,
		manifest: Manifest{Format: h.Format, SchemaVersion: h.SchemaVersion, Dialect: h.Dialect}}
	b, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	return bw, bw.entry(headerName, b)
}

func (w *Writer) entry(name string, b []byte) error {
	if err := w.tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(b)), ModTime: w.at, Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	if _, err := w.tw.Write(b); err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	return nil
}

func (w *Writer) StartTable(name string) {
	w.table, w.chunk, w.rows, w.h = name, 0, 0, sha256.New()
}

// row writes one row of the current table: its values, encoded portably.
func (w *Writer) Row(values []any) error {
	enc := make([]any, len(values))
	for i, v := range values {
		switch x := v.(type) {
		case time.Time:
			enc[i] = x.UTC().Format(TimeLayout)
		case []byte:
			// Tagged, so that a text value that looks like base64 is never
			// decoded, whatever the column's type.
			enc[i] = map[string]string{"b64": base64.StdEncoding.EncodeToString(x)}
		default:
			enc[i] = v
		}
	}
	line, err := json.Marshal(enc)
	if err != nil {
		return fmt.Errorf("encode a row of %s: %w", w.table, err)
	}
	line = append(line, '\n')
	w.h.Write(line)
	w.buf.Write(line)
	w.rows++
	if w.buf.Len() >= chunkSize {
		return w.flush()
	}
	return nil
}

func (w *Writer) flush() error {
	if w.buf.Len() == 0 {
		return nil
	}
	w.chunk++
	err := w.entry(fmt.Sprintf("tables/%s/%06d.jsonl", w.table, w.chunk), w.buf.Bytes())
	w.buf.Reset()
	return err
}

func (w *Writer) EndTable() error {
	if err := w.flush(); err != nil {
		return err
	}
	w.manifest.Tables = append(w.manifest.Tables, TableSum{Name: w.table, Rows: w.rows, SHA256: hex.EncodeToString(w.h.Sum(nil))})
	return nil
}

func (w *Writer) Close() (*Manifest, error) {
	b, err := json.Marshal(&w.manifest)
	if err != nil {
		return nil, err
	}
	if err := w.entry(manifestName, b); err != nil {
		return nil, err
	}
	if err := w.tw.Close(); err != nil {
		return nil, fmt.Errorf("write backup: %w", err)
	}
	return &w.manifest, nil
}

// Sink receives what Read reads, in order: the header, then
// each table of the header in turn (startTable, even for a table without
// rows) and its rows. An error from it stops the reading.
type Sink interface {
	Begin(h *Header) error
	StartTable(t *TableDef) error
	Row(t *TableDef, values []any) error
}

// identifier is the form of every table and column name a backup may
// name: they are put into SQL, so nothing else gets through.
var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

func damaged(format string, args ...any) error {
	return homeward.Errorf(homeward.EINVALID, "The backup is damaged: "+format+".", args...)
}

// Read reads a backup's clear stream, giving its rows to sink, and
// returns the manifest once every table's row count and hash agree with
// it. The stream is outside input (a file handed over, perhaps altered):
// every size is bounded and every name checked.
func Read(r io.Reader, sink Sink) (*Manifest, error) {
	tr := tar.NewReader(r)
	next := func() (*tar.Header, error) {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil, damaged("it ends before its manifest")
		} else if err != nil {
			return nil, damaged("%v", err)
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil, damaged("entry %q is not a file", hdr.Name)
		}
		// A sparse entry reads as zeros it does not hold: a few bytes
		// could make the reader scan gigabytes.
		for k := range hdr.PAXRecords {
			if strings.HasPrefix(k, "GNU.sparse.") {
				return nil, damaged("entry %q is a sparse file", hdr.Name)
			}
		}
		if hdr.Size > chunkSize+maxLine {
			return nil, damaged("entry %q is larger than any this format writes", hdr.Name)
		}
		return hdr, nil
	}
	hdr, err := next()
	if err != nil {
		return nil, err
	}
	if hdr.Name != headerName {
		return nil, homeward.Errorf(homeward.EINVALID, "This is not a Homeward backup: it starts with %q.", hdr.Name)
	}
	var h Header
	if err := readMeta(tr, hdr, &h); err != nil {
		return nil, err
	}
	if h.Format != Format {
		return nil, homeward.Errorf(homeward.EINVALID, "The backup is in format %d; this homeward reads format %d.", h.Format, Format)
	}
	seen := map[string]bool{}
	for _, t := range h.Tables {
		if !identifier.MatchString(t.Name) || seen[t.Name] {
			return nil, damaged("its header names the table %q twice or in a form no table has", t.Name)
		}
		seen[t.Name] = true
		cols := map[string]bool{}
		for _, c := range t.Columns {
			if !identifier.MatchString(c) || cols[c] {
				return nil, damaged("its header names the column %q of %s twice or in a form no column has", c, t.Name)
			}
			cols[c] = true
		}
		if len(t.Columns) == 0 {
			return nil, damaged("its header gives the table %s no columns", t.Name)
		}
	}
	if err := sink.Begin(&h); err != nil {
		return nil, err
	}
	type sum struct {
		rows int64
		h    hash.Hash
	}
	sums := make([]sum, len(h.Tables))
	cur, chunk := -1, 0
	// advance starts the tables up to i, so that tables without rows are
	// started too.
	advance := func(i int) error {
		for cur < i {
			cur++
			chunk = 0
			sums[cur] = sum{h: sha256.New()}
			if err := sink.StartTable(&h.Tables[cur]); err != nil {
				return err
			}
		}
		return nil
	}
	for {
		hdr, err := next()
		if err != nil {
			return nil, err
		}
		if hdr.Name == manifestName {
			break
		}
		rest, ok := strings.CutPrefix(hdr.Name, "tables/")
		name, seq, ok2 := strings.Cut(rest, "/")
		n, err := strconv.Atoi(strings.TrimSuffix(seq, ".jsonl"))
		if !ok || !ok2 || err != nil || !strings.HasSuffix(seq, ".jsonl") {
			return nil, damaged("it holds an unknown entry %q", hdr.Name)
		}
		i := cur
		for i < len(h.Tables) && (i < 0 || h.Tables[i].Name != name) {
			i++
		}
		if i == len(h.Tables) {
			return nil, damaged("entry %q is out of the header's order", hdr.Name)
		}
		if err := advance(i); err != nil {
			return nil, err
		}
		if chunk++; n != chunk {
			return nil, damaged("entry %q is out of order (part %d expected)", hdr.Name, chunk)
		}
		t := &h.Tables[cur]
		s := &sums[cur]
		sc := bufio.NewScanner(tr)
		sc.Buffer(make([]byte, 0, 64<<10), maxLine)
		for sc.Scan() {
			line := sc.Bytes()
			s.h.Write(line)
			s.h.Write([]byte{'\n'})
			s.rows++
			values, err := decodeRow(line, len(t.Columns))
			if err != nil {
				return nil, damaged("row %d of %s: %v", s.rows, t.Name, err)
			}
			if err := sink.Row(t, values); err != nil {
				return nil, err
			}
		}
		if err := sc.Err(); err != nil {
			return nil, damaged("table %s: %v", t.Name, err)
		}
	}
	var m Manifest
	if err := readMeta(tr, hdr, &m); err != nil {
		return nil, err
	}
	if err := advance(len(h.Tables) - 1); err != nil {
		return nil, err
	}
	if _, err := tr.Next(); err != io.EOF {
		return nil, damaged("it goes on after its manifest")
	}
	if m.Format != h.Format || m.SchemaVersion != h.SchemaVersion || m.Dialect != h.Dialect || len(m.Tables) != len(h.Tables) {
		return nil, damaged("its manifest does not describe the tables its header lists")
	}
	for i, t := range m.Tables {
		if t.Name != h.Tables[i].Name {
			return nil, damaged("its manifest lists %q where the header has %s", t.Name, h.Tables[i].Name)
		}
		if t.Rows != sums[i].rows {
			return nil, damaged("table %s holds %d rows, its manifest says %d", t.Name, sums[i].rows, t.Rows)
		}
		if got := hex.EncodeToString(sums[i].h.Sum(nil)); got != t.SHA256 {
			return nil, damaged("table %s does not have the SHA-256 its manifest gives", t.Name)
		}
	}
	return &m, nil
}

func readMeta(r io.Reader, hdr *tar.Header, v any) error {
	if hdr.Size > maxMeta {
		return damaged("its %s is too large", hdr.Name)
	}
	b, err := io.ReadAll(io.LimitReader(r, maxMeta))
	if err != nil {
		return damaged("%s: %v", hdr.Name, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return damaged("%s: %v", hdr.Name, err)
	}
	return nil
}

// decodeRow decodes one line: a JSON array of n values, each null, a
// number (kept exact as json.Number), a string, a boolean, or bytes
// tagged {"b64": ...}.
func decodeRow(line []byte, n int) ([]any, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var raw []any
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("more than one value on the line")
	}
	if len(raw) != n {
		return nil, fmt.Errorf("%d values for %d columns", len(raw), n)
	}
	for i, v := range raw {
		switch x := v.(type) {
		case nil, json.Number, string, bool:
		case map[string]any:
			s, ok := x["b64"].(string)
			if !ok || len(x) != 1 {
				return nil, fmt.Errorf("value %d is an object that is not bytes", i+1)
			}
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return nil, fmt.Errorf("value %d: %v", i+1, err)
			}
			raw[i] = b
		default:
			return nil, fmt.Errorf("value %d is of no column type", i+1)
		}
	}
	return raw, nil
}
