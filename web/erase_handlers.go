package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/homeward-project/homeward"
)

// caseErase erases a case's personal data for good, once the user has
// typed its reference: nothing undoes it, and the page says so.
func (s *Server) caseErase(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return malformed("", "The form could not be read.")
	}
	if u := userFrom(r.Context()); u == nil || !u.Role.IsSupervisorRank() {
		return homeward.Errorf(homeward.EFORBIDDEN, "Only administrators and supervisors may erase a record.")
	}
	c, err := s.cfg.Cases.FindCaseByID(r.Context(), id)
	if err != nil {
		return err
	}
	err = homeward.ValidateEraseReason(r.PostForm.Get("reason"))
	if err == nil && !strings.EqualFold(strings.TrimSpace(r.PostForm.Get("confirm")), c.Reference) {
		err = homeward.FieldErrorf(homeward.EINVALID, "confirm", "Type the case's reference to confirm the erasure.")
	}
	if err == nil {
		err = s.cfg.Cases.EraseCase(r.Context(), id, r.PostForm.Get("reason"))
	}
	switch homeward.ErrorCode(err) {
	case "":
		http.Redirect(w, r, fmt.Sprintf("/cases/%d#history", id), http.StatusSeeOther)
		return nil
	case homeward.EINVALID, homeward.EFORBIDDEN, homeward.ECONFLICT:
		return s.renderCase(w, r, id, statusOf(err), err)
	}
	return err
}

// eraseRequest is the body of POST /api/v1/{cases,located}/{id}/erase.
type eraseRequest struct {
	Reason string `json:"reason"`
}

// apiErase erases a case's or a located record's personal data.
func (s *Server) apiErase(entity string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		var req eraseRequest
		if err := decodeJSON(w, r, &req); err != nil {
			return err
		}
		// The reason is checked by the store after who may erase, so that
		// the refusals come in the same order for every caller.
		if entity == homeward.EntityCase {
			err = s.cfg.Cases.EraseCase(r.Context(), id, req.Reason)
		} else {
			err = s.cfg.Located.EraseLocated(r.Context(), id, req.Reason)
		}
		if err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}
