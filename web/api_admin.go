package web

import (
	"net/http"
	"strconv"

	"github.com/homeward-project/homeward"
)

func (s *Server) apiUserList(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	var f homeward.UserFilter
	f.OrgID, _ = strconv.ParseInt(r.URL.Query().Get("org"), 10, 64)
	us, err := s.cfg.Users.FindUsers(r.Context(), f)
	if err != nil {
		return err
	}
	if us == nil {
		us = []*homeward.User{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": us})
	return nil
}

func (s *Server) apiUserGet(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.cfg.Users.FindUserByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

type userCreateRequest struct {
	homeward.User
	Password string `json:"password,omitempty"`
}

type userCreateResponse struct {
	*homeward.User
	// Password is returned once, when the server generated it.
	Password string `json:"password,omitempty"`
}

func (s *Server) apiUserCreate(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	var req userCreateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	u := req.User
	u.ID, u.Version = 0, 0
	if u.OrgID == 0 {
		u.OrgID = userFrom(r.Context()).OrgID
	}
	if err := u.Validate(); err != nil {
		return err
	}
	password, generated := req.Password, false
	if password == "" {
		password, generated = newPassword(), true
	} else if err := homeward.ValidatePassword(password, u.Login, u.DisplayName); err != nil {
		return err
	}
	if err := s.cfg.Users.CreateUser(r.Context(), &u, password); err != nil {
		return err
	}
	resp := userCreateResponse{User: &u}
	if generated {
		resp.Password = password
	}
	w.Header().Set("Location", "/api/v1/users/"+strconv.FormatInt(u.ID, 10))
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

func (s *Server) apiUserUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var u homeward.User
	if err := decodeJSON(w, r, &u); err != nil {
		return err
	}
	u.ID = id
	if err := u.Validate(); err != nil {
		return err
	}
	if err := s.cfg.Users.UpdateUser(r.Context(), &u); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, &u)
	return nil
}

func (s *Server) apiOrgList(w http.ResponseWriter, r *http.Request) error {
	os, err := s.cfg.Orgs.FindOrgs(r.Context())
	if err != nil {
		return err
	}
	if os == nil {
		os = []*homeward.Org{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": os})
	return nil
}

func (s *Server) apiOrgGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := s.cfg.Orgs.FindOrgByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

func (s *Server) apiOrgCreate(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	var o homeward.Org
	if err := decodeJSON(w, r, &o); err != nil {
		return err
	}
	o.ID, o.Version = 0, 0
	if err := o.Validate(); err != nil {
		return err
	}
	if err := s.cfg.Orgs.CreateOrg(r.Context(), &o); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/orgs/"+strconv.FormatInt(o.ID, 10))
	writeJSON(w, http.StatusCreated, &o)
	return nil
}

func (s *Server) apiOrgUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var o homeward.Org
	if err := decodeJSON(w, r, &o); err != nil {
		return err
	}
	o.ID = id
	if err := o.Validate(); err != nil {
		return err
	}
	if err := s.cfg.Orgs.UpdateOrg(r.Context(), &o); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, &o)
	return nil
}
