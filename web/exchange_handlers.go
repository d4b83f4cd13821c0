package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/homeward-project/homeward"
)

// Linker finds the candidates of a received list's entries among our
// records again (matching.EntryLinker), for the button on a received list.
type Linker interface {
	LinkList(ctx context.Context, listID int64) (int, error)
}

// errNoExchange answers for the exchange pages of a server built without
// the exchange services.
var errNoExchange = homeward.Errorf(homeward.ENOTFOUND, "Not found.")

// errNotExchange refuses the exchange pages to the roles that do not
// build lists or open bundles; the services check again.
var errNotExchange = homeward.Errorf(homeward.EFORBIDDEN, "Only liaisons, supervisors and administrators work with return lists and bundles.")

func (s *Server) exchangeRoutes() {
	s.handle("GET /exchange", s.page(s.exchangeOnly(s.exchangeHome)))
	s.handle("POST /channels", s.page(s.exchangeOnly(s.channelCreate)))
	s.handle("GET /channels/{id}", s.page(s.exchangeOnly(s.channelShow)))
	s.handle("POST /channels/{id}/phases", s.page(s.exchangeOnly(s.phaseOpen)))
	s.handle("POST /channels/{id}/bundles", s.page(s.exchangeOnly(s.channelBundle)))

	s.handle("POST /lists", s.page(s.exchangeOnly(s.listCreate)))
	s.handle("GET /lists/{id}", s.page(s.exchangeOnly(s.listShow)))
	s.handle("POST /lists/{id}/entries", s.page(s.exchangeOnly(s.listAddEntries)))
	s.handle("POST /lists/{id}/entries/{eid}/remove", s.page(s.exchangeOnly(s.listRemoveEntry)))
	s.handle("POST /lists/{id}/profile", s.page(s.exchangeOnly(s.listProfile)))
	s.handle("POST /lists/{id}/seal-request", s.page(s.exchangeOnly(s.listSealRequest)))
	s.handle("POST /lists/{id}/seal", s.page(s.exchangeOnly(s.listSeal)))
	s.handle("POST /lists/{id}/send", s.page(s.exchangeOnly(s.listSend)))
	s.handle("POST /lists/{id}/send-answers", s.page(s.exchangeOnly(s.listSendAnswers)))
	s.handle("POST /lists/{id}/link", s.page(s.exchangeOnly(s.listLink)))
	s.handle("POST /lists/{id}/withdraw", s.page(s.exchangeOnly(s.listWithdraw)))
	s.handle("POST /lists/{id}/close", s.page(s.exchangeOnly(s.listClose)))
	s.handle("GET /lists/{id}/diff", s.page(s.exchangeOnly(s.listDiff)))
	s.handle("GET /lists/{id}/sheet.xlsx", s.page(s.exchangeOnly(s.listSheet)))
	s.handle("GET /lists/{id}/print.pdf", s.page(s.exchangeOnly(s.listPrint)))
	s.handle("POST /lists/{id}/answers/import", s.page(s.exchangeOnly(s.listImportAnswers)))

	s.handle("GET /entries/{id}", s.page(s.exchangeOnly(s.entryShow)))
	s.handle("POST /entries/{id}/answers", s.page(s.exchangeOnly(s.entryAnswer)))
	s.handle("POST /entries/{id}/messages", s.page(s.exchangeOnly(s.entryMessage)))

	s.handle("GET /bundles", s.page(s.exchangeOnly(s.bundleList)))
	s.handle("POST /bundles", s.page(s.exchangeOnly(s.bundleUpload)))
	s.handle("GET /bundles/{id}", s.page(s.exchangeOnly(s.bundleShow)))
	s.handle("GET /bundles/{id}/file", s.page(s.exchangeOnly(s.bundleFile)))
	s.handle("POST /bundles/{id}/accept-gap", s.page(s.exchangeOnly(s.bundleAcceptGap)))

	s.handle("GET /parties", s.page(s.exchangeOnly(s.partyList)))
	s.handle("POST /parties", s.page(s.exchangeOnly(s.partyAdd)))
	s.handle("POST /parties/{id}/confirm", s.page(s.exchangeOnly(s.partyConfirm)))
	s.handle("POST /parties/{id}/retire", s.page(s.exchangeOnly(s.partyRetire)))

	// The exchange as the case page shows it: caseworkers see and do this
	// part too (the services say who may do what).
	s.handle("POST /cases/{id}/lists", s.page(s.exchangeOnly(s.caseAddToList)))
	s.handle("POST /cases/{id}/messages", s.page(s.caseMessage))
	s.handle("POST /tasks/{id}/done", s.page(s.taskDone))
	s.handle("POST /messages/{id}/approve", s.page(s.messageApprove))
	s.handle("POST /messages/{id}/read", s.page(s.messageRead))
	s.handle("GET /messages/{id}/photo", s.page(s.messagePhoto))
}

// exchangeOnly refuses a page of the exchange to the roles that do not
// exchange (caseworkers, analysts), and answers 404 on a server without
// the list service.
func (s *Server) exchangeOnly(h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.cfg.Lists == nil {
			return errNoExchange
		}
		if u := userFrom(r.Context()); u == nil || !u.Role.CanExchange() {
			return errNotExchange
		}
		return h(w, r)
	}
}

// pathInt reads a positive number from the path; anything else is a page
// that does not exist.
func pathInt(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, homeward.Errorf(homeward.ENOTFOUND, "Not found.")
	}
	return id, nil
}

// formVersion reads the version a form was rendered with.
func formVersion(r *http.Request) (int, error) {
	v, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil {
		return 0, malformed("version", "The form could not be read.")
	}
	return v, nil
}

// formID reads an optional ID field of a form; empty is 0.
func formID(r *http.Request, field string) (int64, error) {
	v := strings.TrimSpace(r.PostFormValue(field))
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		return 0, malformed(field, "The form could not be read.")
	}
	return id, nil
}

// userError reports whether err is one the user can act on, so that the
// page is shown again with it rather than an error page.
func userError(err error) bool {
	switch homeward.ErrorCode(err) {
	case homeward.EINVALID, homeward.EFORBIDDEN, homeward.ECONFLICT:
		return true
	}
	return false
}

// partyNames maps the parties' IDs to their names for a page; an error
// leaves it empty, as the names are a convenience.
func (s *Server) partyNames(ctx context.Context) (map[int64]string, []*homeward.Party) {
	names := map[int64]string{}
	if s.cfg.Parties == nil {
		return names, nil
	}
	ps, err := s.cfg.Parties.FindParties(ctx)
	if err != nil {
		return names, nil
	}
	for _, p := range ps {
		names[p.ID] = p.Name
	}
	return names, ps
}

// countLine is one count of a summary: what, and how many.
type countLine struct {
	Label string
	N     int
}

// phaseView is a phase of a channel at a glance.
type phaseView struct {
	P       *homeward.PhaseSummary
	ByState []countLine
	ByCode  []countLine
}

// countLines renders the counts of a summary, keyed "direction.value",
// as labelled lines in a stable order.
func (l *locale) countLines(m map[string]int, kind string) []countLine {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]countLine, 0, len(keys))
	for _, k := range keys {
		dir, v, _ := strings.Cut(k, ".")
		out = append(out, countLine{Label: l.label("direction", dir) + ": " + l.label(kind, v), N: m[k]})
	}
	return out
}

func (l *locale) phaseViews(sums []*homeward.PhaseSummary) []phaseView {
	out := make([]phaseView, 0, len(sums))
	for _, p := range sums {
		out = append(out, phaseView{P: p, ByState: l.countLines(p.ByState, "entrystate"), ByCode: l.countLines(p.ByCode, "answer")})
	}
	return out
}

// channelView is a channel with its phases.
type channelView struct {
	C      *homeward.Channel
	Phases []phaseView
}

type exchangeData struct {
	Channels     []channelView
	Mediators    []*homeward.Party
	Counterparts []*homeward.Party
	PartyNames   map[int64]string
	Form         url.Values
	NoSelf       bool
}

func (s *Server) exchangeHome(w http.ResponseWriter, r *http.Request) error {
	return s.renderExchange(w, r, http.StatusOK, url.Values{}, nil)
}

func (s *Server) renderExchange(w http.ResponseWriter, r *http.Request, status int, form url.Values, formErr error) error {
	ctx := r.Context()
	v := s.view(r, "exchange")
	v.Title = v.T("Exchange with mediators")
	if formErr != nil {
		v.setError(formErr)
	}
	d := exchangeData{Form: form}
	var parties []*homeward.Party
	d.PartyNames, parties = s.partyNames(ctx)
	for _, p := range parties {
		if p.Self || p.RetiredAt != nil {
			continue
		}
		if p.Kind == homeward.PartyMediator {
			d.Mediators = append(d.Mediators, p)
		}
		d.Counterparts = append(d.Counterparts, p)
	}
	if s.cfg.Parties != nil {
		if _, err := s.cfg.Parties.Self(ctx); homeward.ErrorCode(err) == homeward.ENOTFOUND {
			d.NoSelf = true
		}
	}
	chs, err := s.cfg.Lists.FindChannels(ctx)
	if err != nil {
		return err
	}
	for _, c := range chs {
		sums, err := s.cfg.Lists.ChannelSummary(ctx, c.ID)
		if err != nil {
			return err
		}
		d.Channels = append(d.Channels, channelView{C: c, Phases: v.loc.phaseViews(sums)})
	}
	v.D = d
	s.render(w, r, status, "exchange", v)
	return nil
}

func (s *Server) channelCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return malformed("", "The form could not be read.")
	}
	ch := &homeward.Channel{Name: strings.TrimSpace(r.PostForm.Get("name"))}
	var err error
	if ch.MediatorID, err = formID(r, "mediator_id"); err != nil {
		return err
	}
	if ch.CounterpartID, err = formID(r, "counterpart_id"); err != nil {
		return err
	}
	err = s.cfg.Lists.CreateChannel(r.Context(), ch)
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/channels/%d", ch.ID), http.StatusSeeOther)
		return nil
	case userError(err):
		return s.renderExchange(w, r, statusOf(err), r.PostForm, err)
	}
	return err
}

type channelData struct {
	C          *homeward.Channel
	Phases     []phaseView
	PartyNames map[int64]string
	// SendTo are the parties bundles of this channel go to from here: the
	// mediator from a side, both sides from the mediator.
	SendTo   []int64
	Profiles []homeward.DisclosureProfile
	Form     url.Values
	Bundles  bool
}

func (s *Server) channelShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.renderChannel(w, r, id, http.StatusOK, url.Values{}, nil)
}

func (s *Server) renderChannel(w http.ResponseWriter, r *http.Request, id int64, status int, form url.Values, formErr error) error {
	ctx := r.Context()
	c, err := s.cfg.Lists.FindChannelByID(ctx, id)
	if err != nil {
		return err
	}
	sums, err := s.cfg.Lists.ChannelSummary(ctx, id)
	if err != nil {
		return err
	}
	v := s.view(r, "exchange")
	v.Path = fmt.Sprintf("/channels/%d", id)
	v.Title = c.Name
	if formErr != nil {
		v.setError(formErr)
	}
	d := channelData{C: c, Phases: v.loc.phaseViews(sums), Profiles: homeward.DisclosureProfiles, Form: form, Bundles: s.cfg.Bundles != nil}
	d.PartyNames, _ = s.partyNames(ctx)
	if c.Role == homeward.RoleMediator {
		d.SendTo = []int64{c.OriginID, c.CounterpartID}
	} else {
		d.SendTo = []int64{c.MediatorID}
	}
	v.D = d
	s.render(w, r, status, "channel_show", v)
	return nil
}

func (s *Server) phaseOpen(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return malformed("", "The form could not be read.")
	}
	// The carried list is titled in the language of the person opening
	// the phase, after its number.
	phases, err := s.cfg.Lists.FindPhases(r.Context(), id)
	if err != nil {
		return err
	}
	next := 1
	for _, p := range phases {
		next = max(next, p.Number+1)
	}
	title := locales[s.langOf(r)].T("Phase %d: carried forward", next)
	_, carried, err := s.cfg.Lists.OpenPhase(r.Context(), id, r.PostForm.Get("carry") != "", title)
	switch {
	case err == nil && carried != nil:
		http.Redirect(w, r, fmt.Sprintf("/lists/%d", carried.ID), http.StatusSeeOther)
		return nil
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/channels/%d", id), http.StatusSeeOther)
		return nil
	case userError(err):
		return s.renderChannel(w, r, id, statusOf(err), r.PostForm, err)
	}
	return err
}

// channelBundle makes what waits for a party on the channel into a bundle.
func (s *Server) channelBundle(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Bundles == nil {
		return errNoExchange
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return malformed("", "The form could not be read.")
	}
	to, err := formID(r, "to_id")
	if err != nil {
		return err
	}
	b, err := s.cfg.Bundles.CreateBundle(r.Context(), id, to)
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/bundles/%d", b.ID), http.StatusSeeOther)
		return nil
	case userError(err):
		return s.renderChannel(w, r, id, statusOf(err), r.PostForm, err)
	}
	return err
}
