package pdf

import (
	"codeberg.org/go-pdf/fpdf"

	"github.com/homeward-project/homeward"
)

// Page geometry in millimetres.
const (
	marginX          = 15.0 // left and right
	marginTop        = 15.0
	marginBottom     = 20.0 // leaves room for the footer
	footerFromBottom = 13.0
	eps              = 0.01 // slack for comparisons of accumulated heights
	minSplitLines    = 3    // a row too tall for any page starts here only if this many of its lines fit
)

// Type sizes in points, and the line height they are set on.
const (
	titleSize    = 16.0
	subtitleSize = 11.0
	headingSize  = 12.0
	bodySize     = 10.0
	captionSize  = 9.0
	tableSize    = 8.0
	footerSize   = 8.0
)

func lineHeight(pt float64) float64 { return pt * 25.4 / 72 * 1.3 }

// Colours as grey levels.
const (
	textGrey   = 0   // body text
	mutedGrey  = 90  // subtitle, captions, footer
	ruleGrey   = 130 // table borders
	headerFill = 232 // table header background
)

// renderer lays a Document out onto fpdf pages, keeping its own cursor y.
// Automatic page breaks are off: every break is decided here, so that rows
// stay whole and table headers repeat.
type renderer struct {
	f      *fpdf.Fpdf
	fonts  fontSet
	doc    Document
	images map[int]decodedImage // by block index

	pageW, pageH float64
	left, width  float64 // the text column
	top, bottom  float64 // where content may start and must end
	y            float64
	freshY       float64 // y at which the current page's content began, after any repeated header
}

func newRenderer(d Document, images map[int]decodedImage) *renderer {
	f := newPDF(d)
	r := &renderer{f: f, doc: d, images: images}
	r.fonts.f = f
	r.pageW, r.pageH = f.GetPageSize()
	r.left, r.width = marginX, r.pageW-2*marginX
	r.top, r.bottom = marginTop, r.pageH-marginBottom
	f.SetMargins(marginX, marginTop, marginX)
	f.SetAutoPageBreak(false, marginBottom)
	f.SetCellMargin(0)
	f.SetLineWidth(0.2)
	f.SetDrawColor(ruleGrey, ruleGrey, ruleGrey)
	// Text is drawn in a colour unlike the fill so that fpdf states it with
	// every cell, rather than relying on the page's current fill colour.
	f.SetFillColor(255, 255, 255)
	f.SetTextColor(textGrey, textGrey, textGrey)
	return r
}

func (r *renderer) render() {
	r.newPage()
	r.title()
	for i, b := range r.doc.Blocks {
		if r.f.Err() {
			return
		}
		switch b := b.(type) {
		case Heading:
			r.heading(b)
		case Paragraph:
			r.paragraph(b)
		case Fields:
			r.fields(b)
		case Table:
			r.table(b)
		case Image:
			r.image(i, b)
		case PageBreak:
			if !r.fresh() {
				r.newPage()
			}
		}
	}
	r.footers()
}

// newPage starts a page, refusing to go past MaxPages.
func (r *renderer) newPage() {
	if r.f.PageCount() >= MaxPages {
		r.f.SetError(homeward.Errorf(homeward.EINVALID, "The document would be longer than %d pages.", MaxPages))
		return
	}
	r.f.AddPage()
	r.y, r.freshY = r.top, r.top
}

// fresh reports whether nothing but a repeated header is on the page yet.
func (r *renderer) fresh() bool { return r.y <= r.freshY+eps }

// room reports whether h more millimetres fit on the page.
func (r *renderer) room(h float64) bool { return r.y+h <= r.bottom+eps }

// text draws one line with its top at (x, y).
func (r *renderer) text(x, y float64, line string, lh float64) {
	r.f.SetXY(x, y)
	r.f.CellFormat(0, lh, line, "", 0, "L", false, 0, "")
}

// measure is the width of s in the current font.
func (r *renderer) measure(s string) float64 { return r.f.GetStringWidth(s) }

// flow draws lines one below another from the cursor, breaking pages
// between lines.
func (r *renderer) flow(lines []string, x, lh float64) {
	for _, line := range lines {
		if !r.room(lh) && !r.fresh() {
			r.newPage()
			if r.f.Err() {
				return
			}
		}
		r.text(x, r.y, line, lh)
		r.y += lh
	}
}

// placeRow lays out a row of n lines of height lh with pad above and below:
// whole on this page if it fits, else whole on the next. A row taller than
// capacity, the height a page holds below any repeated header, cannot stay
// whole: it starts where it is and continues on following pages. breakPage
// starts a page (and redraws any header); draw draws lines [from, to) in a
// band of height h at y.
func (r *renderer) placeRow(n int, lh, pad, capacity float64, breakPage func(), draw func(from, to int, y, h float64)) {
	tall := float64(n)*lh+2*pad > capacity+eps
	for from := 0; from < n; {
		need := float64(n-from)*lh + 2*pad
		if r.room(need) {
			draw(from, n, r.y, need)
			r.y += need
			return
		}
		k := int((r.bottom - r.y - 2*pad + eps) / lh)
		if !r.fresh() && (k < minSplitLines || !tall) {
			breakPage()
			if r.f.Err() {
				return
			}
			continue
		}
		k = max(k, 1) // not a line fits even an empty page: draw one anyway, so the loop ends
		if k >= n-from {
			draw(from, n, r.y, need)
			r.y += need
			return
		}
		h := float64(k)*lh + 2*pad
		draw(from, from+k, r.y, h)
		r.y += h
		from += k
		breakPage()
		if r.f.Err() {
			return
		}
	}
}

// footers writes "Page N of M" and the document's footer on every page, once
// the page count is known. fpdf's own alias for the page count is not used:
// its digits are missing from the font subset unless the body uses them, and
// it is measured as the alias, not the number.
func (r *renderer) footers() {
	if r.f.Err() {
		return
	}
	n := r.f.PageCount()
	lh := lineHeight(footerSize)
	y := r.pageH - footerFromBottom
	r.fonts.use(regular, footerSize)
	widest := r.measure(pageLabel(r.doc.Lang, n, n))
	footer := truncate(clean(r.doc.Footer, true), r.width-widest-6, r.measure)
	for p := 1; p <= n; p++ {
		r.f.SetPage(p)
		// Returning to a finished page, fpdf's idea of the current font and
		// colours need not match that page's: state them again.
		r.fonts.force(regular, footerSize)
		r.f.SetFillColor(255, 255, 255)
		r.f.SetTextColor(mutedGrey, mutedGrey, mutedGrey)
		label := pageLabel(r.doc.Lang, p, n)
		r.text(r.left+r.width-r.measure(label), y, label, lh)
		if footer != "" {
			r.text(r.left, y, footer, lh)
		}
	}
}
