package exchange

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// FuzzOpen feeds Open arbitrary files: it must refuse every one it cannot
// open with a *Refusal, and never panic.
func FuzzOpen(f *testing.F) {
	fx := newFixture(f)
	valid := fx.seal(f)
	f.Add(valid)
	f.Add([]byte{})
	f.Add(valid[:len(valid)/2])
	for _, i := range []int{0, 30, 100, len(valid) / 2, len(valid) - 1} {
		b := bytes.Clone(valid)
		b[i] ^= 0x40
		f.Add(b)
	}
	var toOther bytes.Buffer
	if _, _, err := Seal(&toOther, fx.origin, fx.manifest(), fx.counterpart.Public(), testFiles()); err != nil {
		f.Fatal(err)
	}
	f.Add(toOther.Bytes())
	trust := fx.trust()
	f.Fuzz(func(t *testing.T, b []byte) {
		checkOpen(t, fx, trust, b)
	})
}

// FuzzOpenArchive fuzzes what is inside the encryption, which FuzzOpen's
// mutations almost never reach: each input is encrypted to the mediator
// and opened.
func FuzzOpenArchive(f *testing.F) {
	fx := newFixture(f)
	f.Add(decryptArchive(f, fx.mediator, fx.seal(f)))
	es := fx.validEntries(f)
	f.Add(rawTar(f, append(es, es[len(es)-1])))
	f.Add(rawTar(f, es[:2]))
	f.Add(rawTar(f, nil))
	trust := fx.trust()
	recipient := fx.mediator.age.Recipient()
	f.Fuzz(func(t *testing.T, archive []byte) {
		checkOpen(t, fx, trust, encryptTo(t, archive, recipient))
	})
}

func checkOpen(t *testing.T, fx *fixture, trust Trust, b []byte) {
	o, err := Open(bytes.NewReader(b), fx.mediator, trust, fx.now, Limits{MaxBundle: 1 << 20})
	if err != nil {
		var r *Refusal
		if !errors.As(err, &r) {
			t.Fatalf("Open: %T %v, want a *Refusal", err, err)
		}
		if o != nil {
			t.Fatalf("Open returned a bundle with its refusal %v", err)
		}
		if r.Reason == "" || r.Detail == "" {
			t.Fatalf("refusal without a reason or detail: %+v", r)
		}
		return
	}
	if o.ManifestHash != ManifestHash(o.ManifestJSON) || o.Manifest.To != fx.mediator.fp || o.Manifest.Sender != fx.origin.fp {
		t.Fatalf("opened a bundle that does not hold together: %+v", o.Manifest)
	}
	if len(o.Files) != len(o.Manifest.Files) {
		t.Fatalf("opened %d files for a manifest of %d", len(o.Files), len(o.Manifest.Files))
	}
}

// FuzzParseCard feeds ParseCard arbitrary text: a card it accepts must
// survive a round trip, and every refusal must be a *CardError.
func FuzzParseCard(f *testing.F) {
	c := Card{Name: "Mediator Office (demo)", Kind: "mediator", Keys: testIdentity(f, 1).Public()}
	good := c.Marshal()
	f.Add(good)
	f.Add([]byte("Dear colleague,\r\n> " + string(bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n> ")))))
	f.Add(append(bytes.Clone(good), good...))
	f.Add(good[:len(good)/2])
	f.Add([]byte(cardBegin + "\nname:\n" + cardEnd))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCard(b)
		if err != nil {
			var ce *CardError
			if !errors.As(err, &ce) {
				t.Fatalf("ParseCard: %T %v, want a *CardError", err, err)
			}
			return
		}
		if err := c.Keys.Validate(); err != nil {
			t.Fatalf("ParseCard accepted invalid keys: %v", err)
		}
		back, err := ParseCard(c.Marshal())
		if err != nil {
			t.Fatalf("a parsed card does not parse back: %v\n%s", err, c.Marshal())
		}
		if !reflect.DeepEqual(back, c) {
			t.Fatalf("round trip changed the card: %+v, want %+v", back, c)
		}
	})
}

// FuzzNormalizeFingerprint checks that a normalised fingerprint is its own
// normal form.
func FuzzNormalizeFingerprint(f *testing.F) {
	f.Add("3F2A 91C0 0BDE 7714 A0A0 FFFF 1234 ABCD")
	f.Add("3f:2a:91:c0:0b:de:77:14:a0:a0:ff:ff:12:34:ab:cd")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := NormalizeFingerprint(s)
		if err != nil {
			return
		}
		if again, err := NormalizeFingerprint(c); err != nil || again != c || !isFingerprint(c) {
			t.Fatalf("NormalizeFingerprint(%q) = %q, then %q, %v", s, c, again, err)
		}
	})
}
