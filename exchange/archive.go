package exchange

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// The archive inside a bundle holds, in this order, the manifest, its
// signature, and the payload files under payloadDir sorted by name. Every
// entry is a regular file with the same fixed metadata, so that the same
// contents always make the same archive, byte for byte.
const (
	manifestEntry  = "manifest.json"
	signatureEntry = "manifest.sig"
	payloadDir     = "payload/"
	maxSignature   = 1 << 10
)

var archiveTime = time.Unix(0, 0)

// manifestSig is manifest.sig: the fingerprint of the signing key and the
// Ed25519 signature over the PAE of the manifest.
type manifestSig struct {
	KeyID string `json:"keyid"`
	Sig   []byte `json:"sig"`
}

func writeArchive(w io.Writer, manifest, sig []byte, files []File) error {
	sorted := slices.Clone(files)
	slices.SortFunc(sorted, func(a, b File) int { return strings.Compare(a.Name, b.Name) })
	for i, f := range sorted {
		if err := checkFileName(f.Name); err != nil {
			return fmt.Errorf("exchange: %w", err)
		}
		if i > 0 && f.Name == sorted[i-1].Name {
			return fmt.Errorf("exchange: two payload files are named %q", f.Name)
		}
	}
	tw := tar.NewWriter(w)
	put := func(name string, data []byte) error {
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     name,
			Mode:     0o644,
			Size:     int64(len(data)),
			ModTime:  archiveTime,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("exchange: archive %s: %w", name, err)
		}
		if _, err := tw.Write(data); err != nil {
			return fmt.Errorf("exchange: archive %s: %w", name, err)
		}
		return nil
	}
	if err := put(manifestEntry, manifest); err != nil {
		return err
	}
	if err := put(signatureEntry, sig); err != nil {
		return err
	}
	for _, f := range sorted {
		if err := put(payloadDir+f.Name, f.Data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("exchange: close archive: %w", err)
	}
	return nil
}

// archive is what readArchive found, not yet checked against anything.
type archive struct {
	manifest []byte
	sig      manifestSig
	files    map[string][]byte
	names    []string // in archive order, which readArchive checks is sorted
}

// malformed is an archive problem; its text is a sentence for a user.
type malformed struct{ detail string }

func (e *malformed) Error() string { return e.detail }

func malformedf(format string, args ...any) error {
	return &malformed{fmt.Sprintf(format, args...)}
}

// readArchive reads the archive, refusing anything Seal would not write
// and never holding more than the limits allow. A read error of r comes
// back as it is, for the caller to tell damage from malformation.
func readArchive(r io.Reader, lim Limits) (*archive, error) {
	tr := tar.NewReader(r)
	a := &archive{files: map[string][]byte{}}
	var total int64
	for i := 0; ; i++ {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, tarError(err, "the archive inside the bundle is not a valid tar archive")
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil, malformedf("the archive holds %q, which is not a regular file", truncate(hdr.Name, 60))
		}
		// The tar reader expands GNU sparse files, renames entries and
		// more on PAX records; Seal writes none but a long name's path.
		for k := range hdr.PAXRecords {
			if k != "path" {
				return nil, malformedf("the archive uses a tar extension Seal never writes (%s)", truncate(k, 40))
			}
		}
		// Whatever the archive claims, it cannot hold more than the
		// encrypted file it came in.
		if total += hdr.Size; hdr.Size < 0 || total > lim.MaxBundle {
			return nil, malformedf("the archive's files add up to more than the bundle can hold")
		}
		switch {
		case i == 0:
			if hdr.Name != manifestEntry {
				return nil, malformedf("the archive does not begin with %s", manifestEntry)
			}
			if hdr.Size > lim.MaxManifest {
				return nil, malformedf("the manifest is larger than %d bytes", lim.MaxManifest)
			}
			if a.manifest, err = readEntry(tr, hdr.Size); err != nil {
				return nil, tarError(err, "the manifest is cut off")
			}
		case i == 1:
			if hdr.Name != signatureEntry {
				return nil, malformedf("the manifest is not followed by its signature")
			}
			if hdr.Size > maxSignature {
				return nil, malformedf("the manifest's signature is larger than %d bytes", maxSignature)
			}
			b, err := readEntry(tr, hdr.Size)
			if err != nil {
				return nil, tarError(err, "the manifest's signature is cut off")
			}
			if a.sig, err = decodeSig(b); err != nil {
				return nil, err
			}
		default:
			name, ok := strings.CutPrefix(hdr.Name, payloadDir)
			if !ok {
				return nil, malformedf("the archive holds %q, outside %s", truncate(hdr.Name, 60), payloadDir)
			}
			if err := checkFileName(name); err != nil {
				return nil, malformedf("the archive holds a payload file with a bad name: %v", err)
			}
			if n := len(a.names); n > 0 && name <= a.names[n-1] {
				if name == a.names[n-1] {
					return nil, malformedf("the archive holds %s twice", name)
				}
				return nil, malformedf("the archive's files are not in order (%s after %s)", name, a.names[n-1])
			}
			if len(a.names) == lim.MaxFiles {
				return nil, malformedf("the archive holds more than %d payload files", lim.MaxFiles)
			}
			if hdr.Size > lim.MaxFile {
				return nil, malformedf("payload file %s is larger than %d bytes", name, lim.MaxFile)
			}
			data, err := readEntry(tr, hdr.Size)
			if err != nil {
				return nil, tarError(err, fmt.Sprintf("payload file %s is cut off", name))
			}
			a.files[name] = data
			a.names = append(a.names, name)
		}
	}
	if a.manifest == nil {
		return nil, malformedf("the archive holds no manifest")
	}
	if a.sig.Sig == nil {
		return nil, malformedf("the archive holds no signature of the manifest")
	}
	return a, nil
}

func decodeSig(b []byte) (manifestSig, error) {
	var s manifestSig
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, malformedf("the manifest's signature file is not valid")
	}
	if _, err := dec.Token(); err != io.EOF {
		return s, malformedf("the manifest's signature file has data after its end")
	}
	if !isFingerprint(s.KeyID) {
		return s, malformedf("the manifest's signature does not name its key by fingerprint")
	}
	if len(s.Sig) != 64 {
		return s, malformedf("the manifest's signature is not an Ed25519 signature")
	}
	return s, nil
}

// readEntry reads exactly size bytes. It trusts the header's size only up
// to 8 MiB and grows its buffer as data arrives beyond, so that a
// small bundle cannot make Open allocate the most a file may hold.
func readEntry(r io.Reader, size int64) ([]byte, error) {
	const step = 8 << 20
	buf := make([]byte, 0, min(size, step))
	for int64(len(buf)) < size {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, int(min(size-int64(len(buf)), max(int64(len(buf)), step))))
		}
		n, err := r.Read(buf[len(buf):min(int64(cap(buf)), size)])
		buf = buf[:len(buf)+n]
		if err == io.EOF && int64(len(buf)) < size {
			return nil, io.ErrUnexpectedEOF
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
	}
	return buf, nil
}

// tarError turns an error of the tar reader into a sentence for a user.
// The error itself is dropped: when it came from the decrypting reader
// underneath, Open has recorded it there and reports damage instead.
func tarError(_ error, detail string) error {
	return &malformed{detail}
}
