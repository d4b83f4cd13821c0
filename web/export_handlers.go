package web

import (
	"io"
	"net/http"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/tabular"
)

// exportBatch is how many records an export reads per call.
const exportBatch = 1000

func exportFormat(r *http.Request) (string, error) {
	f := r.URL.Query().Get("format")
	if f == "" {
		f = tabular.FormatCSV
	}
	if f != tabular.FormatCSV && f != tabular.FormatXLSX {
		return "", malformed("format", "Unknown format: use csv or xlsx.")
	}
	return f, nil
}

// allCases reads every case matching the filter, page by page.
func (s *Server) allCases(r *http.Request, f homeward.CaseFilter) ([]*homeward.Case, error) {
	var out []*homeward.Case
	f.Offset, f.Limit = 0, exportBatch
	for {
		cs, total, err := s.cfg.Cases.FindCases(r.Context(), f)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
		if len(cs) == 0 || len(out) >= total {
			return out, nil
		}
		f.Offset += len(cs)
	}
}

func (s *Server) allLocated(r *http.Request, f homeward.LocatedFilter) ([]*homeward.LocatedRecord, error) {
	var out []*homeward.LocatedRecord
	f.Offset, f.Limit = 0, exportBatch
	for {
		rs, total, err := s.cfg.Located.FindLocated(r.Context(), f)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
		if len(rs) == 0 || len(out) >= total {
			return out, nil
		}
		f.Offset += len(rs)
	}
}

func exportName(what, format string) string {
	return "homeward-" + what + "-" + time.Now().UTC().Format("2006-01-02") + "." + format
}

func (s *Server) exportCases(w http.ResponseWriter, r *http.Request) error {
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	f, err := parseListFilter(r.URL.Query())
	if err != nil {
		return err
	}
	cf := f.caseFilter()
	cs, err := s.allCases(r, cf)
	if err != nil {
		return err
	}
	if err := s.recordAccess(r, cf.Access(len(cs), len(cs)).Export(format)); err != nil {
		return err
	}
	return writeFile(w, exportName("cases", format), format, func(wr io.Writer) error { return tabular.WriteCases(wr, format, cs, tabular.WithLabels(s.langOf(r))) })
}

func (s *Server) exportLocated(w http.ResponseWriter, r *http.Request) error {
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	f, err := parseListFilter(r.URL.Query())
	if err != nil {
		return err
	}
	lf := f.locatedFilter()
	rs, err := s.allLocated(r, lf)
	if err != nil {
		return err
	}
	if err := s.recordAccess(r, lf.Access(len(rs), len(rs)).Export(format)); err != nil {
		return err
	}
	return writeFile(w, exportName("located", format), format, func(wr io.Writer) error { return tabular.WriteLocated(wr, format, rs, tabular.WithLabels(s.langOf(r))) })
}
