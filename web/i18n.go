package web

import (
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
	"unicode"

	"golang.org/x/text/language"

	"github.com/homeward-project/homeward"
)

// locale translates from English, the catalogue's key language. English
// needs no table: a key is its own translation.
type locale struct {
	lang  string
	table map[string]string // English → this language; nil for English
}

var locales = map[string]*locale{
	"en": {lang: "en"},
	"uk": {lang: "uk", table: catalogueUK},
}

// supported languages in order of preference when the browser states none
// we know: Ukrainian first, the working language of most users.
var langMatcher = language.NewMatcher([]language.Tag{language.Ukrainian, language.English})

// T translates key and formats it with args when there are any.
func (l *locale) T(key string, args ...any) string {
	s := key
	if l.table != nil {
		if v, ok := l.table[key]; ok {
			s = v
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// label translates an enumerated value: label "stage" "handed_over".
func (l *locale) label(kind string, value any) string {
	v := fmt.Sprint(value)
	if en, ok := enumLabels[kind+"."+v]; ok {
		return l.T(en)
	}
	if v == "" {
		return l.T("—")
	}
	return v
}

// errorText translates a domain error's message. Messages built with
// arguments are not in the catalogue; they get the translated meaning of
// their code, followed by the English detail.
func (l *locale) errorText(err error) string {
	msg := homeward.ErrorMessage(err)
	if l.table == nil {
		return msg
	}
	if v, ok := l.table[msg]; ok {
		return v
	}
	generic := l.T(codeMessages[homeward.ErrorCode(err)])
	if f := homeward.ErrorField(err); f != "" {
		generic += " (" + l.fieldLabel(f) + ")"
	}
	return generic + " — " + msg
}

func (l *locale) fieldLabel(field string) string {
	if en, ok := fieldLabels[field]; ok {
		return l.T(en)
	}
	return field
}

var codeMessages = map[string]string{
	homeward.EINVALID:      "The input is not valid.",
	homeward.ENOTFOUND:     "Not found.",
	homeward.ECONFLICT:     "The record was changed by someone else.",
	homeward.EFORBIDDEN:    "You may not do this.",
	homeward.EUNAUTHORIZED: "Please log in.",
	homeward.ETOOMANY:      "Too many attempts. Wait a few minutes and try again.",
	homeward.EINTERNAL:     "Internal error.",
}

// langOf chooses the page language: the switch's cookie, then the user's
// setting, then the browser's Accept-Language.
func (s *Server) langOf(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil {
		if _, ok := locales[c.Value]; ok {
			return c.Value
		}
	}
	if u := userFrom(r.Context()); u != nil {
		if _, ok := locales[u.Locale]; ok {
			return u.Locale
		}
	}
	tag, _ := language.MatchStrings(langMatcher, r.Header.Get("Accept-Language"))
	base, _ := tag.Base()
	if base.String() == "en" {
		return "en"
	}
	return "uk"
}

// setLang stores the language switch in a cookie and returns to the page.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) error {
	lang := r.PostFormValue("lang")
	if _, ok := locales[lang]; !ok {
		return malformed("lang", "Unknown language.")
	}
	http.SetCookie(w, &http.Cookie{
		Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies,
	})
	http.Redirect(w, r, localPath(r.PostFormValue("next"), "/"), http.StatusSeeOther)
	return nil
}

// localPath accepts only a clean path on this site, so that a crafted link
// cannot send the user elsewhere after a log in or a language switch.
// Browsers read "\\" as "/" and drop tabs and newlines inside a URL, so
// "/\\evil.example" and "/\t/evil.example" name another host; and
// http.Redirect cleans "/./\\evil.example" into "/\\evil.example". The
// path is therefore checked raw, decoded, and again after path.Clean.
func localPath(p, def string) string {
	if !cleanChars(p) {
		return def
	}
	pth := p
	if i := strings.IndexAny(pth, "?#"); i >= 0 {
		pth = pth[:i]
	}
	decoded, err := url.PathUnescape(pth)
	if err != nil || !cleanPath(pth) || !cleanChars(decoded) || !cleanPath(decoded) {
		return def
	}
	if !cleanPath(path.Clean(decoded)) {
		return def
	}
	return p
}

// cleanPath reports whether p starts with exactly one "/" and holds no "//".
func cleanPath(p string) bool {
	return len(p) > 0 && p[0] == '/' && !strings.Contains(p, "//")
}

// cleanChars reports whether s holds no backslash and no control or
// invisible character, all of which browsers drop or reinterpret.
func cleanChars(s string) bool {
	for _, r := range s {
		if r == '\\' || r < 0x20 || r == 0x7f || unicode.IsControl(r) || (r != ' ' && unicode.In(r, unicode.Zs, unicode.Cf)) {
			return false
		}
	}
	return true
}
