package pdf

// Vertical spacing in millimetres.
const (
	afterTitle     = 6.0
	beforeHeading  = 4.0
	afterHeading   = 1.5
	afterParagraph = 2.5
	afterBlock     = 4.0 // fields, tables, images
)

// title heads the first page with the title and subtitle.
func (r *renderer) title() {
	if r.doc.Title == "" && r.doc.Subtitle == "" {
		return
	}
	if r.doc.Title != "" {
		r.fonts.use(bold, titleSize)
		r.f.SetTextColor(textGrey, textGrey, textGrey)
		r.flow(wrap(clean(r.doc.Title, false), r.width, r.measure), r.left, lineHeight(titleSize))
	}
	if r.doc.Subtitle != "" {
		r.fonts.use(regular, subtitleSize)
		r.f.SetTextColor(mutedGrey, mutedGrey, mutedGrey)
		r.flow(wrap(clean(r.doc.Subtitle, false), r.width, r.measure), r.left, lineHeight(subtitleSize))
	}
	r.y += afterTitle
}

// heading starts a section, on a new page when it would otherwise stand
// alone at the foot of this one.
func (r *renderer) heading(h Heading) {
	r.fonts.use(bold, headingSize)
	r.f.SetTextColor(textGrey, textGrey, textGrey)
	lh := lineHeight(headingSize)
	lines := wrap(clean(h.Text, false), r.width, r.measure)
	if !r.fresh() {
		r.y += beforeHeading
	}
	if !r.fresh() && !r.room(float64(len(lines))*lh+afterHeading+2*lineHeight(bodySize)) {
		r.newPage()
	}
	r.flow(lines, r.left, lh)
	r.y += afterHeading
}

func (r *renderer) paragraph(p Paragraph) {
	r.fonts.use(regular, bodySize)
	r.f.SetTextColor(textGrey, textGrey, textGrey)
	r.flow(wrap(clean(p.Text, false), r.width, r.measure), r.left, lineHeight(bodySize))
	r.y += afterParagraph
}
