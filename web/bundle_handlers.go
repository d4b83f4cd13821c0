package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/homeward-project/homeward"
)

// maxBundleUpload bounds an uploaded bundle: the largest lists carried so
// far, with photos, are far below it.
const maxBundleUpload = 256 << 20

// bundleListLimit bounds each box of the bundles page.
const bundleListLimit = 200

type bundlesData struct {
	In           []*homeward.Bundle
	Out          []*homeward.Bundle
	PartyNames   map[int64]string
	ChannelNames map[int64]string
	CanAcceptGap bool
	MaxMB        int
	Opened       *homeward.Bundle // the bundle just uploaded
}

func (s *Server) bundleList(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Bundles == nil {
		return errNoExchange
	}
	return s.renderBundles(w, r, http.StatusOK, nil, nil)
}

// channelNames maps channel IDs to names for a page.
func (s *Server) channelNames(r *http.Request) map[int64]string {
	names := map[int64]string{}
	chs, err := s.cfg.Lists.FindChannels(r.Context())
	if err != nil {
		return names
	}
	for _, c := range chs {
		names[c.ID] = c.Name
	}
	return names
}

func (s *Server) renderBundles(w http.ResponseWriter, r *http.Request, status int, opened *homeward.Bundle, formErr error) error {
	ctx := r.Context()
	v := s.view(r, "bundles")
	v.Path = "/bundles"
	v.Title = v.T("Bundles")
	if formErr != nil {
		v.setError(formErr)
		if re, ok := isRefusal(formErr); ok {
			v.Error = v.T("The bundle was refused: %s.", v.loc.label("refusal", re.Reason)) + " " + v.errorText(re.Err)
		}
	}
	d := bundlesData{CanAcceptGap: v.User.Role.IsSupervisorRank(), MaxMB: maxBundleUpload >> 20, Opened: opened}
	var err error
	if d.In, err = s.cfg.Bundles.FindBundles(ctx, homeward.BundleFilter{Direction: homeward.BundleIn, Limit: bundleListLimit}); err != nil {
		return err
	}
	if d.Out, err = s.cfg.Bundles.FindBundles(ctx, homeward.BundleFilter{Direction: homeward.BundleOut, Limit: bundleListLimit}); err != nil {
		return err
	}
	d.PartyNames, _ = s.partyNames(ctx)
	d.ChannelNames = s.channelNames(r)
	if opened != nil {
		switch opened.Status {
		case homeward.BundleHeld:
			v.Flash = v.T("The bundle is held: earlier bundles of its sender are missing.")
		default:
			v.Flash = v.T("The bundle was opened: %d documents.", opened.Documents)
		}
	}
	v.D = d
	s.render(w, r, status, "bundles", v)
	return nil
}

// readBundleUpload reads the "bundle" part of the upload form.
func readBundleUpload(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBundleUpload+1<<20)
	f, _, err := r.FormFile("bundle")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, homeward.FieldErrorf(homeward.EINVALID, "bundle", "The file is too large.")
		}
		return nil, homeward.FieldErrorf(homeward.EINVALID, "bundle", "Choose a bundle file (.hwb).")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxBundleUpload+1))
	switch {
	case err != nil:
		return nil, homeward.FieldErrorf(homeward.EINVALID, "bundle", "The file could not be read.")
	case len(data) > maxBundleUpload:
		return nil, homeward.FieldErrorf(homeward.EINVALID, "bundle", "The file is too large.")
	case len(data) == 0:
		return nil, homeward.FieldErrorf(homeward.EINVALID, "bundle", "Choose a bundle file (.hwb).")
	}
	return data, nil
}

func (s *Server) bundleUpload(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Bundles == nil {
		return errNoExchange
	}
	data, err := readBundleUpload(w, r)
	var b *homeward.Bundle
	if err == nil {
		b, err = s.cfg.Bundles.OpenBundle(r.Context(), data)
	}
	switch {
	case err == nil:
		return s.renderBundles(w, r, http.StatusOK, b, nil)
	case userError(err):
		return s.renderBundles(w, r, statusOf(err), nil, err)
	}
	return err
}

type bundleData struct {
	B          *homeward.Bundle
	Kinds      []countLine
	PartyNames map[int64]string
	Channel    string
	CanAccept  bool
	FileName   string
}

func (s *Server) bundleShow(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Bundles == nil {
		return errNoExchange
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.renderBundle(w, r, id, http.StatusOK, nil)
}

func (s *Server) renderBundle(w http.ResponseWriter, r *http.Request, id int64, status int, formErr error) error {
	b, err := s.cfg.Bundles.FindBundleByID(r.Context(), id)
	if err != nil {
		return err
	}
	v := s.view(r, "bundles")
	v.Path = fmt.Sprintf("/bundles/%d", id)
	v.Title = v.T("Bundle %d", b.ID)
	if formErr != nil {
		v.setError(formErr)
	}
	d := bundleData{B: b, CanAccept: b.Status == homeward.BundleHeld && v.User.Role.IsSupervisorRank()}
	d.PartyNames, _ = s.partyNames(r.Context())
	d.Channel = s.channelNames(r)[b.ChannelID]
	kinds := make([]string, 0, len(b.Kinds))
	for k := range b.Kinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		d.Kinds = append(d.Kinds, countLine{Label: v.loc.label("doc", k), N: b.Kinds[k]})
	}
	if b.Direction == homeward.BundleOut {
		d.FileName = s.bundleFileName(r, b)
	}
	v.D = d
	s.render(w, r, status, "bundle_show", v)
	return nil
}

// bundleFileName names a bundle file as it leaves:
// homeward-<channel uid>-<sequence>-<recipient>.hwb.
func (s *Server) bundleFileName(r *http.Request, b *homeward.Bundle) string {
	ch := fmt.Sprintf("channel%d", b.ChannelID)
	if c, err := s.cfg.Lists.FindChannelByID(r.Context(), b.ChannelID); err == nil {
		ch = c.UID
	}
	to := fmt.Sprintf("party%d", b.ToID)
	if s.cfg.Parties != nil {
		if p, err := s.cfg.Parties.FindPartyByID(r.Context(), b.ToID); err == nil {
			if slug := slugName(p.Name); slug != "" {
				to = slug
			}
		}
	}
	return "homeward-" + asciiName(ch) + "-" + strconv.FormatInt(b.Sequence, 10) + "-" + to + ".hwb"
}

// slugName folds a party's name into the letters, digits and dashes a
// file name keeps everywhere; a name in another script folds to "".
func slugName(name string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(name) {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b.WriteRune(c)
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// bundleFile downloads a bundle made here; the store records the download.
func (s *Server) bundleFile(w http.ResponseWriter, r *http.Request) error {
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
	data, err := s.cfg.Bundles.BundleFile(r.Context(), id)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", `attachment; filename="`+s.bundleFileName(r, b)+`"`)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(data)
	return err
}

func (s *Server) bundleAcceptGap(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Bundles == nil {
		return errNoExchange
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b, err := s.cfg.Bundles.AcceptGap(r.Context(), id)
	switch {
	case err == nil:
		http.Redirect(w, r, fmt.Sprintf("/bundles/%d", b.ID), http.StatusSeeOther)
		return nil
	case userError(err):
		return s.renderBundle(w, r, id, statusOf(err), err)
	}
	return err
}
