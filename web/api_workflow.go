package web

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/homeward-project/homeward"
)

func (s *Server) apiWorkflowRoutes() {
	s.handle("GET /api/v1/cases/counts", s.api(s.apiStageCounts))
	s.handle("GET /api/v1/me/waiting", s.api(s.apiWaiting))

	s.handle("GET /api/v1/matches", s.api(s.apiMatchList))
	s.handle("GET /api/v1/matches/{id}", s.api(s.apiMatchGet))
	s.handle("GET /api/v1/matches/{id}/history", s.api(s.apiMatchHistory))
	s.handle("POST /api/v1/matches/{id}/decisions", s.api(s.apiMatchDecide))
	s.handle("GET /api/v1/cases/{id}/matches", s.api(s.apiRecordMatches(homeward.EntityCase)))
	s.handle("GET /api/v1/located/{id}/matches", s.api(s.apiRecordMatches(homeward.EntityLocated)))

	s.handle("GET /api/v1/cases/{id}/workflow", s.api(s.apiWorkflow))
	s.handle("POST /api/v1/cases/{id}/transitions", s.api(s.apiTransition))

	s.handle("GET /api/v1/cases/{id}/verifications", s.api(s.apiVerifications))
	s.handle("POST /api/v1/cases/{id}/verifications", s.api(s.apiVerificationAdd))
	s.handle("POST /api/v1/verifications/{id}/approval", s.api(s.apiVerificationApprove))
	s.handle("GET /api/v1/cases/{id}/best-interests", s.api(s.apiBestInterests))
	s.handle("POST /api/v1/cases/{id}/best-interests", s.api(s.apiBestInterestsAdd))
	s.handle("GET /api/v1/cases/{id}/handovers", s.api(s.apiHandovers))
	s.handle("POST /api/v1/cases/{id}/handovers", s.api(s.apiHandoverAdd))
	s.handle("GET /api/v1/cases/{id}/reunifications", s.api(s.apiReunifications))
	s.handle("POST /api/v1/cases/{id}/reunifications", s.api(s.apiReunificationAdd))
	s.handle("GET /api/v1/cases/{id}/follow-ups", s.api(s.apiFollowUps))
	s.handle("POST /api/v1/cases/{id}/follow-ups", s.api(s.apiFollowUpAdd))

	s.handle("GET /api/v1/cases/{id}/attachments", s.api(s.apiAttachments))
	s.handle("POST /api/v1/cases/{id}/attachments", s.api(s.apiAttachmentAdd))
	s.handle("GET /api/v1/attachments/{id}/content", s.api(s.apiAttachmentContent))
}

// items wraps a list so that an empty one is [] rather than null.
func items[T any](xs []T) map[string]any {
	if xs == nil {
		xs = []T{}
	}
	return map[string]any{"items": xs}
}

func (s *Server) apiStageCounts(w http.ResponseWriter, r *http.Request) error {
	counts, err := s.stageCounts(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(counts))
	return nil
}

func (s *Server) apiWaiting(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.waitingOn(r.Context(), userFrom(r.Context()))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(ws))
	return nil
}

// apiMatchList is the review queue: undecided candidates from a
// probability (min, default 0.5), of an organisation, in one status.
func (s *Server) apiMatchList(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Matches == nil {
		return errNoWorkflow
	}
	f, err := parseReviewFilter(r.URL.Query())
	if err != nil {
		return err
	}
	limit, err := apiLimit(r)
	if err != nil {
		return err
	}
	mf := f.matchFilter(limit)
	ms, total, err := s.cfg.Matches.FindMatches(r.Context(), mf)
	if err != nil {
		return err
	}
	if err := s.recordAccess(r, mf.Access(len(ms), total)); err != nil {
		return err
	}
	if ms == nil {
		ms = []*homeward.Match{}
	}
	writeJSON(w, http.StatusOK, listResponse[*homeward.Match]{Items: ms, Total: total, Offset: f.Offset, Limit: limit})
	return nil
}

// apiRecordMatches lists every match of a case or located record, in any
// status, best first.
func (s *Server) apiRecordMatches(entity string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.cfg.Matches == nil {
			return errNoWorkflow
		}
		id, err := pathID(r)
		if err != nil {
			return err
		}
		limit, err := apiLimit(r)
		if err != nil {
			return err
		}
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		f := homeward.MatchFilter{Limit: limit, Offset: max(offset, 0)}
		if entity == homeward.EntityCase {
			f.CaseID = id
		} else {
			f.LocatedID = id
		}
		ms, total, err := s.cfg.Matches.FindMatches(r.Context(), f)
		if err != nil {
			return err
		}
		if err := s.recordAccess(r, f.Access(len(ms), total)); err != nil {
			return err
		}
		if ms == nil {
			ms = []*homeward.Match{}
		}
		writeJSON(w, http.StatusOK, listResponse[*homeward.Match]{Items: ms, Total: total, Offset: f.Offset, Limit: limit})
		return nil
	}
}

func (s *Server) apiMatchGet(w http.ResponseWriter, r *http.Request) error {
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
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) apiMatchHistory(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Matches == nil {
		return errNoWorkflow
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	hs, err := s.cfg.Matches.MatchHistory(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(hs))
	return nil
}

func (s *Server) apiMatchDecide(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Matches == nil {
		return errNoWorkflow
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var d homeward.MatchDecision
	if err := decodeJSON(w, r, &d); err != nil {
		return err
	}
	if d.Version == 0 {
		return homeward.FieldErrorf(homeward.EINVALID, "version", "The version read is required, so that a concurrent change is not overwritten.")
	}
	if err := d.Validate(); err != nil {
		return err
	}
	m, err := s.cfg.Matches.Decide(r.Context(), id, d)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// workflowState is the API's view of where a case stands: its stage, what
// the next stage needs, and the moves the workflow has from here.
type workflowState struct {
	CaseID      int64               `json:"case_id"`
	Stage       homeward.Stage      `json:"stage"`
	Version     int                 `json:"version"`
	Next        []homeward.StepNeed `json:"next"`
	Transitions []homeward.Stage    `json:"transitions"`
}

func (s *Server) apiWorkflow(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Workflow == nil {
		return errNoWorkflow
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.cfg.Cases.FindCaseByID(r.Context(), id)
	if err != nil {
		return err
	}
	f, err := s.cfg.Workflow.Facts(r.Context(), id)
	if err != nil {
		return err
	}
	st := workflowState{CaseID: id, Stage: c.Stage, Version: c.Version,
		Next: homeward.NextStepNeeds(c.Stage, f), Transitions: homeward.AllowedTransitions(c.Stage)}
	if st.Next == nil {
		st.Next = []homeward.StepNeed{}
	}
	if st.Transitions == nil {
		st.Transitions = []homeward.Stage{}
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// transitionRequest is the body of a transition.
type transitionRequest struct {
	To          homeward.Stage       `json:"to"`
	Version     int                  `json:"version"`
	CloseReason homeward.CloseReason `json:"close_reason,omitempty"`
}

func (s *Server) apiTransition(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Workflow == nil {
		return errNoWorkflow
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req transitionRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Version == 0 {
		return homeward.FieldErrorf(homeward.EINVALID, "version", "The version read is required, so that a concurrent change is not overwritten.")
	}
	c, err := s.cfg.Workflow.Transition(r.Context(), id, req.To, req.Version, req.CloseReason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// apiList answers the records of one kind of the case in the path.
func apiList[T any](w http.ResponseWriter, r *http.Request, find func(context.Context, int64) ([]T, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	xs, err := find(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(xs))
	return nil
}

// apiCreate decodes a record of a case, sets its case, validates it and
// stores it with save.
func apiCreate[T any, P interface {
	*T
	Validate() error
}](w http.ResponseWriter, r *http.Request, s *Server, setCase func(P, int64), save func(r *http.Request, x P) error) error {
	if s.cfg.Workflow == nil {
		return errNoWorkflow
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	x := P(new(T))
	if err := decodeJSON(w, r, x); err != nil {
		return err
	}
	setCase(x, id)
	if err := x.Validate(); err != nil {
		return err
	}
	if err := save(r, x); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, x)
	return nil
}

func (s *Server) apiVerifications(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Workflow == nil {
		return errNoWorkflow
	}
	return apiList(w, r, s.cfg.Workflow.FindVerifications)
}

func (s *Server) apiVerificationAdd(w http.ResponseWriter, r *http.Request) error {
	return apiCreate(w, r, s, func(v *homeward.Verification, id int64) { v.CaseID = id },
		func(r *http.Request, v *homeward.Verification) error {
			return s.cfg.Workflow.AddVerification(r.Context(), v)
		})
}

// approvalRequest is the body of an approval: the version read.
type approvalRequest struct {
	Version int `json:"version"`
}

func (s *Server) apiVerificationApprove(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Workflow == nil {
		return errNoWorkflow
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req approvalRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Version == 0 {
		return homeward.FieldErrorf(homeward.EINVALID, "version", "The version read is required, so that a concurrent change is not overwritten.")
	}
	v, err := s.cfg.Workflow.ApproveVerification(r.Context(), id, req.Version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) apiBestInterests(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Workflow == nil {
		return errNoWorkflow
	}
	return apiList(w, r, s.cfg.Workflow.FindBestInterests)
}

func (s *Server) apiBestInterestsAdd(w http.ResponseWriter, r *http.Request) error {
	return apiCreate(w, r, s, func(b *homeward.BestInterests, id int64) { b.CaseID = id },
		func(r *http.Request, b *homeward.BestInterests) error {
			return s.cfg.Workflow.SaveBestInterests(r.Context(), b)
		})
}

func (s *Server) apiHandovers(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Workflow == nil {
		return errNoWorkflow
	}
	return apiList(w, r, s.cfg.Workflow.FindHandovers)
}

func (s *Server) apiHandoverAdd(w http.ResponseWriter, r *http.Request) error {
	return apiCreate(w, r, s, func(h *homeward.Handover, id int64) { h.CaseID = id },
		func(r *http.Request, h *homeward.Handover) error {
			return s.cfg.Workflow.RecordHandover(r.Context(), h)
		})
}

func (s *Server) apiReunifications(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Workflow == nil {
		return errNoWorkflow
	}
	return apiList(w, r, s.cfg.Workflow.FindReunifications)
}

func (s *Server) apiReunificationAdd(w http.ResponseWriter, r *http.Request) error {
	return apiCreate(w, r, s, func(x *homeward.Reunification, id int64) { x.CaseID = id },
		func(r *http.Request, x *homeward.Reunification) error {
			return s.cfg.Workflow.RecordReunification(r.Context(), x)
		})
}

func (s *Server) apiFollowUps(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Workflow == nil {
		return errNoWorkflow
	}
	return apiList(w, r, s.cfg.Workflow.FindFollowUps)
}

func (s *Server) apiFollowUpAdd(w http.ResponseWriter, r *http.Request) error {
	return apiCreate(w, r, s, func(x *homeward.FollowUp, id int64) { x.CaseID = id },
		func(r *http.Request, x *homeward.FollowUp) error { return s.cfg.Workflow.AddFollowUp(r.Context(), x) })
}

func (s *Server) apiAttachments(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Attachments == nil {
		return errNoWorkflow
	}
	return apiList(w, r, s.cfg.Attachments.FindAttachments)
}

// apiAttachmentAdd stores a file sent as the multipart part "file" or as
// the whole body (then ?filename= names it, ?liaison_visible=true shares
// it with liaisons).
func (s *Server) apiAttachmentAdd(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Attachments == nil {
		return errNoWorkflow
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var a *homeward.Attachment
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if a, err = readAttachment(w, r); err != nil {
			return err
		}
	} else {
		q := r.URL.Query()
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, homeward.MaxAttachmentSize))
		if err != nil {
			return homeward.FieldErrorf(homeward.EINVALID, "file", "The file is too large.")
		}
		visible, _ := strconv.ParseBool(q.Get("liaison_visible"))
		a = &homeward.Attachment{Filename: q.Get("filename"), Data: data, LiaisonVisible: visible}
		if a.Filename == "" {
			a.Filename = "attachment"
		}
	}
	a.CaseID = id
	if err := s.cfg.Attachments.CreateAttachment(r.Context(), a); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/attachments/"+strconv.FormatInt(a.ID, 10)+"/content")
	writeJSON(w, http.StatusCreated, a)
	return nil
}

func (s *Server) apiAttachmentContent(w http.ResponseWriter, r *http.Request) error {
	return s.attachmentView(w, r)
}
