package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/homeward-project/homeward"
)

// stepNeed is one condition of the next stage as the case page shows it.
type stepNeed struct {
	Need string
	Met  bool
}

type verificationView struct {
	V          *homeward.Verification
	RecordedBy string
	ApprovedBy string
	CanApprove bool
	Evidence   []*homeward.Attachment
}

// workflowData is the workflow part of the case page.
type workflowData struct {
	Next        homeward.Stage
	Needs       []stepNeed
	Transitions []homeward.Stage // the moves the workflow has from here, except closing
	CanClose    bool
	CanMove     bool
	Reasons     []homeward.CloseReason

	Candidates      []*candidateView
	CandidatesTotal int

	Verifications  []verificationView
	BestInterests  []*homeward.BestInterests
	Handovers      []*homeward.Handover
	Reunifications []*homeward.Reunification
	FollowUps      []*homeward.FollowUp
	Attachments    []*homeward.Attachment
	Recorders      map[int64]string
	CanWrite       bool // the user's organisation holds the case and the role writes
	CanView        bool // the user may open attachments
}

// loadWorkflow reads everything the case page shows about the way home.
func (s *Server) loadWorkflow(r *http.Request, v *view, c *homeward.Case) (*workflowData, error) {
	if s.cfg.Workflow == nil || s.cfg.Matches == nil {
		return nil, nil
	}
	ctx := r.Context()
	u := v.User
	wd := &workflowData{Reasons: homeward.CloseReasons, Recorders: map[int64]string{}}
	wd.CanWrite = u.Role.CanWriteRecords() && u.OrgID == c.OrgID
	// The store lists only the attachments the user may open.
	wd.CanView = true
	facts, err := s.cfg.Workflow.Facts(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, n := range homeward.NextStepNeeds(c.Stage, facts) {
		wd.Next = n.Stage
		wd.Needs = append(wd.Needs, stepNeed{Need: v.T(n.Need), Met: n.Met})
	}
	for _, to := range homeward.AllowedTransitions(c.Stage) {
		if to == homeward.StageClosed {
			wd.CanClose = u.Role.IsSupervisorRank() && wd.CanWrite
			continue
		}
		wd.Transitions = append(wd.Transitions, to)
	}
	wd.CanMove = wd.CanWrite
	if wd.Candidates, wd.CandidatesTotal, err = s.caseCandidates(r, v, c); err != nil {
		return nil, err
	}
	names := s.actorNames(r, v)
	if wd.Attachments, err = s.cfg.Attachments.FindAttachments(ctx, c.ID); err != nil {
		return nil, err
	}
	byID := map[int64]*homeward.Attachment{}
	for _, a := range wd.Attachments {
		byID[a.ID] = a
		wd.Recorders[a.CreatedBy] = names.name(a.CreatedBy)
	}
	vs, err := s.cfg.Workflow.FindVerifications(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, x := range vs {
		vv := verificationView{V: x, RecordedBy: names.name(x.RecordedBy)}
		if x.Approved() {
			vv.ApprovedBy = names.name(x.ApprovedBy)
		} else {
			vv.CanApprove = wd.CanWrite && u.Role.IsSupervisorRank() && x.RecordedBy != u.ID
		}
		for _, id := range x.AttachmentIDs {
			if a, ok := byID[id]; ok {
				vv.Evidence = append(vv.Evidence, a)
			}
		}
		wd.Verifications = append(wd.Verifications, vv)
	}
	if wd.BestInterests, err = s.cfg.Workflow.FindBestInterests(ctx, c.ID); err != nil {
		return nil, err
	}
	if wd.Handovers, err = s.cfg.Workflow.FindHandovers(ctx, c.ID); err != nil {
		return nil, err
	}
	if wd.Reunifications, err = s.cfg.Workflow.FindReunifications(ctx, c.ID); err != nil {
		return nil, err
	}
	if wd.FollowUps, err = s.cfg.Workflow.FindFollowUps(ctx, c.ID); err != nil {
		return nil, err
	}
	for _, b := range wd.BestInterests {
		wd.Recorders[b.RecordedBy] = names.name(b.RecordedBy)
	}
	for _, h := range wd.Handovers {
		wd.Recorders[h.RecordedBy] = names.name(h.RecordedBy)
	}
	for _, x := range wd.Reunifications {
		wd.Recorders[x.RecordedBy] = names.name(x.RecordedBy)
	}
	for _, x := range wd.FollowUps {
		wd.Recorders[x.RecordedBy] = names.name(x.RecordedBy)
	}
	return wd, nil
}

// renderCase shows the case page, with formErr at the top when a form of
// the page was refused.
func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, id int64, status int, formErr error) error {
	c, err := s.cfg.Cases.FindCaseByID(r.Context(), id)
	if err != nil {
		return err
	}
	v := s.view(r, "cases")
	v.Path = fmt.Sprintf("/cases/%d", id)
	v.Title = c.Reference
	if formErr != nil {
		v.setError(formErr)
		v.Error = v.transitionErrorText(formErr)
	}
	_, names := s.orgs(r)
	d := caseShowData{C: c, OrgName: names[c.OrgID], EraseReasons: homeward.EraseReasons}
	d.CanErase = v.User != nil && v.User.Role.IsSupervisorRank() && v.User.OrgID == c.OrgID
	if d.W, err = s.loadWorkflow(r, v, c); err != nil {
		return err
	}
	if d.X, err = s.loadCaseExchange(r, v, c); err != nil {
		return err
	}
	if d.History, err = s.history(r, v, homeward.EntityCase, c.ID); err != nil {
		return err
	}
	v.D = d
	s.render(w, r, status, "case_show", v)
	return nil
}

var transitionMessage = regexp.MustCompile(`^Moving the case from (\w+) to (\w+) needs (.+)\.$`)

// transitionErrorText translates a refused transition part by part, so
// that the condition missing reads in the page's language.
func (v *view) transitionErrorText(err error) string {
	m := transitionMessage.FindStringSubmatch(homeward.ErrorMessage(err))
	if m == nil {
		return v.errorText(err)
	}
	return v.T("Moving the case from %s to %s needs %s.", v.loc.label("stage", m[1]), v.loc.label("stage", m[2]), v.T(m[3]))
}

// caseTransition moves a case to another stage; a refused move shows the
// case page with the condition that is missing.
func (s *Server) caseTransition(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Workflow == nil {
		return errNoWorkflow
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return malformed("", "The form could not be read.")
	}
	version, err := strconv.Atoi(r.PostForm.Get("version"))
	if err != nil {
		return malformed("version", "The form could not be read.")
	}
	to := homeward.Stage(r.PostForm.Get("to"))
	_, err = s.cfg.Workflow.Transition(r.Context(), id, to, version, homeward.CloseReason(r.PostForm.Get("close_reason")))
	switch homeward.ErrorCode(err) {
	case "":
		http.Redirect(w, r, fmt.Sprintf("/cases/%d#workflow", id), http.StatusSeeOther)
		return nil
	case homeward.EINVALID, homeward.EFORBIDDEN, homeward.ECONFLICT:
		return s.renderCase(w, r, id, statusOf(err), err)
	}
	return err
}

// verificationApprove approves a verification as the second supervisor.
func (s *Server) verificationApprove(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Workflow == nil {
		return errNoWorkflow
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil {
		return malformed("version", "The form could not be read.")
	}
	caseID, _ := strconv.ParseInt(r.PostFormValue("case"), 10, 64)
	_, err = s.cfg.Workflow.ApproveVerification(r.Context(), id, version)
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/cases/%d#verifications", caseID), http.StatusSeeOther)
		return nil
	case caseID > 0 && homeward.ErrorCode(err) != homeward.EINTERNAL:
		return s.renderCase(w, r, caseID, statusOf(err), err)
	}
	return err
}

// recordKinds are the workflow records a case page offers forms for.
var recordKinds = map[string]string{
	"verification":   "Record a verification",
	"best-interests": "Record a best-interests determination",
	"handover":       "Record the handover",
	"reunification":  "Record the reunification",
	"follow-up":      "Record a follow-up visit",
}

type recordFormData struct {
	Kind        string
	Case        *homeward.Case
	V           url.Values
	Attachments []*homeward.Attachment
	Chosen      map[int64]bool
	Methods     []homeward.VerificationMethod
	Outcomes    []homeward.VerificationOutcome
	Decisions   []homeward.BestInterestsDecision
	RiskFlags   []homeward.RiskFlag
	Flags       map[string]bool
}

func (s *Server) renderRecordForm(w http.ResponseWriter, r *http.Request, status int, kind string, caseID int64, vals url.Values, formErr error) error {
	title, ok := recordKinds[kind]
	if !ok || s.cfg.Workflow == nil {
		return errNoWorkflow
	}
	c, err := s.cfg.Cases.FindCaseByID(r.Context(), caseID)
	if err != nil {
		return err
	}
	v := s.view(r, "cases")
	v.Title = v.T(title)
	if formErr != nil {
		v.setError(formErr)
	}
	d := recordFormData{Kind: kind, Case: c, V: vals, Chosen: map[int64]bool{}, Flags: map[string]bool{},
		Methods: homeward.VerificationMethods, Outcomes: homeward.VerificationOutcomes,
		Decisions: homeward.BestInterestsDecisions, RiskFlags: homeward.RiskFlags}
	if kind == "verification" {
		if d.Attachments, err = s.cfg.Attachments.FindAttachments(r.Context(), caseID); err != nil {
			return err
		}
		for _, a := range vals["evidence"] {
			if id, err := strconv.ParseInt(a, 10, 64); err == nil {
				d.Chosen[id] = true
			}
		}
	}
	for _, f := range vals["risk_flags"] {
		d.Flags[f] = true
	}
	v.D = d
	s.render(w, r, status, "record_form", v)
	return nil
}

func (s *Server) recordForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.renderRecordForm(w, r, http.StatusOK, r.PathValue("kind"), id, url.Values{}, nil)
}

// formDate reads a date field, naming it in the error.
func formDate(vals url.Values, field string) (homeward.Date, error) {
	d, err := homeward.ParseDate(strings.TrimSpace(vals.Get(field)))
	if err != nil {
		return d, homeward.FieldErrorf(homeward.EINVALID, field, "Dates are written DD.MM.YYYY.")
	}
	return d, nil
}

// splitLines reads a list typed one item per line (or separated by
// semicolons), dropping empty items.
func splitLines(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ';' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// recordCreate stores one workflow record from its form.
func (s *Server) recordCreate(w http.ResponseWriter, r *http.Request) error {
	kind := r.PathValue("kind")
	if _, ok := recordKinds[kind]; !ok || s.cfg.Workflow == nil {
		return errNoWorkflow
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return malformed("", "The form could not be read.")
	}
	vals := r.PostForm
	err = s.saveRecord(r, kind, id, vals)
	switch homeward.ErrorCode(err) {
	case "":
		http.Redirect(w, r, fmt.Sprintf("/cases/%d#records", id), http.StatusSeeOther)
		return nil
	case homeward.EINVALID:
		return s.renderRecordForm(w, r, statusOf(err), kind, id, vals, err)
	}
	return err
}

func (s *Server) saveRecord(r *http.Request, kind string, caseID int64, vals url.Values) error {
	ctx := r.Context()
	text := func(f string) string { return strings.TrimSpace(vals.Get(f)) }
	switch kind {
	case "verification":
		d, err := formDate(vals, "performed_on")
		if err != nil {
			return err
		}
		v := &homeward.Verification{CaseID: caseID, Method: homeward.VerificationMethod(vals.Get("method")),
			Outcome: homeward.VerificationOutcome(vals.Get("outcome")), PerformedBy: text("performed_by"), PerformedOn: d, Notes: text("notes")}
		for _, a := range vals["evidence"] {
			aid, err := strconv.ParseInt(a, 10, 64)
			if err != nil {
				return homeward.FieldErrorf(homeward.EINVALID, "attachment_ids", "The evidence must be attachments of this case.")
			}
			v.AttachmentIDs = append(v.AttachmentIDs, aid)
		}
		if err := v.Validate(); err != nil {
			return err
		}
		return s.cfg.Workflow.AddVerification(ctx, v)
	case "best-interests":
		d, err := formDate(vals, "decided_on")
		if err != nil {
			return err
		}
		b := &homeward.BestInterests{CaseID: caseID, ChildWishes: text("child_wishes"), Assessment: text("assessment"),
			Panel: splitLines(vals.Get("panel")), Decision: homeward.BestInterestsDecision(vals.Get("decision")), DecidedOn: d}
		if err := b.Validate(); err != nil {
			return err
		}
		return s.cfg.Workflow.SaveBestInterests(ctx, b)
	case "handover":
		d, err := formDate(vals, "handover_on")
		if err != nil {
			return err
		}
		h := &homeward.Handover{CaseID: caseID, HandoverOn: d, Place: text("place"), Route: text("route"),
			ThirdCountry: text("third_country"), Escort: text("escort"), FromCountry: text("from_country"),
			ToCountry: text("to_country"), Notes: text("notes")}
		if err := h.Validate(); err != nil {
			return err
		}
		return s.cfg.Workflow.RecordHandover(ctx, h)
	case "reunification":
		d, err := formDate(vals, "reunified_on")
		if err != nil {
			return err
		}
		x := &homeward.Reunification{CaseID: caseID, ReunifiedOn: d, WithWhom: text("with_whom"), Relation: text("relation"),
			Proof: text("proof"), Notes: text("notes")}
		if err := x.Validate(); err != nil {
			return err
		}
		return s.cfg.Workflow.RecordReunification(ctx, x)
	case "follow-up":
		d, err := formDate(vals, "visited_on")
		if err != nil {
			return err
		}
		x := &homeward.FollowUp{CaseID: caseID, VisitedOn: d, Visitor: text("visitor"), Findings: text("findings"), Notes: text("notes")}
		for _, f := range vals["risk_flags"] {
			x.RiskFlags = append(x.RiskFlags, homeward.RiskFlag(f))
		}
		if err := x.Validate(); err != nil {
			return err
		}
		return s.cfg.Workflow.AddFollowUp(ctx, x)
	}
	return errNoWorkflow
}

// readAttachment reads the uploaded file of an attachment form or request.
func readAttachment(w http.ResponseWriter, r *http.Request) (*homeward.Attachment, error) {
	r.Body = http.MaxBytesReader(w, r.Body, homeward.MaxAttachmentSize+1<<20)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, homeward.FieldErrorf(homeward.EINVALID, "file", "The file is too large.")
		}
		return nil, homeward.FieldErrorf(homeward.EINVALID, "file", "Choose a photo or a scan.")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, homeward.MaxAttachmentSize+1))
	if err != nil {
		return nil, homeward.FieldErrorf(homeward.EINVALID, "file", "The file could not be read.")
	}
	if len(data) > homeward.MaxAttachmentSize {
		return nil, homeward.FieldErrorf(homeward.EINVALID, "file", "The file is too large.")
	}
	if len(data) == 0 {
		return nil, homeward.FieldErrorf(homeward.EINVALID, "file", "Choose a photo or a scan.")
	}
	visible, _ := strconv.ParseBool(r.FormValue("liaison_visible"))
	// The content type is the store's to detect: a browser's claim is not
	// evidence of what the file holds.
	return &homeward.Attachment{Filename: hdr.Filename, Data: data, LiaisonVisible: visible}, nil
}

func (s *Server) attachmentUpload(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Attachments == nil {
		return errNoWorkflow
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := readAttachment(w, r)
	if err == nil {
		a.CaseID = id
		err = s.cfg.Attachments.CreateAttachment(r.Context(), a)
	}
	switch homeward.ErrorCode(err) {
	case "":
		http.Redirect(w, r, fmt.Sprintf("/cases/%d#attachments", id), http.StatusSeeOther)
		return nil
	case homeward.EINVALID, homeward.EFORBIDDEN:
		return s.renderCase(w, r, id, statusOf(err), err)
	}
	return err
}

// inlineTypes are the content types a browser may show in place; anything
// else is downloaded, so that an uploaded page cannot run in our origin.
var inlineTypes = []string{"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"}

// serveAttachment writes an attachment's content. Reading it has already
// been recorded as a view by the store.
func serveAttachment(w http.ResponseWriter, a *homeward.Attachment) {
	ct, _, _ := mime.ParseMediaType(a.ContentType)
	disp := "attachment"
	if slices.Contains(inlineTypes, ct) {
		disp = "inline"
	} else {
		ct = "application/octet-stream"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	cd := mime.FormatMediaType(disp, map[string]string{"filename": a.Filename})
	if cd == "" { // a name the header cannot carry
		cd = disp
	}
	h.Set("Content-Disposition", cd)
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'")
	h.Set("Content-Length", strconv.Itoa(len(a.Data)))
	w.WriteHeader(http.StatusOK)
	w.Write(a.Data)
}

func (s *Server) attachmentView(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Attachments == nil {
		return errNoWorkflow
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := s.cfg.Attachments.FindAttachmentByID(r.Context(), id)
	if err != nil {
		return err
	}
	serveAttachment(w, a)
	return nil
}
