package exchange

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Card is the public, shareable text of a party, to be sent as a file or
// pasted into a form. The fingerprint line is there for the person reading
// it; ParseCard recomputes it and refuses a card whose line disagrees.
type Card struct {
	Name string
	Kind string // free text: "mediator", "counterpart", "agency"
	Keys PublicKeys
}

const (
	cardBegin    = "-----BEGIN HOMEWARD PARTY-----"
	cardEnd      = "-----END HOMEWARD PARTY-----"
	signingAlg   = "ed25519:"
	maxCardBytes = 16 << 10
	maxCardName  = 200 // characters
	maxCardKind  = 64  // characters
)

// Marshal renders the card. Line breaks and other control characters in
// Name and Kind become spaces, so that the card always parses back.
func (c Card) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(cardBegin + "\n")
	b.WriteString("name: " + oneLine(c.Name) + "\n")
	b.WriteString("kind: " + oneLine(c.Kind) + "\n")
	b.WriteString("signing: " + signingAlg + c.Keys.SigningBase64() + "\n")
	ageKey := c.Keys.Age
	if r, err := c.Keys.recipient(); err == nil {
		ageKey = r.String()
	}
	b.WriteString("age: " + ageKey + "\n")
	b.WriteString("fingerprint: " + c.Keys.Fingerprint() + "\n")
	b.WriteString(cardEnd + "\n")
	return b.Bytes()
}

func (c Card) String() string { return string(c.Marshal()) }

// oneLine folds every run of spaces and control characters into one space.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
}

// CardError says what is wrong with a card, and where: Line counts from 1
// in the text given to ParseCard (0 when the problem has no line), Field is
// the card's field ("name", "signing", …) when the problem is one field's.
type CardError struct {
	Line    int
	Field   string
	Problem string
}

func (e *CardError) Error() string {
	switch {
	case e.Line > 0 && e.Field != "":
		return fmt.Sprintf("party card, line %d (%s): %s", e.Line, e.Field, e.Problem)
	case e.Line > 0:
		return fmt.Sprintf("party card, line %d: %s", e.Line, e.Problem)
	case e.Field != "":
		return fmt.Sprintf("party card (%s): %s", e.Field, e.Problem)
	}
	return "party card: " + e.Problem
}

var cardFields = []string{"name", "kind", "signing", "age", "fingerprint"}

// ParseCard reads a card as a person would paste it from an e-mail: with
// text before and after, CRLF line ends, spaces around lines, blank lines
// and e-mail quoting ("> ") inside. It refuses anything it cannot read
// with certainty: a missing, repeated or unknown field, a bad key, a
// fingerprint line that does not match the keys, two cards in one text,
// more than 16 KiB.
func ParseCard(b []byte) (Card, error) {
	if len(b) > maxCardBytes {
		return Card{}, &CardError{Problem: fmt.Sprintf("the text is longer than %d KiB; paste only the card", maxCardBytes>>10)}
	}
	if !utf8.Valid(b) {
		return Card{}, &CardError{Problem: "the text is not valid UTF-8"}
	}
	lines := strings.Split(string(b), "\n")
	for i := range lines {
		lines[i] = unquote(lines[i])
	}
	begin, end := -1, -1
	for i, l := range lines {
		switch {
		case l == cardBegin && begin < 0:
			begin = i
		case l == cardBegin && end < 0:
			return Card{}, &CardError{Line: i + 1, Problem: "a second BEGIN line before the END of the first card"}
		case l == cardBegin:
			return Card{}, &CardError{Line: i + 1, Problem: "a second card; paste one card at a time"}
		case l == cardEnd && begin >= 0 && end < 0:
			end = i
		}
	}
	if begin < 0 {
		return Card{}, &CardError{Problem: "no " + cardBegin + " line"}
	}
	if end < 0 {
		return Card{}, &CardError{Problem: "no " + cardEnd + " line: the card is cut off"}
	}

	values := map[string]string{}
	at := map[string]int{}
	for i := begin + 1; i < end; i++ {
		l := lines[i]
		if l == "" {
			continue
		}
		key, value, ok := strings.Cut(l, ":")
		key = strings.ToLower(strings.TrimSpace(key))
		if !ok || key == "" {
			return Card{}, &CardError{Line: i + 1, Problem: `expected "field: value"`}
		}
		known := false
		for _, f := range cardFields {
			known = known || f == key
		}
		if !known {
			return Card{}, &CardError{Line: i + 1, Problem: fmt.Sprintf("unknown field %q", truncate(key, 40))}
		}
		if prev, dup := at[key]; dup {
			return Card{}, &CardError{Line: i + 1, Field: key, Problem: fmt.Sprintf("repeats the field of line %d", prev)}
		}
		values[key] = strings.TrimSpace(value)
		at[key] = i + 1
	}
	for _, f := range cardFields {
		if _, ok := at[f]; !ok {
			return Card{}, &CardError{Field: f, Problem: "missing"}
		}
		if values[f] == "" {
			return Card{}, &CardError{Line: at[f], Field: f, Problem: "empty"}
		}
	}

	c := Card{Name: values["name"], Kind: values["kind"], Keys: PublicKeys{Age: values["age"]}}
	if n := utf8.RuneCountInString(c.Name); n > maxCardName {
		return Card{}, &CardError{Line: at["name"], Field: "name", Problem: fmt.Sprintf("%d characters, at most %d", n, maxCardName)}
	}
	if n := utf8.RuneCountInString(c.Kind); n > maxCardKind {
		return Card{}, &CardError{Line: at["kind"], Field: "kind", Problem: fmt.Sprintf("%d characters, at most %d", n, maxCardKind)}
	}
	for _, f := range []string{"name", "kind"} {
		if strings.ContainsFunc(values[f], unicode.IsControl) {
			return Card{}, &CardError{Line: at[f], Field: f, Problem: "contains control characters"}
		}
	}

	signing := values["signing"]
	if len(signing) < len(signingAlg) || !strings.EqualFold(signing[:len(signingAlg)], signingAlg) {
		return Card{}, &CardError{Line: at["signing"], Field: "signing", Problem: `not an Ed25519 key: expected "ed25519:" and the key in base64`}
	}
	key, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(signing[len(signingAlg):], "="))
	if err != nil {
		return Card{}, &CardError{Line: at["signing"], Field: "signing", Problem: "the key is not valid base64 (a character was lost or changed in copying?)"}
	}
	if len(key) != ed25519.PublicKeySize {
		return Card{}, &CardError{Line: at["signing"], Field: "signing", Problem: fmt.Sprintf("the key has %d bytes, an Ed25519 key has %d", len(key), ed25519.PublicKeySize)}
	}
	c.Keys.Signing = key

	r, err := c.Keys.recipient()
	if err != nil {
		return Card{}, &CardError{Line: at["age"], Field: "age", Problem: "not an age X25519 key (age1…), or a character was lost or changed in copying"}
	}
	c.Keys.Age = r.String()

	fp, err := NormalizeFingerprint(values["fingerprint"])
	if err != nil {
		return Card{}, &CardError{Line: at["fingerprint"], Field: "fingerprint", Problem: err.Error()}
	}
	if want := c.Keys.Fingerprint(); fp != want {
		return Card{}, &CardError{Line: at["fingerprint"], Field: "fingerprint",
			Problem: "does not match the keys: the card was altered or damaged; ask the party for it again"}
	}
	return c, nil
}

// unquote trims a line and any e-mail quoting in front of it.
func unquote(l string) string {
	l = strings.TrimSpace(l)
	for strings.HasPrefix(l, ">") {
		l = strings.TrimSpace(l[1:])
	}
	return l
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
