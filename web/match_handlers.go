package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/homeward-project/homeward"
)

// errNoWorkflow answers for the pages of a server built without the
// workflow services (a test server, an older wiring).
var errNoWorkflow = homeward.Errorf(homeward.ENOTFOUND, "Not found.")

// candidateLimit bounds the candidates shown in full on a record's page:
// each loads the other record, which is logged as a view (all of them in
// one transaction).
const candidateLimit = 10

// reviewPageSize is one page of the review queue; every row loads both
// records (in one batch per side).
const reviewPageSize = 20

// defaultReviewThreshold is the probability from which the review queue
// lists candidates unless the reviewer asks for another.
const defaultReviewThreshold = 0.5

// evidenceLine is one comparison of a candidate as the page shows it.
type evidenceLine struct {
	Comparison string
	Level      string
	Weight     string
	Reason     string
	For        bool // the comparison speaks for the match
}

// sideRow is one field of the two records side by side.
type sideRow struct {
	Field   string
	Case    string
	Located string
}

// siblingHint is a sibling's case with a candidate located record at the
// same institution as this candidate's: children taken together are often
// placed together.
type siblingHint struct {
	CaseID    int64
	LocatedID int64
	MatchID   int64
	Status    homeward.MatchStatus
	Place     string
}

type matchHistoryLine struct {
	At     string
	Actor  string
	Action string
	From   homeward.MatchStatus
	To     homeward.MatchStatus
	Reason homeward.RejectReason
	Note   string
}

// candidateView is one candidate pair with everything a reviewer needs to
// decide, and which decisions the user's role offers (the service still
// decides).
type candidateView struct {
	M          *homeward.Match
	Case       *homeward.Case
	Located    *homeward.LocatedRecord
	Percent    string
	Evidence   []evidenceLine
	Sibling    []evidenceLine
	Siblings   []siblingHint
	Rows       []sideRow
	History    []matchHistoryLine
	ProposedBy string
	DecidedBy  string

	CanReject   bool
	CanUnsure   bool
	CanConfirm  bool // offers the confirm (or propose) button
	Proposing   bool // confirming would be the first of the two confirmations
	OwnProposal bool // the user proposed it and so may not confirm it
	CanRevoke   bool

	Reasons []homeward.RejectReason
	Next    string // where a decision returns to
}

func percent(p float64) string { return strconv.FormatFloat(p*100, 'f', 1, 64) + " %" }

// actorNames resolves user IDs to display names once per page.
type actorNames struct {
	s     *Server
	ctx   context.Context
	v     *view
	cache map[int64]string
}

func (s *Server) actorNames(r *http.Request, v *view) *actorNames {
	return &actorNames{s: s, ctx: r.Context(), v: v, cache: map[int64]string{}}
}

func (a *actorNames) name(uid int64) string {
	if uid == 0 {
		return a.v.T("System")
	}
	if n, ok := a.cache[uid]; ok {
		return n
	}
	n := fmt.Sprintf("#%d", uid)
	if u, err := a.s.cfg.Users.FindUserByID(a.ctx, uid); err == nil {
		n = u.DisplayName
		if n == "" {
			n = u.Login
		}
	}
	a.cache[uid] = n
	return n
}

// isSiblingEvidence tells the comparisons that come from siblings' records
// rather than from the child's own.
func isSiblingEvidence(comparison string) bool {
	return strings.Contains(strings.ToLower(comparison), "sibling")
}

// candidate builds the view of m with the records on both sides; c or rec
// may be given when the page already has them (pages with many candidates
// load them in one batch). sibs, when not nil, adds the history and the
// siblings' hints, read through one cache per page.
func (s *Server) candidate(r *http.Request, v *view, names *actorNames, m *homeward.Match, c *homeward.Case, rec *homeward.LocatedRecord, sibs *siblingCache) (*candidateView, error) {
	var err error
	if c == nil {
		if c, err = s.cfg.Cases.FindCaseByID(r.Context(), m.CaseID); err != nil {
			return nil, err
		}
	}
	if rec == nil {
		if rec, err = s.cfg.Located.FindLocatedByID(r.Context(), m.LocatedID); err != nil {
			return nil, err
		}
	}
	u := v.User
	cv := &candidateView{M: m, Case: c, Located: rec, Percent: percent(m.Probability), Reasons: homeward.RejectReasons, Next: v.Path}
	for _, e := range m.Explanation {
		line := evidenceLine{
			Comparison: v.loc.label("comparison", e.Comparison),
			Level:      v.loc.label("level", e.Level),
			Weight:     strconv.FormatFloat(e.Weight, 'f', 2, 64),
			Reason:     v.loc.evidenceReason(e),
			For:        e.Weight > 0,
		}
		if isSiblingEvidence(e.Comparison) {
			cv.Sibling = append(cv.Sibling, line)
		} else {
			cv.Evidence = append(cv.Evidence, line)
		}
	}
	l := v.loc
	cv.Rows = []sideRow{
		{l.fieldLabel("family_name"), c.FamilyName, rec.FamilyName},
		{l.fieldLabel("given_name"), c.GivenName, rec.GivenName},
		{l.fieldLabel("patronymic"), c.Patronymic, rec.Patronymic},
		{l.fieldLabel("sex"), l.label("sex", c.Sex), l.label("sex", rec.Sex)},
		{l.fieldLabel("birth_date"), c.BirthDate.Display(), rec.BirthDate.Display()},
		{l.fieldLabel("birth_place"), c.BirthPlace, rec.BirthPlace},
		{v.T("Last seen / where now"), strings.Trim(c.LastSeenPlace+", "+c.LastSeenDate.Display(), ", "), l.where(rec)},
	}
	if len(c.OtherNames) > 0 {
		ns := make([]string, len(c.OtherNames))
		for i, n := range c.OtherNames {
			ns[i] = n.Name
		}
		cv.Rows = append(cv.Rows, sideRow{l.fieldLabel("other_names"), strings.Join(ns, "; "), ""})
	}
	if m.ProposedBy != 0 {
		cv.ProposedBy = names.name(m.ProposedBy)
	}
	if m.DecidedBy != 0 {
		cv.DecidedBy = names.name(m.DecidedBy)
	}
	// Which buttons to offer follows homeward.CheckMatchDecision; the
	// service checks again whatever is posted.
	if u != nil && u.Role.CanWriteRecords() && u.OrgID == m.OrgID {
		sup := u.Role.IsSupervisorRank()
		switch m.Status {
		case homeward.MatchCandidate:
			cv.CanReject, cv.CanUnsure = true, true
			cv.CanConfirm, cv.Proposing = sup, true
		case homeward.MatchNotSure:
			cv.CanReject = true
			cv.CanConfirm, cv.Proposing = sup, true
		case homeward.MatchProposed:
			cv.CanReject, cv.CanUnsure = sup, sup
			cv.OwnProposal = m.ProposedBy == u.ID
			cv.CanConfirm = sup && !cv.OwnProposal
		}
		cv.CanRevoke = sup && m.Status != homeward.MatchCandidate
	}
	if sibs != nil {
		// A record's page returns to the candidate decided on.
		cv.Next = fmt.Sprintf("%s#match-%d", v.Path, m.ID)
		hs, err := s.cfg.Matches.MatchHistory(r.Context(), m.ID)
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			cv.History = append(cv.History, matchHistoryLine{
				At: formatDateTime(h.At), Actor: names.name(h.ActorID), Action: l.label("decision", h.Action),
				From: h.From, To: h.To, Reason: h.Reason, Note: h.Note,
			})
		}
		cv.Siblings = sibs.hints(r, c, rec)
	}
	return cv, nil
}

// siblingMatch is a candidate of a sibling's case with its located record.
type siblingMatch struct {
	m     *homeward.Match
	other *homeward.LocatedRecord
}

// siblingCache holds the siblings' candidates a page has read: the
// candidates of one case share its siblings, and each located record read
// is a view, recorded once per page rather than once per candidate.
type siblingCache struct {
	s    *Server
	byID map[int64][]siblingMatch // by sibling case ID
}

func (s *Server) newSiblingCache() *siblingCache {
	return &siblingCache{s: s, byID: map[int64][]siblingMatch{}}
}

// hints looks for the siblings' candidates at the same institution as
// rec. It is a hint for the reviewer; failures to read are left out.
func (sc *siblingCache) hints(r *http.Request, c *homeward.Case, rec *homeward.LocatedRecord) []siblingHint {
	place := strings.TrimSpace(rec.Institution)
	if place == "" || len(c.Siblings) == 0 {
		return nil
	}
	sibs := c.Siblings[:min(len(c.Siblings), 10)]
	sc.load(r, sibs)
	var out []siblingHint
	for _, sib := range sibs {
		for _, sm := range sc.byID[sib] {
			if strings.EqualFold(strings.TrimSpace(sm.other.Institution), place) {
				out = append(out, siblingHint{CaseID: sib, LocatedID: sm.m.LocatedID, MatchID: sm.m.ID, Status: sm.m.Status, Place: sm.other.Institution})
			}
		}
	}
	return out
}

// load reads the candidates of the siblings not read yet, and their
// located records in one batch.
func (sc *siblingCache) load(r *http.Request, sibs []int64) {
	var todo []int64
	var ms [][]*homeward.Match
	var locIDs []int64
	for _, sib := range sibs {
		if _, ok := sc.byID[sib]; ok {
			continue
		}
		sc.byID[sib] = nil // read once, even when the read fails
		found, _, err := sc.s.cfg.Matches.FindMatches(r.Context(), homeward.MatchFilter{CaseID: sib,
			Status: []homeward.MatchStatus{homeward.MatchCandidate, homeward.MatchProposed, homeward.MatchConfirmed, homeward.MatchNotSure}, Limit: 5})
		if err != nil {
			continue
		}
		todo, ms = append(todo, sib), append(ms, found)
		for _, m := range found {
			locIDs = append(locIDs, m.LocatedID)
		}
	}
	if len(locIDs) == 0 {
		return
	}
	recs, err := sc.s.cfg.Located.FindLocatedByIDs(r.Context(), locIDs)
	if err != nil {
		return
	}
	for i, sib := range todo {
		for _, m := range ms[i] {
			if other, ok := recs[m.LocatedID]; ok {
				sc.byID[sib] = append(sc.byID[sib], siblingMatch{m: m, other: other})
			}
		}
	}
}

// caseCandidates lists the candidates of a case, best first, in full.
func (s *Server) caseCandidates(r *http.Request, v *view, c *homeward.Case) ([]*candidateView, int, error) {
	ms, total, err := s.cfg.Matches.FindMatches(r.Context(), homeward.MatchFilter{CaseID: c.ID, Limit: candidateLimit})
	if err != nil {
		return nil, 0, err
	}
	// Showing the other records is a view of each, recorded in one
	// transaction for the page.
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.LocatedID
	}
	recs, err := s.cfg.Located.FindLocatedByIDs(r.Context(), ids)
	if err != nil {
		return nil, 0, err
	}
	names, sibs := s.actorNames(r, v), s.newSiblingCache()
	out := make([]*candidateView, 0, len(ms))
	for _, m := range ms {
		rec, ok := recs[m.LocatedID]
		if !ok {
			continue // the other record is no longer visible
		}
		cv, err := s.candidate(r, v, names, m, c, rec, sibs)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, cv)
	}
	return out, total, nil
}

// locatedCandidates lists the candidate cases of a located record.
func (s *Server) locatedCandidates(r *http.Request, v *view, rec *homeward.LocatedRecord) ([]*candidateView, int, error) {
	ms, total, err := s.cfg.Matches.FindMatches(r.Context(), homeward.MatchFilter{LocatedID: rec.ID, Limit: candidateLimit})
	if err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.CaseID
	}
	cs, err := s.cfg.Cases.FindCasesByIDs(r.Context(), ids)
	if err != nil {
		return nil, 0, err
	}
	names, sibs := s.actorNames(r, v), s.newSiblingCache()
	out := make([]*candidateView, 0, len(ms))
	for _, m := range ms {
		c, ok := cs[m.CaseID]
		if !ok {
			continue
		}
		cv, err := s.candidate(r, v, names, m, c, rec, sibs)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, cv)
	}
	return out, total, nil
}

type matchShowData struct {
	C *candidateView
}

func (s *Server) matchShow(w http.ResponseWriter, r *http.Request) error {
	return s.renderMatch(w, r, http.StatusOK, nil)
}

func (s *Server) renderMatch(w http.ResponseWriter, r *http.Request, status int, formErr error) error {
	if s.cfg.Matches == nil {
		return errNoWorkflow
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	m, err := s.cfg.Matches.FindMatchByID(r.Context(), id)
	if err != nil {
		return err
	}
	v := s.view(r, "review")
	v.Path = fmt.Sprintf("/matches/%d", id)
	cv, err := s.candidate(r, v, s.actorNames(r, v), m, nil, nil, s.newSiblingCache())
	if err != nil {
		return err
	}
	v.Title = v.T("Candidate match %s", cv.Percent)
	if formErr != nil {
		v.setError(formErr)
	}
	v.D = matchShowData{C: cv}
	s.render(w, r, status, "match_show", v)
	return nil
}

// readDecision reads a decision form.
func readDecision(r *http.Request) (homeward.MatchDecision, error) {
	if err := r.ParseForm(); err != nil {
		return homeward.MatchDecision{}, malformed("", "The form could not be read.")
	}
	d := homeward.MatchDecision{
		Action: homeward.MatchAction(r.PostForm.Get("action")),
		Reason: homeward.RejectReason(r.PostForm.Get("reason")),
		Note:   strings.TrimSpace(r.PostForm.Get("note")),
	}
	if d.Action != homeward.MatchReject {
		d.Reason = "" // the reason select travels with every form of a row
	}
	v, err := strconv.Atoi(r.PostForm.Get("version"))
	if err != nil {
		return d, malformed("version", "The form could not be read.")
	}
	d.Version = v
	return d, nil
}

// matchDecide applies a decision and returns to the page it came from; a
// refused decision shows the match with the reason.
func (s *Server) matchDecide(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Matches == nil {
		return errNoWorkflow
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := readDecision(r)
	if err != nil {
		return err
	}
	if err = d.Validate(); err == nil {
		_, err = s.cfg.Matches.Decide(r.Context(), id, d)
	}
	switch homeward.ErrorCode(err) {
	case "":
		next := localPath(r.PostForm.Get("next"), fmt.Sprintf("/matches/%d", id))
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	case homeward.EINVALID, homeward.EFORBIDDEN, homeward.ECONFLICT:
		return s.renderMatch(w, r, statusOf(err), err)
	}
	return err
}

// reviewFilter is the review queue's filter form.
type reviewFilter struct {
	Min    string // as typed
	OrgID  int64
	Status string // a status, or "" for every undecided one
	Offset int

	min float64
}

var undecided = []homeward.MatchStatus{homeward.MatchCandidate, homeward.MatchProposed, homeward.MatchNotSure}

func parseReviewFilter(q url.Values) (reviewFilter, error) {
	f := reviewFilter{Min: strings.TrimSpace(q.Get("min")), Status: q.Get("status"), min: defaultReviewThreshold}
	if f.Min == "" {
		f.Min = strconv.FormatFloat(defaultReviewThreshold, 'f', -1, 64)
	} else {
		p, err := strconv.ParseFloat(strings.Replace(f.Min, ",", ".", 1), 64)
		if err != nil || !(p >= 0 && p <= 1) { // also refuses NaN
			return f, homeward.FieldErrorf(homeward.EINVALID, "min", "The threshold is a probability between 0 and 1.")
		}
		f.min = p
	}
	if v := q.Get("org"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return f, malformed("org", "Unknown organisation.")
		}
		f.OrgID = id
	}
	if f.Status != "" && !homeward.MatchStatus(f.Status).Valid() {
		return f, homeward.FieldErrorf(homeward.EINVALID, "status", "Unknown status.")
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return f, malformed("offset", "Bad page offset.")
		}
		f.Offset = n
	}
	return f, nil
}

func (f reviewFilter) matchFilter(limit int) homeward.MatchFilter {
	mf := homeward.MatchFilter{MinProbability: f.min, OrgID: f.OrgID, Offset: f.Offset, Limit: limit, Status: undecided}
	if f.Status != "" {
		mf.Status = []homeward.MatchStatus{homeward.MatchStatus(f.Status)}
	}
	return mf
}

func (f reviewFilter) query(offset int) string {
	q := url.Values{"min": {f.Min}}
	if f.OrgID != 0 {
		q.Set("org", strconv.FormatInt(f.OrgID, 10))
	}
	if f.Status != "" {
		q.Set("status", f.Status)
	}
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	return "/review?" + q.Encode()
}

type reviewData struct {
	Filter     reviewFilter
	Items      []*candidateView
	Orgs       []*homeward.Org
	Statuses   []homeward.MatchStatus
	Total      int
	First      int
	Last       int
	PrevURL    string
	NextURL    string
	Supervisor bool
}

// matchRecords loads both sides of ms in one batch per side, each record
// read recorded as one view. Located records are read only for the matches
// whose case is visible, as the rows without one are not shown.
func (s *Server) matchRecords(r *http.Request, ms []*homeward.Match) (map[int64]*homeward.Case, map[int64]*homeward.LocatedRecord, error) {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.CaseID
	}
	cs, err := s.cfg.Cases.FindCasesByIDs(r.Context(), ids)
	if err != nil {
		return nil, nil, err
	}
	ids = ids[:0]
	for _, m := range ms {
		if cs[m.CaseID] != nil {
			ids = append(ids, m.LocatedID)
		}
	}
	recs, err := s.cfg.Located.FindLocatedByIDs(r.Context(), ids)
	if err != nil {
		return nil, nil, err
	}
	return cs, recs, nil
}

// reviewQueue lists the undecided candidates above a threshold, best
// first. Every role that reads records sees it; only supervisors get the
// confirm buttons.
func (s *Server) reviewQueue(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Matches == nil {
		return errNoWorkflow
	}
	v := s.view(r, "review")
	v.Title = v.T("Review queue")
	d := reviewData{Statuses: homeward.MatchStatuses, Supervisor: v.User.Role.IsSupervisorRank()}
	d.Orgs, _ = s.orgs(r)
	f, err := parseReviewFilter(r.URL.Query())
	d.Filter = f
	status := http.StatusOK
	if err != nil {
		v.setError(err)
		status = statusOf(err)
	} else {
		mf := f.matchFilter(reviewPageSize)
		ms, total, err := s.cfg.Matches.FindMatches(r.Context(), mf)
		if err != nil {
			return err
		}
		if err := s.recordAccess(r, mf.Access(len(ms), total)); err != nil {
			return err
		}
		cs, recs, err := s.matchRecords(r, ms)
		if err != nil {
			return err
		}
		names := s.actorNames(r, v)
		for _, m := range ms {
			c, rec := cs[m.CaseID], recs[m.LocatedID]
			if c == nil || rec == nil {
				continue // a side is no longer visible
			}
			cv, err := s.candidate(r, v, names, m, c, rec, nil)
			if err != nil {
				return err
			}
			d.Items = append(d.Items, cv)
		}
		d.Total = total
		if len(ms) > 0 {
			d.First, d.Last = f.Offset+1, f.Offset+len(ms)
		}
		if f.Offset > 0 {
			d.PrevURL = f.query(max(f.Offset-reviewPageSize, 0))
		}
		if f.Offset+len(ms) < total {
			d.NextURL = f.query(f.Offset + reviewPageSize)
		}
	}
	v.D = d
	s.render(w, r, status, "review", v)
	return nil
}
