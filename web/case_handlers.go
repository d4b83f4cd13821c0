package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
)

type caseListData struct {
	Filter   listFilter
	Cases    []*homeward.Case
	Orgs     []*homeward.Org
	OrgNames map[int64]string
	Stages   []homeward.Stage
	Pager    pager
	Counts   []stageCount
	Waiting  []waitingItem
}

func (s *Server) caseList(w http.ResponseWriter, r *http.Request) error {
	v := s.view(r, "cases")
	v.Title = v.T("Cases")
	d := caseListData{Stages: homeward.Stages}
	d.Orgs, d.OrgNames = s.orgs(r)
	f, err := parseListFilter(r.URL.Query())
	d.Filter = f
	status := http.StatusOK
	if err != nil {
		v.setError(err)
		status = statusOf(err)
	} else {
		cf := f.caseFilter()
		cs, total, err := s.cfg.Cases.FindCases(r.Context(), cf)
		if err != nil {
			return err
		}
		if err := s.recordAccess(r, cf.Access(len(cs), total)); err != nil {
			return err
		}
		d.Cases = cs
		d.Pager = newPager("/cases", f, len(cs), total)
		// The overview reads a few facts per case: it is the landing view's,
		// and searches skip it to stay fast.
		if f == (listFilter{}) {
			if err := s.caseOverview(r, &d); err != nil {
				return err
			}
		}
	}
	v.D = d
	s.render(w, r, status, "case_list", v)
	return nil
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, homeward.Errorf(homeward.ENOTFOUND, "Not found.")
	}
	return id, nil
}

// caseForm is the case form's state: the case as typed, plus the raw text of
// fields that may fail to parse so that nothing typed is lost.
type caseForm struct {
	C            *homeward.Case
	Action       string
	BirthDate    string
	LastSeenDate string
	Siblings     string
	OtherNames   []homeward.OtherName
	Family       []homeward.FamilyMember
	Conflict     bool
	Changed      []string // labels of fields another user changed meanwhile
	Stages       []homeward.Stage
	Circs        []homeward.Circumstance
	Reasons      []homeward.CloseReason
	Scripts      []homeward.Script
	Relations    []string
}

// blankRows is how many empty rows a repeated group offers; "more rows"
// adds more without JavaScript by re-rendering the form.
const blankRows = 2

var relations = []string{"mother", "father", "grandmother", "grandfather", "sibling", "aunt", "uncle", "guardian", "other"}

func newCaseForm(c *homeward.Case, extra int) *caseForm {
	f := &caseForm{
		C:            c,
		BirthDate:    c.BirthDate.Display(),
		LastSeenDate: c.LastSeenDate.Display(),
		Stages:       homeward.Stages,
		Circs:        homeward.Circumstances,
		Reasons:      homeward.CloseReasons,
		Scripts:      []homeward.Script{homeward.ScriptUkrainian, homeward.ScriptRussian, homeward.ScriptLatin, homeward.ScriptOther},
		Relations:    relations,
	}
	ids := make([]string, len(c.Siblings))
	for i, id := range c.Siblings {
		ids[i] = strconv.FormatInt(id, 10)
	}
	f.Siblings = strings.Join(ids, ", ")
	f.OtherNames = append(append([]homeward.OtherName{}, c.OtherNames...), make([]homeward.OtherName, blankRows+extra)...)
	f.Family = append(append([]homeward.FamilyMember{}, c.Family...), make([]homeward.FamilyMember, blankRows+extra)...)
	if c.ID == 0 {
		f.Action = "/cases"
	} else {
		f.Action = fmt.Sprintf("/cases/%d", c.ID)
	}
	return f
}

// readCaseForm copies the form into c. It reads every field before it
// reports the first error, so the form can be shown again as typed.
func (s *Server) readCaseForm(r *http.Request, c *homeward.Case) (*caseForm, error) {
	if err := r.ParseForm(); err != nil {
		return nil, malformed("", "The form could not be read.")
	}
	pf := r.PostForm
	var firstErr error
	fail := func(err error) {
		if firstErr == nil {
			firstErr = err
		}
	}
	c.GivenName = strings.TrimSpace(pf.Get("given_name"))
	c.FamilyName = strings.TrimSpace(pf.Get("family_name"))
	c.Patronymic = strings.TrimSpace(pf.Get("patronymic"))
	c.Sex = homeward.Sex(pf.Get("sex"))
	c.BirthPlace = strings.TrimSpace(pf.Get("birth_place"))
	c.LastSeenPlace = strings.TrimSpace(pf.Get("last_seen_place"))
	c.Circumstance = homeward.Circumstance(pf.Get("circumstance"))
	c.DistinguishingMarks = strings.TrimSpace(pf.Get("distinguishing_marks"))
	c.Notes = strings.TrimSpace(pf.Get("notes"))
	// The stage moves only through the workflow's transitions, which check
	// their guards; the form leaves it out, so the store keeps it, and carries
	// the close reason only so that an edit does not erase it.
	c.CloseReason = homeward.CloseReason(pf.Get("close_reason"))
	if v, err := strconv.Atoi(pf.Get("version")); err == nil {
		c.Version = v
	}

	birth := strings.TrimSpace(pf.Get("birth_date"))
	if bd, err := homeward.ParseBirthDate(birth); err != nil {
		fail(homeward.FieldErrorf(homeward.EINVALID, "birth_date", "The birth date is not a date: use DD.MM.YYYY, MM.YYYY, YYYY or ~AGE."))
	} else {
		if bd.Precision == homeward.PrecisionAge {
			// An estimated age is as of the day it was entered; the form
			// carries that day so an unchanged age keeps it.
			asOf, err := time.Parse(time.DateOnly, pf.Get("age_as_of"))
			if err != nil || pf.Get("age_was") != strconv.Itoa(bd.EstimatedAge) {
				asOf = time.Now().UTC().Truncate(24 * time.Hour)
			}
			bd.AgeAsOf = &asOf
		}
		c.BirthDate = bd
	}
	lastSeen := strings.TrimSpace(pf.Get("last_seen_date"))
	if d, err := homeward.ParseDate(lastSeen); err != nil {
		fail(homeward.FieldErrorf(homeward.EINVALID, "last_seen_date", "Dates are written DD.MM.YYYY."))
	} else {
		c.LastSeenDate = d
	}

	c.OtherNames = nil
	for i := range formCount(pf, "on_count") {
		p := fmt.Sprintf("on.%d.", i)
		n := homeward.OtherName{
			Name:   strings.TrimSpace(pf.Get(p + "name")),
			Script: homeward.Script(pf.Get(p + "script")),
			Note:   strings.TrimSpace(pf.Get(p + "note")),
		}
		if n.Name == "" && n.Note == "" {
			continue
		}
		c.OtherNames = append(c.OtherNames, n)
	}
	c.Family = nil
	for i := range formCount(pf, "fm_count") {
		p := fmt.Sprintf("fm.%d.", i)
		m := homeward.FamilyMember{
			Name:       strings.TrimSpace(pf.Get(p + "name")),
			Relation:   strings.TrimSpace(pf.Get(p + "relation")),
			Contact:    strings.TrimSpace(pf.Get(p + "contact")),
			Inquirer:   pf.Get(p+"inquirer") != "",
			LegalRep:   pf.Get(p+"legal_rep") != "",
			LegalProof: strings.TrimSpace(pf.Get(p + "legal_proof")),
		}
		if m.Name == "" && m.Contact == "" && m.LegalProof == "" && !m.Inquirer && !m.LegalRep {
			continue
		}
		c.Family = append(c.Family, m)
	}

	// The consents as they were when the form was opened, to stamp the time
	// only when they change.
	was := pf.Get("consents_was")
	c.Consents.RecordedAt = nil
	if t, err := time.Parse(time.RFC3339Nano, pf.Get("consents_at")); err == nil {
		c.Consents.RecordedAt = &t
	}
	before := homeward.Consents{Tracing: strings.HasPrefix(was, "1"), ShareMediator: len(was) > 1 && was[1] == '1', DNA: len(was) > 2 && was[2] == '1'}
	c.Consents.Tracing = pf.Get("consent_tracing") != ""
	c.Consents.ShareMediator = pf.Get("consent_share") != ""
	c.Consents.DNA = pf.Get("consent_dna") != ""
	if c.Consents.Tracing != before.Tracing || c.Consents.ShareMediator != before.ShareMediator || c.Consents.DNA != before.DNA {
		now := time.Now().UTC()
		c.Consents.RecordedAt = &now
	}

	siblingsText := strings.TrimSpace(pf.Get("siblings"))
	ids, err := s.resolveSiblings(r, siblingsText, c.ID)
	if err != nil {
		fail(err)
	} else {
		c.Siblings = ids
	}

	more := 0
	if pf.Get("more") != "" {
		more = 3
	}
	form := newCaseForm(c, more)
	form.BirthDate, form.LastSeenDate, form.Siblings = birth, lastSeen, siblingsText
	return form, firstErr
}

// formCount reads a repeated group's row count, bounded so a crafted form
// cannot make the server loop for long.
func formCount(v url.Values, name string) int {
	n, err := strconv.Atoi(v.Get(name))
	if err != nil || n < 0 {
		return 0
	}
	return min(n, 200)
}

// resolveSiblings reads case IDs or references (HW-2026-000123), separated
// by commas or spaces.
func (s *Server) resolveSiblings(r *http.Request, text string, self int64) ([]int64, error) {
	var ids []int64
	for _, tok := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		if id, err := strconv.ParseInt(tok, 10, 64); err == nil && id > 0 {
			if id != self {
				ids = append(ids, id)
			}
			continue
		}
		id, err := s.caseIDByReference(r, tok)
		if err != nil {
			return nil, err
		}
		if id != self {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

func (s *Server) caseIDByReference(r *http.Request, ref string) (int64, error) {
	ref = strings.ToUpper(strings.TrimSpace(ref))
	cs, _, err := s.cfg.Cases.FindCases(r.Context(), homeward.CaseFilter{Query: ref, Limit: 20})
	if err != nil {
		return 0, err
	}
	for _, c := range cs {
		if strings.EqualFold(c.Reference, ref) {
			return c.ID, nil
		}
	}
	return 0, homeward.FieldErrorf(homeward.EINVALID, "siblings", "No case has the reference %s.", ref)
}

func (s *Server) renderCaseForm(w http.ResponseWriter, r *http.Request, status int, f *caseForm, err error) error {
	v := s.view(r, "cases")
	if f.C.ID == 0 {
		v.Title = v.T("New case")
	} else {
		v.Title = v.T("Edit case %s", f.C.Reference)
	}
	if err != nil {
		v.setError(err)
	}
	if f.Conflict {
		v.Error = v.T("Someone else changed this case while you were editing it. Your changes were not saved; they are kept below. Check them and save again to overwrite.")
	}
	v.D = f
	s.render(w, r, status, "case_form", v)
	return nil
}

func (s *Server) caseNew(w http.ResponseWriter, r *http.Request) error {
	return s.renderCaseForm(w, r, http.StatusOK, newCaseForm(&homeward.Case{}, 0), nil)
}

func (s *Server) caseCreate(w http.ResponseWriter, r *http.Request) error {
	c := &homeward.Case{}
	f, err := s.readCaseForm(r, c)
	if f == nil {
		return err
	}
	if err == nil && r.PostFormValue("more") == "" {
		err = c.Validate()
		if err == nil {
			err = s.cfg.Cases.CreateCase(r.Context(), c)
			if err == nil {
				http.Redirect(w, r, fmt.Sprintf("/cases/%d", c.ID), http.StatusSeeOther)
				return nil
			}
		}
	}
	if err != nil && homeward.ErrorCode(err) != homeward.EINVALID {
		return err
	}
	return s.renderCaseForm(w, r, formStatus(err), f, err)
}

func formStatus(err error) int {
	if err == nil {
		return http.StatusOK
	}
	return statusOf(err)
}

func (s *Server) caseEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.cfg.Cases.FindCaseByID(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderCaseForm(w, r, http.StatusOK, newCaseForm(c, 0), nil)
}

func (s *Server) caseUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	// The store changes only the fields a user edits, so the form alone
	// makes the update; reading the case first would log a view per save.
	c := homeward.Case{ID: id, Reference: r.PostFormValue("reference")}
	f, err := s.readCaseForm(r, &c)
	if f == nil {
		return err
	}
	if err == nil && r.PostFormValue("more") == "" {
		err = c.Validate()
		if err == nil {
			err = s.cfg.Cases.UpdateCase(r.Context(), &c)
			if err == nil {
				http.Redirect(w, r, fmt.Sprintf("/cases/%d", c.ID), http.StatusSeeOther)
				return nil
			}
		}
	}
	switch homeward.ErrorCode(err) {
	case "", homeward.EINVALID:
	case homeward.ECONFLICT:
		// Keep what the user typed, but against the current version, so that
		// saving again after a look is a deliberate overwrite.
		latest, ferr := s.cfg.Cases.FindCaseByID(r.Context(), id)
		if ferr != nil {
			return ferr
		}
		f.Conflict = true
		f.C.Version = latest.Version
		f.Changed = s.view(r, "").changedCaseFields(&c, latest)
		return s.renderCaseForm(w, r, http.StatusConflict, f, nil)
	default:
		return err
	}
	return s.renderCaseForm(w, r, formStatus(err), f, err)
}

// changedCaseFields names the fields where the stored case differs from what
// the user submitted, so the user knows what to check.
func (v *view) changedCaseFields(mine, theirs *homeward.Case) []string {
	var out []string
	add := func(field string, differ bool) {
		if differ {
			out = append(out, v.loc.fieldLabel(field))
		}
	}
	add("given_name", mine.GivenName != theirs.GivenName)
	add("family_name", mine.FamilyName != theirs.FamilyName)
	add("patronymic", mine.Patronymic != theirs.Patronymic)
	add("sex", mine.Sex != theirs.Sex)
	add("birth_date", mine.BirthDate.String() != theirs.BirthDate.String())
	add("birth_place", mine.BirthPlace != theirs.BirthPlace)
	add("last_seen_place", mine.LastSeenPlace != theirs.LastSeenPlace)
	add("last_seen_date", mine.LastSeenDate != theirs.LastSeenDate)
	add("circumstance", mine.Circumstance != theirs.Circumstance)
	add("distinguishing_marks", mine.DistinguishingMarks != theirs.DistinguishingMarks)
	add("notes", mine.Notes != theirs.Notes)
	add("family", fmt.Sprint(mine.Family) != fmt.Sprint(theirs.Family))
	add("other_names", fmt.Sprint(mine.OtherNames) != fmt.Sprint(theirs.OtherNames))
	add("siblings", fmt.Sprint(mine.Siblings) != fmt.Sprint(theirs.Siblings))
	add("consents", mine.Consents.Tracing != theirs.Consents.Tracing || mine.Consents.ShareMediator != theirs.Consents.ShareMediator || mine.Consents.DNA != theirs.Consents.DNA)
	return out
}

type caseShowData struct {
	C       *homeward.Case
	OrgName string
	// CanErase: supervisors and administrators of the case's organisation
	// may erase its personal data; EraseReasons are the codes they choose
	// from.
	CanErase     bool
	EraseReasons []string
	History      []historyEntry
	W            *workflowData // nil on a server without the workflow services
	X            *caseExchange // nil on a server without the exchange services
}

func (s *Server) caseShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.renderCase(w, r, id, http.StatusOK, nil)
}
