package pdf

// Layout of a Fields block: the label column's share of the text width, and
// the space between label and value.
const (
	labelShare = 0.32
	labelGap   = 4.0
	fieldPad   = 0.6 // above and below each field
)

// fields sets label–value pairs as a borderless two-column grid. A field
// moves whole to the next page, like a table row.
func (r *renderer) fields(fs Fields) {
	labelW := r.width * labelShare
	valueX := r.left + labelW + labelGap
	valueW := r.width - labelW - labelGap
	lh := lineHeight(bodySize)
	r.f.SetTextColor(textGrey, textGrey, textGrey)
	for _, fd := range fs.Rows {
		if r.f.Err() {
			return
		}
		r.fonts.use(bold, bodySize)
		label := wrap(clean(fd.Label, false), labelW, r.measure)
		r.fonts.use(regular, bodySize)
		value := wrap(clean(fd.Value, false), valueW, r.measure)
		n := max(len(label), len(value))
		r.placeRow(n, lh, fieldPad, r.bottom-r.top, r.newPage, func(from, to int, y, _ float64) {
			y += fieldPad
			r.fonts.use(bold, bodySize)
			drawLines(r, label, from, to, r.left, y, lh)
			r.fonts.use(regular, bodySize)
			drawLines(r, value, from, to, valueX, y, lh)
		})
	}
	r.y += afterBlock
}

// drawLines draws lines[from:to] of one cell, those that exist, from y down.
func drawLines(r *renderer, lines []string, from, to int, x, y, lh float64) {
	for i := from; i < to && i < len(lines); i++ {
		r.text(x, y+float64(i-from)*lh, lines[i], lh)
	}
}
