package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/exchange"
)

// maxCardUpload bounds an uploaded party card: a card is a few hundred
// bytes, and the parser refuses more than 16 KiB.
const maxCardUpload = 64 << 10

// partyView is a party with its status for the parties page.
type partyView struct {
	P      *homeward.Party
	Status string // trusted, unconfirmed, retired, offline
}

// partyStatus says where a party stands, in the words of the page.
func partyStatus(p *homeward.Party) string {
	switch {
	case p.RetiredAt != nil:
		return "retired"
	case !p.Online():
		return "offline"
	case p.Trusted():
		return "trusted"
	}
	return "unconfirmed"
}

type partiesData struct {
	Self      *homeward.Party
	SelfCard  string
	NoSelf    bool
	Parties   []partyView
	Names     map[int64]string
	CanManage bool
	Kinds     []homeward.PartyKind
	Form      url.Values
}

func (s *Server) partyList(w http.ResponseWriter, r *http.Request) error {
	v := s.view(r, "parties")
	flash := ""
	switch r.URL.Query().Get("added") {
	case "online":
		flash = v.T("The party was added. Compare its fingerprint with the party over another channel before you confirm it.")
	case "offline":
		flash = v.T("The party was added as a party without Homeward: it gets printed lists and spreadsheets, never bundles.")
	}
	return s.renderParties(w, r, http.StatusOK, url.Values{}, nil, flash)
}

func (s *Server) renderParties(w http.ResponseWriter, r *http.Request, status int, form url.Values, formErr error, flash string) error {
	if s.cfg.Parties == nil {
		return errNoExchange
	}
	ctx := r.Context()
	v := s.view(r, "parties")
	v.Path = "/parties"
	v.Title = v.T("Parties")
	if formErr != nil {
		v.setError(formErr)
	}
	v.Flash = flash
	d := partiesData{CanManage: v.User.Role == homeward.RoleAdmin, Kinds: homeward.PartyKinds, Form: form, Names: map[int64]string{}}
	self, err := s.cfg.Parties.Self(ctx)
	switch homeward.ErrorCode(err) {
	case "":
		d.Self = self
		if keys, err := exchange.PartyKeys(self); err == nil {
			d.SelfCard = exchange.Card{Name: self.Name, Kind: string(self.Kind), Keys: keys}.String()
		}
	case homeward.ENOTFOUND:
		d.NoSelf = true
	default:
		return err
	}
	ps, err := s.cfg.Parties.FindParties(ctx)
	if err != nil {
		return err
	}
	names := s.actorNames(r, v)
	for _, p := range ps {
		if p.Self {
			continue
		}
		d.Parties = append(d.Parties, partyView{P: p, Status: partyStatus(p)})
		if p.ConfirmedBy != 0 {
			d.Names[p.ConfirmedBy] = names.name(p.ConfirmedBy)
		}
		if p.RetiredBy != 0 {
			d.Names[p.RetiredBy] = names.name(p.RetiredBy)
		}
	}
	v.D = d
	s.render(w, r, status, "parties", v)
	return nil
}

// cardError turns a party card the parser refused into the form's error.
func cardError(err error) error {
	var ce *exchange.CardError
	if errors.As(err, &ce) {
		return homeward.FieldErrorf(homeward.EINVALID, "card", "The party card cannot be read: %s.", ce.Error())
	}
	return homeward.FieldErrorf(homeward.EINVALID, "card", "The party card cannot be read.")
}

// partyOfCard makes the party record of a pasted or uploaded card. The
// kind chosen in the form wins over the card's own, which is free text.
func partyOfCard(card []byte, kind string) (*homeward.Party, error) {
	c, err := exchange.ParseCard(card)
	if err != nil {
		return nil, cardError(err)
	}
	p := exchange.PartyOf(c)
	if kind != "" {
		p.Kind = homeward.PartyKind(kind)
	} else {
		p.Kind = homeward.PartyKind(strings.ToLower(strings.TrimSpace(c.Kind)))
	}
	return p, nil
}

// readPartyForm reads the form that adds a party: a card pasted or
// uploaded, or the name and kind of an offline party.
func readPartyForm(w http.ResponseWriter, r *http.Request) (*homeward.Party, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxCardUpload+1<<20)
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(maxCardUpload)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		return nil, malformed("", "The form could not be read.")
	}
	kind := r.PostFormValue("kind")
	card := strings.TrimSpace(r.PostFormValue("card"))
	if f, _, err := r.FormFile("card_file"); err == nil {
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, maxCardUpload))
		if err != nil {
			return nil, homeward.FieldErrorf(homeward.EINVALID, "card", "The file could not be read.")
		}
		if len(data) > 0 {
			card = string(data)
		}
	}
	if card != "" {
		return partyOfCard([]byte(card), kind)
	}
	p := &homeward.Party{Name: strings.TrimSpace(r.PostFormValue("name")), Kind: homeward.PartyKind(kind)}
	if p.Name == "" {
		return nil, homeward.FieldErrorf(homeward.EINVALID, "card", "Paste the party's card, upload its file, or give the name of a party without Homeward.")
	}
	return p, nil
}

func (s *Server) partyAdd(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Parties == nil {
		return errNoExchange
	}
	p, err := readPartyForm(w, r)
	if err == nil {
		if err = p.Validate(); err == nil {
			err = s.cfg.Parties.AddParty(r.Context(), p)
		}
	}
	switch {
	case err == nil:
		added := "online"
		if !p.Online() {
			added = "offline"
		}
		http.Redirect(w, r, fmt.Sprintf("/parties?added=%s#party-%d", added, p.ID), http.StatusSeeOther)
		return nil
	case userError(err):
		return s.renderParties(w, r, statusOf(err), r.PostForm, err, "")
	}
	return err
}

// partyChange confirms or retires a party from its form.
func (s *Server) partyChange(w http.ResponseWriter, r *http.Request, do func(id int64, version int) (*homeward.Party, error)) error {
	if s.cfg.Parties == nil {
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
	_, err = do(id, version)
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/parties#party-%d", id), http.StatusSeeOther)
		return nil
	case userError(err):
		return s.renderParties(w, r, statusOf(err), r.PostForm, err, "")
	}
	return err
}

func (s *Server) partyConfirm(w http.ResponseWriter, r *http.Request) error {
	return s.partyChange(w, r, func(id int64, version int) (*homeward.Party, error) {
		return s.cfg.Parties.ConfirmParty(r.Context(), id, r.PostForm.Get("fingerprint"), version)
	})
}

func (s *Server) partyRetire(w http.ResponseWriter, r *http.Request) error {
	return s.partyChange(w, r, func(id int64, version int) (*homeward.Party, error) {
		return s.cfg.Parties.RetireParty(r.Context(), id, strings.TrimSpace(r.PostForm.Get("reason")), version)
	})
}
