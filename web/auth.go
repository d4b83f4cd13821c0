package web

import (
	"context"
	"html/template"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
)

type userKey struct{}

func withUser(ctx context.Context, u *homeward.User) context.Context {
	if info, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		info.userID = u.ID
	}
	ctx = context.WithValue(ctx, userKey{}, u)
	return homeward.NewContextWithActor(ctx, homeward.ActorOf(u))
}

// userFrom returns the signed-in user, or nil.
func userFrom(ctx context.Context) *homeward.User {
	u, _ := ctx.Value(userKey{}).(*homeward.User)
	return u
}

func (s *Server) sessionUser(r *http.Request) (*homeward.User, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, homeward.Errorf(homeward.EUNAUTHORIZED, "Please log in.")
	}
	u, err := s.cfg.Users.UserBySession(r.Context(), c.Value)
	if err != nil {
		return nil, err
	}
	if u.Disabled {
		return nil, homeward.Errorf(homeward.EUNAUTHORIZED, "Please log in.")
	}
	return u, nil
}

// page wraps a handler that needs a signed-in user and may fail.
func (s *Server) page(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := s.sessionUser(r)
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		r = r.WithContext(withUser(r.Context(), u))
		if err := s.requireSecondFactor(r, u); err != nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/account#totp-h", http.StatusSeeOther)
				return
			}
			s.renderError(w, r, err)
			return
		}
		if err := h(w, r); err != nil {
			s.renderError(w, r, err)
		}
	}
}

// requireSecondFactor refuses a supervisor or administrator without a
// second factor when their organisation requires one, except on the
// account pages where they turn it on.
func (s *Server) requireSecondFactor(r *http.Request, u *homeward.User) error {
	if u.TOTP || !u.Role.IsSupervisorRank() || r.URL.Path == "/account" || strings.HasPrefix(r.URL.Path, "/account/") {
		return nil
	}
	o, err := s.cfg.Orgs.FindOrgByID(r.Context(), u.OrgID)
	if err != nil {
		return err
	}
	if o.RequireTOTP {
		return homeward.Errorf(homeward.EFORBIDDEN, "Your organisation requires a second factor: turn it on on the My account page.")
	}
	return nil
}

// public wraps a handler that anyone may reach; a signed-in user is still known.
func (s *Server) public(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if u, err := s.sessionUser(r); err == nil {
			r = r.WithContext(withUser(r.Context(), u))
		}
		if err := h(w, r); err != nil {
			s.renderError(w, r, err)
		}
	}
}

type loginData struct {
	Login string
	Next  string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	v := s.view(r, "login")
	v.Title = v.T("Log in")
	v.D = loginData{Next: localPath(r.URL.Query().Get("next"), "/")}
	s.render(w, r, http.StatusOK, "login", v)
	return nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	login := strings.TrimSpace(r.PostFormValue("login"))
	next := localPath(r.PostFormValue("next"), "/")
	u, err := s.cfg.Users.AuthenticateWithCode(r.Context(), login, r.PostFormValue("password"), r.PostFormValue("code"), s.clientAddr(r))
	if err == nil {
		if err = s.startSession(w, r, u); err == nil {
			http.Redirect(w, r, next, http.StatusSeeOther)
			return nil
		}
	}
	code := homeward.ErrorCode(err)
	if code != homeward.EUNAUTHORIZED && code != homeward.ETOOMANY {
		return err
	}
	v := s.view(r, "login")
	v.Title = v.T("Log in")
	// A missing or wrong code reads like a wrong password, so that the
	// page never confirms a guessed password; the form asks for the code
	// of those who use one.
	if code == homeward.ETOOMANY {
		v.Error = v.T("Too many attempts. Wait a few minutes and try again.")
	} else {
		v.Error = v.T("Wrong login or password.")
	}
	v.D = loginData{Login: login, Next: next}
	s.render(w, r, statusOf(err), "login", v)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		ctx := r.Context()
		if u := userFrom(ctx); u != nil {
			ctx = homeward.NewContextWithActor(ctx, homeward.ActorOf(u))
		}
		if err := s.cfg.Users.DeleteSession(ctx, c.Value); err != nil && homeward.ErrorCode(err) != homeward.EUNAUTHORIZED && homeward.ErrorCode(err) != homeward.ENOTFOUND {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies,
	})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// startSession creates a session for u and sets its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *homeward.User) error {
	token, err := s.cfg.Users.CreateSession(homeward.NewContextWithActor(r.Context(), homeward.ActorOf(u)), u, sessionTTL)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/", MaxAge: int(sessionTTL.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies,
	})
	return nil
}

// clientAddr is the client's address for login throttling: the peer, or,
// when the peer is a trusted proxy, the last address before the trusted
// proxies in X-Forwarded-For. Forwarding headers from anyone else are
// ignored: anyone can write them.
func (s *Server) clientAddr(r *http.Request) string {
	peer := r.RemoteAddr
	if host, _, err := net.SplitHostPort(peer); err == nil {
		peer = host
	}
	if !s.trusted(peer) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if _, err := netip.ParseAddr(hop); err != nil {
			break // a malformed hop: trust nothing before it
		}
		if !s.trusted(hop) {
			return hop
		}
		peer = hop
	}
	return peer
}

// trusted reports whether addr is one of the configured trusted proxies.
func (s *Server) trusted(addr string) bool {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

type accountData struct {
	Org      *homeward.Org
	NewToken string
	Tokens   []*homeward.APIToken
	// DefaultDays and MaxDays bound a new token's lifetime in the form.
	DefaultDays, MaxDays int
	// TOTPSecret and TOTPURI offer a fresh second-factor secret to a user
	// who has none; it is stored only once a code confirms it.
	TOTPSecret string
	TOTPURI    template.URL // otpauth://, which html/template would refuse
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) error {
	return s.renderAccount(w, r, http.StatusOK, accountData{}, nil, "")
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, d accountData, formErr error, flash string) error {
	v := s.view(r, "account")
	v.Title = v.T("My account")
	if o, err := s.cfg.Orgs.FindOrgByID(r.Context(), v.User.OrgID); err == nil {
		d.Org = o
	}
	ts, err := s.cfg.Users.FindAPITokens(r.Context(), v.User.ID)
	if err != nil {
		return err
	}
	d.Tokens = ts
	if !v.User.TOTP && d.TOTPSecret == "" {
		if d.TOTPSecret, err = homeward.NewTOTPSecret(); err != nil {
			return err
		}
	}
	if d.TOTPSecret != "" {
		d.TOTPURI = template.URL(homeward.TOTPURI("Homeward", v.User.Login, d.TOTPSecret))
	}
	d.DefaultDays, d.MaxDays = int(homeward.DefaultTokenTTL/day), int(homeward.MaxTokenTTL/day)
	if formErr != nil {
		v.setError(formErr)
	}
	v.Flash = flash
	v.D = d
	s.render(w, r, status, "account", v)
	return nil
}

const day = 24 * time.Hour

// tokenTTL reads a token's lifetime in days; empty means the default.
func tokenTTL(days string) (time.Duration, error) {
	days = strings.TrimSpace(days)
	if days == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(days)
	if err != nil || n < 1 || time.Duration(n)*day > homeward.MaxTokenTTL {
		return 0, homeward.FieldErrorf(homeward.EINVALID, "expires_in_days", "A token lives between 1 and %d days.", int(homeward.MaxTokenTTL/day))
	}
	return time.Duration(n) * day, nil
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" {
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, accountData{},
			homeward.FieldErrorf(homeward.EINVALID, "name", "A token name is required."), "")
	}
	ttl, err := tokenTTL(r.PostFormValue("days"))
	if err == nil {
		var token string
		token, err = s.cfg.Users.CreateAPIToken(r.Context(), u.ID, name, ttl)
		if err == nil {
			return s.renderAccount(w, r, http.StatusOK, accountData{NewToken: token}, nil, "")
		}
	}
	if homeward.ErrorCode(err) == homeward.EINVALID {
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, accountData{}, err, "")
	}
	return err
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.cfg.Users.RevokeAPIToken(r.Context(), id); err != nil {
		return err
	}
	v := s.view(r, "account")
	return s.renderAccount(w, r, http.StatusOK, accountData{}, nil, v.T("The token was revoked."))
}

func (s *Server) enableTOTP(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	secret := r.PostFormValue("secret")
	if err := s.cfg.Users.EnableTOTP(r.Context(), u.ID, secret, r.PostFormValue("code")); err != nil {
		if homeward.ErrorCode(err) != homeward.EINVALID {
			return err
		}
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, accountData{TOTPSecret: secret}, err, "")
	}
	u.TOTP = true
	v := s.view(r, "account")
	return s.renderAccount(w, r, http.StatusOK, accountData{}, nil, v.T("The second factor is on: signing in now asks for a code."))
}

func (s *Server) disableTOTP(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	if _, err := s.cfg.Users.AuthenticateWithCode(r.Context(), u.Login, r.PostFormValue("password"), r.PostFormValue("code"), s.clientAddr(r)); err != nil {
		if c := homeward.ErrorCode(err); c != homeward.EUNAUTHORIZED && c != homeward.ETOOMANY {
			return err
		}
		if homeward.ErrorCode(err) == homeward.EUNAUTHORIZED {
			err = homeward.FieldErrorf(homeward.EINVALID, "code", "Your password and a current code are needed to turn the second factor off.")
		}
		return s.renderAccount(w, r, statusOf(err), accountData{}, err, "")
	}
	if err := s.cfg.Users.DisableTOTP(r.Context(), u.ID); err != nil {
		return err
	}
	u.TOTP = false
	v := s.view(r, "account")
	return s.renderAccount(w, r, http.StatusOK, accountData{}, nil, v.T("The second factor is off."))
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	current, next := r.PostFormValue("current"), r.PostFormValue("new")
	if next != r.PostFormValue("confirm") {
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, accountData{},
			homeward.FieldErrorf(homeward.EINVALID, "confirm", "The two new passwords differ."), "")
	}
	if _, err := s.cfg.Users.Authenticate(r.Context(), u.Login, current, s.clientAddr(r)); err != nil {
		if homeward.ErrorCode(err) == homeward.EUNAUTHORIZED {
			err = homeward.FieldErrorf(homeward.EINVALID, "current", "The current password is wrong.")
		}
		return s.renderAccount(w, r, statusOf(err), accountData{}, err, "")
	}
	if err := homeward.ValidatePassword(next, u.Login, u.DisplayName); err != nil {
		return s.renderAccount(w, r, http.StatusUnprocessableEntity, accountData{}, err, "")
	}
	if err := s.cfg.Users.SetPassword(r.Context(), u.ID, next); err != nil {
		return err
	}
	// The change ended every session of the user, this one too: the user
	// who made it goes on in a new one, everyone else signs in again. The
	// session is for the user as the change left it.
	changed, err := s.cfg.Users.FindUserByID(r.Context(), u.ID)
	if err != nil {
		return err
	}
	if err := s.startSession(w, r, changed); err != nil {
		return err
	}
	v := s.view(r, "account")
	return s.renderAccount(w, r, http.StatusOK, accountData{}, nil, v.T("Your password was changed. Every other session and all your API tokens have ended."))
}

// countsByStage is offered by the store's case service; the home page uses
// it when present, as analysts may see figures but no records.
type countsByStage interface {
	CountCasesByStage(ctx context.Context) (map[homeward.Stage]int, error)
}

type homeData struct {
	Stages []stageCount
	Total  int
}

type stageCount struct {
	Stage homeward.Stage `json:"stage"`
	N     int            `json:"count"`
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	v := s.view(r, "home")
	v.Title = v.T("Overview")
	var d homeData
	if c, ok := s.cfg.Cases.(countsByStage); ok {
		counts, err := c.CountCasesByStage(r.Context())
		if err != nil && homeward.ErrorCode(err) != homeward.EFORBIDDEN {
			return err
		}
		for _, st := range homeward.Stages {
			d.Stages = append(d.Stages, stageCount{st, counts[st]})
			d.Total += counts[st]
		}
	}
	v.D = d
	s.render(w, r, http.StatusOK, "home", v)
	return nil
}
