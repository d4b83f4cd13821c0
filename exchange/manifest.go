package exchange

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// FormatV1 is the only manifest format this package reads and writes.
const FormatV1 = "homeward-bundle/1"

// Manifest is the signed description of a bundle: who sends it to whom on
// which channel, where it stands in the sender's stream, which bundles it
// acknowledges, until when it is valid, and the hash of every payload file.
type Manifest struct {
	Format     string      `json:"format"`    // FormatV1; set by Seal
	BundleID   string      `json:"bundle_id"` // random; set by Seal when empty
	Channel    ChannelRef  `json:"channel"`
	Sender     string      `json:"sender"` // fingerprint; set by Seal from the identity
	SenderName string      `json:"sender_name,omitempty"`
	To         string      `json:"to"`         // fingerprint of the next hop
	Recipients []string    `json:"recipients"` // fingerprints of all who can decrypt: To and the sender's archive
	Sequence   int64       `json:"sequence"`   // per sender, channel and To; 1 for the first
	Previous   string      `json:"previous,omitempty"`
	Acks       []Ack       `json:"acks,omitempty"`
	CreatedAt  time.Time   `json:"created_at"`
	ExpiresAt  time.Time   `json:"expires_at"`
	Files      []FileEntry `json:"files"` // set by Seal, sorted by name
}

// ChannelRef names the channel a bundle belongs to and its three parties
// by fingerprint.
type ChannelRef struct {
	UID         string `json:"uid"`
	Name        string `json:"name,omitempty"`
	Origin      string `json:"origin"`
	Mediator    string `json:"mediator"`
	Counterpart string `json:"counterpart"`
}

// Ack acknowledges a bundle received from another party.
type Ack struct {
	BundleID string `json:"bundle_id"`
	Sender   string `json:"sender"`
	Sequence int64  `json:"sequence"`
	Hash     string `json:"hash"` // the acknowledged bundle's ManifestHash
}

// FileEntry describes one payload file: SHA256 is lower-case hex.
type FileEntry struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// File is a payload file to seal. Name is a relative path of segments of
// letters, digits, '.', '_' and '-', each beginning with a letter or digit
// ("answers.json", "photos/3f2a.jpg"), at most 200 bytes.
type File struct {
	Name string
	Data []byte
}

// ManifestHash is the hex SHA-256 of a manifest's bytes as signed: the
// bundle's identity for previous links, acknowledgements and duplicates.
func ManifestHash(manifestJSON []byte) string {
	h := sha256.Sum256(manifestJSON)
	return hex.EncodeToString(h[:])
}

// encodeManifest is the one encoding of a manifest. encoding/json writes
// struct fields in declaration order and nothing else varies, so the same
// manifest always gives the same bytes and the same hash.
func encodeManifest(m *Manifest) ([]byte, error) {
	return json.Marshal(m)
}

// decodeManifest reads a manifest strictly: the bytes must be exactly the
// encoding Seal writes. Besides unknown fields, that refuses repeated keys,
// keys in another case and reordered fields, which encoding/json would
// otherwise accept, so that no two readers can see two different manifests
// under one signature. It returns the manifest when the JSON could be read,
// even if a field is invalid, for the refusal to carry.
func decodeManifest(b []byte) (*Manifest, error) {
	var probe struct {
		Format *string `json:"format"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, errors.New("the manifest is not a JSON object")
	}
	if probe.Format == nil {
		return nil, errors.New("the manifest has no format")
	}
	if *probe.Format != FormatV1 {
		return nil, fmt.Errorf("the manifest's format %q is not one this version of Homeward reads (%s)", truncate(*probe.Format, 40), FormatV1)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	m := new(Manifest)
	if err := dec.Decode(m); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return nil, fmt.Errorf("the manifest's %s is not a %s", typeErr.Field, jsonKind(typeErr.Type.Kind()))
		}
		return nil, fmt.Errorf("the manifest does not follow its schema: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("the manifest has data after its end")
	}
	if err := validateManifest(m); err != nil {
		return m, err
	}
	if canon, err := encodeManifest(m); err != nil || !bytes.Equal(canon, b) {
		return m, errors.New("the manifest is not in canonical form (repeated or reordered keys, keys in another case, or added spaces)")
	}
	m.CreatedAt = m.CreatedAt.UTC()
	m.ExpiresAt = m.ExpiresAt.UTC()
	return m, nil
}

// jsonKind names a JSON type for a person.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "string"
	case reflect.Int64, reflect.Int:
		return "whole number"
	case reflect.Slice:
		return "list"
	case reflect.Struct:
		return "JSON object"
	}
	return k.String()
}

// validateManifest checks every field's form; what the fields mean for a
// stream is the caller's to check.
func validateManifest(m *Manifest) error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	fp := func(field, v string) {
		switch {
		case v == "":
			bad("%s is missing", field)
		case !isFingerprint(v):
			bad("%s is not a fingerprint", field)
		}
	}
	if m.Format != FormatV1 {
		bad("format is not %s", FormatV1)
	}
	if !isToken(m.BundleID) {
		bad("bundle_id is missing or not a word of letters, digits, '.', '_' or '-' (at most 64)")
	}
	if m.Channel.UID == "" {
		bad("channel.uid is missing")
	} else if !isText(m.Channel.UID, 128) {
		bad("channel.uid is longer than 128 bytes or has control characters")
	}
	if !isText(m.Channel.Name, 400) {
		bad("channel.name is longer than 400 bytes or has control characters")
	}
	fp("channel.origin", m.Channel.Origin)
	fp("channel.mediator", m.Channel.Mediator)
	fp("channel.counterpart", m.Channel.Counterpart)
	fp("sender", m.Sender)
	if !isText(m.SenderName, 400) {
		bad("sender_name is longer than 400 bytes or has control characters")
	}
	fp("to", m.To)
	switch {
	case len(m.Recipients) == 0:
		bad("recipients is missing")
	case len(m.Recipients) > maxRecipients:
		bad("recipients has %d fingerprints, at most %d", len(m.Recipients), maxRecipients)
	}
	seen := map[string]bool{}
	for i, r := range m.Recipients {
		fp(fmt.Sprintf("recipients[%d]", i), r)
		if seen[r] {
			bad("recipients[%d] repeats a recipient", i)
		}
		seen[r] = true
	}
	if m.To != "" && len(m.Recipients) > 0 && !seen[m.To] {
		bad("recipients does not include to")
	}
	// Sequence 0 is a bundle outside the stream (receipts only, which the
	// caller checks): it can go astray without leaving a gap.
	if m.Sequence < 0 || m.Sequence == 0 && m.Previous != "" {
		bad("sequence is below 0, or 0 with a previous bundle")
	}
	if m.Previous != "" && !isHash(m.Previous) {
		bad("previous is not a manifest hash")
	}
	for i, a := range m.Acks {
		if !isToken(a.BundleID) {
			bad("acks[%d].bundle_id is missing or invalid", i)
		}
		fp(fmt.Sprintf("acks[%d].sender", i), a.Sender)
		if a.Sequence < 1 {
			bad("acks[%d].sequence is missing or below 1", i)
		}
		if !isHash(a.Hash) {
			bad("acks[%d].hash is not a manifest hash", i)
		}
	}
	timeField := func(field string, t time.Time) {
		if _, off := t.Zone(); t.IsZero() {
			bad("%s is missing", field)
		} else if off != 0 {
			bad("%s is not in UTC", field)
		}
	}
	timeField("created_at", m.CreatedAt)
	timeField("expires_at", m.ExpiresAt)
	if !m.CreatedAt.IsZero() && !m.ExpiresAt.After(m.CreatedAt) {
		bad("expires_at is not after created_at")
	}
	for i, f := range m.Files {
		if err := checkFileName(f.Name); err != nil {
			bad("files[%d]: %v", i, err)
		} else if i > 0 && f.Name <= m.Files[i-1].Name {
			bad("files[%d] (%s) is out of order or repeated", i, f.Name)
		}
		if f.Size < 0 {
			bad("files[%d].size is negative", i)
		}
		if !isHash(f.SHA256) {
			bad("files[%d].sha256 is not a SHA-256 in lower-case hex", i)
		}
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errors.New("the manifest's " + errs[0])
	}
	return fmt.Errorf("the manifest's %s (and %d more problems)", errs[0], len(errs)-1)
}

// maxRecipients bounds the recipients of one bundle; Seal writes two.
const maxRecipients = 16

const maxFileName = 200

// checkFileName keeps payload names to plain relative paths, so that no
// name can climb out of a directory it is extracted to, hide as a dot
// file, or mean different things on different systems.
func checkFileName(name string) error {
	if name == "" {
		return errors.New("a file name is empty")
	}
	if len(name) > maxFileName {
		return fmt.Errorf("a file name is longer than %d bytes", maxFileName)
	}
	for seg := range strings.SplitSeq(name, "/") {
		if seg == "" {
			return fmt.Errorf("file name %q has an empty segment", name)
		}
		if !isAlnum(seg[0]) {
			return fmt.Errorf("file name %q has a segment that does not begin with a letter or digit", name)
		}
		for i := 0; i < len(seg); i++ {
			if c := seg[i]; !isAlnum(c) && c != '.' && c != '_' && c != '-' {
				return fmt.Errorf("file name %q has a character other than letters, digits, '.', '_' and '-'", truncate(name, 60))
			}
		}
	}
	return nil
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isToken(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func isHash(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func isText(s string, max int) bool {
	return len(s) <= max && utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}
