package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
)

// view is what every page template receives; D holds the page's own data.
type view struct {
	Lang     string
	Title    string
	User     *homeward.User
	Path     string // where the language switch returns to
	Nav      string // the active section of the menu
	Flash    string
	Error    string
	ErrField string
	D        any

	loc *locale
}

// T translates for Go code that builds view data.
func (v *view) T(key string, args ...any) string { return v.loc.T(key, args...) }

// errorText is the user-safe message of err in the page's language.
func (v *view) errorText(err error) string { return v.loc.errorText(err) }

// setError shows err at the top of a form and marks its field.
func (v *view) setError(err error) {
	v.Error = v.errorText(err)
	v.ErrField = homeward.ErrorField(err)
}

func (s *Server) view(r *http.Request, nav string) *view {
	lang := s.langOf(r)
	return &view{
		Lang: lang,
		User: userFrom(r.Context()),
		Path: r.URL.RequestURI(),
		Nav:  nav,
		loc:  locales[lang],
	}
}

func mustParseTemplates() map[string]map[string]*template.Template {
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]map[string]*template.Template{}
	for lang, loc := range locales {
		out[lang] = map[string]*template.Template{}
		for _, p := range pages {
			name := strings.TrimSuffix(path.Base(p), ".html")
			if name == "layout" || name == "partials" {
				continue
			}
			t := template.Must(template.New("layout.html").Funcs(loc.funcs()).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", p))
			out[lang][name] = t
		}
	}
	return out
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	t, ok := s.templates[v.Lang][page]
	if !ok {
		panic("web: no template " + page)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		s.log.ErrorContext(r.Context(), "template failed", "page", page, "error", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", v.Lang)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// formatDateTime shows an instant as DD.MM.YYYY HH:MM in UTC, which every
// party to a case shares.
func formatDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("02.01.2006 15:04") + " UTC"
}

func (l *locale) funcs() template.FuncMap {
	return template.FuncMap{
		"t":     l.T,
		"label": l.label,
		"date": func(d homeward.Date) string {
			return d.Display()
		},
		"bdate":    func(b homeward.BirthDate) string { return b.Display() },
		"datetime": formatDateTime,
		"day": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.Format("02.01.2006")
		},
		"where": l.where,
		"add":   func(a, b int) int { return a + b },
		"str":   func(v any) string { return fmt.Sprint(v) },
		"list":  func(xs ...string) []string { return xs },
		// dict passes several values to a partial: dict "Key" value ….
		"dict": func(kv ...any) map[string]any {
			m := make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
	}
}

// where says in one line where a located child is: placement, institution
// or family, region.
func (l *locale) where(r *homeward.LocatedRecord) string {
	var parts []string
	place := r.Institution
	if r.LocationKind != "" {
		place = l.label("location", r.LocationKind)
		if r.Institution != "" {
			place += ": " + r.Institution
		}
	}
	for _, p := range []string{place, r.Region} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}
