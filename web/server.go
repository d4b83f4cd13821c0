package web

import (
	"context"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

//go:embed openapi.json
var openAPIDoc []byte

// Config is what the server needs: the services it is a face for, a logger,
// and whether it is served behind TLS.
type Config struct {
	Orgs    homeward.OrgService
	Users   homeward.UserService
	Cases   homeward.CaseService
	Located homeward.LocatedService
	Events  homeward.EventService
	Uploads homeward.UploadService
	// Matches, Workflow and Attachments carry a case from candidate match
	// to home; without them (nil) their pages and API answer 404.
	Matches     homeward.MatchService
	Workflow    homeward.WorkflowService
	Attachments homeward.AttachmentService
	// Parties, Lists, Welfare and Bundles are the exchange with mediators:
	// parties, channels, return lists and their answers, the welfare
	// channel and the bundles that carry them. Without them (nil) their
	// pages and API answer 404; Linker (optional) finds the candidates of a
	// received list's entries again on request.
	Parties homeward.PartyService
	Lists   homeward.ListService
	Welfare homeward.WelfareService
	Bundles homeward.BundleService
	Linker  Linker

	Logger *slog.Logger
	// SecureCookies sets the Secure flag on cookies and sends HSTS (when
	// served behind TLS).
	SecureCookies bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client; from anyone else the header is ignored.
	TrustedProxies []netip.Prefix
}

// Server holds the routes and the parsed templates, one set per language.
type Server struct {
	cfg       Config
	log       *slog.Logger
	mux       *http.ServeMux
	templates map[string]map[string]*template.Template // lang → page → template
	csrf      *http.CrossOriginProtection
	handler   http.Handler
	patterns  []string // every registered route, for the OpenAPI coverage test
}

// sessionTTL is how long a browser session lasts without signing in again.
const sessionTTL = 12 * time.Hour

const (
	sessionCookie = "homeward_session"
	langCookie    = "homeward_lang"
)

// NewServer parses the templates and registers every route.
func NewServer(cfg Config) *Server {
	s := &Server{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.templates = mustParseTemplates()
	s.routes()
	s.csrf = http.NewCrossOriginProtection()
	s.csrf.SetDenyHandler(http.HandlerFunc(s.denyCrossOrigin))
	s.handler = s.logRequests(s.secureHeaders(s.protect(s.mux)))
	return s
}

// Handler returns the root handler with cross-origin protection, security
// headers and request logging applied.
func (s *Server) Handler() http.Handler { return s.handler }

func (s *Server) handle(pattern string, h http.HandlerFunc) {
	s.patterns = append(s.patterns, pattern)
	s.mux.HandleFunc(pattern, h)
}

func (s *Server) routes() {
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	s.handle("GET /{$}", s.page(s.home))
	s.handle("GET /login", s.public(s.loginForm))
	s.handle("POST /login", s.public(s.login))
	s.handle("POST /logout", s.public(s.logout))
	s.handle("POST /lang", s.public(s.setLang))
	s.handle("GET /account", s.page(s.account))
	s.handle("POST /account/tokens", s.page(s.createToken))
	s.handle("POST /account/tokens/{id}/revoke", s.page(s.revokeToken))
	s.handle("POST /account/password", s.page(s.changePassword))
	s.handle("POST /account/totp", s.page(s.enableTOTP))
	s.handle("POST /account/totp/off", s.page(s.disableTOTP))

	s.handle("GET /cases", s.page(s.caseList))
	s.handle("GET /cases/export", s.page(s.exportCases))
	s.handle("GET /cases/new", s.page(s.caseNew))
	s.handle("POST /cases", s.page(s.caseCreate))
	s.handle("GET /cases/{id}", s.page(s.caseShow))
	s.handle("GET /cases/{id}/edit", s.page(s.caseEdit))
	s.handle("POST /cases/{id}", s.page(s.caseUpdate))

	s.handle("POST /cases/{id}/transition", s.page(s.caseTransition))
	s.handle("POST /cases/{id}/erase", s.page(s.caseErase))
	s.handle("GET /cases/{id}/records/{kind}", s.page(s.recordForm))
	s.handle("POST /cases/{id}/records/{kind}", s.page(s.recordCreate))
	s.handle("POST /cases/{id}/attachments", s.page(s.attachmentUpload))
	s.handle("GET /attachments/{id}", s.page(s.attachmentView))
	s.handle("POST /verifications/{id}/approve", s.page(s.verificationApprove))
	s.handle("GET /review", s.page(s.reviewQueue))
	s.handle("GET /matches/{id}", s.page(s.matchShow))
	s.handle("POST /matches/{id}", s.page(s.matchDecide))

	s.handle("GET /located", s.page(s.locatedList))
	s.handle("GET /located/export", s.page(s.exportLocated))
	s.handle("GET /located/new", s.page(s.locatedNew))
	s.handle("POST /located", s.page(s.locatedCreate))
	s.handle("GET /located/{id}", s.page(s.locatedShow))
	s.handle("GET /located/{id}/edit", s.page(s.locatedEdit))
	s.handle("POST /located/{id}", s.page(s.locatedUpdate))

	s.handle("GET /import/{kind}", s.page(s.importForm))
	s.handle("POST /import/{kind}", s.page(s.importUpload))
	s.handle("GET /imports/{id}", s.page(s.importMapping))
	s.handle("POST /imports/{id}", s.page(s.importRun))
	s.handle("GET /imports/{id}/rejected", s.page(s.importRejected))

	s.handle("GET /admin/users", s.page(s.userList))
	s.handle("POST /admin/users", s.page(s.userCreate))
	s.handle("POST /admin/users/{id}", s.page(s.userUpdate))
	s.handle("POST /admin/users/{id}/password", s.page(s.userResetPassword))
	s.handle("POST /admin/users/{id}/totp/off", s.page(s.userDisableTOTP))
	s.handle("GET /admin/orgs", s.page(s.orgList))
	s.handle("POST /admin/orgs", s.page(s.orgCreate))
	s.handle("GET /admin/orgs/{id}/edit", s.page(s.orgEdit))
	s.handle("POST /admin/orgs/{id}", s.page(s.orgUpdate))

	s.exchangeRoutes()

	s.apiRoutes()
}

// protect refuses cross-origin unsafe requests. An API request that
// carries a bearer token and no session cookie is exempt: a browser never
// attaches a bearer token on its own, so it cannot be forged by another
// site. With a session cookie the check applies whatever else the request
// carries, since pages authenticate by the cookie alone and a junk header
// must not switch the protection off.
func (s *Server) protect(h http.Handler) http.Handler {
	checked := s.csrf.Handler(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if bearerToken(r) != "" && isAPI(r) && !hasSessionCookie(r) {
			h.ServeHTTP(w, r)
			return
		}
		checked.ServeHTTP(w, r)
	})
}

// hasSessionCookie reports whether the request carries a session cookie,
// valid or not.
func hasSessionCookie(r *http.Request) bool {
	c, err := r.Cookie(sessionCookie)
	return err == nil && c.Value != ""
}

func (s *Server) denyCrossOrigin(w http.ResponseWriter, r *http.Request) {
	err := homeward.Errorf(homeward.EFORBIDDEN, "Cross-origin request refused.")
	if isAPI(r) {
		s.writeAPIError(w, r, err)
		return
	}
	s.renderError(w, r, err)
}

func (s *Server) secureHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		if s.cfg.SecureCookies {
			// Served over TLS: browsers must never fall back to plain HTTP,
			// where the session cookie could be read.
			hd.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if strings.HasPrefix(r.URL.Path, "/static/") {
			hd.Set("Cache-Control", "public, max-age=3600")
		} else {
			// Pages hold children's records: keep them out of shared caches and history.
			hd.Set("Cache-Control", "no-store")
		}
		h.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// requestInfo collects what the request log line tells beyond the request
// itself: who made it (an ID, never a name).
type requestInfo struct{ userID int64 }

type requestInfoKey struct{}

// logRequests logs the route pattern, never the path or query: those may
// carry a searched name.
func (s *Server) logRequests(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		info := &requestInfo{}
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info))
		h.ServeHTTP(rec, r)
		pattern := r.Pattern
		if pattern == "" {
			pattern = "(none)"
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method),
			slog.String("pattern", pattern),
			slog.Int("status", rec.status),
			slog.Int64("user", info.userID),
			slog.Duration("took", time.Since(start)))
	})
}
