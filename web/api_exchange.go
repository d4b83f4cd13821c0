package web

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/homeward-project/homeward"
)

func (s *Server) apiExchangeRoutes() {
	s.handle("GET /api/v1/parties", s.api(s.apiExchange(s.apiParties)))
	s.handle("GET /api/v1/parties/self", s.api(s.apiExchange(s.apiPartySelf)))
	s.handle("POST /api/v1/parties", s.api(s.apiExchange(s.apiPartyAdd)))
	s.handle("POST /api/v1/parties/{id}/confirm", s.api(s.apiExchange(s.apiPartyConfirm)))
	s.handle("POST /api/v1/parties/{id}/retire", s.api(s.apiExchange(s.apiPartyRetire)))

	s.handle("GET /api/v1/channels", s.api(s.apiExchange(s.apiChannels)))
	s.handle("POST /api/v1/channels", s.api(s.apiExchange(s.apiChannelCreate)))
	s.handle("GET /api/v1/channels/{id}", s.api(s.apiExchange(s.apiChannelGet)))
	s.handle("GET /api/v1/channels/{id}/summary", s.api(s.apiExchange(s.apiChannelSummary)))
	s.handle("POST /api/v1/channels/{id}/phases", s.api(s.apiExchange(s.apiPhaseOpen)))
	s.handle("POST /api/v1/channels/{id}/bundles", s.api(s.apiExchange(s.apiChannelBundle)))

	s.handle("GET /api/v1/lists", s.api(s.apiExchange(s.apiLists)))
	s.handle("POST /api/v1/lists", s.api(s.apiExchange(s.apiListCreate)))
	s.handle("GET /api/v1/lists/{id}", s.api(s.apiExchange(s.apiListGet)))
	s.handle("GET /api/v1/lists/{id}/entries", s.api(s.apiExchange(s.apiListEntries)))
	s.handle("POST /api/v1/lists/{id}/entries", s.api(s.apiExchange(s.apiListAddEntries)))
	s.handle("POST /api/v1/lists/{id}/entries/{eid}/remove", s.api(s.apiExchange(s.apiListRemoveEntry)))
	s.handle("PUT /api/v1/lists/{id}/profile", s.api(s.apiExchange(s.apiListProfile)))
	s.handle("POST /api/v1/lists/{id}/seal-request", s.api(s.apiExchange(s.apiListSealRequest)))
	s.handle("POST /api/v1/lists/{id}/seal", s.api(s.apiExchange(s.apiListSeal)))
	s.handle("POST /api/v1/lists/{id}/send", s.api(s.apiExchange(s.apiListSend)))
	s.handle("POST /api/v1/lists/{id}/send-answers", s.api(s.apiExchange(s.apiListSendAnswers)))
	s.handle("POST /api/v1/lists/{id}/withdraw", s.api(s.apiExchange(s.apiListWithdraw)))
	s.handle("POST /api/v1/lists/{id}/close", s.api(s.apiExchange(s.apiListClose)))
	s.handle("GET /api/v1/lists/{id}/revisions", s.api(s.apiExchange(s.apiListRevisions)))
	s.handle("GET /api/v1/lists/{id}/revisions/{rev}", s.api(s.apiExchange(s.apiListRevision)))
	s.handle("GET /api/v1/lists/{id}/diff", s.api(s.apiExchange(s.apiListDiff)))
	s.handle("POST /api/v1/lists/{id}/answers/import", s.api(s.apiExchange(s.apiListImportAnswers)))
	s.handle("GET /api/v1/lists/{id}/bundles", s.api(s.apiExchange(s.apiListBundles)))

	s.handle("GET /api/v1/entries/{id}", s.api(s.apiExchange(s.apiEntryGet)))
	s.handle("GET /api/v1/entries/{id}/answers", s.api(s.apiExchange(s.apiEntryAnswers)))
	s.handle("POST /api/v1/entries/{id}/answers", s.api(s.apiExchange(s.apiEntryAnswer)))
	s.handle("GET /api/v1/entries/{id}/candidates", s.api(s.apiExchange(s.apiEntryCandidates)))
	s.handle("GET /api/v1/entries/{id}/history", s.api(s.apiExchange(s.apiEntryHistory)))

	s.handle("GET /api/v1/bundles", s.api(s.apiExchange(s.apiBundles)))
	s.handle("POST /api/v1/bundles", s.api(s.apiExchange(s.apiBundleOpen)))
	s.handle("GET /api/v1/bundles/{id}", s.api(s.apiExchange(s.apiBundleGet)))
	s.handle("GET /api/v1/bundles/{id}/file", s.api(s.apiExchange(s.apiBundleFile)))
	s.handle("POST /api/v1/bundles/{id}/accept-gap", s.api(s.apiExchange(s.apiBundleAcceptGap)))

	s.handle("GET /api/v1/messages", s.api(s.apiMessages))
	s.handle("POST /api/v1/messages", s.api(s.apiMessageWrite))
	s.handle("POST /api/v1/messages/{id}/approve", s.api(s.apiMessageApprove))
	s.handle("POST /api/v1/messages/{id}/read", s.api(s.apiMessageRead))
	s.handle("GET /api/v1/cases/{id}/tasks", s.api(s.apiTasks))
	s.handle("POST /api/v1/tasks/{id}/done", s.api(s.apiTaskDone))
}

// apiExchange is exchangeOnly for the API.
func (s *Server) apiExchange(h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return s.exchangeOnly(h)
}

// versionRequest is the body of a change that needs only the version read.
type versionRequest struct {
	Version int `json:"version"`
}

// errNoVersion refuses a versioned write without the version read.
var errNoVersion = homeward.FieldErrorf(homeward.EINVALID, "version", "The version read is required, so that a concurrent change is not overwritten.")

// decodeVersioned reads a JSON body with a version and refuses one without.
func decodeVersioned(w http.ResponseWriter, r *http.Request, v any, version func() int) error {
	if err := decodeJSON(w, r, v); err != nil {
		return err
	}
	if version() == 0 {
		return errNoVersion
	}
	return nil
}

// --- parties

func (s *Server) apiParties(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Parties == nil {
		return errNoExchange
	}
	ps, err := s.cfg.Parties.FindParties(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(ps))
	return nil
}

func (s *Server) apiPartySelf(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Parties == nil {
		return errNoExchange
	}
	p, err := s.cfg.Parties.Self(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// partyRequest adds a party: its card's text, or the name and kind of a
// party without Homeward.
type partyRequest struct {
	Card string             `json:"card,omitempty"`
	Name string             `json:"name,omitempty"`
	Kind homeward.PartyKind `json:"kind,omitempty"`
}

func (s *Server) apiPartyAdd(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Parties == nil {
		return errNoExchange
	}
	var req partyRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	var p *homeward.Party
	var err error
	if strings.TrimSpace(req.Card) != "" {
		if p, err = partyOfCard([]byte(req.Card), string(req.Kind)); err != nil {
			return err
		}
	} else {
		p = &homeward.Party{Name: strings.TrimSpace(req.Name), Kind: req.Kind}
	}
	if err := p.Validate(); err != nil {
		return err
	}
	if err := s.cfg.Parties.AddParty(r.Context(), p); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}

type confirmRequest struct {
	Fingerprint string `json:"fingerprint"`
	Version     int    `json:"version"`
}

func (s *Server) apiPartyConfirm(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Parties == nil {
		return errNoExchange
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req confirmRequest
	if err := decodeVersioned(w, r, &req, func() int { return req.Version }); err != nil {
		return err
	}
	p, err := s.cfg.Parties.ConfirmParty(r.Context(), id, req.Fingerprint, req.Version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

type reasonRequest struct {
	Reason  string `json:"reason"`
	Version int    `json:"version"`
}

func (s *Server) apiPartyRetire(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Parties == nil {
		return errNoExchange
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req reasonRequest
	if err := decodeVersioned(w, r, &req, func() int { return req.Version }); err != nil {
		return err
	}
	p, err := s.cfg.Parties.RetireParty(r.Context(), id, req.Reason, req.Version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// --- channels

func (s *Server) apiChannels(w http.ResponseWriter, r *http.Request) error {
	chs, err := s.cfg.Lists.FindChannels(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(chs))
	return nil
}

type channelRequest struct {
	Name          string `json:"name"`
	MediatorID    int64  `json:"mediator_id"`
	CounterpartID int64  `json:"counterpart_id"`
}

func (s *Server) apiChannelCreate(w http.ResponseWriter, r *http.Request) error {
	var req channelRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	ch := &homeward.Channel{Name: strings.TrimSpace(req.Name), MediatorID: req.MediatorID, CounterpartID: req.CounterpartID}
	if err := s.cfg.Lists.CreateChannel(r.Context(), ch); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, ch)
	return nil
}

// channelResponse is a channel with its phases, first first.
type channelResponse struct {
	*homeward.Channel
	Phases []*homeward.Phase `json:"phases"`
}

func (s *Server) apiChannelGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	ch, err := s.cfg.Lists.FindChannelByID(r.Context(), id)
	if err != nil {
		return err
	}
	ps, err := s.cfg.Lists.FindPhases(r.Context(), id)
	if err != nil {
		return err
	}
	if ps == nil {
		ps = []*homeward.Phase{}
	}
	writeJSON(w, http.StatusOK, channelResponse{Channel: ch, Phases: ps})
	return nil
}

func (s *Server) apiChannelSummary(w http.ResponseWriter, r *http.Request) error {
	return apiList(w, r, s.cfg.Lists.ChannelSummary)
}

type phaseRequest struct {
	Carry bool   `json:"carry"`
	Title string `json:"title"`
}

type phaseResponse struct {
	Phase   *homeward.Phase      `json:"phase"`
	Carried *homeward.ReturnList `json:"carried_list,omitempty"`
}

func (s *Server) apiPhaseOpen(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req phaseRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	p, l, err := s.cfg.Lists.OpenPhase(r.Context(), id, req.Carry, req.Title)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, phaseResponse{Phase: p, Carried: l})
	return nil
}

type bundleRequest struct {
	ToID int64 `json:"to_id"`
}

func (s *Server) apiChannelBundle(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Bundles == nil {
		return errNoExchange
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req bundleRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	b, err := s.cfg.Bundles.CreateBundle(r.Context(), id, req.ToID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, b)
	return nil
}

// --- lists

func (s *Server) apiLists(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f homeward.ListFilter
	if v := q.Get("channel_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return malformed("channel_id", "channel_id must be a number.")
		}
		f.ChannelID = id
	}
	switch d := homeward.ListDirection(q.Get("direction")); d {
	case "", homeward.ListOutgoing, homeward.ListIncoming, homeward.ListRelayed:
		f.Direction = d
	default:
		return malformed("direction", "direction must be outgoing, incoming or relayed.")
	}
	ls, err := s.cfg.Lists.FindLists(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(ls))
	return nil
}

// listRequest starts a list: in a phase of a channel (by ID, or by its
// number; neither is the latest).
type listRequest struct {
	ChannelID int64                      `json:"channel_id"`
	PhaseID   int64                      `json:"phase_id,omitempty"`
	Phase     int                        `json:"phase,omitempty"`
	Title     string                     `json:"title"`
	Profile   homeward.DisclosureProfile `json:"profile,omitempty"`
}

func (s *Server) apiListCreate(w http.ResponseWriter, r *http.Request) error {
	var req listRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	l := &homeward.ReturnList{ChannelID: req.ChannelID, PhaseID: req.PhaseID, Title: strings.TrimSpace(req.Title), Profile: req.Profile}
	if l.PhaseID == 0 && req.Phase != 0 {
		id, err := s.phaseID(r.Context(), req.ChannelID, req.Phase)
		if err != nil {
			return err
		}
		l.PhaseID = id
	}
	if err := s.cfg.Lists.CreateList(r.Context(), l); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, l)
	return nil
}

func (s *Server) apiListGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	l, err := s.cfg.Lists.FindListByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (s *Server) apiListEntries(w http.ResponseWriter, r *http.Request) error {
	return apiList(w, r, s.cfg.Lists.FindEntries)
}

type entriesRequest struct {
	CaseIDs []int64 `json:"case_ids"`
	Version int     `json:"version"`
}

// entriesResponse is the list after cases were added, and the linked
// siblings of those cases not on it yet.
type entriesResponse struct {
	List     *homeward.ReturnList `json:"list"`
	Siblings []int64              `json:"siblings"`
}

func (s *Server) apiListAddEntries(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req entriesRequest
	if err := decodeVersioned(w, r, &req, func() int { return req.Version }); err != nil {
		return err
	}
	l, sibs, err := s.cfg.Lists.AddEntries(r.Context(), id, req.CaseIDs, req.Version)
	if err != nil {
		return err
	}
	if sibs == nil {
		sibs = []int64{}
	}
	writeJSON(w, http.StatusOK, entriesResponse{List: l, Siblings: sibs})
	return nil
}

// apiListChange runs one versioned change of a list and answers the list.
func (s *Server) apiListChange(w http.ResponseWriter, r *http.Request, body any, version func() int,
	do func(id int64, version int) (*homeward.ReturnList, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := decodeVersioned(w, r, body, version); err != nil {
		return err
	}
	l, err := do(id, version())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (s *Server) apiListRemoveEntry(w http.ResponseWriter, r *http.Request) error {
	eid, err := pathInt(r, "eid")
	if err != nil {
		return err
	}
	var req versionRequest
	return s.apiListChange(w, r, &req, func() int { return req.Version }, func(id int64, version int) (*homeward.ReturnList, error) {
		return s.cfg.Lists.RemoveEntry(r.Context(), id, eid, version)
	})
}

type profileRequest struct {
	Profile homeward.DisclosureProfile `json:"profile"`
	Version int                        `json:"version"`
}

func (s *Server) apiListProfile(w http.ResponseWriter, r *http.Request) error {
	var req profileRequest
	return s.apiListChange(w, r, &req, func() int { return req.Version }, func(id int64, version int) (*homeward.ReturnList, error) {
		return s.cfg.Lists.SetProfile(r.Context(), id, req.Profile, version)
	})
}

func (s *Server) apiListSealRequest(w http.ResponseWriter, r *http.Request) error {
	var req versionRequest
	return s.apiListChange(w, r, &req, func() int { return req.Version }, func(id int64, version int) (*homeward.ReturnList, error) {
		return s.cfg.Lists.RequestSeal(r.Context(), id, version)
	})
}

func (s *Server) apiListSeal(w http.ResponseWriter, r *http.Request) error {
	var req versionRequest
	return s.apiListChange(w, r, &req, func() int { return req.Version }, func(id int64, version int) (*homeward.ReturnList, error) {
		return s.cfg.Lists.Seal(r.Context(), id, version)
	})
}

func (s *Server) apiListWithdraw(w http.ResponseWriter, r *http.Request) error {
	var req reasonRequest
	return s.apiListChange(w, r, &req, func() int { return req.Version }, func(id int64, version int) (*homeward.ReturnList, error) {
		return s.cfg.Lists.Withdraw(r.Context(), id, strings.TrimSpace(req.Reason), version)
	})
}

func (s *Server) apiListClose(w http.ResponseWriter, r *http.Request) error {
	var req versionRequest
	return s.apiListChange(w, r, &req, func() int { return req.Version }, func(id int64, version int) (*homeward.ReturnList, error) {
		return s.cfg.Lists.Close(r.Context(), id, version)
	})
}

func (s *Server) apiListSend(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Bundles == nil {
		return errNoExchange
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req versionRequest
	if err := decodeVersioned(w, r, &req, func() int { return req.Version }); err != nil {
		return err
	}
	b, err := s.cfg.Bundles.SendList(r.Context(), id, req.Version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, b)
	return nil
}

func (s *Server) apiListSendAnswers(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Bundles == nil {
		return errNoExchange
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b, err := s.cfg.Bundles.SendAnswers(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, b)
	return nil
}

func (s *Server) apiListRevisions(w http.ResponseWriter, r *http.Request) error {
	return apiList(w, r, s.cfg.Lists.Revisions)
}

func (s *Server) apiListRevision(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rev, err := strconv.Atoi(r.PathValue("rev"))
	if err != nil || rev < 1 {
		return homeward.Errorf(homeward.ENOTFOUND, "Not found.")
	}
	doc, err := s.cfg.Lists.RevisionDocument(r.Context(), id, rev)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, doc)
	return nil
}

func (s *Server) apiListDiff(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	from, err1 := strconv.Atoi(q.Get("from"))
	to, err2 := strconv.Atoi(q.Get("to"))
	if err1 != nil || err2 != nil {
		return malformed("revision", "Give the two revisions to compare (from and to).")
	}
	d, err := s.cfg.Lists.Diff(r.Context(), id, from, to)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// answerImportRefused is the body of a refused answer sheet: the error and
// the report naming each row.
type answerImportRefused struct {
	Error        apiErrorBody           `json:"error"`
	Report       *homeward.AnswerImport `json:"report"`
	Problems     []homeward.RowProblem  `json:"problems"`
	MoreProblems int                    `json:"more_problems,omitempty"`
}

// answerImportDone is the body of a recorded answer sheet; MoreProblems
// counts the problems beyond those listed.
type answerImportDone struct {
	*homeward.AnswerImport
	MoreProblems int `json:"more_problems,omitempty"`
}

func (s *Server) apiListImportAnswers(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	// Find the list before reading the sheet, as the page does: another
	// organisation's list is not found, whatever the file holds, and a
	// sheet is never parsed for someone who may not answer the list.
	if _, err := s.cfg.Lists.FindListByID(r.Context(), id); err != nil {
		return err
	}
	rows, problems, err := readAnswerSheet(w, r)
	if err != nil {
		return err
	}
	keepGood := r.FormValue("keep_good") != "" && r.FormValue("keep_good") != "false"
	rep, err := s.importAnswers(r.Context(), id, rows, problems, keepGood, "en")
	if err != nil {
		return err
	}
	res := &homeward.AnswerImport{Rows: rep.Rows, Recorded: rep.Recorded, Problems: rep.Problems}
	if res.Problems == nil {
		res.Problems = []homeward.RowProblem{}
	}
	if rep.Refused {
		writeJSON(w, http.StatusUnprocessableEntity, answerImportRefused{
			Error:  apiErrorBody{Code: homeward.EINVALID, Message: "The sheet has problems; nothing was recorded."},
			Report: res, Problems: res.Problems, MoreProblems: rep.More})
		return nil
	}
	writeJSON(w, http.StatusOK, answerImportDone{res, rep.More})
	return nil
}

func (s *Server) apiListBundles(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Bundles == nil {
		return errNoExchange
	}
	return apiList(w, r, s.cfg.Bundles.ListBundles)
}

// --- entries

func (s *Server) apiEntryGet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	e, err := s.cfg.Lists.FindEntryByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (s *Server) apiEntryAnswers(w http.ResponseWriter, r *http.Request) error {
	return apiList(w, r, s.cfg.Lists.FindAnswers)
}

func (s *Server) apiEntryAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var a homeward.Answer
	if err := decodeJSON(w, r, &a); err != nil {
		return err
	}
	// What the server keeps of its own is not the client's to set.
	a.ID, a.UID, a.EntryID, a.RecordedBy, a.SentIn = 0, "", id, 0, 0
	if a.Source == "" {
		a.Source = homeward.AnswerByHand
	}
	a.Normalize()
	if err := a.Validate(); err != nil {
		return err
	}
	if err := s.cfg.Lists.RecordAnswer(r.Context(), id, &a); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

func (s *Server) apiEntryCandidates(w http.ResponseWriter, r *http.Request) error {
	return apiList(w, r, s.cfg.Lists.FindCandidates)
}

// entryStep is an entry of an entry's history with its answers.
type entryStep struct {
	Entry   *homeward.ListEntry `json:"entry"`
	Answers []*homeward.Answer  `json:"answers"`
}

func (s *Server) apiEntryHistory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	chain, err := s.cfg.Lists.EntryHistory(r.Context(), id)
	if err != nil {
		return err
	}
	out := make([]entryStep, 0, len(chain))
	for _, e := range chain {
		as, err := s.cfg.Lists.FindAnswers(r.Context(), e.ID)
		if err != nil {
			return err
		}
		if as == nil {
			as = []*homeward.Answer{}
		}
		out = append(out, entryStep{Entry: e, Answers: as})
	}
	writeJSON(w, http.StatusOK, items(out))
	return nil
}

// --- bundles

func (s *Server) apiBundles(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Bundles == nil {
		return errNoExchange
	}
	q := r.URL.Query()
	f := homeward.BundleFilter{Direction: homeward.BundleDirection(q.Get("direction")), Status: homeward.BundleStatus(q.Get("status"))}
	switch f.Direction {
	case "", homeward.BundleIn, homeward.BundleOut:
	default:
		return malformed("direction", "direction must be in or out.")
	}
	switch f.Status {
	case "", homeward.BundleCreated, homeward.BundleReceived, homeward.BundleOpened, homeward.BundleHeld, homeward.BundleRefused:
	default:
		return malformed("status", "status must be created, received, opened, held or refused.")
	}
	if v := q.Get("channel_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return malformed("channel_id", "channel_id must be a number.")
		}
		f.ChannelID = id
	}
	limit, err := apiLimit(r)
	if err != nil {
		return err
	}
	f.Limit = limit
	bs, err := s.cfg.Bundles.FindBundles(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(bs))
	return nil
}

// apiBundleOpen opens a bundle sent as the whole body.
func (s *Server) apiBundleOpen(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Bundles == nil {
		return errNoExchange
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBundleUpload))
	if err != nil {
		return homeward.FieldErrorf(homeward.EINVALID, "bundle", "The file is too large.")
	}
	if len(data) == 0 {
		return homeward.FieldErrorf(homeward.EINVALID, "bundle", "Send the bundle file as the request body.")
	}
	b, err := s.cfg.Bundles.OpenBundle(r.Context(), data)
	if err != nil {
		if re, ok := isRefusal(err); ok {
			writeJSON(w, http.StatusUnprocessableEntity, apiError{Error: apiErrorBody{Code: homeward.EINVALID,
				Message: homeward.ErrorMessage(re.Err), Field: "bundle", Reason: re.Reason}})
			return nil
		}
		return err
	}
	writeJSON(w, http.StatusCreated, b)
	return nil
}

func (s *Server) apiBundleGet(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Bundles == nil {
		return errNoExchange
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b, err := s.cfg.Bundles.FindBundleByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

func (s *Server) apiBundleFile(w http.ResponseWriter, r *http.Request) error {
	return s.bundleFile(w, r)
}

func (s *Server) apiBundleAcceptGap(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Bundles == nil {
		return errNoExchange
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b, err := s.cfg.Bundles.AcceptGap(r.Context(), id)
	if re, ok := isRefusal(err); ok {
		// The held bundle, opened at last, may still be refused.
		writeJSON(w, http.StatusUnprocessableEntity, apiError{Error: apiErrorBody{Code: homeward.EINVALID,
			Message: homeward.ErrorMessage(re.Err), Field: "bundle", Reason: re.Reason}})
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

// --- welfare messages and tasks

// messageStates are the states a message filter may name.
var messageStates = map[homeward.MessageState]bool{homeward.MessageDraft: true, homeward.MessageApproved: true,
	homeward.MessageSent: true, homeward.MessageDelivered: true, homeward.MessageRead: true}

func (s *Server) apiMessages(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Welfare == nil {
		return errNoExchange
	}
	q := r.URL.Query()
	var f homeward.MessageFilter
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"case_id", &f.CaseID}, {"entry_id", &f.EntryID}} {
		if v := q.Get(p.name); v != "" {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return malformed(p.name, "The identifier must be a number.")
			}
			*p.dst = id
		}
	}
	f.State = homeward.MessageState(q.Get("state"))
	if _, ok := messageStates[f.State]; !ok && f.State != "" {
		return malformed("state", "state must be draft, approved, sent, delivered or read.")
	}
	ms, err := s.cfg.Welfare.FindMessages(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, items(ms))
	return nil
}

// messageRequest writes a welfare message: for a case of ours (case_id),
// or news of a child on a received list (entry_id). The photo, optional,
// is a JPEG or PNG in base64.
type messageRequest struct {
	CaseID  int64  `json:"case_id,omitempty"`
	EntryID int64  `json:"entry_id,omitempty"`
	Text    string `json:"text"`
	Photo   []byte `json:"photo,omitempty"`
}

// maxMessageJSON bounds a message's JSON body: the photo in base64 and the text.
const maxMessageJSON = homeward.MaxMessagePhoto*4/3 + 1<<16

func (s *Server) apiMessageWrite(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Welfare == nil {
		return errNoExchange
	}
	var req messageRequest
	if err := decodeJSONUpTo(w, r, &req, maxMessageJSON); err != nil {
		return err
	}
	m := &homeward.WelfareMessage{CaseID: req.CaseID, EntryID: req.EntryID, Text: strings.TrimSpace(req.Text)}
	if len(req.Photo) > 0 {
		m.Photo, m.PhotoType = req.Photo, http.DetectContentType(req.Photo)
	}
	if err := m.Validate(); err != nil {
		return err
	}
	if err := s.cfg.Welfare.WriteMessage(r.Context(), m); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (s *Server) apiMessageApprove(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Welfare == nil {
		return errNoExchange
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req versionRequest
	if err := decodeVersioned(w, r, &req, func() int { return req.Version }); err != nil {
		return err
	}
	m, err := s.cfg.Welfare.ApproveMessage(r.Context(), id, req.Version)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) apiMessageRead(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Welfare == nil {
		return errNoExchange
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	m, err := s.cfg.Welfare.MarkRead(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) apiTasks(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Lists == nil {
		return errNoExchange
	}
	return apiList(w, r, s.cfg.Lists.FindTasks)
}

type taskRequest struct {
	Note string `json:"note"`
}

func (s *Server) apiTaskDone(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Lists == nil {
		return errNoExchange
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req taskRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	t, err := s.cfg.Lists.CompleteTask(r.Context(), id, req.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}
