package pdf

import "github.com/homeward-project/homeward"

// Table cells: padding inside the borders, in millimetres.
const (
	cellPadX = 1.0
	cellPadY = 0.7
)

// table draws the header, then each row whole, breaking pages between rows
// and repeating the header at the top of each new page. Cells are set in the
// condensed face so that a return list's many columns fit landscape A4; the
// header in bold.
func (r *renderer) table(t Table) {
	xs, ws := r.columns(t.Columns)
	lh := lineHeight(tableSize)

	r.fonts.use(bold, tableSize)
	header := make([][]string, len(t.Columns))
	headerLines := 0
	for i, c := range t.Columns {
		header[i] = wrap(clean(c.Title, false), ws[i]-2*cellPadX, r.measure)
		headerLines = max(headerLines, len(header[i]))
	}
	headerH := float64(headerLines)*lh + 2*cellPadY
	if headerH > (r.bottom-r.top)/2 {
		r.f.SetError(homeward.Errorf(homeward.EINVALID, "The column titles of a table are too long to fit half a page."))
		return
	}
	drawHeader := func() {
		r.fonts.use(bold, tableSize)
		r.f.SetFillColor(headerFill, headerFill, headerFill)
		for i := range header {
			r.f.Rect(xs[i], r.y, ws[i], headerH, "FD")
		}
		r.f.SetFillColor(255, 255, 255)
		for i, lines := range header {
			drawLines(r, lines, 0, len(lines), xs[i]+cellPadX, r.y+cellPadY, lh)
		}
		r.y += headerH
	}
	breakPage := func() {
		r.newPage()
		if r.f.Err() {
			return
		}
		drawHeader()
		r.freshY = r.y
	}

	cells := make([][]string, len(t.Columns))
	wrapRow := func(row []string) int {
		r.fonts.use(condensed, tableSize)
		n := 1
		for i, s := range row {
			cells[i] = wrap(clean(s, false), ws[i]-2*cellPadX, r.measure)
			n = max(n, len(cells[i]))
		}
		return n
	}

	// Start on a new page unless the header and the first row (or the first
	// lines of one too tall for any page) fit here: a header alone at the
	// foot of a page says nothing.
	capacity := r.bottom - r.top - headerH
	first := 0.0
	if len(t.Rows) > 0 {
		first = float64(wrapRow(t.Rows[0]))*lh + 2*cellPadY
		if first > capacity {
			first = minSplitLines*lh + 2*cellPadY
		}
	}
	if !r.fresh() && !r.room(headerH+first) {
		r.newPage()
		if r.f.Err() {
			return
		}
	}
	r.f.SetTextColor(textGrey, textGrey, textGrey)
	atTop := r.fresh()
	drawHeader()
	if atTop && len(t.Rows) > 0 {
		r.freshY = r.y
	}

	for _, row := range t.Rows {
		if r.f.Err() {
			return
		}
		n := wrapRow(row)
		r.placeRow(n, lh, cellPadY, capacity, breakPage, func(from, to int, y, h float64) {
			for j := range cells {
				r.f.Rect(xs[j], y, ws[j], h, "D")
			}
			r.fonts.use(condensed, tableSize)
			for j, lines := range cells {
				drawLines(r, lines, from, to, xs[j]+cellPadX, y+cellPadY, lh)
			}
		})
	}
	r.y += afterBlock
}

// columns returns each column's left edge and width, sharing the text width
// in proportion to the columns' relative widths.
func (r *renderer) columns(cols []Column) (xs, ws []float64) {
	total := 0.0
	for _, c := range cols {
		total += colWeight(c)
	}
	xs, ws = make([]float64, len(cols)), make([]float64, len(cols))
	x := r.left
	for i, c := range cols {
		xs[i], ws[i] = x, r.width*colWeight(c)/total
		x += ws[i]
	}
	return xs, ws
}

func colWeight(c Column) float64 {
	if c.Width == 0 {
		return 1
	}
	return c.Width
}
