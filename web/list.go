package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
)

// pageSize is how many records a list page shows.
const pageSize = 50

// listFilter is the filter form shared by the case and located lists.
type listFilter struct {
	Query  string
	Stage  string
	Source string
	OrgID  int64
	From   string // as typed, DD.MM.YYYY or YYYY-MM-DD
	To     string
	Offset int

	from, to time.Time
}

func parseListFilter(q url.Values) (listFilter, error) {
	f := listFilter{
		Query:  strings.TrimSpace(q.Get("q")),
		Stage:  q.Get("stage"),
		Source: q.Get("source"),
		From:   strings.TrimSpace(q.Get("from")),
		To:     strings.TrimSpace(q.Get("to")),
	}
	if v := q.Get("org"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return f, malformed("org", "Unknown organisation.")
		}
		f.OrgID = id
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return f, malformed("offset", "Bad page offset.")
		}
		f.Offset = n
	}
	if f.Stage != "" && !homeward.Stage(f.Stage).Valid() {
		return f, homeward.FieldErrorf(homeward.EINVALID, "stage", "Unknown stage.")
	}
	if !homeward.SourceKind(f.Source).Valid() {
		return f, homeward.FieldErrorf(homeward.EINVALID, "source", "Unknown source.")
	}
	from, err := homeward.ParseDate(f.From)
	if err != nil {
		return f, homeward.FieldErrorf(homeward.EINVALID, "from", "Dates are written DD.MM.YYYY.")
	}
	to, err := homeward.ParseDate(f.To)
	if err != nil {
		return f, homeward.FieldErrorf(homeward.EINVALID, "to", "Dates are written DD.MM.YYYY.")
	}
	f.from = from.Time
	if !to.IsZero() {
		// "to" is inclusive on the page; the services take an exclusive bound.
		f.to = to.AddDate(0, 0, 1)
	}
	return f, nil
}

// query renders the filter as a query string, with offset when not zero.
func (f listFilter) query(offset int) url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("q", f.Query)
	set("stage", f.Stage)
	set("source", f.Source)
	if f.OrgID != 0 {
		q.Set("org", strconv.FormatInt(f.OrgID, 10))
	}
	set("from", f.From)
	set("to", f.To)
	if offset > 0 {
		q.Set("offset", strconv.Itoa(offset))
	}
	return q
}

func (f listFilter) caseFilter() homeward.CaseFilter {
	return homeward.CaseFilter{Stage: homeward.Stage(f.Stage), OrgID: f.OrgID, From: f.from, To: f.to, Query: f.Query, Offset: f.Offset, Limit: pageSize}
}

func (f listFilter) locatedFilter() homeward.LocatedFilter {
	return homeward.LocatedFilter{Source: homeward.SourceKind(f.Source), OrgID: f.OrgID, From: f.from, To: f.to, Query: f.Query, Offset: f.Offset, Limit: pageSize}
}

// pager holds the links of a paged list.
type pager struct {
	Total      int
	First      int // 1-based index of the first row shown
	Last       int
	PrevURL    string
	NextURL    string
	ExportCSV  string
	ExportXLSX string
}

func newPager(base string, f listFilter, shown, total int) pager {
	p := pager{Total: total, First: f.Offset + 1, Last: f.Offset + shown}
	if shown == 0 {
		p.First = 0
	}
	if f.Offset > 0 {
		p.PrevURL = base + "?" + f.query(max(0, f.Offset-pageSize)).Encode()
	}
	if f.Offset+shown < total {
		p.NextURL = base + "?" + f.query(f.Offset+pageSize).Encode()
	}
	eq := f.query(0)
	eq.Set("format", "csv")
	p.ExportCSV = base + "/export?" + eq.Encode()
	eq.Set("format", "xlsx")
	p.ExportXLSX = base + "/export?" + eq.Encode()
	return p
}

// orgNames maps organisation IDs to names for lists and filters; an error
// leaves it empty, as the names are a convenience.
func (s *Server) orgs(r *http.Request) ([]*homeward.Org, map[int64]string) {
	names := map[int64]string{}
	os, err := s.cfg.Orgs.FindOrgs(r.Context())
	if err != nil {
		return nil, names
	}
	for _, o := range os {
		names[o.ID] = o.Name
	}
	return os, names
}
