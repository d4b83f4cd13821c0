package exchange

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Document is one signed item of a payload: a list, an answer, a message,
// a receipt. Its author signs Kind and Body, so that a mediator who carries
// it, or anyone who stores it on the way, cannot alter it unnoticed.
//
// The signature is Ed25519 over DSSE's pre-authentication encoding of the
// body, with payload type "application/vnd.homeward.<kind>+json". The body
// is signed in canonical form (compact, with <, > and & escaped as
// encoding/json escapes them), because encoding/json rewrites a RawMessage
// into that form whenever the enclosing document is encoded: a body signed
// as written would stop verifying once stored as JSON and read back.
type Document struct {
	Kind      string          `json:"kind"`   // "list", "answers", "message", "receipt", "notice", …
	Author    string          `json:"author"` // the author's fingerprint
	Body      json.RawMessage `json:"body"`
	Signature []byte          `json:"sig"`
}

// ErrBadSignature is wrapped by errors about a signature that does not
// verify or a document that is not signed by the party it is checked against.
var ErrBadSignature = errors.New("exchange: signature does not verify")

// ErrBadDocument is wrapped by errors about a document that cannot be
// signed or verified at all: an invalid kind, a body that is not JSON.
var ErrBadDocument = errors.New("exchange: malformed document")

// SignDocument signs body, which must be JSON, as a document of kind by id.
// The returned document holds the body in canonical form.
func SignDocument(id *Identity, kind string, body []byte) (Document, error) {
	if err := checkKind(kind); err != nil {
		return Document{}, err
	}
	canon, err := canonicalJSON(body)
	if err != nil {
		return Document{}, err
	}
	return Document{
		Kind:      kind,
		Author:    id.fp,
		Body:      canon,
		Signature: id.signPAE(documentType(kind), canon),
	}, nil
}

// Verify checks that d was signed by author and not altered since.
func (d Document) Verify(author PublicKeys) error {
	if err := checkKind(d.Kind); err != nil {
		return err
	}
	if fp := author.Fingerprint(); d.Author != fp {
		return fmt.Errorf("%w: the document names author %s, not %s", ErrBadSignature, d.Author, fp)
	}
	canon, err := canonicalJSON(d.Body)
	if err != nil {
		return err
	}
	if !verifyPAE(author.Signing, documentType(d.Kind), canon, d.Signature) {
		return fmt.Errorf("%w: the %s document was altered or signed by another key", ErrBadSignature, d.Kind)
	}
	return nil
}

func documentType(kind string) string {
	return mediaTypePrefix + kind + mediaTypeSuffix
}

// checkKind keeps kinds to short lower-case tokens, so that the media type
// built from one is well formed, and refuses the manifest's own kind, so
// that no document signature can pass for a bundle's.
func checkKind(kind string) error {
	if kind == "" || len(kind) > 40 {
		return fmt.Errorf("%w: a kind has 1 to 40 characters", ErrBadDocument)
	}
	for i, c := range []byte(kind) {
		if !('a' <= c && c <= 'z' || i > 0 && ('0' <= c && c <= '9' || c == '-')) {
			return fmt.Errorf("%w: kind %q is not a lower-case word (a-z, then a-z, 0-9 or -)", ErrBadDocument, kind)
		}
	}
	if kind == manifestKind {
		return fmt.Errorf("%w: kind %q is reserved for bundle manifests", ErrBadDocument, kind)
	}
	return nil
}

// canonicalJSON is the form encoding/json gives a RawMessage when it
// encodes it: compact, with HTML-sensitive characters escaped. It is a fixed
// point of that encoding, with or without SetEscapeHTML.
func canonicalJSON(b []byte) ([]byte, error) {
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%w: the body is not valid UTF-8", ErrBadDocument)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, b); err != nil {
		return nil, fmt.Errorf("%w: the body is not JSON: %v", ErrBadDocument, err)
	}
	var out bytes.Buffer
	out.Grow(compact.Len())
	json.HTMLEscape(&out, compact.Bytes())
	return out.Bytes(), nil
}
