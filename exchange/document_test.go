package exchange

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

func TestDocumentSignVerify(t *testing.T) {
	author := testIdentity(t, 0)
	body := []byte(`{ "ref": "L1-0001",
		"answer": "with-relative", "note": "<b>Kharkiv</b> & Kyiv \u2028" }`)
	d, err := SignDocument(author, "answers", body)
	if err != nil {
		t.Fatal(err)
	}
	if d.Author != author.fp {
		t.Errorf("author %s, want %s", d.Author, author.fp)
	}
	if err := d.Verify(author.Public()); err != nil {
		t.Fatal(err)
	}
	// A document stored as JSON, pretty-printed or not, and read back still
	// verifies: encoding/json rewrites a RawMessage, and the body is signed
	// in the form it rewrites it to.
	for name, encode := range map[string]func(any) ([]byte, error){
		"compact":  json.Marshal,
		"indented": func(v any) ([]byte, error) { return json.MarshalIndent(v, "", "  ") },
		"no HTML escaping": func(v any) ([]byte, error) {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			err := enc.Encode(v)
			return b.Bytes(), err
		},
	} {
		b, err := encode(d)
		if err != nil {
			t.Fatal(err)
		}
		var back Document
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if err := back.Verify(author.Public()); err != nil {
			t.Errorf("%s JSON: %v", name, err)
		}
	}
}

func TestDocumentVerifyDetectsTampering(t *testing.T) {
	author, other := testIdentity(t, 0), testIdentity(t, 1)
	d, err := SignDocument(author, "answers", []byte(`{"ref":"L1-0001","answer":"no-record"}`))
	if err != nil {
		t.Fatal(err)
	}
	forged, err := SignDocument(other, "answers", []byte(`{"ref":"L1-0001","answer":"return-agreed"}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(*Document)
		keys PublicKeys
		want error
	}{
		{"body altered", func(d *Document) { d.Body = []byte(`{"ref":"L1-0001","answer":"return-agreed"}`) }, author.Public(), ErrBadSignature},
		{"kind altered", func(d *Document) { d.Kind = "notice" }, author.Public(), ErrBadSignature},
		{"signature altered", func(d *Document) { d.Signature = bytes.Clone(d.Signature); d.Signature[0] ^= 1 }, author.Public(), ErrBadSignature},
		{"signature cut", func(d *Document) { d.Signature = d.Signature[:63] }, author.Public(), ErrBadSignature},
		{"no signature", func(d *Document) { d.Signature = nil }, author.Public(), ErrBadSignature},
		{"other author's keys", func(*Document) {}, other.Public(), ErrBadSignature},
		{"author claimed, signed by another", func(d *Document) { d.Body, d.Signature = forged.Body, forged.Signature }, author.Public(), ErrBadSignature},
		{"body not JSON", func(d *Document) { d.Body = []byte(`{"ref":`) }, author.Public(), ErrBadDocument},
		{"kind of the manifest", func(d *Document) { d.Kind = manifestKind }, author.Public(), ErrBadDocument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := d
			tt.edit(&d)
			if err := d.Verify(tt.keys); !errors.Is(err, tt.want) {
				t.Fatalf("Verify: %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSignDocumentRefuses(t *testing.T) {
	id := testIdentity(t, 0)
	tests := []struct {
		name, kind string
		body       []byte
	}{
		{"empty kind", "", []byte(`{}`)},
		{"kind with a capital", "List", []byte(`{}`)},
		{"kind with a plus", "list+json", []byte(`{}`)},
		{"kind beginning with a digit", "1list", []byte(`{}`)},
		{"kind of the manifest", manifestKind, []byte(`{}`)},
		{"body not JSON", "list", []byte(`{"a":`)},
		{"body empty", "list", nil},
		{"body two values", "list", []byte(`{} {}`)},
		{"body not UTF-8", "list", []byte("\"\xff\"")},
	}
	for _, tt := range tests {
		if _, err := SignDocument(id, tt.kind, tt.body); !errors.Is(err, ErrBadDocument) {
			t.Errorf("%s: SignDocument: %v, want ErrBadDocument", tt.name, err)
		}
	}
}

func TestPAEIsDSSE(t *testing.T) {
	// The example of DSSE's protocol.md.
	got := pae("http://example.com/HelloWorld", []byte("hello world"))
	if want := "DSSEv1 29 http://example.com/HelloWorld 11 hello world"; string(got) != want {
		t.Errorf("pae = %q, want %q", got, want)
	}
}
