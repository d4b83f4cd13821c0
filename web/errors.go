package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/homeward-project/homeward"
)

// statusOf maps the error vocabulary to HTTP statuses: the one table.
// A malformed request (unreadable JSON, a bad number in the URL) is 400; input
// that is well-formed but fails validation is 422.
func statusOf(err error) int {
	var m *malformedError
	if errors.As(err, &m) {
		return http.StatusBadRequest
	}
	switch homeward.ErrorCode(err) {
	case homeward.EINVALID:
		return http.StatusUnprocessableEntity
	case homeward.ENOTFOUND:
		return http.StatusNotFound
	case homeward.ECONFLICT:
		return http.StatusConflict
	case homeward.EFORBIDDEN:
		return http.StatusForbidden
	case homeward.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case homeward.ETOOMANY:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// malformedError marks a request the server could not read at all.
type malformedError struct{ err *homeward.Error }

func (e *malformedError) Error() string { return e.err.Error() }
func (e *malformedError) Unwrap() error { return e.err }

func malformed(field, format string, args ...any) error {
	return &malformedError{err: homeward.FieldErrorf(homeward.EINVALID, field, format, args...)}
}

// logError logs faults the user cannot fix; the others are normal traffic.
func (s *Server) logError(r *http.Request, err error) {
	if homeward.ErrorCode(err) == homeward.EINTERNAL {
		s.log.ErrorContext(r.Context(), "request failed", slog.String("pattern", r.Pattern), slog.Any("error", err))
	}
}

// renderError shows an error page, or sends the browser to log in.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	s.logError(r, err)
	status := statusOf(err)
	if status == http.StatusUnauthorized && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	v := s.view(r, "error")
	v.Title = v.T(statusTitle(status))
	v.Error = v.errorText(err)
	v.D = status
	s.render(w, r, status, "error", v)
}

func statusTitle(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "Bad request"
	case http.StatusUnprocessableEntity:
		return "Invalid input"
	case http.StatusNotFound:
		return "Not found"
	case http.StatusConflict:
		return "Conflict"
	case http.StatusForbidden:
		return "Forbidden"
	case http.StatusUnauthorized:
		return "Please log in"
	case http.StatusTooManyRequests:
		return "Too many attempts"
	}
	return "Something went wrong"
}

// apiError is the JSON error body: {"error": {"code", "message", "field"}}.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// Reason is the stable code of a refused bundle (replay, gap…).
	Reason string `json:"reason,omitempty"`
}

func (s *Server) writeAPIError(w http.ResponseWriter, r *http.Request, err error) {
	s.logError(r, err)
	status := statusOf(err)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="homeward"`)
	}
	writeJSON(w, status, apiError{Error: apiErrorBody{
		Code:    homeward.ErrorCode(err),
		Message: homeward.ErrorMessage(err),
		Field:   homeward.ErrorField(err),
	}})
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }
