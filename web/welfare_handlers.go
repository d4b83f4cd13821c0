package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/homeward-project/homeward"
)

// caseExchange is the exchange as a case page shows it: the lists the case
// is on, the lists it may be put on, the work answers opened, and the
// welfare messages.
type caseExchange struct {
	Listings   []*homeward.CaseListing
	Lists      []*homeward.ReturnList
	Tasks      []*homeward.Task
	Messages   []messageView
	DoneBy     map[int64]string
	CanList    bool // the user builds lists
	CanWrite   bool // the user writes messages and completes tasks
	CanMessage bool // the case is on a sealed list, so a message has an address
	MaxMessage int
}

// loadCaseExchange reads the exchange part of a case page; nil on a server
// without the list service.
func (s *Server) loadCaseExchange(r *http.Request, v *view, c *homeward.Case) (*caseExchange, error) {
	if s.cfg.Lists == nil {
		return nil, nil
	}
	ctx := r.Context()
	u := v.User
	x := &caseExchange{DoneBy: map[int64]string{}, MaxMessage: homeward.MaxMessageLength,
		CanList: u.Role.CanExchange() && u.OrgID == c.OrgID, CanWrite: u.Role.CanWriteRecords() && u.OrgID == c.OrgID}
	var err error
	if x.Listings, err = s.cfg.Lists.FindListingsOfCase(ctx, c.ID); err != nil {
		return nil, err
	}
	on := map[int64]bool{}
	for _, li := range x.Listings {
		if li.Entry.RemovedRevision == 0 {
			on[li.List.ID] = true
			if li.List.SealedRevision > 0 && li.List.State != homeward.ListWithdrawn {
				x.CanMessage = true
			}
		}
	}
	if x.CanList {
		ls, err := s.cfg.Lists.FindLists(ctx, homeward.ListFilter{Direction: homeward.ListOutgoing})
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			if l.Editable() && !on[l.ID] {
				x.Lists = append(x.Lists, l)
			}
		}
	}
	if x.Tasks, err = s.cfg.Lists.FindTasks(ctx, c.ID); err != nil {
		return nil, err
	}
	names := s.actorNames(r, v)
	for _, t := range x.Tasks {
		if t.DoneBy != 0 {
			x.DoneBy[t.DoneBy] = names.name(t.DoneBy)
		}
	}
	if s.cfg.Welfare != nil {
		ms, err := s.cfg.Welfare.FindMessages(ctx, homeward.MessageFilter{CaseID: c.ID})
		if err != nil {
			return nil, err
		}
		x.Messages = s.messageViews(names, u, ms)
	} else {
		x.CanMessage = false
	}
	return x, nil
}

// maxMessageForm bounds the form of a welfare message: the text and a photo.
const maxMessageForm = homeward.MaxMessagePhoto + 1<<20

// readMessageForm reads a welfare message's form: the text and, optionally,
// a JPEG or PNG photo.
func readMessageForm(w http.ResponseWriter, r *http.Request) (*homeward.WelfareMessage, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxMessageForm)
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(maxMessageForm)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, homeward.FieldErrorf(homeward.EINVALID, "photo", "The photo is larger than %d MB.", homeward.MaxMessagePhoto>>20)
		}
		return nil, malformed("", "The form could not be read.")
	}
	m := &homeward.WelfareMessage{Text: strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("text"), "\r\n", "\n"))}
	if f, _, err := r.FormFile("photo"); err == nil {
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, homeward.MaxMessagePhoto+1))
		if err != nil {
			return nil, homeward.FieldErrorf(homeward.EINVALID, "photo", "The file could not be read.")
		}
		if len(data) > 0 {
			// What the bytes are, not what the browser claims.
			m.Photo, m.PhotoType = data, http.DetectContentType(data)
		}
	}
	return m, m.Validate()
}

func (s *Server) caseMessage(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Welfare == nil {
		return errNoExchange
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	m, err := readMessageForm(w, r)
	if err == nil {
		m.CaseID = id
		err = s.cfg.Welfare.WriteMessage(r.Context(), m)
	}
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/cases/%d#messages", id), http.StatusSeeOther)
		return nil
	case userError(err):
		return s.renderCase(w, r, id, statusOf(err), err)
	}
	return err
}

// entryMessage writes news of a child on a received list for the family
// that seeks it.
func (s *Server) entryMessage(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Welfare == nil {
		return errNoExchange
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	m, err := readMessageForm(w, r)
	if err == nil {
		m.EntryID = id
		err = s.cfg.Welfare.WriteMessage(r.Context(), m)
	}
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/entries/%d#messages", id), http.StatusSeeOther)
		return nil
	case userError(err):
		return s.renderEntry(w, r, id, statusOf(err), r.PostForm, err)
	}
	return err
}

var (
	casePath  = regexp.MustCompile(`^/cases/([0-9]+)`)
	entryPath = regexp.MustCompile(`^/entries/([0-9]+)`)
)

// back returns to the page a form came from (its "next" field, a case or
// an entry page), showing err there when the user can act on it.
func (s *Server) back(w http.ResponseWriter, r *http.Request, err error, anchor string) error {
	next := localPath(r.PostFormValue("next"), "/")
	if err == nil {
		http.Redirect(w, r, next+anchor, http.StatusSeeOther)
		return nil
	}
	if !userError(err) {
		return err
	}
	if m := casePath.FindStringSubmatch(next); m != nil {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		return s.renderCase(w, r, id, statusOf(err), err)
	}
	if m := entryPath.FindStringSubmatch(next); m != nil && s.cfg.Lists != nil {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		return s.renderEntry(w, r, id, statusOf(err), nil, err)
	}
	return err
}

func (s *Server) taskDone(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Lists == nil {
		return errNoExchange
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return malformed("", "The form could not be read.")
	}
	_, err = s.cfg.Lists.CompleteTask(r.Context(), id, r.PostForm.Get("note"))
	return s.back(w, r, err, "#tasks")
}

func (s *Server) messageApprove(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Welfare == nil {
		return errNoExchange
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return malformed("", "The form could not be read.")
	}
	version, err := formVersion(r)
	if err != nil {
		return err
	}
	_, err = s.cfg.Welfare.ApproveMessage(r.Context(), id, version)
	return s.back(w, r, err, "#messages")
}

func (s *Server) messageRead(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Welfare == nil {
		return errNoExchange
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return malformed("", "The form could not be read.")
	}
	_, err = s.cfg.Welfare.MarkRead(r.Context(), id)
	return s.back(w, r, err, "#messages")
}

// messagePhoto shows a message's photo; reading it records the view.
func (s *Server) messagePhoto(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Welfare == nil {
		return errNoExchange
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	m, err := s.cfg.Welfare.FindMessageByID(r.Context(), id)
	if err != nil {
		return err
	}
	if len(m.Photo) == 0 {
		return homeward.Errorf(homeward.ENOTFOUND, "Not found.")
	}
	ext := "jpg"
	if m.PhotoType == "image/png" {
		ext = "png"
	}
	serveAttachment(w, &homeward.Attachment{Filename: fmt.Sprintf("message-%d.%s", m.ID, ext), ContentType: m.PhotoType, Data: m.Photo})
	return nil
}
