package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/tabular"
)

// importKinds maps the URL's word to the entity a spreadsheet holds.
var importKinds = map[string]string{"cases": homeward.EntityCase, "located": homeward.EntityLocated}

func kindPath(entity string) string {
	if entity == homeward.EntityLocated {
		return "located"
	}
	return "cases"
}

// previewRows is how many rows the mapping page shows.
const previewRows = 5

// maxReported bounds the problems a page or an API reply lists; the rest
// are counted. A file of a million bad rows must not make a reply of a
// million lines: the rejected-rows file holds every one.
const maxReported = 1000

// mayImport refuses a user whose role may not create records before any
// byte of the file is read: reading is what a hostile file makes costly,
// and the store's own check comes only after it. (Answer sheets are
// guarded so by exchangeOnly.)
func mayImport(r *http.Request) error {
	if u := userFrom(r.Context()); u == nil || !u.Role.CanWriteRecords() {
		return homeward.Errorf(homeward.EFORBIDDEN, "Your role may not create or change records.")
	}
	return nil
}

type importFormData struct {
	Kind string // "cases" or "located"
}

func (s *Server) importForm(w http.ResponseWriter, r *http.Request) error {
	kind := r.PathValue("kind")
	if _, ok := importKinds[kind]; !ok {
		return homeward.Errorf(homeward.ENOTFOUND, "Not found.")
	}
	return s.renderImportForm(w, r, http.StatusOK, kind, nil)
}

func (s *Server) renderImportForm(w http.ResponseWriter, r *http.Request, status int, kind string, err error) error {
	v := s.view(r, kind)
	if kind == "cases" {
		v.Title = v.T("Import cases")
	} else {
		v.Title = v.T("Import located records")
	}
	if err != nil {
		v.setError(err)
	}
	v.D = importFormData{Kind: kind}
	s.render(w, r, status, "import_form", v)
	return nil
}

// readUploadedFile reads the "file" part of a multipart form, bounded by the
// largest spreadsheet tabular reads.
func readUploadedFile(w http.ResponseWriter, r *http.Request) (name string, data []byte, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, tabular.MaxFileSize+1<<20)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return "", nil, homeward.FieldErrorf(homeward.EINVALID, "file", "The file is too large.")
		}
		return "", nil, homeward.FieldErrorf(homeward.EINVALID, "file", "Choose a CSV or XLSX file.")
	}
	defer f.Close()
	data, err = readSized(f, hdr.Size)
	if err != nil {
		return "", nil, homeward.FieldErrorf(homeward.EINVALID, "file", "The file could not be read.")
	}
	return hdr.Filename, data, nil
}

// readSized reads r whole into a buffer made for size bytes, when the size
// is known and within what tabular reads, so that a large file is not
// copied again and again as a growing buffer doubles.
func readSized(r io.Reader, size int64) ([]byte, error) {
	var buf bytes.Buffer
	if size > 0 {
		buf.Grow(int(min(size, tabular.MaxFileSize+1)) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

func (s *Server) importUpload(w http.ResponseWriter, r *http.Request) error {
	kind := r.PathValue("kind")
	entity, ok := importKinds[kind]
	if !ok {
		return homeward.Errorf(homeward.ENOTFOUND, "Not found.")
	}
	if err := mayImport(r); err != nil {
		return err
	}
	name, data, err := readUploadedFile(w, r)
	if err == nil {
		_, err = tabular.Read(name, bytes.NewReader(data))
	}
	if err != nil {
		if homeward.ErrorCode(err) != homeward.EINVALID {
			err = homeward.FieldErrorf(homeward.EINVALID, "file", "The file is not a CSV or XLSX spreadsheet that can be read.")
		}
		return s.renderImportForm(w, r, statusOf(err), kind, err)
	}
	u := &homeward.Upload{Kind: entity, Filename: name, Data: data}
	if err := s.cfg.Uploads.CreateUpload(r.Context(), u); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/imports/%d", u.ID), http.StatusSeeOther)
	return nil
}

// importColumn is one column of the mapping page.
type importColumn struct {
	Index   int
	Header  string
	Field   string // chosen field, "" to ignore, tabular.Unmapped when undecided
	Unknown bool
}

type fieldOption struct {
	Name  string
	Label string
}

type importData struct {
	Upload                    *homeward.Upload
	Kind                      string
	Columns                   []importColumn
	Fields                    []fieldOption
	Preview                   [][]string
	RowCount                  int
	KeepGood                  bool
	Errors                    []reportLine // problems found by validating every row, the first maxReported
	More                      int          // problems found but not listed
	Rows                      int          // rows with problems
	Created                   int
	Skipped                   int
	Rejected                  int
	Done                      bool
	RejectedCSV, RejectedXLSX string
}

type reportLine struct {
	Row     int
	Column  string
	Field   string
	Value   string
	Message string
}

func (s *Server) loadUpload(r *http.Request) (*homeward.Upload, *tabular.Sheet, error) {
	if err := mayImport(r); err != nil {
		return nil, nil, err
	}
	id, err := pathID(r)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.cfg.Uploads.FindUploadByID(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	sh, err := tabular.Read(u.Filename, bytes.NewReader(u.Data))
	if err != nil {
		return nil, nil, err
	}
	return u, sh, nil
}

func (s *Server) newImportData(v *view, u *homeward.Upload, sh *tabular.Sheet, m tabular.Mapping) *importData {
	d := &importData{Upload: u, Kind: kindPath(u.Kind), RowCount: len(sh.Rows)}
	_, unknown := tabular.AutoMap(u.Kind, sh.Headers)
	isUnknown := map[int]bool{}
	for _, i := range unknown {
		isUnknown[i] = true
	}
	for i := range sh.Headers {
		d.Columns = append(d.Columns, importColumn{Index: i, Header: homeward.Excerpt(sh.ColumnName(i)), Field: m[i], Unknown: isUnknown[i]})
	}
	for _, f := range tabular.Fields(u.Kind) {
		if f.ExportOnly {
			continue
		}
		label := f.LabelEN
		if v.Lang == "uk" {
			label = f.LabelUK
		}
		d.Fields = append(d.Fields, fieldOption{Name: f.Name, Label: label})
	}
	for _, row := range sh.Rows {
		if len(d.Preview) == previewRows {
			break
		}
		if row != nil {
			// The preview shows what a cell starts with, as a report
			// does, so that a hostile cell cannot swell the page.
			cells := make([]string, len(row))
			for i, v := range row {
				cells[i] = homeward.Excerpt(v)
			}
			d.Preview = append(d.Preview, cells)
		}
	}
	return d
}

func (s *Server) importMapping(w http.ResponseWriter, r *http.Request) error {
	u, sh, err := s.loadUpload(r)
	if err != nil {
		return err
	}
	m, _ := tabular.AutoMap(u.Kind, sh.Headers)
	v := s.view(r, kindPath(u.Kind))
	v.Title = v.T("Map the columns")
	v.D = s.newImportData(v, u, sh, m)
	s.render(w, r, http.StatusOK, "import_map", v)
	return nil
}

// readMapping reads the mapping chosen on the page, or in a download link.
func readMapping(vals url.Values, cols int) tabular.Mapping {
	m := make(tabular.Mapping, cols)
	if packed, ok := vals["map"]; ok {
		parts := strings.Split(strings.Join(packed, ""), ",")
		for i := range m {
			if i < len(parts) {
				m[i] = parts[i]
			}
		}
		return m
	}
	for i := range m {
		m[i] = vals.Get("col." + strconv.Itoa(i))
	}
	return m
}

func packMapping(m tabular.Mapping) string { return strings.Join(m, ",") }

// checkMapping refuses a field chosen for two columns: which one to import
// would be a guess.
func checkMapping(kind string, sh *tabular.Sheet, m tabular.Mapping) []tabular.RowError {
	var errs []tabular.RowError
	seen := map[string]bool{}
	known := map[string]bool{"": true, tabular.Unmapped: true}
	for _, f := range tabular.Fields(kind) {
		known[f.Name] = true
	}
	for i, f := range m {
		switch {
		case !known[f]:
			errs = append(errs, tabular.RowError{Row: 1, Column: homeward.Excerpt(sh.ColumnName(i)), Field: homeward.Excerpt(f), Message: "Unknown field."})
		case f != "" && f != tabular.Unmapped && seen[f]:
			errs = append(errs, tabular.RowError{Row: 1, Column: homeward.Excerpt(sh.ColumnName(i)), Field: f, Message: "Two columns are mapped to the same field."})
		}
		seen[f] = true
	}
	return errs
}

// importResult is the outcome of validating and, when allowed, importing.
type importResult struct {
	Errors   []tabular.RowError
	Created  int
	Skipped  int
	Rejected int // rows left out because they are bad
	Imported bool
}

// runImport validates every row and imports all or, with keepGood, the good
// ones. Problems with the columns themselves (row 1) always stop it.
func (s *Server) runImport(r *http.Request, kind string, sh *tabular.Sheet, m tabular.Mapping, keepGood bool) (*importResult, error) {
	res := &importResult{Errors: checkMapping(kind, sh, m)}
	if len(res.Errors) > 0 {
		return res, nil
	}
	var cs []*homeward.Case
	var ls []*homeward.LocatedRecord
	if kind == homeward.EntityCase {
		cs, res.Errors = tabular.ConvertCases(sh, m)
	} else {
		ls, res.Errors = tabular.ConvertLocated(sh, m)
	}
	badRows := map[int]bool{}
	headerBad := false
	for _, e := range res.Errors {
		if e.Row <= 1 {
			headerBad = true
			continue
		}
		badRows[e.Row] = true
	}
	res.Rejected = len(badRows)
	if headerBad || len(res.Errors) > 0 && !keepGood {
		return res, nil
	}
	var err error
	if kind == homeward.EntityCase {
		res.Created, res.Skipped, err = s.cfg.Cases.ImportCases(r.Context(), cs, nil)
	} else {
		res.Created, res.Skipped, err = s.cfg.Located.ImportLocated(r.Context(), ls, nil)
	}
	if err != nil {
		return nil, err
	}
	res.Imported = true
	return res, nil
}

func (s *Server) importRun(w http.ResponseWriter, r *http.Request) error {
	u, sh, err := s.loadUpload(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return malformed("", "The form could not be read.")
	}
	m := readMapping(r.PostForm, len(sh.Headers))
	v := s.view(r, kindPath(u.Kind))
	d := s.newImportData(v, u, sh, m)
	d.KeepGood = r.PostFormValue("keep_good") != ""
	if r.PostFormValue("preview") != "" {
		v.Title = v.T("Map the columns")
		v.D = d
		s.render(w, r, http.StatusOK, "import_map", v)
		return nil
	}
	res, err := s.runImport(r, u.Kind, sh, m, d.KeepGood)
	if err != nil {
		return err
	}
	shown, more := capProblems(res.Errors)
	d.More = more
	for _, e := range shown {
		field := e.Field
		if field != "" && field != tabular.Unmapped {
			field = v.loc.fieldLabel(field)
		}
		d.Errors = append(d.Errors, reportLine{Row: e.Row, Column: e.Column, Field: field, Value: e.Value, Message: v.loc.rowMessage(e)})
	}
	d.Rows = res.Rejected
	if !res.Imported {
		v.Title = v.T("The file was not imported")
		v.D = d
		s.render(w, r, http.StatusUnprocessableEntity, "import_map", v)
		return nil
	}
	d.Done = true
	d.Created, d.Skipped, d.Rejected = res.Created, res.Skipped, res.Rejected
	// The file is deleted once imported: it holds children's details,
	// unmapped columns included. Only its rejected rows are kept, for the
	// user to download and correct, until the upload expires.
	if err := s.cfg.Uploads.DeleteUpload(r.Context(), u.ID); err != nil && homeward.ErrorCode(err) != homeward.ENOTFOUND {
		return err
	}
	if res.Rejected > 0 {
		rest, rm, err := rejectedUpload(u, sh, m, res.Errors)
		if err != nil {
			return err
		}
		if err := s.cfg.Uploads.CreateUpload(r.Context(), rest); err != nil {
			return err
		}
		q := url.Values{"map": {packMapping(rm)}, "format": {"csv"}}
		d.RejectedCSV = fmt.Sprintf("/imports/%d/rejected?%s", rest.ID, q.Encode())
		q.Set("format", "xlsx")
		d.RejectedXLSX = fmt.Sprintf("/imports/%d/rejected?%s", rest.ID, q.Encode())
	}
	v.Title = v.T("Import finished")
	v.D = d
	s.render(w, r, http.StatusOK, "import_done", v)
	return nil
}

// capProblems returns the first maxReported problems and how many more
// there are.
func capProblems[T any](ps []T) ([]T, int) {
	if len(ps) <= maxReported {
		return ps, 0
	}
	return ps[:maxReported], len(ps) - maxReported
}

// rejectedUpload is an upload of only the rows of sh that have problems, in
// their columns as uploaded, so that what is kept of an imported file is
// what the user still has to correct. A column without a header whose
// values were all in good rows would vanish when the file is read again;
// it is left out here, with its place in the mapping, which is returned.
func rejectedUpload(u *homeward.Upload, sh *tabular.Sheet, m tabular.Mapping, errs []tabular.RowError) (*homeward.Upload, tabular.Mapping, error) {
	bad := map[int]bool{}
	for _, e := range errs {
		bad[e.Row] = true
	}
	var rows [][]string
	for i, row := range sh.Rows {
		if row != nil && bad[tabular.RowNumber(i)] {
			rows = append(rows, row)
		}
	}
	var keep []int
	for j, h := range sh.Headers {
		used := h != ""
		for _, row := range rows {
			used = used || row[j] != ""
		}
		if used {
			keep = append(keep, j)
		}
	}
	pick := func(r []string) []string {
		out := make([]string, len(keep))
		for k, j := range keep {
			out[k] = r[j]
		}
		return out
	}
	rest := &tabular.Sheet{Headers: pick(sh.Headers)}
	for _, row := range rows {
		rest.Rows = append(rest.Rows, pick(row))
	}
	var buf bytes.Buffer
	if err := tabular.WriteSheet(&buf, tabular.FormatCSV, rest); err != nil {
		return nil, nil, err
	}
	name := strings.TrimSuffix(u.Filename, fileExt(u.Filename)) + ".csv"
	return &homeward.Upload{Kind: u.Kind, Filename: name, Data: buf.Bytes()}, pick(m), nil
}

// importRejected sends the rows an import left out, with their problems, as
// a file the user can correct and import again.
func (s *Server) importRejected(w http.ResponseWriter, r *http.Request) error {
	u, sh, err := s.loadUpload(r)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format != tabular.FormatCSV && format != tabular.FormatXLSX {
		return malformed("format", "Unknown format.")
	}
	m := readMapping(r.URL.Query(), len(sh.Headers))
	var errs []tabular.RowError
	if u.Kind == homeward.EntityCase {
		_, errs = tabular.ConvertCases(sh, m)
	} else {
		_, errs = tabular.ConvertLocated(sh, m)
	}
	// The rejected rows are the upload's own names, sent out again.
	if err := s.recordAccess(r, homeward.Access{Action: homeward.ActionExport, EntityType: homeward.EntityImport, EntityID: u.ID, Rows: len(errs), Total: len(errs), Format: format}); err != nil {
		return err
	}
	name := strings.TrimSuffix(u.Filename, fileExt(u.Filename)) + "-rejected." + format
	return writeFile(w, name, format, func(wr io.Writer) error { return tabular.WriteRejected(wr, format, sh, errs) })
}

func fileExt(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

// writeFile sends a CSV or XLSX download, built in memory so that a failure
// becomes an error page rather than half a file.
func writeFile(w http.ResponseWriter, name, format string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	ct := "text/csv; charset=utf-8"
	if format == tabular.FormatXLSX {
		ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, asciiName(name), url.PathEscape(name)))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, err := w.Write(buf.Bytes())
	return err
}

// asciiName is the fallback file name for clients that do not read
// filename*: ASCII letters, digits, dots and dashes only.
func asciiName(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			b[i] = '_'
		}
	}
	return string(b)
}

// rowMessages are the import problems tabular reports with the cell's value
// quoted in them; rowMessage translates them by their pattern.
var rowMessages = []string{
	"Unknown sex %q: write f or m (ж or ч), or leave it empty.",
	"%q is in the future.",
	"%q is not a full date: write DD.MM.YYYY, and put partial dates in the notes.",
}

// dateProblems are what tabular says after a quoted date it cannot read.
var dateProblems = []string{
	"has a year outside 1900–2100.",
	"has no four-digit year; write the year in full (DD.MM.YYYY).",
	"is not a date; write DD.MM.YYYY, YYYY-MM-DD, MM.YYYY, YYYY or ~AGE.",
	"is not a valid spreadsheet date number.",
	"is too long to be a date.",
	"mixes separators; write DD.MM.YYYY or YYYY-MM-DD.",
	"is an estimated age above 30.",
	"is not an age; write ~7 for about 7 years old.",
}

// rowMessage translates an import problem: whole messages from the
// catalogue, messages that quote the cell's value by their pattern, and
// anything else as tabular wrote it.
func (l *locale) rowMessage(e tabular.RowError) string {
	if l.table == nil {
		return e.Message
	}
	if v, ok := l.table[e.Message]; ok {
		return v
	}
	for _, p := range rowMessages {
		if fmt.Sprintf(p, e.Value) == e.Message {
			return l.T(p, e.Value)
		}
	}
	q := strconv.Quote(e.Value) + " "
	if rest, ok := strings.CutPrefix(e.Message, q); ok {
		if v, ok := l.table[rest]; ok {
			return q + v
		}
	}
	return e.Message
}
