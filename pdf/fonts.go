package pdf

import (
	"bytes"
	_ "embed"

	"codeberg.org/go-pdf/fpdf"
)

// DejaVu Sans 2.37 (fonts-dejavu-core), licence in fonts/LICENSE. Only the
// faces the layout uses are shipped: each adds some 700 KB to the binary.
var (
	//go:embed fonts/DejaVuSans.ttf
	dejaVuSans []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	dejaVuSansBold []byte
	//go:embed fonts/DejaVuSansCondensed.ttf
	dejaVuSansCondensed []byte
)

// face is one typeface the layout sets text in.
type face int

const (
	regular   face = iota // prose, field values, the footer
	bold                  // title, headings, field labels, table headers
	condensed             // table cells, where columns are narrow
)

var faces = [...]struct {
	family, style string
	ttf           []byte
}{
	regular:   {"dejavusans", "", dejaVuSans},
	bold:      {"dejavusans", "B", dejaVuSansBold},
	condensed: {"dejavusanscondensed", "", dejaVuSansCondensed},
}

// fontSet registers faces with one document as they are first used, so a
// document embeds only the faces it sets text in, and skips selecting the
// font already selected (fpdf writes a font change into the page each time).
type fontSet struct {
	f      *fpdf.Fpdf
	loaded [len(faces)]bool
	cur    face
	size   float64 // 0 before the first use
}

// use makes fc at size points the current font.
func (s *fontSet) use(fc face, size float64) {
	if fc == s.cur && size == s.size {
		return
	}
	s.force(fc, size)
}

// force selects fc at size points even if it is thought current.
func (s *fontSet) force(fc face, size float64) {
	d := faces[fc]
	if !s.loaded[fc] {
		// fpdf keeps sub-slices of the bytes it is given while it subsets the
		// font; a copy per document keeps concurrent documents from sharing
		// the embedded array.
		s.f.AddUTF8FontFromBytes(d.family, d.style, bytes.Clone(d.ttf))
		s.loaded[fc] = true
	}
	s.f.SetFont(d.family, d.style, size)
	s.cur, s.size = fc, size
}
