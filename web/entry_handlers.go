package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/homeward-project/homeward"
)

// fieldRow is one label and value of a record as a page shows it.
type fieldRow struct {
	Label string
	Value string
}

// personRows shows what was disclosed of a child, field by field.
func (l *locale) personRows(p *homeward.DisclosedChild) []fieldRow {
	var other []string
	for _, n := range p.OtherNames {
		other = append(other, n.Name)
	}
	var seekers []string
	for _, sk := range p.Seekers {
		seekers = append(seekers, strings.TrimSpace(sk.Name+" ("+l.label("relation", sk.Relation)+")"))
	}
	rows := []fieldRow{
		{l.fieldLabel("family_name"), p.FamilyName},
		{l.fieldLabel("given_name"), p.GivenName},
		{l.fieldLabel("patronymic"), p.Patronymic},
		{l.fieldLabel("other_names"), strings.Join(other, "; ")},
		{l.fieldLabel("sex"), l.label("sex", p.Sex)},
		{l.fieldLabel("birth_date"), p.BirthDate.Display()},
		{l.fieldLabel("birth_place"), p.BirthPlace},
		{l.fieldLabel("last_seen_place"), p.LastSeenPlace},
		{l.fieldLabel("last_seen_date"), p.LastSeenDate.Display()},
		{l.fieldLabel("circumstance"), l.label("circumstance", p.Circumstance)},
		{l.T("Legal representative"), strings.Trim(l.label("relation", p.LegalRepRelation)+", "+p.LegalRepBasis, ", —")},
		{l.T("Siblings on the list"), strings.Join(p.Siblings, ", ")},
	}
	if p.LegalRepRelation == "" && p.LegalRepBasis == "" {
		rows[10].Value = ""
	}
	if p.DistinguishingMarks != "" {
		rows = append(rows, fieldRow{l.fieldLabel("distinguishing_marks"), p.DistinguishingMarks})
	}
	if len(seekers) > 0 {
		rows = append(rows, fieldRow{l.T("Family members who seek the child"), strings.Join(seekers, "; ")})
	}
	if len(p.Photos) > 0 {
		rows = append(rows, fieldRow{l.T("Photos"), strconv.Itoa(len(p.Photos))})
	}
	return rows
}

// historyStep is one phase of an entry's way: the entry then, its list
// and the answers it had.
type historyStep struct {
	E       *homeward.ListEntry
	L       *homeward.ReturnList
	Answers []answerView
}

// answerView is an answer as the pages show it, with the one it corrects.
type answerView struct {
	A        *homeward.Answer
	Corrects *homeward.Answer
	By       string
	Details  []fieldRow
}

// answerDetails lists the details an answer gives, labelled.
func (l *locale) answerDetails(a *homeward.Answer) []fieldRow {
	d := &a.Details
	var out []fieldRow
	add := func(field, v string) {
		if strings.TrimSpace(v) != "" {
			out = append(out, fieldRow{l.label("answerfield", field), v})
		}
	}
	if d.LocationKind != "" {
		add("location_kind", l.label("location", d.LocationKind))
	}
	add("place", d.Place)
	add("region", d.Region)
	add("country", d.Country)
	add("known_as", d.KnownAs)
	add("until", d.Until.Display())
	add("identifiers", strings.Join(d.Identifiers, ", "))
	add("witnessed_by", d.WitnessedBy)
	add("interview_on", d.InterviewOn.Display())
	add("duplicate_of", d.DuplicateOf)
	add("proof", d.Proof)
	add("reason", d.Reason)
	return out
}

func (s *Server) answerViews(names *actorNames, l *locale, as []*homeward.Answer) []answerView {
	byUID := map[string]*homeward.Answer{}
	out := make([]answerView, 0, len(as))
	for _, a := range as {
		av := answerView{A: a, Corrects: byUID[a.Corrects], Details: l.answerDetails(a)}
		if a.RecordedBy != 0 {
			av.By = names.name(a.RecordedBy)
		}
		out = append(out, av)
		byUID[a.UID] = a
	}
	return out
}

// entryCandidate is one of our records that may be the child of a
// received entry, beside it.
type entryCandidate struct {
	C        *homeward.EntryCandidate
	Case     *homeward.Case
	Located  *homeward.LocatedRecord
	Percent  string
	Rows     []sideRow
	Evidence []evidenceLine
}

// messageView is a welfare message with what the user may do with it.
type messageView struct {
	M          *homeward.WelfareMessage
	Author     string
	ApprovedBy string
	CanApprove bool
	CanRead    bool
}

func (s *Server) messageViews(names *actorNames, u *homeward.User, ms []*homeward.WelfareMessage) []messageView {
	out := make([]messageView, 0, len(ms))
	for _, m := range ms {
		mv := messageView{M: m}
		if m.AuthorID != 0 {
			mv.Author = names.name(m.AuthorID)
		}
		if m.ApprovedBy != 0 {
			mv.ApprovedBy = names.name(m.ApprovedBy)
		}
		mv.CanApprove = m.Direction == homeward.MessageOutgoing && m.State == homeward.MessageDraft && u.Role.IsSupervisorRank() && m.AuthorID != u.ID
		mv.CanRead = m.Direction == homeward.MessageIncoming && m.State != homeward.MessageRead
		out = append(out, mv)
	}
	return out
}

// codeNeed says which details an answer code needs, for the form.
type codeNeed struct {
	Code  homeward.AnswerCode
	Needs []string // field names
}

// codeNeeds follows homeward.Answer.Validate: the details each code
// requires. The service checks them whatever the form says.
var codeNeeds = []codeNeed{
	{homeward.AnswerInCare, []string{"location_kind", "place"}},
	{homeward.AnswerThirdCountry, []string{"country"}},
	{homeward.AnswerMoreIdentifiers, []string{"identifiers"}},
	{homeward.AnswerDeferred, []string{"until", "reason"}},
	{homeward.AnswerChildDeclines, []string{"witnessed_by", "interview_on"}},
	{homeward.AnswerDuplicate, []string{"duplicate_of"}},
	{homeward.AnswerProofRequested, []string{"proof"}},
}

type entryData struct {
	E          *homeward.ListEntry
	L          *homeward.ReturnList
	Case       *homeward.Case
	Person     []fieldRow
	History    []historyStep
	Answers    []answerView
	Candidates []entryCandidate
	Messages   []messageView
	Codes      []homeward.AnswerCode
	Kinds      []homeward.LocationKind
	Needs      []codeNeed
	Form       url.Values
	Incoming   bool
	CanAnswer  bool
	CanMessage bool
	MaxMessage int
}

func (s *Server) entryShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.renderEntry(w, r, id, http.StatusOK, url.Values{}, nil)
}

func (s *Server) renderEntry(w http.ResponseWriter, r *http.Request, id int64, status int, form url.Values, formErr error) error {
	ctx := r.Context()
	e, err := s.cfg.Lists.FindEntryByID(ctx, id)
	if err != nil {
		return err
	}
	l, err := s.cfg.Lists.FindListByID(ctx, e.ListID)
	if err != nil {
		return err
	}
	v := s.view(r, "exchange")
	v.Path = fmt.Sprintf("/entries/%d", id)
	v.Title = v.T("Entry %s", e.Ref)
	if formErr != nil {
		v.setError(formErr)
	}
	u := v.User
	names := s.actorNames(r, v)
	d := entryData{E: e, L: l, Person: v.loc.personRows(&e.Person), Codes: homeward.AnswerCodes, Kinds: homeward.LocationKinds,
		Needs: codeNeeds, Form: form, Incoming: l.Direction == homeward.ListIncoming, MaxMessage: homeward.MaxMessageLength}
	d.CanAnswer = l.SealedRevision > 0 && l.State != homeward.ListWithdrawn && e.RemovedRevision == 0 && l.Direction != homeward.ListRelayed
	d.CanMessage = d.Incoming && s.cfg.Welfare != nil && u.Role.CanWriteRecords() && l.State != homeward.ListWithdrawn
	if e.CaseID != 0 {
		if cs, err := s.cfg.Cases.FindCasesByIDs(ctx, []int64{e.CaseID}); err == nil {
			d.Case = cs[e.CaseID]
		} else {
			return err
		}
	}
	chain, err := s.cfg.Lists.EntryHistory(ctx, id)
	if err != nil {
		return err
	}
	for _, he := range chain {
		hl := l
		if he.ListID != l.ID {
			if hl, err = s.cfg.Lists.FindListByID(ctx, he.ListID); err != nil {
				continue // a list no longer visible
			}
		}
		as, err := s.cfg.Lists.FindAnswers(ctx, he.ID)
		if err != nil {
			return err
		}
		step := historyStep{E: he, L: hl, Answers: s.answerViews(names, v.loc, as)}
		if he.ID == e.ID {
			d.Answers = step.Answers
		}
		d.History = append(d.History, step)
	}
	if d.Incoming {
		if d.Candidates, err = s.entryCandidates(r, v, e); err != nil {
			return err
		}
	}
	if s.cfg.Welfare != nil {
		ms, err := s.cfg.Welfare.FindMessages(ctx, homeward.MessageFilter{EntryID: id})
		if err != nil {
			return err
		}
		d.Messages = s.messageViews(names, u, ms)
	}
	v.D = d
	s.render(w, r, status, "entry_show", v)
	return nil
}

// entryCandidates loads the candidates of a received entry with our
// records beside it; loading the records records the views.
func (s *Server) entryCandidates(r *http.Request, v *view, e *homeward.ListEntry) ([]entryCandidate, error) {
	ctx := r.Context()
	cands, err := s.cfg.Lists.FindCandidates(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	if len(cands) > candidateLimit {
		cands = cands[:candidateLimit]
	}
	var caseIDs, locIDs []int64
	for _, c := range cands {
		if c.EntityType == homeward.EntityCase {
			caseIDs = append(caseIDs, c.EntityID)
		} else {
			locIDs = append(locIDs, c.EntityID)
		}
	}
	cases := map[int64]*homeward.Case{}
	locs := map[int64]*homeward.LocatedRecord{}
	if len(caseIDs) > 0 {
		if cases, err = s.cfg.Cases.FindCasesByIDs(ctx, caseIDs); err != nil {
			return nil, err
		}
	}
	if len(locIDs) > 0 {
		if locs, err = s.cfg.Located.FindLocatedByIDs(ctx, locIDs); err != nil {
			return nil, err
		}
	}
	l := v.loc
	p := &e.Person
	out := make([]entryCandidate, 0, len(cands))
	for _, c := range cands {
		ec := entryCandidate{C: c, Percent: percent(c.Probability)}
		var family, given, patronymic, sex, birth, birthPlace, where string
		switch {
		case c.EntityType == homeward.EntityCase && cases[c.EntityID] != nil:
			x := cases[c.EntityID]
			ec.Case = x
			family, given, patronymic, sex, birth, birthPlace = x.FamilyName, x.GivenName, x.Patronymic, l.label("sex", x.Sex), x.BirthDate.Display(), x.BirthPlace
			where = strings.Trim(x.LastSeenPlace+", "+x.LastSeenDate.Display(), ", ")
		case c.EntityType == homeward.EntityLocated && locs[c.EntityID] != nil:
			x := locs[c.EntityID]
			ec.Located = x
			family, given, patronymic, sex, birth, birthPlace = x.FamilyName, x.GivenName, x.Patronymic, l.label("sex", x.Sex), x.BirthDate.Display(), x.BirthPlace
			where = l.where(x)
		default:
			continue // the record is no longer visible
		}
		ec.Rows = []sideRow{
			{l.fieldLabel("family_name"), p.FamilyName, family},
			{l.fieldLabel("given_name"), p.GivenName, given},
			{l.fieldLabel("patronymic"), p.Patronymic, patronymic},
			{l.fieldLabel("sex"), l.label("sex", p.Sex), sex},
			{l.fieldLabel("birth_date"), p.BirthDate.Display(), birth},
			{l.fieldLabel("birth_place"), p.BirthPlace, birthPlace},
			{v.T("Last seen / where now"), strings.Trim(p.LastSeenPlace+", "+p.LastSeenDate.Display(), ", "), where},
		}
		for _, x := range c.Explanation {
			ec.Evidence = append(ec.Evidence, evidenceLine{Comparison: l.label("comparison", x.Comparison), Level: l.label("level", x.Level),
				Weight: strconv.FormatFloat(x.Weight, 'f', 2, 64), Reason: l.evidenceReason(x), For: x.Weight > 0})
		}
		out = append(out, ec)
	}
	return out, nil
}

// answerOfForm reads the answer form. Dates that cannot be read are
// refused naming their field.
func answerOfForm(vals url.Values) (*homeward.Answer, error) {
	text := func(f string) string { return strings.TrimSpace(vals.Get(f)) }
	a := &homeward.Answer{Code: homeward.AnswerCode(vals.Get("code")), TheirRef: text("their_ref"), Text: text("text"), Source: homeward.AnswerByHand}
	var err error
	if a.On, err = formDate(vals, "answered_on"); err != nil {
		return nil, err
	}
	d := &a.Details
	d.LocationKind = homeward.LocationKind(vals.Get("location_kind"))
	d.Place, d.Region, d.Country, d.KnownAs = text("place"), text("region"), text("country"), text("known_as")
	d.WitnessedBy, d.DuplicateOf, d.Proof, d.Reason = text("witnessed_by"), text("duplicate_of"), text("proof"), text("reason")
	d.Identifiers = strings.FieldsFunc(vals.Get("identifiers"), func(r rune) bool { return r == ',' || r == '\n' || r == ';' })
	if d.Until, err = formDate(vals, "until"); err != nil {
		return nil, err
	}
	if d.InterviewOn, err = formDate(vals, "interview_on"); err != nil {
		return nil, err
	}
	a.Normalize()
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return a, nil
}

// entryAnswer records an answer about an entry from the form.
func (s *Server) entryAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return malformed("", "The form could not be read.")
	}
	a, err := answerOfForm(r.PostForm)
	if err == nil {
		err = s.cfg.Lists.RecordAnswer(r.Context(), id, a)
	}
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/entries/%d#answers", id), http.StatusSeeOther)
		return nil
	case userError(err):
		return s.renderEntry(w, r, id, statusOf(err), r.PostForm, err)
	}
	return err
}
