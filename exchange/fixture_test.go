package exchange

import (
	"archive/tar"
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"filippo.io/age"
)

// Test parties have fixed keys, so that fuzz corpus entries and golden
// fingerprints stay valid from run to run. They are for tests only.
var testAgeKeys = []string{
	"AGE-SECRET-KEY-14C7HWVDP4TDQ2EJT3VJJU6SCNPPN2Y0FR62CXFNUQZG5KJYQEZTSEXMK7S",
	"AGE-SECRET-KEY-1A5LEP43CUHLG9GWDWLWVXPSRJFK9XLH97X9ZJ9GY84P6QJ4R8YWQGK59J7",
	"AGE-SECRET-KEY-1G3L72AZE30DD8H83RWUWDW795HM8MWUXURSAZ9P2TANT4FDYFX0SRASUTC",
	"AGE-SECRET-KEY-1QEPPWGSH6FJXZYK4J7K5LLGSZDRUW3HZ74Q22QZYAGD2QA2VUG7QCKH6GL",
}

func testIdentity(t testing.TB, n int) *Identity {
	t.Helper()
	a, err := age.ParseX25519Identity(testAgeKeys[n])
	if err != nil {
		t.Fatal(err)
	}
	seed := bytes.Repeat([]byte{byte(n + 1)}, ed25519.SeedSize)
	return newIdentity(ed25519.NewKeyFromSeed(seed), a)
}

// fixture is a channel of three parties and a stranger. Bundles go from
// origin to mediator unless a test says otherwise.
type fixture struct {
	origin, mediator, counterpart, stranger *Identity
	now                                     time.Time
	status                                  map[string]TrustStatus
}

func newFixture(t testing.TB) *fixture {
	f := &fixture{
		origin:      testIdentity(t, 0),
		mediator:    testIdentity(t, 1),
		counterpart: testIdentity(t, 2),
		stranger:    testIdentity(t, 3),
		now:         time.Date(2025, 6, 2, 10, 30, 0, 0, time.UTC),
	}
	f.status = map[string]TrustStatus{
		f.origin.fp:      Trusted,
		f.mediator.fp:    Trusted,
		f.counterpart.fp: Trusted,
	}
	return f
}

func (f *fixture) trust() Trust {
	keys := map[string]PublicKeys{}
	for _, id := range []*Identity{f.origin, f.mediator, f.counterpart, f.stranger} {
		keys[id.fp] = id.Public()
	}
	return func(fp string) (PublicKeys, TrustStatus, error) {
		s := f.status[fp]
		if s == Unknown {
			return PublicKeys{}, Unknown, nil
		}
		return keys[fp], s, nil
	}
}

func (f *fixture) manifest() Manifest {
	return Manifest{
		Channel: ChannelRef{
			UID:         "ch-2025-qatar",
			Name:        "Return lists via mediator",
			Origin:      f.origin.fp,
			Mediator:    f.mediator.fp,
			Counterpart: f.counterpart.fp,
		},
		SenderName: "Origin agency (test)",
		Sequence:   1,
		CreatedAt:  f.now.Add(-time.Hour),
		ExpiresAt:  f.now.Add(30 * 24 * time.Hour),
	}
}

func testFiles() []File {
	return []File{
		{Name: "list.json", Data: []byte(`{"entries":[{"ref":"L1-0001","name":"Oleksandr Bilyi"}]}`)},
		{Name: "answers/0001.json", Data: []byte(`{"ref":"L1-0001","answer":"no-record"}`)},
		{Name: "empty.json", Data: []byte{}},
	}
}

// seal seals the fixture's files from origin to mediator.
func (f *fixture) seal(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, _, err := Seal(&b, f.origin, f.manifest(), f.mediator.Public(), testFiles()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sealedManifest is the manifest Seal would write for files, with edit
// applied after, encoded canonically: for SealRaw to sign a lie.
func (f *fixture) sealedManifest(t testing.TB, files []File, edit func(*Manifest)) []byte {
	t.Helper()
	var discard bytes.Buffer
	m, _, err := Seal(&discard, f.origin, f.manifest(), f.mediator.Public(), files)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(&m)
	}
	b, err := encodeManifest(&m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// entry is one member of a hand-made archive.
type entry struct {
	name string
	data []byte
	flag byte     // tar.TypeReg when zero
	pax  []string // raw PAX records ("key=value") in a header before the entry
}

// signatureEntryOf is manifest.sig for manifest, signed by signer and
// naming keyID.
func signatureEntryOf(t testing.TB, signer *Identity, keyID string, manifest []byte) entry {
	t.Helper()
	b, err := json.Marshal(manifestSig{KeyID: keyID, Sig: signer.signPAE(manifestType, manifest)})
	if err != nil {
		t.Fatal(err)
	}
	return entry{name: signatureEntry, data: b}
}

// rawTar writes entries as they are, in the order given.
func rawTar(t testing.TB, entries []entry) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range entries {
		if e.pax != nil {
			writePAX(t, tw, &b, e.pax)
		}
		flag := e.flag
		if flag == 0 {
			flag = tar.TypeReg
		}
		hdr := &tar.Header{Typeflag: flag, Name: e.name, Mode: 0o644, ModTime: archiveTime}
		if flag == tar.TypeReg {
			hdr.Size = int64(len(e.data))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if flag == tar.TypeReg {
			if _, err := tw.Write(e.data); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// writePAX writes a PAX extended header of records, which tar.Writer
// refuses to write by hand: it writes a regular header, then turns it into
// one of type 'x'.
func writePAX(t testing.TB, tw *tar.Writer, b *bytes.Buffer, records []string) {
	t.Helper()
	var body []byte
	for _, r := range records {
		// A record's length counts its own digits.
		n := len(r) + 3
		for len(fmt.Sprint(n))+len(r)+2 != n {
			n++
		}
		body = fmt.Appendf(body, "%d %s\n", n, r)
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "PaxHeaders/x", Size: int64(len(body)), ModTime: archiveTime, Format: tar.FormatUSTAR}); err != nil {
		t.Fatal(err)
	}
	blk := b.Bytes()[b.Len()-512:]
	blk[156] = tar.TypeXHeader
	copy(blk[148:156], "        ")
	sum := 0
	for _, c := range blk {
		sum += int(c)
	}
	copy(blk[148:156], fmt.Sprintf("%06o\x00 ", sum))
	if _, err := tw.Write(body); err != nil {
		t.Fatal(err)
	}
}

// encryptTo age-encrypts plain to recipients.
func encryptTo(t testing.TB, plain []byte, recipients ...age.Recipient) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := age.Encrypt(&b, recipients...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plain); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// decryptArchive is the archive inside a bundle, as id sees it.
func decryptArchive(t testing.TB, id *Identity, bundle []byte) []byte {
	t.Helper()
	r, err := age.Decrypt(bytes.NewReader(bundle), id.age)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := b.ReadFrom(r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// validEntries is what Seal would put in the archive, from origin, for
// hand-made variations.
func (f *fixture) validEntries(t testing.TB) []entry {
	t.Helper()
	files := testFiles()
	manifest := f.sealedManifest(t, files, nil)
	es := []entry{{name: manifestEntry, data: manifest}, signatureEntryOf(t, f.origin, f.origin.fp, manifest)}
	sorted := map[string][]byte{}
	for _, fl := range files {
		sorted[fl.Name] = fl.Data
	}
	for _, name := range []string{"answers/0001.json", "empty.json", "list.json"} {
		es = append(es, entry{name: payloadDir + name, data: sorted[name]})
	}
	return es
}

func describe(err error) string {
	if r, ok := err.(*Refusal); ok {
		return fmt.Sprintf("refusal %s (%s)", r.Reason, r.Detail)
	}
	return fmt.Sprintf("%T %v", err, err)
}
