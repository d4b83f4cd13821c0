package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/homeward-project/homeward"
)

type locatedListData struct {
	Filter   listFilter
	Records  []*homeward.LocatedRecord
	Orgs     []*homeward.Org
	OrgNames map[int64]string
	Sources  []homeward.SourceKind
	Pager    pager
}

func (s *Server) locatedList(w http.ResponseWriter, r *http.Request) error {
	v := s.view(r, "located")
	v.Title = v.T("Located children")
	d := locatedListData{Sources: homeward.SourceKinds}
	d.Orgs, d.OrgNames = s.orgs(r)
	f, err := parseListFilter(r.URL.Query())
	d.Filter = f
	status := http.StatusOK
	if err != nil {
		v.setError(err)
		status = statusOf(err)
	} else {
		lf := f.locatedFilter()
		rs, total, err := s.cfg.Located.FindLocated(r.Context(), lf)
		if err != nil {
			return err
		}
		if err := s.recordAccess(r, lf.Access(len(rs), total)); err != nil {
			return err
		}
		d.Records = rs
		d.Pager = newPager("/located", f, len(rs), total)
	}
	v.D = d
	s.render(w, r, status, "located_list", v)
	return nil
}

type locatedForm struct {
	R           *homeward.LocatedRecord
	Action      string
	BirthDate   string
	ObservedAt  string
	Conflict    bool
	Changed     []string
	Sources     []homeward.SourceKind
	Locations   []homeward.LocationKind
	Reliability []homeward.Reliability
}

func newLocatedForm(rec *homeward.LocatedRecord) *locatedForm {
	f := &locatedForm{
		R: rec, BirthDate: rec.BirthDate.Display(), ObservedAt: rec.ObservedAt.Display(),
		Sources: homeward.SourceKinds, Locations: homeward.LocationKinds,
		Reliability: []homeward.Reliability{homeward.ReliabilityHigh, homeward.ReliabilityMedium, homeward.ReliabilityLow},
	}
	if rec.ID == 0 {
		f.Action = "/located"
	} else {
		f.Action = fmt.Sprintf("/located/%d", rec.ID)
	}
	return f
}

func readLocatedForm(r *http.Request, rec *homeward.LocatedRecord) (*locatedForm, error) {
	if err := r.ParseForm(); err != nil {
		return nil, malformed("", "The form could not be read.")
	}
	pf := r.PostForm
	var firstErr error
	rec.GivenName = strings.TrimSpace(pf.Get("given_name"))
	rec.FamilyName = strings.TrimSpace(pf.Get("family_name"))
	rec.Patronymic = strings.TrimSpace(pf.Get("patronymic"))
	rec.Sex = homeward.Sex(pf.Get("sex"))
	rec.BirthPlace = strings.TrimSpace(pf.Get("birth_place"))
	rec.LocationKind = homeward.LocationKind(pf.Get("location_kind"))
	rec.Institution = strings.TrimSpace(pf.Get("institution"))
	rec.Region = strings.TrimSpace(pf.Get("region"))
	rec.Source = homeward.SourceKind(pf.Get("source"))
	rec.SourceRef = strings.TrimSpace(pf.Get("source_ref"))
	rec.Reliability = homeward.Reliability(pf.Get("reliability"))
	rec.Notes = strings.TrimSpace(pf.Get("notes"))
	if v, err := strconv.Atoi(pf.Get("version")); err == nil {
		rec.Version = v
	}
	birth := strings.TrimSpace(pf.Get("birth_date"))
	if bd, err := homeward.ParseBirthDate(birth); err != nil {
		firstErr = homeward.FieldErrorf(homeward.EINVALID, "birth_date", "The birth date is not a date: use DD.MM.YYYY, MM.YYYY, YYYY or ~AGE.")
	} else {
		rec.BirthDate = bd
	}
	observed := strings.TrimSpace(pf.Get("observed_at"))
	if d, err := homeward.ParseDate(observed); err != nil {
		if firstErr == nil {
			firstErr = homeward.FieldErrorf(homeward.EINVALID, "observed_at", "Dates are written DD.MM.YYYY.")
		}
	} else {
		rec.ObservedAt = d
	}
	f := newLocatedForm(rec)
	f.BirthDate, f.ObservedAt = birth, observed
	return f, firstErr
}

func (s *Server) renderLocatedForm(w http.ResponseWriter, r *http.Request, status int, f *locatedForm, err error) error {
	v := s.view(r, "located")
	if f.R.ID == 0 {
		v.Title = v.T("New located record")
	} else {
		v.Title = v.T("Edit located record #%d", f.R.ID)
	}
	if err != nil {
		v.setError(err)
	}
	if f.Conflict {
		v.Error = v.T("Someone else changed this record while you were editing it. Your changes were not saved; they are kept below. Check them and save again to overwrite.")
	}
	v.D = f
	s.render(w, r, status, "located_form", v)
	return nil
}

func (s *Server) locatedNew(w http.ResponseWriter, r *http.Request) error {
	return s.renderLocatedForm(w, r, http.StatusOK, newLocatedForm(&homeward.LocatedRecord{}), nil)
}

func (s *Server) locatedCreate(w http.ResponseWriter, r *http.Request) error {
	rec := &homeward.LocatedRecord{}
	f, err := readLocatedForm(r, rec)
	if f == nil {
		return err
	}
	if err == nil {
		if err = rec.Validate(); err == nil {
			if err = s.cfg.Located.CreateLocated(r.Context(), rec); err == nil {
				http.Redirect(w, r, fmt.Sprintf("/located/%d", rec.ID), http.StatusSeeOther)
				return nil
			}
		}
	}
	if homeward.ErrorCode(err) != homeward.EINVALID {
		return err
	}
	return s.renderLocatedForm(w, r, statusOf(err), f, err)
}

func (s *Server) locatedEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rec, err := s.cfg.Located.FindLocatedByID(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderLocatedForm(w, r, http.StatusOK, newLocatedForm(rec), nil)
}

func (s *Server) locatedUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	// As with cases, the form alone makes the update.
	rec := homeward.LocatedRecord{ID: id}
	f, err := readLocatedForm(r, &rec)
	if f == nil {
		return err
	}
	if err == nil {
		if err = rec.Validate(); err == nil {
			if err = s.cfg.Located.UpdateLocated(r.Context(), &rec); err == nil {
				http.Redirect(w, r, fmt.Sprintf("/located/%d", rec.ID), http.StatusSeeOther)
				return nil
			}
		}
	}
	switch homeward.ErrorCode(err) {
	case homeward.EINVALID:
		return s.renderLocatedForm(w, r, statusOf(err), f, err)
	case homeward.ECONFLICT:
		latest, ferr := s.cfg.Located.FindLocatedByID(r.Context(), id)
		if ferr != nil {
			return ferr
		}
		f.Conflict = true
		f.R.Version = latest.Version
		f.Changed = s.view(r, "").changedLocatedFields(&rec, latest)
		return s.renderLocatedForm(w, r, http.StatusConflict, f, nil)
	}
	return err
}

func (v *view) changedLocatedFields(mine, theirs *homeward.LocatedRecord) []string {
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
	add("location_kind", mine.LocationKind != theirs.LocationKind)
	add("institution", mine.Institution != theirs.Institution)
	add("region", mine.Region != theirs.Region)
	add("observed_at", mine.ObservedAt != theirs.ObservedAt)
	add("source", mine.Source != theirs.Source)
	add("source_ref", mine.SourceRef != theirs.SourceRef)
	add("reliability", mine.Reliability != theirs.Reliability)
	add("notes", mine.Notes != theirs.Notes)
	return out
}

type locatedShowData struct {
	R       *homeward.LocatedRecord
	OrgName string
	History []historyEntry

	Candidates      []*candidateView
	CandidatesTotal int
}

func (s *Server) locatedShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rec, err := s.cfg.Located.FindLocatedByID(r.Context(), id)
	if err != nil {
		return err
	}
	v := s.view(r, "located")
	v.Title = rec.FullName()
	_, names := s.orgs(r)
	d := locatedShowData{R: rec, OrgName: names[rec.OrgID]}
	if s.cfg.Matches != nil {
		if d.Candidates, d.CandidatesTotal, err = s.locatedCandidates(r, v, rec); err != nil {
			return err
		}
	}
	if d.History, err = s.history(r, v, homeward.EntityLocated, rec.ID); err != nil {
		return err
	}
	v.D = d
	s.render(w, r, http.StatusOK, "located_show", v)
	return nil
}
