package exchange

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
)

func TestSealOpenRoundTrip(t *testing.T) {
	f := newFixture(t)
	m := f.manifest()
	m.Sequence = 7
	m.Previous = strings.Repeat("ab", 32)
	m.Acks = []Ack{{BundleID: "0123abcd", Sender: f.mediator.fp, Sequence: 3, Hash: strings.Repeat("cd", 32)}}
	var b bytes.Buffer
	sealed, hash, err := Seal(&b, f.origin, m, f.mediator.Public(), testFiles())
	if err != nil {
		t.Fatal(err)
	}
	o, err := Open(bytes.NewReader(b.Bytes()), f.mediator, f.trust(), f.now, Limits{})
	if err != nil {
		t.Fatalf("Open: %s", describe(err))
	}
	if !reflect.DeepEqual(o.Manifest, sealed) {
		t.Errorf("opened manifest\n%+v\nsealed\n%+v", o.Manifest, sealed)
	}
	if o.ManifestHash != hash || ManifestHash(o.ManifestJSON) != hash {
		t.Errorf("hash: opened %s, of JSON %s, sealed %s", o.ManifestHash, ManifestHash(o.ManifestJSON), hash)
	}
	want := map[string][]byte{}
	for _, fl := range testFiles() {
		want[fl.Name] = fl.Data
	}
	if !reflect.DeepEqual(o.Files, want) {
		t.Errorf("files %q, want %q", o.Files, want)
	}
	if sealed.Format != FormatV1 || len(sealed.BundleID) != 32 || sealed.Sender != f.origin.fp || sealed.To != f.mediator.fp {
		t.Errorf("Seal did not fill format, bundle id, sender or to: %+v", sealed)
	}
	if want := []string{f.mediator.fp, f.origin.fp}; !reflect.DeepEqual(sealed.Recipients, want) {
		t.Errorf("recipients %v, want %v", sealed.Recipients, want)
	}
	names := []string{}
	for _, e := range sealed.Files {
		names = append(names, e.Name)
	}
	if want := []string{"answers/0001.json", "empty.json", "list.json"}; !reflect.DeepEqual(names, want) {
		t.Errorf("files in manifest %v, want %v", names, want)
	}
}

func TestSealEncryptsToTheSendersArchive(t *testing.T) {
	f := newFixture(t)
	b := f.seal(t)
	// The sender can decrypt its own copy, but it is not addressed to it:
	// Inspect shows the manifest with the refusal.
	f.status[f.origin.fp] = Trusted
	o, err := Inspect(bytes.NewReader(b), f.origin, f.trust(), f.now, Limits{})
	var r *Refusal
	if !errors.As(err, &r) || r.Reason != ReasonNotAddressed {
		t.Fatalf("Inspect by the sender: %s, want %s", describe(err), ReasonNotAddressed)
	}
	if o == nil || o.Manifest.Sender != f.origin.fp || o.Files != nil {
		t.Errorf("Inspect by the sender returned %+v, want the manifest and no files", o)
	}
}

func TestSealAndOpenRoundTimesToUTCSeconds(t *testing.T) {
	f := newFixture(t)
	m := f.manifest()
	kyiv := time.FixedZone("EEST", 3*3600)
	m.CreatedAt = time.Date(2025, 6, 2, 12, 0, 0, 999, kyiv)
	m.ExpiresAt = time.Date(2025, 7, 2, 12, 0, 0, 5e8, kyiv)
	var b bytes.Buffer
	sealed, _, err := Seal(&b, f.origin, m, f.mediator.Public(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC); !sealed.CreatedAt.Equal(want) || sealed.CreatedAt.Location() != time.UTC {
		t.Errorf("created_at %v, want %v", sealed.CreatedAt, want)
	}
	o, err := Open(&b, f.mediator, f.trust(), f.now, Limits{})
	if err != nil {
		t.Fatal(describe(err))
	}
	if !strings.Contains(string(o.ManifestJSON), `"expires_at":"2025-07-02T09:00:00Z"`) {
		t.Errorf("manifest times not in UTC RFC 3339: %s", o.ManifestJSON)
	}
	if len(o.Files) != 0 || o.Manifest.Files == nil {
		t.Errorf("a bundle of no files: files %v, manifest files %#v", o.Files, o.Manifest.Files)
	}
}

func TestSealRefusesWhatCannotOpen(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name  string
		edit  func(*Manifest)
		to    PublicKeys
		files []File
		want  string
	}{
		{"to of another party", func(m *Manifest) { m.To = f.counterpart.fp }, f.mediator.Public(), nil, "addressed to"},
		{"negative sequence", func(m *Manifest) { m.Sequence = -1 }, f.mediator.Public(), nil, "sequence"},
		{"sequence 0 with a previous bundle", func(m *Manifest) { m.Sequence = 0; m.Previous = strings.Repeat("ab", 32) }, f.mediator.Public(), nil, "sequence"},
		{"no expiry", func(m *Manifest) { m.ExpiresAt = time.Time{} }, f.mediator.Public(), nil, "expires_at"},
		{"no channel", func(m *Manifest) { m.Channel.UID = "" }, f.mediator.Public(), nil, "channel.uid"},
		{"bad recipient", nil, PublicKeys{Signing: f.mediator.pub.Signing, Age: "age1nope"}, nil, "age"},
		{"file name climbs", nil, f.mediator.Public(), []File{{Name: "../etc/passwd"}}, "segment"},
		{"hidden file", nil, f.mediator.Public(), []File{{Name: ".env"}}, "segment"},
		{"same name twice", nil, f.mediator.Public(), []File{{Name: "a.json"}, {Name: "a.json"}}, "repeated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := f.manifest()
			if tt.edit != nil {
				tt.edit(&m)
			}
			var b bytes.Buffer
			_, _, err := Seal(&b, f.origin, m, tt.to, tt.files)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Seal: %v, want an error about %q", err, tt.want)
			}
			if b.Len() != 0 {
				t.Errorf("Seal wrote %d bytes before refusing", b.Len())
			}
		})
	}
}

func TestSealIsDeterministicButForAge(t *testing.T) {
	f := newFixture(t)
	m := f.manifest()
	m.BundleID = "fixed-bundle-id"
	var b1, b2 bytes.Buffer
	_, h1, err := Seal(&b1, f.origin, m, f.mediator.Public(), testFiles())
	if err != nil {
		t.Fatal(err)
	}
	files := testFiles()
	files[0], files[2] = files[2], files[0] // the order given must not matter
	_, h2, err := Seal(&b2, f.origin, m, f.mediator.Public(), files)
	if err != nil {
		t.Fatal(err)
	}
	if h1 != h2 {
		t.Errorf("manifest hashes differ: %s, %s", h1, h2)
	}
	if bytes.Equal(b1.Bytes(), b2.Bytes()) {
		t.Errorf("two encryptions are identical: age's randomness is missing")
	}
	a1, a2 := decryptArchive(t, f.mediator, b1.Bytes()), decryptArchive(t, f.mediator, b2.Bytes())
	if !bytes.Equal(a1, a2) {
		t.Fatalf("archives differ (%d and %d bytes)", len(a1), len(a2))
	}
	tr := tar.NewReader(bytes.NewReader(a1))
	var names []string
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, hdr.Name)
		if hdr.Mode != 0o644 || hdr.Uid != 0 || hdr.Gid != 0 || hdr.Uname != "" || hdr.Gname != "" || hdr.ModTime.Unix() != 0 || hdr.Format != tar.FormatUSTAR {
			t.Errorf("%s: mode %o uid %d gid %d uname %q gname %q mtime %v format %v", hdr.Name, hdr.Mode, hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname, hdr.ModTime, hdr.Format)
		}
	}
	want := []string{"manifest.json", "manifest.sig", "payload/answers/0001.json", "payload/empty.json", "payload/list.json"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("archive entries %v, want %v", names, want)
	}
}

// otherStanza is a recipient of a scheme other than X25519.
type otherStanza struct{}

func (otherStanza) Wrap([]byte) ([]*age.Stanza, error) {
	return []*age.Stanza{{Type: "ssh-ed25519", Args: []string{"AAAA"}, Body: make([]byte, 32)}}, nil
}

func TestOpenRefuses(t *testing.T) {
	f := newFixture(t)
	valid := f.seal(t)
	mediatorAge := f.mediator.age.Recipient()
	craft := func(t *testing.T, es []entry) []byte { return encryptTo(t, rawTar(t, es), mediatorAge) }
	sealRaw := func(t *testing.T, signer *Identity, manifest []byte, files []File, to ...PublicKeys) []byte {
		var b bytes.Buffer
		if len(to) == 0 {
			to = []PublicKeys{f.mediator.Public()}
		}
		if err := SealRaw(&b, signer, manifest, files, to...); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	lie := func(t *testing.T, edit func(*Manifest)) []byte {
		return sealRaw(t, f.origin, f.sealedManifest(t, testFiles(), edit), testFiles())
	}
	// withManifest replaces the manifest (signed by origin) in valid entries.
	withManifest := func(t *testing.T, manifest []byte) []byte {
		es := f.validEntries(t)
		es[0].data = manifest
		es[1] = signatureEntryOf(t, f.origin, f.origin.fp, manifest)
		return craft(t, es)
	}
	manifestJSON := func(t *testing.T, edit func(map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(f.sealedManifest(t, testFiles(), nil), &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	tests := []struct {
		name     string
		bundle   func(t *testing.T) []byte
		opener   *Identity // mediator when nil
		status   map[string]TrustStatus
		now      time.Time // f.now when zero
		lim      Limits
		want     string
		manifest bool // the refusal carries the manifest
	}{
		{name: "one byte flipped in the middle", want: ReasonDamaged, bundle: func(t *testing.T) []byte {
			b := bytes.Clone(valid)
			b[len(b)/2] ^= 0x01
			return b
		}},
		{name: "last byte flipped", want: ReasonDamaged, bundle: func(t *testing.T) []byte {
			b := bytes.Clone(valid)
			b[len(b)-1] ^= 0x80
			return b
		}},
		{name: "truncated", want: ReasonDamaged, bundle: func(t *testing.T) []byte { return valid[:len(valid)-20] }},
		{name: "trailing bytes after the age file", want: ReasonDamaged, bundle: func(t *testing.T) []byte {
			return append(bytes.Clone(valid), 0)
		}},
		{name: "not an age file", want: ReasonDamaged, bundle: func(t *testing.T) []byte { return []byte("PK\x03\x04 this is a zip file") }},
		{name: "empty file", want: ReasonDamaged, bundle: func(t *testing.T) []byte { return nil }},
		{name: "header MAC altered", want: ReasonDamaged, bundle: func(t *testing.T) []byte {
			b := bytes.Clone(valid)
			i := bytes.Index(b, []byte("\n--- ")) + 6
			b[i] ^= 0x01
			return b
		}},
		{name: "encrypted to another party", want: ReasonNotAddressed, opener: f.counterpart},
		{name: "manifest addressed to another party", want: ReasonNotAddressed, manifest: true, bundle: func(t *testing.T) []byte {
			return lie(t, func(m *Manifest) {
				m.To = f.counterpart.fp
				m.Recipients = []string{f.counterpart.fp, f.mediator.fp, f.origin.fp}
			})
		}},
		{name: "another key scheme beside X25519", want: ReasonMalformed, bundle: func(t *testing.T) []byte {
			return encryptTo(t, decryptArchive(t, f.mediator, valid), mediatorAge, otherStanza{})
		}},
		{name: "larger than the limit", want: ReasonTooLarge, lim: Limits{MaxBundle: int64(len(valid)) - 1}},
		{name: "not a tar archive", want: ReasonMalformed, bundle: func(t *testing.T) []byte {
			return encryptTo(t, bytes.Repeat([]byte("not tar "), 200), mediatorAge)
		}},
		{name: "empty archive", want: ReasonMalformed, bundle: func(t *testing.T) []byte { return craft(t, nil) }},
		{name: "no signature", want: ReasonMalformed, bundle: func(t *testing.T) []byte {
			es := f.validEntries(t)
			return craft(t, append(es[:1:1], es[2:]...))
		}},
		{name: "signature first", want: ReasonMalformed, bundle: func(t *testing.T) []byte {
			es := f.validEntries(t)
			es[0], es[1] = es[1], es[0]
			return craft(t, es)
		}},
		{name: "signature not JSON", want: ReasonMalformed, bundle: func(t *testing.T) []byte {
			es := f.validEntries(t)
			es[1].data = []byte("c2lnbmF0dXJl")
			return craft(t, es)
		}},
		{name: "entry outside payload", want: ReasonMalformed, bundle: func(t *testing.T) []byte {
			return craft(t, append(f.validEntries(t), entry{name: "readme.txt", data: []byte("hi")}))
		}},
		{name: "entry climbing out", want: ReasonMalformed, bundle: func(t *testing.T) []byte {
			return craft(t, append(f.validEntries(t), entry{name: "payload/../../x", data: []byte("hi")}))
		}},
		{name: "duplicate entry", want: ReasonMalformed, bundle: func(t *testing.T) []byte {
			es := f.validEntries(t)
			return craft(t, append(es, es[len(es)-1]))
		}},
		{name: "entries out of order", want: ReasonMalformed, bundle: func(t *testing.T) []byte {
			es := f.validEntries(t)
			es[2], es[3] = es[3], es[2]
			return craft(t, es)
		}},
		{name: "directory entry", want: ReasonMalformed, bundle: func(t *testing.T) []byte {
			return craft(t, append(f.validEntries(t), entry{name: "payload/zz/", flag: tar.TypeDir}))
		}},
		{name: "symlink entry", want: ReasonMalformed, bundle: func(t *testing.T) []byte {
			return craft(t, append(f.validEntries(t), entry{name: "payload/zz", flag: tar.TypeSymlink}))
		}},
		{name: "sparse file expanding past the limits", want: ReasonMalformed, bundle: func(t *testing.T) []byte {
			es := append(f.validEntries(t), entry{name: "payload/zz.json", pax: []string{
				"GNU.sparse.major=0", "GNU.sparse.minor=1", "GNU.sparse.size=60000000", "GNU.sparse.numblocks=0", "GNU.sparse.map=",
			}})
			return craft(t, es)
		}},
		{name: "PAX record Seal never writes", want: ReasonMalformed, bundle: func(t *testing.T) []byte {
			es := f.validEntries(t)
			es[4].pax = []string{"path=payload/list.json", "comment=hello"}
			return craft(t, es)
		}},
		{name: "data after the archive", want: ReasonMalformed, bundle: func(t *testing.T) []byte {
			return encryptTo(t, append(rawTar(t, f.validEntries(t)), "junk"...), mediatorAge)
		}},
		{name: "more files than the limit", want: ReasonMalformed, lim: Limits{MaxFiles: 2}},
		{name: "file larger than the limit", want: ReasonMalformed, lim: Limits{MaxFile: 10}},
		{name: "manifest larger than the limit", want: ReasonMalformed, lim: Limits{MaxManifest: 100}},
		{name: "manifest not JSON", want: ReasonMalformedManifest, bundle: func(t *testing.T) []byte {
			return withManifest(t, []byte("format: homeward-bundle/1"))
		}},
		{name: "manifest of a later format", want: ReasonMalformedManifest, bundle: func(t *testing.T) []byte {
			return withManifest(t, manifestJSON(t, func(m map[string]any) { m["format"] = "homeward-bundle/2"; m["new"] = 1 }))
		}},
		{name: "manifest with an unknown field", want: ReasonMalformedManifest, bundle: func(t *testing.T) []byte {
			return withManifest(t, manifestJSON(t, func(m map[string]any) { m["priority"] = "high" }))
		}},
		{name: "manifest without a sender", want: ReasonMalformedManifest, manifest: true, bundle: func(t *testing.T) []byte {
			return withManifest(t, manifestJSON(t, func(m map[string]any) { delete(m, "sender") }))
		}},
		{name: "manifest with a wrong type", want: ReasonMalformedManifest, bundle: func(t *testing.T) []byte {
			return withManifest(t, manifestJSON(t, func(m map[string]any) { m["sequence"] = "1" }))
		}},
		{name: "manifest with a time not in UTC", want: ReasonMalformedManifest, manifest: true, bundle: func(t *testing.T) []byte {
			return withManifest(t, bytes.Replace(f.sealedManifest(t, testFiles(), nil), []byte(`T09:30:00Z"`), []byte(`T12:30:00+03:00"`), 1))
		}},
		{name: "manifest not canonical", want: ReasonMalformedManifest, manifest: true, bundle: func(t *testing.T) []byte {
			var b bytes.Buffer
			json.Indent(&b, f.sealedManifest(t, testFiles(), nil), "", "  ")
			return withManifest(t, b.Bytes())
		}},
		{name: "manifest with a repeated key", want: ReasonMalformedManifest, manifest: true, bundle: func(t *testing.T) []byte {
			m := f.sealedManifest(t, testFiles(), nil)
			return withManifest(t, append([]byte(`{"to":"`+f.counterpart.fp+`",`), m[1:]...))
		}},
		{name: "manifest with a key in another case", want: ReasonMalformedManifest, manifest: true, bundle: func(t *testing.T) []byte {
			return withManifest(t, bytes.Replace(f.sealedManifest(t, testFiles(), nil), []byte(`"to":`), []byte(`"TO":`), 1))
		}},
		{name: "manifest with files out of order", want: ReasonMalformedManifest, manifest: true, bundle: func(t *testing.T) []byte {
			return lie(t, func(m *Manifest) { m.Files[0], m.Files[1] = m.Files[1], m.Files[0] })
		}},
		{name: "manifest with a bad fingerprint", want: ReasonMalformedManifest, manifest: true, bundle: func(t *testing.T) []byte {
			return lie(t, func(m *Manifest) { m.Channel.Mediator = strings.ToLower(m.Channel.Mediator) })
		}},
		{name: "unknown sender", want: ReasonUnknownSender, manifest: true, status: map[string]TrustStatus{}},
		{name: "untrusted sender", want: ReasonUntrustedSender, manifest: true, status: map[string]TrustStatus{"origin": Untrusted}},
		{name: "retired sender", want: ReasonRetiredSender, manifest: true, status: map[string]TrustStatus{"origin": Retired}},
		{name: "signed by another key under the sender's name", want: ReasonBadSignature, manifest: true, bundle: func(t *testing.T) []byte {
			es := f.validEntries(t)
			es[1] = signatureEntryOf(t, f.stranger, f.origin.fp, es[0].data)
			return craft(t, es)
		}},
		{name: "signed by another party than the sender", want: ReasonBadSignature, manifest: true, bundle: func(t *testing.T) []byte {
			return sealRaw(t, f.counterpart, f.sealedManifest(t, testFiles(), nil), testFiles())
		}},
		{name: "signature of another manifest", want: ReasonBadSignature, manifest: true, bundle: func(t *testing.T) []byte {
			es := f.validEntries(t)
			other := f.sealedManifest(t, testFiles(), func(m *Manifest) { m.Sequence = 2 })
			es[1] = signatureEntryOf(t, f.origin, f.origin.fp, other)
			return craft(t, es)
		}},
		{name: "expired", want: ReasonExpired, manifest: true, now: time.Date(2025, 7, 3, 0, 0, 0, 0, time.UTC)},
		{name: "wrong file hash", want: ReasonFileHash, manifest: true, bundle: func(t *testing.T) []byte {
			return lie(t, func(m *Manifest) { m.Files[2].SHA256 = strings.Repeat("0", 64) })
		}},
		{name: "wrong file size", want: ReasonFileHash, manifest: true, bundle: func(t *testing.T) []byte {
			return lie(t, func(m *Manifest) { m.Files[2].Size++ })
		}},
		{name: "file altered after signing", want: ReasonFileHash, manifest: true, bundle: func(t *testing.T) []byte {
			files := testFiles()
			manifest := f.sealedManifest(t, files, nil)
			files[0].Data = []byte(`{"entries":[]}`)
			return sealRaw(t, f.origin, manifest, files)
		}},
		{name: "missing file", want: ReasonFileHash, manifest: true, bundle: func(t *testing.T) []byte {
			return sealRaw(t, f.origin, f.sealedManifest(t, testFiles(), nil), testFiles()[:2])
		}},
		{name: "extra file", want: ReasonFileHash, manifest: true, bundle: func(t *testing.T) []byte {
			return sealRaw(t, f.origin, f.sealedManifest(t, testFiles(), nil), append(testFiles(), File{Name: "zz.json", Data: []byte("{}")}))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if tt.status != nil {
				f.status = map[string]TrustStatus{}
				for who, s := range tt.status {
					if who == "origin" {
						f.status[f.origin.fp] = s
					}
				}
			}
			b := valid
			if tt.bundle != nil {
				b = tt.bundle(t)
			}
			opener, now := tt.opener, tt.now
			if opener == nil {
				opener = f.mediator
			}
			if now.IsZero() {
				now = f.now
			}
			o, err := Open(bytes.NewReader(b), opener, f.trust(), now, tt.lim)
			var r *Refusal
			if !errors.As(err, &r) {
				t.Fatalf("Open: %s, want a refusal %s", describe(err), tt.want)
			}
			if r.Reason != tt.want {
				t.Fatalf("Open: %s, want %s", describe(err), tt.want)
			}
			t.Logf("%s: %s", r.Reason, r.Detail)
			if o != nil {
				t.Errorf("Open returned %+v with its refusal", o)
			}
			if r.Detail == "" || !strings.HasSuffix(r.Detail, ".") {
				t.Errorf("detail %q is not a sentence", r.Detail)
			}
			if tt.manifest != (r.Manifest != nil) {
				t.Errorf("refusal carries the manifest: %v, want %v", r.Manifest != nil, tt.manifest)
			}
			o, err = Inspect(bytes.NewReader(b), opener, f.trust(), now, tt.lim)
			if ri, ok := err.(*Refusal); !ok || ri.Reason != tt.want {
				t.Errorf("Inspect: %s, want %s", describe(err), tt.want)
			}
			if tt.manifest && (o == nil || o.Manifest.BundleID == "" || o.ManifestHash != ManifestHash(o.ManifestJSON) || o.Files != nil) {
				t.Errorf("Inspect returned %+v, want the manifest without files", o)
			}
		})
	}
}

func TestOpenAcceptsALongNameInAPAXRecord(t *testing.T) {
	f := newFixture(t)
	long := strings.Repeat("a", 120) + ".json" // too long for a USTAR name without a slash to split at
	var b bytes.Buffer
	if _, _, err := Seal(&b, f.origin, f.manifest(), f.mediator.Public(), []File{{Name: long, Data: []byte("{}")}}); err != nil {
		t.Fatal(err)
	}
	o, err := Open(&b, f.mediator, f.trust(), f.now, Limits{})
	if err != nil {
		t.Fatal(describe(err))
	}
	if string(o.Files[long]) != "{}" {
		t.Errorf("files %q", o.Files)
	}
}

func TestOpenAcceptsABundleOfExactlyTheLimit(t *testing.T) {
	f := newFixture(t)
	b := f.seal(t)
	if _, err := Open(bytes.NewReader(b), f.mediator, f.trust(), f.now, Limits{MaxBundle: int64(len(b))}); err != nil {
		t.Fatal(describe(err))
	}
}

func TestOpenDoesNotTakeALookupFailureForARefusal(t *testing.T) {
	f := newFixture(t)
	down := errors.New("database is down")
	_, err := Open(bytes.NewReader(f.seal(t)), f.mediator, func(string) (PublicKeys, TrustStatus, error) {
		return PublicKeys{}, Unknown, down
	}, f.now, Limits{})
	var r *Refusal
	if !errors.Is(err, down) || errors.As(err, &r) {
		t.Fatalf("Open: %s, want the lookup's error", describe(err))
	}
}

func TestOpenReportsReadErrors(t *testing.T) {
	f := newFixture(t)
	b := f.seal(t)
	broken := errors.New("disk read error")
	r := io.MultiReader(bytes.NewReader(b[:len(b)/2]), iotestErrReader{broken})
	_, err := Open(r, f.mediator, f.trust(), f.now, Limits{})
	var ref *Refusal
	if !errors.Is(err, broken) || errors.As(err, &ref) {
		t.Fatalf("Open: %s, want the read error", describe(err))
	}
}

type iotestErrReader struct{ err error }

func (r iotestErrReader) Read([]byte) (int, error) { return 0, r.err }

func TestInspectWithoutTrustShowsTheManifest(t *testing.T) {
	f := newFixture(t)
	o, err := Inspect(bytes.NewReader(f.seal(t)), f.mediator, nil, f.now, Limits{})
	var r *Refusal
	if !errors.As(err, &r) || r.Reason != ReasonUnknownSender {
		t.Fatalf("Inspect: %s, want %s", describe(err), ReasonUnknownSender)
	}
	if o == nil || o.Manifest.SenderName != "Origin agency (test)" || len(o.Manifest.Files) != 3 {
		t.Fatalf("Inspect returned %+v", o)
	}
}
