package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/pdf"
)

// listDocumentPDF lays out a list revision as a printable landscape A4
// table, one row per child, in the page's language: for a counterpart
// without Homeward, and for the mediator's file.
func (l *locale) listDocumentPDF(rl *homeward.ReturnList, channel string, doc *homeward.ListDocument, printed time.Time) pdf.Document {
	cols := []pdf.Column{
		{Title: l.T("Reference"), Width: 1.8},
		{Title: l.T("Names and other spellings"), Width: 2.2},
		{Title: l.fieldLabel("sex"), Width: 0.6},
		{Title: l.fieldLabel("birth_date"), Width: 1.3},
		{Title: l.fieldLabel("birth_place"), Width: 1.4},
		{Title: l.T("Last seen: place and date"), Width: 1.6},
		{Title: l.T("Circumstances"), Width: 1.0},
		{Title: l.T("Legal representative: relation and basis"), Width: 1.6},
		{Title: l.T("Siblings on the list"), Width: 1.3},
	}
	standard := doc.Profile.Includes(homeward.ProfileStandard)
	if standard {
		cols = append(cols, pdf.Column{Title: l.T("Distinguishing marks; family who seek the child"), Width: 1.8})
	}
	rows := make([][]string, 0, len(doc.Entries))
	for _, e := range doc.Entries {
		p := &e.Person
		names := p.FullName()
		for _, n := range p.OtherNames {
			names += "\n" + n.Name
		}
		ref := e.Ref
		if e.CarriedFrom != "" {
			ref += "\n(" + l.T("from %s", e.CarriedFrom) + ")"
		}
		seen := strings.TrimSpace(strings.Trim(p.LastSeenPlace+", "+p.LastSeenDate.Display(), ", "))
		rep := ""
		if p.LegalRepRelation != "" || p.LegalRepBasis != "" {
			rep = strings.Trim(l.label("relation", p.LegalRepRelation)+", "+p.LegalRepBasis, ", ")
			if p.LegalRepRelation == "" {
				rep = p.LegalRepBasis
			}
		}
		circ := ""
		if p.Circumstance != "" {
			circ = l.label("circumstance", p.Circumstance)
		}
		row := []string{ref, names, l.label("sex", p.Sex), p.BirthDate.Display(), p.BirthPlace, seen, circ, rep, strings.Join(p.Siblings, "\n")}
		if standard {
			var more []string
			if p.DistinguishingMarks != "" {
				more = append(more, p.DistinguishingMarks)
			}
			for _, sk := range p.Seekers {
				more = append(more, strings.TrimSpace(sk.Name+" ("+l.label("relation", sk.Relation)+")"))
			}
			row = append(row, strings.Join(more, "\n"))
		}
		rows = append(rows, row)
	}
	sealed := ""
	if !doc.SealedAt.IsZero() {
		sealed = doc.SealedAt.UTC().Format("02.01.2006")
	}
	d := pdf.Document{
		Title:     doc.Title,
		Subtitle:  l.T("Channel %s · phase %d · revision %d · sealed %s · %d children", channel, doc.Phase, doc.Revision, sealed, len(doc.Entries)),
		Lang:      l.lang,
		Landscape: true,
		Footer:    l.T("List %s, revision %d; printed %s", doc.UID, doc.Revision, printed.UTC().Format("02.01.2006")),
		Created:   printed,
		Blocks: []pdf.Block{
			pdf.Paragraph{Text: l.T("Disclosure profile: %s. Contacts of the family and the case's notes are never on a list.", l.label("profile", doc.Profile))},
			pdf.Table{Columns: cols, Rows: rows},
		},
	}
	if len(doc.Removed) > 0 {
		d.Blocks = append(d.Blocks, pdf.Paragraph{Text: l.T("No longer on the list: %s", strings.Join(doc.Removed, ", "))})
	}
	return d
}

// listPrint renders the sealed revision as a PDF.
func (s *Server) listPrint(w http.ResponseWriter, r *http.Request) error {
	l, doc, err := s.sealedDocument(r)
	if err != nil {
		return err
	}
	channel := ""
	if ch, err := s.cfg.Lists.FindChannelByID(r.Context(), l.ChannelID); err == nil {
		channel = ch.Name
	}
	lang := s.langOf(r)
	var buf bytes.Buffer
	if err := pdf.Write(&buf, locales[lang].listDocumentPDF(l, channel, doc, time.Now())); err != nil {
		return fmt.Errorf("print list %d: %w", l.ID, err)
	}
	name := listFileName(doc, "pdf")
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, asciiName(name), url.PathEscape(name)))
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(buf.Bytes())
	return err
}
