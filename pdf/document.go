package pdf

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"time"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"

	"github.com/homeward-project/homeward"
)

// Limits on what one document may hold. They bound the work and memory of a
// single request; a document past any of them is refused with EINVALID
// before anything is drawn (pages: as soon as the layout passes the limit).
const (
	MaxRows        = 100_000    // table rows in the whole document
	MaxColumns     = 30         // columns of one table
	MaxTextLen     = 10_000     // characters in one text: a cell, a value, a paragraph, a title
	MaxPages       = 10_000     // pages of the laid-out document
	MaxImageBytes  = 20 << 20   // encoded size of one image
	MaxImagePixels = 40_000_000 // width × height of one image
)

// Document is one printable A4 document: a title, then its blocks in order.
type Document struct {
	Title     string    // heads the first page and names the file in a viewer
	Subtitle  string    // optional line under the title
	Lang      string    // "uk" or "en": the language of the page footer and of the PDF
	Landscape bool      // landscape A4, for wide tables
	Footer    string    // optional, on every page beside the page number: a reference, who printed it
	Created   time.Time // the PDF's creation date; zero stands for a fixed date so output is reproducible
	Blocks    []Block
}

// Block is one part of a document's body: Heading, Paragraph, Fields, Table,
// Image or PageBreak, each as a value (not a pointer).
type Block interface{ block() }

// Heading starts a section. It is kept on the same page as what follows.
type Heading struct{ Text string }

// Paragraph is running text; a newline in Text starts a new line.
type Paragraph struct{ Text string }

// Fields lists label–value pairs, labels in a column on the left, values
// wrapping beside them.
type Fields struct{ Rows []Field }

// Field is one label and its value.
type Field struct{ Label, Value string }

// Table is a grid with a header row that repeats on every page it spans.
// Every row has exactly one cell per column. Cells wrap; a row is as tall as
// its tallest cell and moves whole to the next page when it does not fit,
// unless it is taller than a page: then it starts where it is and continues
// on the pages after.
type Table struct {
	Columns []Column
	Rows    [][]string
}

// Column is a table column. Width is relative to the other columns' (2 is
// twice as wide as 1); zero counts as 1.
type Column struct {
	Title string
	Width float64
}

// Image is a JPEG or PNG picture, such as a child's photograph. It is shown at
// 96 dpi, shrunk to fit MaxWidthMM × MaxHeightMM (zero: the text width and
// 100 mm) and the page, keeping its proportions, with an optional caption
// below.
type Image struct {
	Data                    []byte
	ContentType             string // "image/jpeg" or "image/png"
	MaxWidthMM, MaxHeightMM float64
	Caption                 string
}

// PageBreak starts a new page, unless the current one is still empty.
type PageBreak struct{}

func (Heading) block()   {}
func (Paragraph) block() {}
func (Fields) block()    {}
func (Table) block()     {}
func (Image) block()     {}
func (PageBreak) block() {}

// maxColumnWidth bounds relative widths, which need no more range, so that
// their sum stays finite.
const maxColumnWidth = 1000

// defaultCreated is the creation date of a document without one: a fixed
// value, so the same document renders to the same bytes.
var defaultCreated = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// Write renders d as a PDF to w. Invalid input — an unknown language, a row
// with the wrong number of cells, an image that does not decode, anything past
// the limits above — is reported as a *homeward.Error with code EINVALID and
// nothing is written.
//
// The same Document renders to the same bytes, with one exception: fpdf
// v0.12.0 orders image objects in the file by pixel width alone, so two
// different images of the same width may swap places in the file (never on
// the page).
func Write(w io.Writer, d Document) (err error) {
	defer func() {
		// fpdf reports most failures through its error state, but it also
		// indexes tables by rune without bounds checks (clean avoids the
		// cases known). A document must fail, not take the server down. Only
		// runtime errors are quoted: other panic values could carry text.
		if p := recover(); p != nil {
			if re, ok := p.(runtime.Error); ok {
				err = fmt.Errorf("pdf: rendering failed: %v", re)
			} else {
				err = fmt.Errorf("pdf: rendering failed")
			}
		}
	}()
	if err := d.validate(); err != nil {
		return err
	}
	images, err := decodeImages(d.Blocks)
	if err != nil {
		return err
	}
	r := newRenderer(d, images)
	r.render()
	if err := r.f.Error(); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	return r.f.Output(w)
}

func (d Document) validate() error {
	switch d.Lang {
	case "uk", "en":
	default:
		return homeward.FieldErrorf(homeward.EINVALID, "lang", "The document language must be uk or en.")
	}
	for _, t := range []struct{ name, s string }{{"title", d.Title}, {"subtitle", d.Subtitle}, {"footer", d.Footer}} {
		if err := checkText(t.s); err != nil {
			return homeward.FieldErrorf(homeward.EINVALID, t.name, "The document %s %s.", t.name, err)
		}
	}
	rows := 0
	for i, b := range d.Blocks {
		if err := validateBlock(b, &rows); err != nil {
			return homeward.Errorf(homeward.EINVALID, "Block %d (%s): %s.", i+1, blockName(b), err)
		}
	}
	return nil
}

func validateBlock(b Block, rows *int) error {
	switch b := b.(type) {
	case Heading:
		return checkText(b.Text)
	case Paragraph:
		return checkText(b.Text)
	case Fields:
		for i, f := range b.Rows {
			if err := checkText(f.Label); err != nil {
				return fmt.Errorf("the label of field %d %s", i+1, err)
			}
			if err := checkText(f.Value); err != nil {
				return fmt.Errorf("the value of field %d %s", i+1, err)
			}
		}
	case Table:
		return validateTable(b, rows)
	case Image:
		if err := checkText(b.Caption); err != nil {
			return fmt.Errorf("the caption %s", err)
		}
		if !finiteNonNegative(b.MaxWidthMM) || !finiteNonNegative(b.MaxHeightMM) {
			return fmt.Errorf("the maximum size must be zero or a positive number of millimetres")
		}
		// Data and ContentType are checked when the image is decoded.
	case PageBreak:
	default:
		return fmt.Errorf("unsupported block type %T", b)
	}
	return nil
}

func validateTable(t Table, rows *int) error {
	if len(t.Columns) == 0 {
		return fmt.Errorf("a table needs at least one column")
	}
	if len(t.Columns) > MaxColumns {
		return fmt.Errorf("%d columns is more than the %d a table may have", len(t.Columns), MaxColumns)
	}
	for i, c := range t.Columns {
		if err := checkText(c.Title); err != nil {
			return fmt.Errorf("the title of column %d %s", i+1, err)
		}
		if !finiteNonNegative(c.Width) || c.Width > maxColumnWidth {
			return fmt.Errorf("column %d has a width that is not a number from 0 to %d", i+1, maxColumnWidth)
		}
	}
	*rows += len(t.Rows)
	if *rows > MaxRows {
		return fmt.Errorf("the document's tables have more than %d rows", MaxRows)
	}
	for i, row := range t.Rows {
		if len(row) != len(t.Columns) {
			return fmt.Errorf("row %d has %d cells for %d columns", i+1, len(row), len(t.Columns))
		}
		for j, cell := range row {
			if err := checkText(cell); err != nil {
				return fmt.Errorf("row %d, column %d %s", i+1, j+1, err)
			}
		}
	}
	return nil
}

// checkText returns an error phrased to follow the name of what holds s.
func checkText(s string) error {
	// A rune is at least one byte, so short strings need no count.
	if len(s) > MaxTextLen && utf8.RuneCountInString(s) > MaxTextLen {
		return fmt.Errorf("is longer than %d characters", MaxTextLen)
	}
	return nil
}

func finiteNonNegative(v float64) bool {
	return v >= 0 && !math.IsInf(v, 1) // NaN fails v >= 0
}

func blockName(b Block) string {
	switch b.(type) {
	case Heading:
		return "heading"
	case Paragraph:
		return "paragraph"
	case Fields:
		return "fields"
	case Table:
		return "table"
	case Image:
		return "image"
	case PageBreak:
		return "page break"
	}
	return fmt.Sprintf("%T", b)
}

// pageLabel is the footer's page number in the document's language.
func pageLabel(lang string, n, of int) string {
	if lang == "uk" {
		return fmt.Sprintf("Сторінка %d з %d", n, of)
	}
	return fmt.Sprintf("Page %d of %d", n, of)
}

// newPDF returns an fpdf document set up for reproducible output.
func newPDF(d Document) *fpdf.Fpdf {
	orientation := "P"
	if d.Landscape {
		orientation = "L"
	}
	f := fpdf.New(orientation, "mm", "A4", "")
	created := d.Created
	if created.IsZero() {
		created = defaultCreated
	}
	// fpdf writes the date without a zone: UTC keeps it independent of the
	// server's time zone.
	f.SetCreationDate(created.UTC())
	f.SetModificationDate(created.UTC())
	// Without the sort fpdf writes fonts and images in map order.
	f.SetCatalogSort(true)
	f.SetProducer("Homeward", false)
	f.SetCreator("Homeward", false)
	f.SetTitle(clean(d.Title, true), true)
	f.SetLang(d.Lang)
	return f
}
