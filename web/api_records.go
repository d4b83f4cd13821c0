package web

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/tabular"
)

func (s *Server) apiCaseList(w http.ResponseWriter, r *http.Request) error {
	f, err := parseListFilter(r.URL.Query())
	if err != nil {
		return err
	}
	limit, err := apiLimit(r)
	if err != nil {
		return err
	}
	cf := f.caseFilter()
	cf.Limit = limit
	cs, total, err := s.cfg.Cases.FindCases(r.Context(), cf)
	if err != nil {
		return err
	}
	if err := s.recordAccess(r, cf.Access(len(cs), total)); err != nil {
		return err
	}
	if cs == nil {
		cs = []*homeward.Case{}
	}
	writeJSON(w, http.StatusOK, listResponse[*homeward.Case]{Items: cs, Total: total, Offset: cf.Offset, Limit: limit})
	return nil
}

func (s *Server) apiCaseGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.cfg.Cases.FindCaseByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) apiCaseCreate(w http.ResponseWriter, r *http.Request) error {
	var c homeward.Case
	if err := decodeJSON(w, r, &c); err != nil {
		return err
	}
	c.ID, c.Reference, c.Version, c.Stage, c.CloseReason = 0, "", 0, "", ""
	if err := c.Validate(); err != nil {
		return err
	}
	if err := s.cfg.Cases.CreateCase(r.Context(), &c); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/cases/"+strconv.FormatInt(c.ID, 10))
	writeJSON(w, http.StatusCreated, &c)
	return nil
}

func (s *Server) apiCaseUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var c homeward.Case
	if err := decodeJSON(w, r, &c); err != nil {
		return err
	}
	c.ID = id
	// The stage moves only through POST /cases/{id}/transitions, which
	// checks the workflow's guards; here the store keeps it.
	c.Stage = ""
	if c.Version == 0 {
		return homeward.FieldErrorf(homeward.EINVALID, "version", "The version read is required, so that a concurrent change is not overwritten.")
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if err := s.cfg.Cases.UpdateCase(r.Context(), &c); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, &c)
	return nil
}

func (s *Server) apiEvents(entity string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		limit, err := apiLimit(r)
		if err != nil {
			return err
		}
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		evs, err := s.cfg.Events.FindEvents(r.Context(), homeward.EventFilter{EntityType: entity, EntityID: id, Offset: max(offset, 0), Limit: limit})
		if err != nil {
			return err
		}
		if evs == nil {
			evs = []*homeward.Event{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": evs})
		return nil
	}
}

func (s *Server) apiLocatedList(w http.ResponseWriter, r *http.Request) error {
	f, err := parseListFilter(r.URL.Query())
	if err != nil {
		return err
	}
	limit, err := apiLimit(r)
	if err != nil {
		return err
	}
	lf := f.locatedFilter()
	lf.Limit = limit
	rs, total, err := s.cfg.Located.FindLocated(r.Context(), lf)
	if err != nil {
		return err
	}
	if err := s.recordAccess(r, lf.Access(len(rs), total)); err != nil {
		return err
	}
	if rs == nil {
		rs = []*homeward.LocatedRecord{}
	}
	writeJSON(w, http.StatusOK, listResponse[*homeward.LocatedRecord]{Items: rs, Total: total, Offset: lf.Offset, Limit: limit})
	return nil
}

func (s *Server) apiLocatedGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rec, err := s.cfg.Located.FindLocatedByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

func (s *Server) apiLocatedCreate(w http.ResponseWriter, r *http.Request) error {
	var rec homeward.LocatedRecord
	if err := decodeJSON(w, r, &rec); err != nil {
		return err
	}
	rec.ID, rec.Version = 0, 0
	if err := rec.Validate(); err != nil {
		return err
	}
	if err := s.cfg.Located.CreateLocated(r.Context(), &rec); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/located/"+strconv.FormatInt(rec.ID, 10))
	writeJSON(w, http.StatusCreated, &rec)
	return nil
}

func (s *Server) apiLocatedUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var rec homeward.LocatedRecord
	if err := decodeJSON(w, r, &rec); err != nil {
		return err
	}
	rec.ID = id
	if rec.Version == 0 {
		return homeward.FieldErrorf(homeward.EINVALID, "version", "The version read is required, so that a concurrent change is not overwritten.")
	}
	if err := rec.Validate(); err != nil {
		return err
	}
	if err := s.cfg.Located.UpdateLocated(r.Context(), &rec); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, &rec)
	return nil
}

// importProblem is one problem of an import report in the API.
type importProblem struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Field   string `json:"field,omitempty"`
	Value   string `json:"value,omitempty"`
	Message string `json:"message"`
}

// importResponse lists the first problems; MoreProblems counts the rest.
type importResponse struct {
	Created      int             `json:"created"`
	Skipped      int             `json:"skipped"`
	Rejected     int             `json:"rejected"`
	Problems     []importProblem `json:"problems"`
	MoreProblems int             `json:"more_problems,omitempty"`
}

// apiImportRefused is the body of a refused import: the error shape plus the
// report.
type apiImportRefused struct {
	Error        apiErrorBody    `json:"error"`
	Problems     []importProblem `json:"problems"`
	MoreProblems int             `json:"more_problems,omitempty"`
}

// apiImport imports a CSV or XLSX file sent as the multipart part "file" or
// as the whole body (then ?filename= names it), with the columns mapped
// automatically.
func (s *Server) apiImport(w http.ResponseWriter, r *http.Request) error {
	if err := mayImport(r); err != nil {
		return err
	}
	q := r.URL.Query()
	kind := q.Get("kind")
	switch kind {
	case homeward.EntityCase, "cases":
		kind = homeward.EntityCase
	case homeward.EntityLocated:
	default:
		return malformed("kind", "kind must be case or located.")
	}
	keepGood, _ := strconv.ParseBool(q.Get("keep_good"))
	var name string
	var data []byte
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		name, data, err = readUploadedFile(w, r)
	} else {
		name = q.Get("filename")
		if name == "" {
			name = "upload.csv"
			if strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
				name = "upload.xlsx"
			}
		}
		data, err = readSized(http.MaxBytesReader(w, r.Body, tabular.MaxFileSize+1), r.ContentLength)
		if err != nil {
			err = homeward.FieldErrorf(homeward.EINVALID, "file", "The file is too large.")
		}
	}
	if err != nil {
		return err
	}
	sh, err := tabular.Read(name, bytes.NewReader(data))
	if err != nil {
		if homeward.ErrorCode(err) != homeward.EINVALID {
			err = homeward.FieldErrorf(homeward.EINVALID, "file", "The file is not a CSV or XLSX spreadsheet that can be read.")
		}
		return err
	}
	m, _ := tabular.AutoMap(kind, sh.Headers)
	res, err := s.runImport(r, kind, sh, m, keepGood)
	if err != nil {
		return err
	}
	shown, more := capProblems(res.Errors)
	problems := make([]importProblem, 0, len(shown))
	for _, e := range shown {
		problems = append(problems, importProblem{Row: e.Row, Column: e.Column, Field: e.Field, Value: e.Value, Message: e.Message})
	}
	if !res.Imported {
		writeJSON(w, http.StatusUnprocessableEntity, apiImportRefused{
			Error:    apiErrorBody{Code: homeward.EINVALID, Message: "The file has problems; nothing was imported."},
			Problems: problems, MoreProblems: more,
		})
		return nil
	}
	writeJSON(w, http.StatusOK, importResponse{Created: res.Created, Skipped: res.Skipped, Rejected: res.Rejected, Problems: problems, MoreProblems: more})
	return nil
}
