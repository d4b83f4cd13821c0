package exchange

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestCardRoundTrip(t *testing.T) {
	c := Card{Name: "Mediator Office (demo)", Kind: "mediator", Keys: testIdentity(t, 1).Public()}
	text := c.Marshal()
	want := "-----BEGIN HOMEWARD PARTY-----\n" +
		"name: Mediator Office (demo)\n" +
		"kind: mediator\n" +
		"signing: ed25519:" + "gTl3Dqh9F19Wo1Rmw0x+zMuNipG07jeiXfYPW4/Js5Q=" + "\n" +
		"age: " + c.Keys.Age + "\n" +
		"fingerprint: 1039 5AB5 D34B 8A4E 16F6 EE7A 9CBC 6A24\n" +
		"-----END HOMEWARD PARTY-----\n"
	if string(text) != want {
		t.Errorf("Marshal:\n%s\nwant\n%s", text, want)
	}
	back, err := ParseCard(text)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, c) {
		t.Errorf("ParseCard(Marshal()) = %+v, want %+v", back, c)
	}
}

func TestCardMarshalKeepsOneLinePerField(t *testing.T) {
	c := Card{Name: "  Офіс\nомбудсмана\t(тест) ", Kind: "agency\r\nkind: mediator", Keys: testIdentity(t, 0).Public()}
	back, err := ParseCard(c.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if back.Name != "Офіс омбудсмана (тест)" || back.Kind != "agency kind: mediator" {
		t.Errorf("name %q, kind %q", back.Name, back.Kind)
	}
}

func TestParseCardAsPastedFromMail(t *testing.T) {
	c := Card{Name: "Counterpart commissioner", Kind: "counterpart", Keys: testIdentity(t, 2).Public()}
	lines := strings.Split(strings.TrimSpace(string(c.Marshal())), "\n")
	tests := map[string]string{
		"surrounded by text": "Dear colleague,\r\nhere is our card:\r\n\r\n" + strings.Join(lines, "\n") + "\n\nBest regards,\nthe office\n",
		"CRLF and indented":  "   " + strings.Join(lines, "  \r\n    ") + "\r\n",
		"quoted in a reply":  "> " + strings.Join(lines, "\n> ") + "\n",
		"blank lines inside": strings.Join(lines, "\n\n"),
		"upper-case fields":  strings.Replace(strings.Join(lines, "\n"), "name:", "Name:", 1),
		"fingerprint in lower case and without spaces": strings.Replace(strings.Join(lines, "\n"),
			c.Keys.Fingerprint(), strings.ToLower(strings.ReplaceAll(c.Keys.Fingerprint(), " ", "")), 1),
		"age key in upper case":  strings.Replace(strings.Join(lines, "\n"), c.Keys.Age, strings.ToUpper(c.Keys.Age), 1),
		"base64 without padding": strings.Replace(strings.Join(lines, "\n"), "=\n", "\n", 1),
	}
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := ParseCard([]byte(text))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c) {
				t.Errorf("ParseCard = %+v, want %+v", got, c)
			}
		})
	}
}

func TestParseCardRefuses(t *testing.T) {
	c := Card{Name: "Mediator", Kind: "mediator", Keys: testIdentity(t, 1).Public()}
	good := string(c.Marshal())
	other := testIdentity(t, 3).Public()
	replace := func(old, new string) string {
		if !strings.Contains(good, old) {
			t.Fatalf("the card has no %q", old)
		}
		return strings.Replace(good, old, new, 1)
	}
	tests := []struct {
		name  string
		text  string
		line  int
		field string
		says  string
	}{
		{"no card", "hello", 0, "", "no -----BEGIN"},
		{"cut off", good[:len(good)-40], 0, "", "cut off"},
		{"two cards", good + good, 8, "", "second card"},
		{"begin inside a card", replace("kind: mediator\n", "kind: mediator\n-----BEGIN HOMEWARD PARTY-----\n"), 4, "", "second BEGIN"},
		{"missing field", replace("kind: mediator\n", ""), 0, "kind", "missing"},
		{"empty field", replace("kind: mediator", "kind:"), 3, "kind", "empty"},
		{"repeated field", replace("kind: mediator", "kind: mediator\nkind: counterpart"), 4, "kind", "repeats"},
		{"unknown field", replace("kind: mediator", "kind: mediator\nemail: x@example.org"), 4, "", `unknown field "email"`},
		{"not a field", replace("kind: mediator", "kind: mediator\njust text"), 4, "", "field: value"},
		{"control character", replace("name: Mediator", "name: Medi\x07ator"), 2, "name", "control"},
		{"name too long", replace("name: Mediator", "name: "+strings.Repeat("я", 201)), 2, "name", "at most 200"},
		{"signing key of another scheme", replace("signing: ed25519:", "signing: rsa:"), 4, "signing", "not an Ed25519 key"},
		{"signing key not base64", replace("signing: ed25519:", "signing: ed25519:*"), 4, "signing", "base64"},
		{"signing key short", replace("signing: ed25519:"+c.Keys.SigningBase64(), "signing: ed25519:AAAA"), 4, "signing", "3 bytes"},
		{"age key altered", replace(c.Keys.Age, alter(c.Keys.Age, 30)), 5, "age", "age X25519"},
		{"age key of another scheme", replace(c.Keys.Age, "age1pq1"+strings.Repeat("q", 60)), 5, "age", "age X25519"},
		{"fingerprint not one", replace("fingerprint: "+c.Keys.Fingerprint(), "fingerprint: 1234"), 6, "fingerprint", "hex digits"},
		{"fingerprint of other keys", replace(c.Keys.Fingerprint(), other.Fingerprint()), 6, "fingerprint", "does not match"},
		{"signing key swapped", replace(c.Keys.SigningBase64(), other.SigningBase64()), 6, "fingerprint", "does not match"},
		{"too long", strings.Repeat("x", 16<<10) + good, 0, "", "16 KiB"},
		{"not UTF-8", "\xff" + good, 0, "", "UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseCard([]byte(tt.text))
			var ce *CardError
			if !errors.As(err, &ce) {
				t.Fatalf("ParseCard: %v, want a *CardError", err)
			}
			if ce.Line != tt.line || ce.Field != tt.field || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("ParseCard: line %d field %q %q; want line %d field %q saying %q", ce.Line, ce.Field, err, tt.line, tt.field, tt.says)
			}
		})
	}
}
