package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/tabular"
)

func TestStatusOfMapsEachErrorCodeToItsStatus(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"invalid input", homeward.Errorf(homeward.EINVALID, "x"), http.StatusUnprocessableEntity},
		{"malformed request", malformed("f", "x"), http.StatusBadRequest},
		{"not found", homeward.Errorf(homeward.ENOTFOUND, "x"), http.StatusNotFound},
		{"conflict", homeward.Errorf(homeward.ECONFLICT, "x"), http.StatusConflict},
		{"forbidden", homeward.Errorf(homeward.EFORBIDDEN, "x"), http.StatusForbidden},
		{"unauthorized", homeward.Errorf(homeward.EUNAUTHORIZED, "x"), http.StatusUnauthorized},
		{"throttled", homeward.Errorf(homeward.ETOOMANY, "x"), http.StatusTooManyRequests},
		{"internal", homeward.Errorf(homeward.EINTERNAL, "x"), http.StatusInternalServerError},
		{"wrapped domain error", fmt.Errorf("load: %w", homeward.Errorf(homeward.ENOTFOUND, "x")), http.StatusNotFound},
		{"plain error", errors.New("disk on fire"), http.StatusInternalServerError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := statusOf(tt.err); got != tt.want {
				t.Errorf("statusOf = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestLocalPathRefusesOtherSites(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/cases?q=1", "/cases?q=1"},
		{"", "/"},
		{"https://evil.example/", "/"},
		{"//evil.example/", "/"},
		{"/\\evil.example", "/"},
		{"cases", "/"},
	}
	for _, tt := range tests {
		if got := localPath(tt.in, "/"); got != tt.want {
			t.Errorf("localPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestErrorTextTranslatesKnownMessagesAndExplainsOthers(t *testing.T) {
	uk := locales["uk"]
	if got := uk.errorText(homeward.Errorf(homeward.EUNAUTHORIZED, "Wrong login or password.")); got != "Неправильний логін або пароль." {
		t.Errorf("known message: %q", got)
	}
	got := uk.errorText(homeward.FieldErrorf(homeward.EINVALID, "birth_date", "Year 1800 is out of range."))
	if got != "Дані неправильні. (Дата народження) — Year 1800 is out of range." {
		t.Errorf("message with arguments: %q", got)
	}
	if got := locales["en"].errorText(errors.New("secret path /var/db")); got != "Internal error." {
		t.Errorf("internal error leaks: %q", got)
	}
}

func FuzzParseListFilter(f *testing.F) {
	f.Add("q=Ivan&stage=tracing&org=2&from=01.02.2024&to=2024-03-01&offset=50")
	f.Add("from=31.02.2024&offset=-1&org=x")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		lf, err := parseListFilter(q)
		if err != nil {
			if homeward.ErrorCode(err) != homeward.EINVALID {
				t.Fatalf("error of code %q, want invalid", homeward.ErrorCode(err))
			}
			return
		}
		if lf.Offset < 0 {
			t.Fatalf("negative offset %d", lf.Offset)
		}
		// The filter must survive its own links.
		again, err := parseListFilter(lf.query(lf.Offset))
		if err != nil || again.Query != lf.Query || again.OrgID != lf.OrgID || again.Offset != lf.Offset || !again.from.Equal(lf.from) || !again.to.Equal(lf.to) {
			t.Fatalf("round trip of %q: %+v, %v", raw, again, err)
		}
	})
}

func FuzzReadMapping(f *testing.F) {
	f.Add("map=given_name%2C%2C%3F&format=csv", 3)
	f.Add("col.0=family_name&col.1=&col.7=x", 2)
	f.Fuzz(func(t *testing.T, raw string, cols int) {
		if cols < 0 || cols > 1000 {
			return
		}
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		if m := readMapping(q, cols); len(m) != cols {
			t.Fatalf("mapping of %d columns for %d", len(m), cols)
		}
	})
}

func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/", "//x", "/\\x", "https://x", "/cases?q=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		got := localPath(p, "/")
		u, err := url.Parse(got)
		if err != nil {
			return
		}
		if u.Host != "" || u.Scheme != "" {
			t.Fatalf("localPath(%q) = %q leaves the site", p, got)
		}
	})
}

func TestRowMessageTranslatesProblemsThatQuoteTheValue(t *testing.T) {
	uk := locales["uk"]
	tests := []struct {
		e    tabular.RowError
		want string
	}{
		{tabular.RowError{Value: "2031", Message: `"2031" is in the future.`}, `"2031" — дата в майбутньому.`},
		{tabular.RowError{Value: "1.2.3.4", Message: `"1.2.3.4" is not a date; write DD.MM.YYYY, YYYY-MM-DD, MM.YYYY, YYYY or ~AGE.`}, `"1.2.3.4" не є датою; пишіть ДД.ММ.РРРР, РРРР-ММ-ДД, ММ.РРРР, РРРР або ~ВІК.`},
		{tabular.RowError{Message: "A given name or a family name is required."}, "Потрібне ім'я або прізвище."},
		{tabular.RowError{Value: "x", Message: "Something new."}, "Something new."},
	}
	for _, tt := range tests {
		if got := uk.rowMessage(tt.e); got != tt.want {
			t.Errorf("rowMessage(%q) = %q, want %q", tt.e.Message, got, tt.want)
		}
	}
}
