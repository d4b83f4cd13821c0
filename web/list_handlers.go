package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/tabular"
)

// findLimit bounds the cases a filter on the list page proposes at once.
const findLimit = 200

// phaseID returns the ID of the phase numbered n of a channel; 0 for n 0,
// which the service reads as the latest.
func (s *Server) phaseID(ctx context.Context, channelID int64, n int) (int64, error) {
	if n == 0 {
		return 0, nil
	}
	ps, err := s.cfg.Lists.FindPhases(ctx, channelID)
	if err != nil {
		return 0, err
	}
	for _, p := range ps {
		if p.Number == n {
			return p.ID, nil
		}
	}
	return 0, homeward.FieldErrorf(homeward.EINVALID, "phase_id", "Choose a phase of the channel.")
}

func (s *Server) listCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return malformed("", "The form could not be read.")
	}
	chID, err := formID(r, "channel_id")
	if err != nil || chID == 0 {
		return malformed("channel_id", "The form could not be read.")
	}
	n, _ := strconv.Atoi(r.PostForm.Get("phase"))
	l := &homeward.ReturnList{ChannelID: chID, Title: strings.TrimSpace(r.PostForm.Get("title")),
		Profile: homeward.DisclosureProfile(r.PostForm.Get("profile"))}
	if l.PhaseID, err = s.phaseID(r.Context(), chID, n); err == nil {
		err = s.cfg.Lists.CreateList(r.Context(), l)
	}
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/lists/%d", l.ID), http.StatusSeeOther)
		return nil
	case userError(err):
		return s.renderChannel(w, r, chID, statusOf(err), r.PostForm, err)
	}
	return err
}

// entryRow is one entry of the list page: on our own lists, with the case
// it is for.
type entryRow struct {
	E    *homeward.ListEntry
	Case *homeward.Case
}

// disclosureRow says of one field of a case whether it leaves with the
// list, and from which profile.
type disclosureRow struct {
	Field   string
	Profile homeward.DisclosureProfile
	Leaves  bool
}

// answerReport is the outcome of an imported answer sheet as the list page
// shows it.
type answerReport struct {
	Refused  bool
	Rows     int
	Recorded int
	Problems []homeward.RowProblem // the first maxReported
	Count    int                   // problems found, listed or not
	More     int                   // problems not listed
}

type listData struct {
	L          *homeward.ReturnList
	Channel    *homeward.Channel
	Entries    []entryRow
	Removed    []entryRow
	Disclosure []disclosureRow
	Revisions  []*homeward.ListRevision
	Bundles    []*homeward.Bundle
	PartyNames map[int64]string
	Names      map[int64]string // users who sealed revisions
	Profiles   []homeward.DisclosureProfile
	Stages     []homeward.Stage

	SealRequestedBy string
	Outgoing        bool
	CanEdit         bool // entries may be added and removed
	CanRequestSeal  bool
	CanSeal         bool // a supervisor other than the one who asked
	OwnRequest      bool // the user asked for the seal, so may not seal
	CanSend         bool
	CanFinish       bool // withdraw or close: a supervisor
	CanSendAnswers  bool
	CanLink         bool
	CanImport       bool // a filled-in answer sheet may be imported
	HasBundles      bool

	FindStage  string
	FindQuery  string
	Found      []*homeward.Case
	Searched   bool
	Siblings   []int64
	SiblingIDs string
	// SiblingCases are the siblings proposed, as the page names them.
	SiblingCases []*homeward.Case
	Report       *answerReport
	History      []historyEntry
}

func (s *Server) listShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.renderList(w, r, id, http.StatusOK, nil, nil)
}

// renderList shows the list page; formErr, when set, is shown at the top,
// report when an answer sheet was imported.
func (s *Server) renderList(w http.ResponseWriter, r *http.Request, id int64, status int, formErr error, report *answerReport) error {
	ctx := r.Context()
	l, err := s.cfg.Lists.FindListByID(ctx, id)
	if err != nil {
		return err
	}
	ch, err := s.cfg.Lists.FindChannelByID(ctx, l.ChannelID)
	if err != nil {
		return err
	}
	es, err := s.cfg.Lists.FindEntries(ctx, id)
	if err != nil {
		return err
	}
	v := s.view(r, "exchange")
	v.Path = fmt.Sprintf("/lists/%d", id)
	v.Title = l.Title
	if formErr != nil {
		v.setError(formErr)
	}
	u := v.User
	d := listData{L: l, Channel: ch, Profiles: homeward.DisclosureProfiles, Stages: homeward.Stages, Report: report,
		Outgoing: l.Direction == homeward.ListOutgoing, HasBundles: s.cfg.Bundles != nil}
	d.PartyNames, _ = s.partyNames(ctx)
	sup := u.Role.IsSupervisorRank()
	d.CanEdit = l.Editable()
	d.CanRequestSeal = d.CanEdit && l.Revision > l.SealedRevision && l.SealRequestedBy == 0
	d.OwnRequest = l.SealRequestedBy != 0 && l.SealRequestedBy == u.ID
	d.CanSeal = d.CanEdit && l.SealRequestedBy != 0 && sup && !d.OwnRequest
	d.CanSend = d.Outgoing && l.SealedRevision > 0 && !l.State.Final() && d.HasBundles
	d.CanFinish = sup && !l.State.Final()
	d.CanSendAnswers = l.Direction == homeward.ListIncoming && !l.State.Final() && d.HasBundles
	d.CanLink = l.Direction == homeward.ListIncoming && s.cfg.Linker != nil
	if l.SealRequestedBy != 0 {
		d.SealRequestedBy = s.actorNames(r, v).name(l.SealRequestedBy)
	}
	d.CanImport = d.Outgoing && l.SealedRevision > 0 && !l.State.Final()
	for _, f := range homeward.DisclosureTable {
		d.Disclosure = append(d.Disclosure, disclosureRow{Field: v.loc.label("disclosed", f.Field), Profile: f.Profile, Leaves: l.Profile.Includes(f.Profile)})
	}
	var cases map[int64]*homeward.Case
	if d.Outgoing && len(es) > 0 {
		ids := make([]int64, 0, len(es))
		for _, e := range es {
			if e.CaseID != 0 {
				ids = append(ids, e.CaseID)
			}
		}
		if cases, err = s.cfg.Cases.FindCasesByIDs(ctx, ids); err != nil {
			return err
		}
	}
	for _, e := range es {
		row := entryRow{E: e, Case: cases[e.CaseID]}
		if e.RemovedRevision != 0 {
			d.Removed = append(d.Removed, row)
		} else {
			d.Entries = append(d.Entries, row)
		}
	}
	if d.Revisions, err = s.cfg.Lists.Revisions(ctx, id); err != nil {
		return err
	}
	d.Names = map[int64]string{}
	names := s.actorNames(r, v)
	for _, rv := range d.Revisions {
		for _, uid := range []int64{rv.SealRequestedBy, rv.SealedBy} {
			if uid != 0 {
				d.Names[uid] = names.name(uid)
			}
		}
	}
	if s.cfg.Bundles != nil {
		if d.Bundles, err = s.cfg.Bundles.ListBundles(ctx, id); err != nil {
			return err
		}
	}
	q := r.URL.Query()
	if d.CanEdit {
		if err := s.findCasesToAdd(r, &d, q, es); err != nil {
			return err
		}
	}
	for _, sid := range strings.Split(q.Get("siblings"), ",") {
		if n, err := strconv.ParseInt(strings.TrimSpace(sid), 10, 64); err == nil && n > 0 {
			d.Siblings = append(d.Siblings, n)
		}
	}
	if len(d.Siblings) > 0 {
		parts := make([]string, len(d.Siblings))
		for i, n := range d.Siblings {
			parts[i] = strconv.FormatInt(n, 10)
		}
		d.SiblingIDs = strings.Join(parts, ", ")
		// A person knows the siblings by name and reference, not by the
		// numbers the query carries; those not visible are left out.
		byID, err := s.cfg.Cases.FindCasesByIDs(ctx, d.Siblings)
		if err != nil {
			return err
		}
		for _, n := range d.Siblings {
			if c := byID[n]; c != nil {
				d.SiblingCases = append(d.SiblingCases, c)
			}
		}
	}
	switch {
	case q.Get("sealed") != "":
		v.Flash = v.T("Revision %d is sealed.", l.SealedRevision)
	case q.Get("requested") != "":
		v.Flash = v.T("The seal was asked for; a second supervisor seals the list.")
	case q.Get("linked") != "":
		n, _ := strconv.Atoi(q.Get("linked"))
		v.Flash = v.T("%d candidates found among our records.", n)
	}
	if d.History, err = s.history(r, v, homeward.EntityList, l.ID); err != nil {
		return err
	}
	v.D = d
	s.render(w, r, status, "list_show", v)
	return nil
}

// findCasesToAdd runs the filter of the list page: the organisation's
// cases at a stage or matching a name, not on the list yet, proposed with
// a check box each; the service decides which may go on it.
func (s *Server) findCasesToAdd(r *http.Request, d *listData, q url.Values, es []*homeward.ListEntry) error {
	d.FindStage, d.FindQuery = q.Get("find_stage"), strings.TrimSpace(q.Get("find_q"))
	if d.FindStage == "" && d.FindQuery == "" {
		return nil
	}
	d.Searched = true
	if d.FindStage != "" && !homeward.Stage(d.FindStage).Valid() {
		return homeward.FieldErrorf(homeward.EINVALID, "stage", "Unknown stage.")
	}
	cf := homeward.CaseFilter{Stage: homeward.Stage(d.FindStage), Query: d.FindQuery, OrgID: userFrom(r.Context()).OrgID, Limit: findLimit}
	cs, total, err := s.cfg.Cases.FindCases(r.Context(), cf)
	if err != nil {
		return err
	}
	if err := s.recordAccess(r, cf.Access(len(cs), total)); err != nil {
		return err
	}
	on := map[int64]bool{}
	for _, e := range es {
		if e.RemovedRevision == 0 {
			on[e.CaseID] = true
		}
	}
	for _, c := range cs {
		if !on[c.ID] {
			d.Found = append(d.Found, c)
		}
	}
	return nil
}

// caseIDsOfForm reads the cases a form names: checked boxes (case_ids,
// repeated) and IDs or references typed in one field ("12, 15").
func (s *Server) caseIDsOfForm(r *http.Request) ([]int64, error) {
	var ids []int64
	for _, v := range r.PostForm["case_ids"] {
		more, err := s.resolveSiblings(r, v, 0)
		if err != nil {
			return nil, homeward.FieldErrorf(homeward.EINVALID, "case_ids", "%s", homeward.ErrorMessage(err))
		}
		for _, id := range more {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids, nil
}

// listAction runs one change of a list from its form and returns to the
// list page; a refusal shows the page again with the reason.
func (s *Server) listAction(w http.ResponseWriter, r *http.Request, do func(ctx context.Context, id int64, version int) (string, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return malformed("", "The form could not be read.")
	}
	version, err := formVersion(r)
	if err != nil {
		return err
	}
	next, err := do(r.Context(), id, version)
	switch {
	case err == nil:
		if next == "" {
			next = fmt.Sprintf("/lists/%d", id)
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	case userError(err):
		return s.renderList(w, r, id, statusOf(err), err, nil)
	}
	return err
}

func (s *Server) listAddEntries(w http.ResponseWriter, r *http.Request) error {
	return s.listAction(w, r, func(ctx context.Context, id int64, version int) (string, error) {
		ids, err := s.caseIDsOfForm(r)
		if err != nil {
			return "", err
		}
		if len(ids) == 0 {
			return "", homeward.FieldErrorf(homeward.EINVALID, "case_ids", "Choose the cases to put on the list.")
		}
		_, sibs, err := s.cfg.Lists.AddEntries(ctx, id, ids, version)
		if err != nil {
			return "", err
		}
		return siblingsNext(fmt.Sprintf("/lists/%d", id), sibs), nil
	})
}

// siblingsNext is where a page goes after cases were put on a list: back,
// proposing the siblings not on it yet.
func siblingsNext(path string, sibs []int64) string {
	if len(sibs) == 0 {
		return path + "#entries"
	}
	parts := make([]string, len(sibs))
	for i, n := range sibs {
		parts[i] = strconv.FormatInt(n, 10)
	}
	return path + "?siblings=" + url.QueryEscape(strings.Join(parts, ",")) + "#siblings"
}

func (s *Server) listRemoveEntry(w http.ResponseWriter, r *http.Request) error {
	eid, err := pathInt(r, "eid")
	if err != nil {
		return err
	}
	return s.listAction(w, r, func(ctx context.Context, id int64, version int) (string, error) {
		_, err := s.cfg.Lists.RemoveEntry(ctx, id, eid, version)
		return "", err
	})
}

func (s *Server) listProfile(w http.ResponseWriter, r *http.Request) error {
	return s.listAction(w, r, func(ctx context.Context, id int64, version int) (string, error) {
		_, err := s.cfg.Lists.SetProfile(ctx, id, homeward.DisclosureProfile(r.PostForm.Get("profile")), version)
		return "", err
	})
}

func (s *Server) listSealRequest(w http.ResponseWriter, r *http.Request) error {
	return s.listAction(w, r, func(ctx context.Context, id int64, version int) (string, error) {
		_, err := s.cfg.Lists.RequestSeal(ctx, id, version)
		return fmt.Sprintf("/lists/%d?requested=1", id), err
	})
}

func (s *Server) listSeal(w http.ResponseWriter, r *http.Request) error {
	return s.listAction(w, r, func(ctx context.Context, id int64, version int) (string, error) {
		_, err := s.cfg.Lists.Seal(ctx, id, version)
		return fmt.Sprintf("/lists/%d?sealed=1", id), err
	})
}

func (s *Server) listWithdraw(w http.ResponseWriter, r *http.Request) error {
	return s.listAction(w, r, func(ctx context.Context, id int64, version int) (string, error) {
		_, err := s.cfg.Lists.Withdraw(ctx, id, strings.TrimSpace(r.PostForm.Get("reason")), version)
		return "", err
	})
}

func (s *Server) listClose(w http.ResponseWriter, r *http.Request) error {
	return s.listAction(w, r, func(ctx context.Context, id int64, version int) (string, error) {
		_, err := s.cfg.Lists.Close(ctx, id, version)
		return "", err
	})
}

// listSend queues the sealed revision for the mediator and makes the
// bundle, then shows it with its download.
func (s *Server) listSend(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Bundles == nil {
		return errNoExchange
	}
	return s.listAction(w, r, func(ctx context.Context, id int64, version int) (string, error) {
		b, err := s.cfg.Bundles.SendList(ctx, id, version)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("/bundles/%d", b.ID), nil
	})
}

func (s *Server) listSendAnswers(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Bundles == nil {
		return errNoExchange
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b, err := s.cfg.Bundles.SendAnswers(r.Context(), id)
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/bundles/%d", b.ID), http.StatusSeeOther)
		return nil
	case userError(err):
		return s.renderList(w, r, id, statusOf(err), err, nil)
	}
	return err
}

func (s *Server) listLink(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Linker == nil {
		return errNoExchange
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	// The linker works as the system; the list must be one the user sees.
	if _, err := s.cfg.Lists.FindListByID(r.Context(), id); err != nil {
		return err
	}
	n, err := s.cfg.Linker.LinkList(r.Context(), id)
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/lists/%d?linked=%d", id, n), http.StatusSeeOther)
		return nil
	case userError(err):
		return s.renderList(w, r, id, statusOf(err), err, nil)
	}
	return err
}

type diffData struct {
	L       *homeward.ReturnList
	D       *homeward.ListDiff
	Changes []entryChangeView
}

type entryChangeView struct {
	Ref   string
	Lines []changeLine
}

func (s *Server) listDiff(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	from, err1 := strconv.Atoi(q.Get("from"))
	to, err2 := strconv.Atoi(q.Get("to"))
	if err1 != nil || err2 != nil {
		return malformed("revision", "Give the two revisions to compare (from and to).")
	}
	ctx := r.Context()
	l, err := s.cfg.Lists.FindListByID(ctx, id)
	if err != nil {
		return err
	}
	diff, err := s.cfg.Lists.Diff(ctx, id, from, to)
	if err != nil {
		return err
	}
	v := s.view(r, "exchange")
	v.Title = v.T("%s: revision %d against %d", l.Title, to, from)
	d := diffData{L: l, D: diff}
	for _, c := range diff.Changed {
		cv := entryChangeView{Ref: c.Ref}
		for _, f := range c.Fields {
			cv.Lines = append(cv.Lines, changeLine{Field: v.loc.fieldLabel(f.Field), Old: v.loc.changeValue(f.Field, f.Old), New: v.loc.changeValue(f.Field, f.New)})
		}
		d.Changes = append(d.Changes, cv)
	}
	v.D = d
	s.render(w, r, http.StatusOK, "list_diff", v)
	return nil
}

// sealedDocument returns the list and its last sealed (or received)
// revision as it left or arrived; reading it records the export.
func (s *Server) sealedDocument(r *http.Request) (*homeward.ReturnList, *homeward.ListDocument, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, nil, err
	}
	ctx := r.Context()
	l, err := s.cfg.Lists.FindListByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if l.SealedRevision == 0 {
		return nil, nil, homeward.Errorf(homeward.EINVALID, "The list has no sealed revision yet: it is printed and sent once sealed.")
	}
	doc, err := s.cfg.Lists.RevisionDocument(ctx, id, l.SealedRevision)
	if err != nil {
		return nil, nil, err
	}
	return l, doc, nil
}

// listFileName names a download of a list: homeward-list-<uid>-r<revision>.<ext>.
func listFileName(doc *homeward.ListDocument, ext string) string {
	return fmt.Sprintf("homeward-list-%s-r%d.%s", asciiName(doc.UID), doc.Revision, ext)
}

// listSheet is the answer sheet of the sealed revision for a counterpart
// without Homeward.
func (s *Server) listSheet(w http.ResponseWriter, r *http.Request) error {
	l, doc, err := s.sealedDocument(r)
	if err != nil {
		return err
	}
	lang := s.langOf(r)
	return writeFile(w, listFileName(doc, "xlsx"), tabular.FormatXLSX, func(wr io.Writer) error {
		return tabular.WriteAnswerSheet(wr, l, doc, lang)
	})
}

// readAnswerSheet reads an uploaded, filled-in answer sheet.
func readAnswerSheet(w http.ResponseWriter, r *http.Request) ([]homeward.AnswerRow, []homeward.RowProblem, error) {
	name, data, err := readUploadedFile(w, r)
	if err != nil {
		return nil, nil, err
	}
	rows, problems, err := tabular.ReadAnswerSheet(name, bytes.NewReader(data))
	if err != nil {
		if homeward.ErrorCode(err) != homeward.EINVALID {
			err = homeward.FieldErrorf(homeward.EINVALID, "file", "The file is not a CSV or XLSX spreadsheet that can be read.")
		}
		return nil, nil, err
	}
	return rows, problems, nil
}

// importAnswers records the answers of a sheet. The rows the sheet's
// reader could not read are handed to the service empty, so that without
// keepGood it refuses the whole sheet while checking every other row; their
// problems are the reader's.
func (s *Server) importAnswers(ctx context.Context, listID int64, rows []homeward.AnswerRow, readProblems []homeward.RowProblem, keepGood bool, lang string) (*answerReport, error) {
	bad := map[int]bool{}
	for _, p := range readProblems {
		bad[p.Row] = true
	}
	send := rows
	if !keepGood {
		send = append([]homeward.AnswerRow(nil), rows...)
		for n := range bad {
			send = append(send, homeward.AnswerRow{Row: n})
		}
		slices.SortFunc(send, func(a, b homeward.AnswerRow) int { return a.Row - b.Row })
	}
	rep := &answerReport{Rows: len(rows) + len(bad)}
	res, err := s.cfg.Lists.ImportAnswers(ctx, listID, send, keepGood)
	if res != nil {
		rep.Recorded = res.Recorded
		for _, p := range res.Problems {
			if !bad[p.Row] {
				rep.Problems = append(rep.Problems, p)
			}
		}
	}
	rep.Problems = append(rep.Problems, readProblems...)
	slices.SortStableFunc(rep.Problems, func(a, b homeward.RowProblem) int { return a.Row - b.Row })
	rep.Count = len(rep.Problems)
	rep.Problems, rep.More = capProblems(rep.Problems)
	for i := range rep.Problems {
		if rep.Problems[i].Column == "" {
			rep.Problems[i].Column = tabular.AnswerColumn(rep.Problems[i].Field, lang)
		}
	}
	if err != nil {
		if homeward.ErrorCode(err) == homeward.EINVALID && res != nil {
			rep.Refused = true
			return rep, nil
		}
		return nil, err
	}
	return rep, nil
}

func (s *Server) listImportAnswers(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rows, problems, err := readAnswerSheet(w, r)
	if err != nil {
		if userError(err) {
			return s.renderList(w, r, id, statusOf(err), err, nil)
		}
		return err
	}
	keepGood := r.FormValue("keep_good") != ""
	rep, err := s.importAnswers(r.Context(), id, rows, problems, keepGood, s.langOf(r))
	if err != nil {
		if userError(err) {
			return s.renderList(w, r, id, statusOf(err), err, nil)
		}
		return err
	}
	status := http.StatusOK
	if rep.Refused {
		status = http.StatusUnprocessableEntity
	}
	return s.renderList(w, r, id, status, nil, rep)
}

// caseAddToList puts a case on one of the organisation's lists from the
// case page; the option's value carries the list's version as read.
func (s *Server) caseAddToList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return malformed("", "The form could not be read.")
	}
	idText, versionText, ok := strings.Cut(r.PostForm.Get("list"), ":")
	listID, err1 := strconv.ParseInt(idText, 10, 64)
	version, err2 := strconv.Atoi(versionText)
	if !ok || err1 != nil || err2 != nil {
		return s.renderCase(w, r, id, http.StatusUnprocessableEntity, homeward.FieldErrorf(homeward.EINVALID, "list", "Choose the list."))
	}
	_, sibs, err := s.cfg.Lists.AddEntries(r.Context(), listID, []int64{id}, version)
	switch {
	case err == nil:
		http.Redirect(w, r, siblingsNext(fmt.Sprintf("/lists/%d", listID), sibs), http.StatusSeeOther)
		return nil
	case userError(err):
		return s.renderCase(w, r, id, statusOf(err), err)
	}
	return err
}

// isRefusal reports a refused bundle and its reason.
func isRefusal(err error) (*homeward.RefusedError, bool) {
	var re *homeward.RefusedError
	ok := errors.As(err, &re)
	return re, ok
}
