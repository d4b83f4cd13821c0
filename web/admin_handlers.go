package web

import (
	"crypto/rand"

	"net/http"
	"strconv"
	"strings"

	"github.com/homeward-project/homeward"
)

func requireAdmin(r *http.Request) error {
	if u := userFrom(r.Context()); u == nil || u.Role != homeward.RoleAdmin {
		return homeward.Errorf(homeward.EFORBIDDEN, "Only administrators may manage users and organisations.")
	}
	return nil
}

// newPassword makes a password to show once: 26 base32 characters, 130 bits.
func newPassword() string { return rand.Text() }

type userListData struct {
	Users    []*homeward.User
	Orgs     []*homeward.Org
	OrgNames map[int64]string
	Roles    []homeward.Role
	Form     *homeward.User // the create form as typed
	Created  *homeward.User // the user just created or reset, with Password
	Password string
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, status int, d userListData, formErr error) error {
	us, err := s.cfg.Users.FindUsers(r.Context(), homeward.UserFilter{})
	if err != nil {
		return err
	}
	d.Users = us
	d.Orgs, d.OrgNames = s.orgs(r)
	d.Roles = homeward.Roles
	if d.Form == nil {
		d.Form = &homeward.User{Role: homeward.RoleCaseworker, OrgID: userFrom(r.Context()).OrgID}
	}
	v := s.view(r, "users")
	v.Title = v.T("Users")
	if formErr != nil {
		v.setError(formErr)
	}
	v.D = d
	s.render(w, r, status, "users", v)
	return nil
}

func (s *Server) userList(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	return s.renderUsers(w, r, http.StatusOK, userListData{}, nil)
}

func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	u := &homeward.User{
		Login:       strings.TrimSpace(r.PostFormValue("login")),
		DisplayName: strings.TrimSpace(r.PostFormValue("display_name")),
		Role:        homeward.Role(r.PostFormValue("role")),
		Locale:      r.PostFormValue("locale"),
	}
	u.OrgID, _ = strconv.ParseInt(r.PostFormValue("org_id"), 10, 64)
	password := newPassword()
	err := u.Validate()
	if err == nil {
		err = s.cfg.Users.CreateUser(r.Context(), u, password)
	}
	if err != nil {
		if c := homeward.ErrorCode(err); c != homeward.EINVALID && c != homeward.ECONFLICT {
			return err
		}
		return s.renderUsers(w, r, statusOf(err), userListData{Form: u}, err)
	}
	return s.renderUsers(w, r, http.StatusCreated, userListData{Created: u, Password: password}, nil)
}

func (s *Server) userUpdate(w http.ResponseWriter, r *http.Request) error {
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
	u.Role = homeward.Role(r.PostFormValue("role"))
	u.Disabled = r.PostFormValue("disabled") != ""
	if v, err := strconv.Atoi(r.PostFormValue("version")); err == nil {
		u.Version = v
	}
	if err := u.Validate(); err != nil {
		return s.renderUsers(w, r, statusOf(err), userListData{}, err)
	}
	if err := s.cfg.Users.UpdateUser(r.Context(), u); err != nil {
		if c := homeward.ErrorCode(err); c != homeward.EINVALID && c != homeward.ECONFLICT {
			return err
		}
		return s.renderUsers(w, r, statusOf(err), userListData{}, err)
	}
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	return nil
}

func (s *Server) userResetPassword(w http.ResponseWriter, r *http.Request) error {
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
	password := newPassword()
	if err := s.cfg.Users.SetPassword(r.Context(), u.ID, password); err != nil {
		return err
	}
	return s.renderUsers(w, r, http.StatusOK, userListData{Created: u, Password: password}, nil)
}

// userDisableTOTP turns off a user's second factor, for one who lost the
// phone that held it.
func (s *Server) userDisableTOTP(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.cfg.Users.DisableTOTP(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	return nil
}

type orgListData struct {
	Orgs      []*homeward.Org
	Kinds     []homeward.OrgKind
	Form      *homeward.Org
	CanCreate bool
}

func (s *Server) renderOrgs(w http.ResponseWriter, r *http.Request, status int, form *homeward.Org, formErr error) error {
	os, err := s.cfg.Orgs.FindOrgs(r.Context())
	if err != nil {
		return err
	}
	if form == nil {
		form = &homeward.Org{Kind: homeward.OrgNGO}
	}
	v := s.view(r, "orgs")
	v.Title = v.T("Organisations")
	if formErr != nil {
		v.setError(formErr)
	}
	// Only the first organisation's administrators may create more (the
	// store refuses everyone else); the form is shown to them alone.
	var first int64
	for _, o := range os {
		if first == 0 || o.ID < first {
			first = o.ID
		}
	}
	v.D = orgListData{Orgs: os, Kinds: homeward.OrgKinds, Form: form, CanCreate: v.User.OrgID == first}
	s.render(w, r, status, "orgs", v)
	return nil
}

func (s *Server) orgList(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	return s.renderOrgs(w, r, http.StatusOK, nil, nil)
}

func orgFromForm(r *http.Request, o *homeward.Org) {
	o.Name = strings.TrimSpace(r.PostFormValue("name"))
	o.Kind = homeward.OrgKind(r.PostFormValue("kind"))
	o.RequireTOTP = r.PostFormValue("require_totp") != ""
	if v, err := strconv.Atoi(r.PostFormValue("version")); err == nil {
		o.Version = v
	}
}

func (s *Server) orgCreate(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	o := &homeward.Org{}
	orgFromForm(r, o)
	err := o.Validate()
	if err == nil {
		err = s.cfg.Orgs.CreateOrg(r.Context(), o)
	}
	if err != nil {
		if c := homeward.ErrorCode(err); c != homeward.EINVALID && c != homeward.ECONFLICT {
			return err
		}
		return s.renderOrgs(w, r, statusOf(err), o, err)
	}
	http.Redirect(w, r, "/admin/orgs", http.StatusSeeOther)
	return nil
}

type orgEditData struct {
	Org   *homeward.Org
	Kinds []homeward.OrgKind
}

func (s *Server) renderOrgEdit(w http.ResponseWriter, r *http.Request, status int, o *homeward.Org, err error) error {
	v := s.view(r, "orgs")
	v.Title = v.T("Edit organisation")
	if err != nil {
		v.setError(err)
	}
	v.D = orgEditData{Org: o, Kinds: homeward.OrgKinds}
	s.render(w, r, status, "org_form", v)
	return nil
}

func (s *Server) orgEdit(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := s.cfg.Orgs.FindOrgByID(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderOrgEdit(w, r, http.StatusOK, o, nil)
}

func (s *Server) orgUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o := &homeward.Org{ID: id}
	orgFromForm(r, o)
	err = o.Validate()
	if err == nil {
		err = s.cfg.Orgs.UpdateOrg(r.Context(), o)
	}
	switch homeward.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/admin/orgs", http.StatusSeeOther)
		return nil
	case homeward.EINVALID:
		return s.renderOrgEdit(w, r, statusOf(err), o, err)
	case homeward.ECONFLICT:
		latest, ferr := s.cfg.Orgs.FindOrgByID(r.Context(), id)
		if ferr != nil {
			return ferr
		}
		o.Version = latest.Version
		return s.renderOrgEdit(w, r, http.StatusConflict, o, err)
	}
	return err
}
