package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/homeward-project/homeward"
)

// maxJSONBody bounds a JSON request body.
const maxJSONBody = 1 << 20

// maxAPILimit bounds one page of an API list.
const maxAPILimit = 500

func (s *Server) apiRoutes() {
	s.handle("GET /api/v1/openapi.json", s.openAPI)
	s.handle("GET /api/v1/me", s.api(s.apiMe))
	s.apiTokenRoutes()

	s.handle("GET /api/v1/cases", s.api(s.apiCaseList))
	s.handle("POST /api/v1/cases", s.api(s.apiCaseCreate))
	s.handle("GET /api/v1/cases/export", s.api(s.exportCases))
	s.handle("GET /api/v1/cases/{id}", s.api(s.apiCaseGet))
	s.handle("PUT /api/v1/cases/{id}", s.api(s.apiCaseUpdate))
	s.handle("POST /api/v1/cases/{id}/erase", s.api(s.apiErase(homeward.EntityCase)))
	s.handle("GET /api/v1/cases/{id}/events", s.api(s.apiEvents(homeward.EntityCase)))

	s.handle("GET /api/v1/located", s.api(s.apiLocatedList))
	s.handle("POST /api/v1/located", s.api(s.apiLocatedCreate))
	s.handle("GET /api/v1/located/export", s.api(s.exportLocated))
	s.handle("GET /api/v1/located/{id}", s.api(s.apiLocatedGet))
	s.handle("PUT /api/v1/located/{id}", s.api(s.apiLocatedUpdate))
	s.handle("POST /api/v1/located/{id}/erase", s.api(s.apiErase(homeward.EntityLocated)))
	s.handle("GET /api/v1/located/{id}/events", s.api(s.apiEvents(homeward.EntityLocated)))

	s.handle("POST /api/v1/import", s.api(s.apiImport))

	s.handle("GET /api/v1/users", s.api(s.apiUserList))
	s.handle("POST /api/v1/users", s.api(s.apiUserCreate))
	s.handle("GET /api/v1/users/{id}", s.api(s.apiUserGet))
	s.handle("PUT /api/v1/users/{id}", s.api(s.apiUserUpdate))

	s.handle("GET /api/v1/orgs", s.api(s.apiOrgList))
	s.handle("POST /api/v1/orgs", s.api(s.apiOrgCreate))
	s.handle("GET /api/v1/orgs/{id}", s.api(s.apiOrgGet))
	s.handle("PUT /api/v1/orgs/{id}", s.api(s.apiOrgUpdate))

	s.apiWorkflowRoutes()
	s.apiExchangeRoutes()

	// Anything else under the API answers in the API's error shape.
	s.handle("/api/", func(w http.ResponseWriter, r *http.Request) {
		s.writeAPIError(w, r, homeward.Errorf(homeward.ENOTFOUND, "No such API endpoint."))
	})
}

// bearerToken returns the token of an "Authorization: Bearer" header, or "".
func bearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// api wraps an API handler: a bearer token authenticates a machine client;
// without one, the browser's session does (and cross-origin protection
// applies, see protect).
func (s *Server) api(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var u *homeward.User
		var err error
		if tok := bearerToken(r); tok != "" {
			u, err = s.cfg.Users.UserByAPIToken(r.Context(), tok)
			if err == nil && u.Disabled {
				err = homeward.Errorf(homeward.EUNAUTHORIZED, "The token's user is disabled.")
			}
			if homeward.ErrorCode(err) == homeward.ENOTFOUND {
				err = homeward.Errorf(homeward.EUNAUTHORIZED, "Unknown or revoked API token.")
			}
		} else if c, cerr := r.Cookie(sessionCookie); cerr == nil && c.Value != "" {
			u, err = s.sessionUser(r)
		} else {
			err = homeward.Errorf(homeward.EUNAUTHORIZED, "Authentication required: send an API token as \"Authorization: Bearer TOKEN\".")
		}
		if err != nil {
			s.writeAPIError(w, r, err)
			return
		}
		r = r.WithContext(withUser(r.Context(), u))
		if r.URL.Path != "/api/v1/me" {
			if err := s.requireSecondFactor(r, u); err != nil {
				s.writeAPIError(w, r, err)
				return
			}
		}
		if err := h(w, r); err != nil {
			s.writeAPIError(w, r, err)
		}
	}
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIDoc)
}

// decodeJSON reads a JSON body into v; a body that is not JSON of the right
// shape is a malformed request (400), not a validation failure (422).
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	return decodeJSONUpTo(w, r, v, maxJSONBody)
}

// decodeJSONUpTo is decodeJSON for a body that may be larger than
// maxJSONBody (a message with a photo), up to limit bytes.
func decodeJSONUpTo(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	if err := dec.Decode(v); err != nil {
		var he *homeward.Error
		if errors.As(err, &he) {
			// A field's own parser (a date) refused its value.
			return &malformedError{err: he}
		}
		return malformed("", "The request body is not valid JSON for this operation.")
	}
	return nil
}

type listResponse[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

func apiLimit(r *http.Request) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return pageSize, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, malformed("limit", "limit must be a positive number.")
	}
	return min(n, maxAPILimit), nil
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, userFrom(r.Context()))
	return nil
}
