package web

import (
	"net/http"
	"time"

	"github.com/homeward-project/homeward"
)

func (s *Server) apiTokenRoutes() {
	s.handle("GET /api/v1/me/tokens", s.api(s.apiTokenList))
	s.handle("POST /api/v1/me/tokens", s.api(s.apiTokenCreate))
	s.handle("DELETE /api/v1/me/tokens/{id}", s.api(s.apiTokenRevoke))
}

func (s *Server) apiTokenList(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.cfg.Users.FindAPITokens(r.Context(), userFrom(r.Context()).ID)
	if err != nil {
		return err
	}
	if ts == nil {
		ts = []*homeward.APIToken{}
	}
	writeJSON(w, http.StatusOK, struct {
		Items []*homeward.APIToken `json:"items"`
	}{ts})
	return nil
}

type tokenCreateRequest struct {
	Name          string `json:"name"`
	ExpiresInDays int    `json:"expires_in_days"`
}

type tokenCreateResponse struct {
	Token  *homeward.APIToken `json:"token"`
	Secret string             `json:"secret"`
}

func (s *Server) apiTokenCreate(w http.ResponseWriter, r *http.Request) error {
	var req tokenCreateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.ExpiresInDays < 0 || time.Duration(req.ExpiresInDays)*day > homeward.MaxTokenTTL {
		return homeward.FieldErrorf(homeward.EINVALID, "expires_in_days", "A token lives between 1 and %d days.", int(homeward.MaxTokenTTL/day))
	}
	u := userFrom(r.Context())
	secret, err := s.cfg.Users.CreateAPIToken(r.Context(), u.ID, req.Name, time.Duration(req.ExpiresInDays)*day)
	if err != nil {
		return err
	}
	// The secret is not stored, so the new token is found as the newest.
	ts, err := s.cfg.Users.FindAPITokens(r.Context(), u.ID)
	if err != nil {
		return err
	}
	resp := tokenCreateResponse{Secret: secret}
	if len(ts) > 0 {
		resp.Token = ts[0]
	}
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

func (s *Server) apiTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.cfg.Users.RevokeAPIToken(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
