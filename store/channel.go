package store

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/homeward-project/homeward"
)

// ListService keeps channels, phases, return lists, their entries and
// answers, and the tasks answers open; it implements homeward.ListService.
type ListService struct{ db *DB }

var _ homeward.ListService = (*ListService)(nil)

// NewListService returns the list service of db.
func NewListService(db *DB) *ListService { return &ListService{db: db} }

// canExchange authorises building and sending lists and opening bundles.
func canExchange(a homeward.Actor) error {
	switch {
	case a.System:
		return nil
	case a.UserID == 0:
		return errNoActor
	case !a.Role.CanExchange():
		return homeward.Errorf(homeward.EFORBIDDEN, "Only liaisons, supervisors and administrators work with return lists and bundles.")
	}
	return nil
}

// crockford is the base32 alphabet without the letters people misread
// (I, L, O, U), for references read out and typed in.
var crockford = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// newUID returns a random identifier of n characters after prefix.
func newUID(prefix string, n int) string {
	b := make([]byte, (n*5+7)/8)
	rand.Read(b)
	return prefix + crockford.EncodeToString(b)[:n]
}

const channelColumns = `ch.id, ch.uid, ch.org_id, ch.name, ch.origin_id, ch.mediator_id, ch.counterpart_id, ch.created_by, ch.created_at,
	(SELECT p.id FROM parties p WHERE p.self)`

func scanChannel(r rowScanner) (*homeward.Channel, error) {
	var c homeward.Channel
	var self *int64
	if err := r.Scan(&c.ID, &c.UID, &c.OrgID, &c.Name, &c.OriginID, &c.MediatorID, &c.CounterpartID, &c.CreatedBy, timeScan{&c.CreatedAt}, &self); err != nil {
		return nil, err
	}
	if self != nil {
		c.Role = c.RoleOf(*self)
	}
	return &c, nil
}

// channelOf reads a channel the actor's organisation holds.
func channelOf(ctx context.Context, q queryer, a homeward.Actor, id int64) (*homeward.Channel, error) {
	c, err := scanChannel(q.QueryRowContext(ctx, `SELECT `+channelColumns+` FROM channels ch WHERE ch.id = $1`, id))
	if err != nil {
		return nil, scanErr(err, "channel", id)
	}
	if !a.System && c.OrgID != a.OrgID {
		return nil, notFound("channel", id)
	}
	return c, nil
}

// CreateChannel opens a channel from this installation, the origin, through
// a mediator to a counterpart, with its first phase.
func (s *ListService) CreateChannel(ctx context.Context, ch *homeward.Channel) error {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return err
	}
	nc := *ch
	nc.Name = strings.TrimSpace(nc.Name)
	err := s.db.write(ctx, func(t *tx) error {
		self, err := scanParty(t.QueryRowContext(ctx, `SELECT `+partyColumns+` FROM parties WHERE self`))
		if err != nil {
			return homeward.Errorf(homeward.EINVALID, "This installation has no party identity yet: an administrator runs “homeward party init” first.")
		}
		nc.OriginID = self.ID
		if err := nc.Validate(); err != nil {
			return err
		}
		if err := checkText(&nc); err != nil {
			return err
		}
		for _, c := range []struct {
			id            int64
			field, role   string
			kind          homeward.PartyKind
			kindMustMatch bool
		}{{nc.MediatorID, "mediator_id", "mediator", homeward.PartyMediator, true}, {nc.CounterpartID, "counterpart_id", "counterpart", homeward.PartyCounterpart, false}} {
			p, err := partyByID(ctx, t, c.id)
			if err != nil {
				return homeward.FieldErrorf(homeward.EINVALID, c.field, "Choose a known party as the %s.", c.role)
			}
			switch {
			case p.RetiredAt != nil:
				return homeward.FieldErrorf(homeward.EINVALID, c.field, "The party %s is retired.", p.Name)
			case p.Online() && !p.Trusted():
				return homeward.FieldErrorf(homeward.EINVALID, c.field, "Confirm the fingerprint of %s before opening a channel with it.", p.Name)
			case c.kindMustMatch && p.Kind != c.kind:
				return homeward.FieldErrorf(homeward.EINVALID, c.field, "%s is not a mediator.", p.Name)
			}
		}
		if !a.System || nc.OrgID == 0 {
			nc.OrgID = a.OrgID
		}
		if nc.OrgID == 0 {
			return homeward.FieldErrorf(homeward.EINVALID, "org_id", "Organisation is required.")
		}
		nc.UID, nc.CreatedBy, nc.CreatedAt, nc.Role = newUID("CH-", 10), a.UserID, t.at, homeward.RoleOrigin
		if err := t.insertChannel(ctx, &nc); err != nil {
			return err
		}
		if _, err := t.insertPhase(ctx, nc.ID, 1, nc.OrgID); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	*ch = nc
	return nil
}

func (t *tx) insertChannel(ctx context.Context, c *homeward.Channel) error {
	if err := t.QueryRowContext(ctx, `INSERT INTO channels (uid, org_id, name, origin_id, mediator_id, counterpart_id, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, c.UID, c.OrgID, c.Name, c.OriginID, c.MediatorID, c.CounterpartID,
		c.CreatedBy, t.db.tv(c.CreatedAt)).Scan(&c.ID); err != nil {
		if isUniqueViolation(err) {
			return homeward.Errorf(homeward.ECONFLICT, "A channel with this identifier already exists.")
		}
		return fmt.Errorf("insert channel: %w", err)
	}
	return t.appendEvent(ctx, homeward.EntityChannel, c.ID, homeward.ActionChannelCreate, c.OrgID, map[string]any{
		"uid": c.UID, "name": c.Name, "origin": c.OriginID, "mediator": c.MediatorID, "counterpart": c.CounterpartID})
}

func (t *tx) insertPhase(ctx context.Context, channelID int64, n int, org int64) (*homeward.Phase, error) {
	p := &homeward.Phase{ChannelID: channelID, Number: n, OpenedBy: t.actor.UserID, OpenedAt: t.at}
	if err := t.QueryRowContext(ctx, `INSERT INTO phases (channel_id, number, opened_by, opened_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		channelID, n, p.OpenedBy, t.db.tv(t.at)).Scan(&p.ID); err != nil {
		if isUniqueViolation(err) {
			return nil, homeward.Errorf(homeward.ECONFLICT, "Phase %d of the channel is already open.", n)
		}
		return nil, fmt.Errorf("insert phase: %w", err)
	}
	return p, t.appendEvent(ctx, homeward.EntityChannel, channelID, homeward.ActionPhaseOpen, org, map[string]any{"phase": n})
}

// phaseOf returns the phase n of a channel, opening it when a received list
// is the first news of it.
func (t *tx) phaseOf(ctx context.Context, channelID int64, n int, org int64) (*homeward.Phase, error) {
	var p homeward.Phase
	err := t.QueryRowContext(ctx, `SELECT id, channel_id, number, opened_by, opened_at FROM phases WHERE channel_id = $1 AND number = $2`,
		channelID, n).Scan(&p.ID, &p.ChannelID, &p.Number, &p.OpenedBy, timeScan{&p.OpenedAt})
	if err == nil {
		return &p, nil
	}
	if err := scanErr(err, "phase", int64(n)); homeward.ErrorCode(err) != homeward.ENOTFOUND {
		return nil, err
	}
	return t.insertPhase(ctx, channelID, n, org)
}

// FindChannels returns the channels of the actor's organisation.
func (s *ListService) FindChannels(ctx context.Context) ([]*homeward.Channel, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	q, args := `SELECT `+channelColumns+` FROM channels ch`, []any{}
	if !a.System {
		q, args = q+` WHERE ch.org_id = $1`, append(args, a.OrgID)
	}
	rows, err := s.db.db.QueryContext(ctx, q+` ORDER BY ch.created_at DESC, ch.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("find channels: %w", err)
	}
	defer rows.Close()
	var out []*homeward.Channel
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			return nil, fmt.Errorf("read channel: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// FindChannelByID returns a channel of the actor's organisation.
func (s *ListService) FindChannelByID(ctx context.Context, id int64) (*homeward.Channel, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	return channelOf(ctx, s.db.db, a, id)
}

// FindPhases returns a channel's phases, first first.
func (s *ListService) FindPhases(ctx context.Context, channelID int64) ([]*homeward.Phase, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	if _, err := channelOf(ctx, s.db.db, a, channelID); err != nil {
		return nil, err
	}
	return phasesOf(ctx, s.db, channelID)
}

func phasesOf(ctx context.Context, db *DB, channelID int64) ([]*homeward.Phase, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id, channel_id, number, opened_by, opened_at FROM phases WHERE channel_id = $1 ORDER BY number`, channelID)
	if err != nil {
		return nil, fmt.Errorf("find phases: %w", err)
	}
	defer rows.Close()
	var out []*homeward.Phase
	for rows.Next() {
		var p homeward.Phase
		if err := rows.Scan(&p.ID, &p.ChannelID, &p.Number, &p.OpenedBy, timeScan{&p.OpenedAt}); err != nil {
			return nil, fmt.Errorf("read phase: %w", err)
		}
		out = append(out, &p)
	}
	return out, rows.Err()
}

// ChannelSummary counts each phase's entries by direction and state, and
// by answer.
func (s *ListService) ChannelSummary(ctx context.Context, channelID int64) ([]*homeward.PhaseSummary, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	if _, err := channelOf(ctx, s.db.db, a, channelID); err != nil {
		return nil, err
	}
	phases, err := phasesOf(ctx, s.db, channelID)
	if err != nil {
		return nil, err
	}
	lists, err := s.findLists(ctx, a, homeward.ListFilter{ChannelID: channelID})
	if err != nil {
		return nil, err
	}
	byPhase := map[int64]*homeward.PhaseSummary{}
	out := make([]*homeward.PhaseSummary, 0, len(phases))
	for i := len(phases) - 1; i >= 0; i-- {
		ps := &homeward.PhaseSummary{Phase: phases[i], Lists: []*homeward.ReturnList{}, ByState: map[string]int{}, ByCode: map[string]int{}}
		byPhase[phases[i].ID] = ps
		out = append(out, ps)
	}
	for _, l := range lists {
		if ps := byPhase[l.PhaseID]; ps != nil {
			ps.Lists = append(ps.Lists, l)
		}
	}
	rows, err := s.db.db.QueryContext(ctx, `SELECT l.phase_id, l.direction, e.state, e.answer, count(*) FROM list_entries e
		JOIN return_lists l ON l.id = e.list_id WHERE l.channel_id = $1 AND e.removed_revision = 0
		GROUP BY l.phase_id, l.direction, e.state, e.answer`, channelID)
	if err != nil {
		return nil, fmt.Errorf("count entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var phase int64
		var dir, state, answer string
		var n int
		if err := rows.Scan(&phase, &dir, &state, &answer, &n); err != nil {
			return nil, fmt.Errorf("count entries: %w", err)
		}
		if ps := byPhase[phase]; ps != nil {
			ps.ByState[dir+"."+state] += n
			if answer != "" {
				ps.ByCode[dir+"."+answer] += n
			}
		}
	}
	return out, rows.Err()
}

// OpenPhase opens the next phase of a channel; with carry, a draft list of
// it takes the previous phase's entries still waiting for an answer that
// lets them go: unanswered, "more identifiers needed", "deferred" and "no
// record". Each carried entry keeps a link to the one it continues.
func (s *ListService) OpenPhase(ctx context.Context, channelID int64, carry bool, title string) (*homeward.Phase, *homeward.ReturnList, error) {
	title = strings.TrimSpace(title)
	if len([]rune(title)) > 200 {
		return nil, nil, homeward.FieldErrorf(homeward.EINVALID, "title", "The title is longer than %d characters.", 200)
	}
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return nil, nil, err
	}
	var phase *homeward.Phase
	var carried *homeward.ReturnList
	err := s.db.write(ctx, func(t *tx) error {
		ch, err := channelOf(ctx, t, a, channelID)
		if err != nil {
			return err
		}
		var last int
		if err := t.QueryRowContext(ctx, `SELECT coalesce(max(number), 0) FROM phases WHERE channel_id = $1`, ch.ID).Scan(&last); err != nil {
			return fmt.Errorf("find last phase: %w", err)
		}
		if phase, err = t.insertPhase(ctx, ch.ID, last+1, ch.OrgID); err != nil {
			return err
		}
		if !carry || last == 0 || ch.Role == homeward.RoleMediator {
			return nil
		}
		old, err := t.db.queryEntries(ctx, t, `SELECT `+entryColumns+` FROM list_entries e JOIN return_lists l ON l.id = e.list_id
			JOIN phases ph ON ph.id = l.phase_id WHERE l.channel_id = $1 AND ph.number = $2 AND `+sealedEntry+` AND e.carried_to_id = 0
			ORDER BY l.id, e.position`, ch.ID, last)
		if err != nil {
			return err
		}
		var take []*homeward.ListEntry
		for _, e := range old {
			var stage homeward.Stage
			if err := t.QueryRowContext(ctx, `SELECT stage FROM cases WHERE id = $1`, e.CaseID).Scan(&stage); err != nil {
				return fmt.Errorf("read case %d: %w", e.CaseID, err)
			}
			if e.Answer.CarriedForward() && stage != homeward.StageClosed {
				take = append(take, e)
			}
		}
		if len(take) == 0 {
			return nil
		}
		var profile homeward.DisclosureProfile
		if err := t.QueryRowContext(ctx, `SELECT profile FROM return_lists WHERE id = $1`, take[0].ListID).Scan(&profile); err != nil {
			return fmt.Errorf("read list: %w", err)
		}
		self, err := scanParty(t.QueryRowContext(ctx, `SELECT `+partyColumns+` FROM parties WHERE self`))
		if err != nil {
			return fmt.Errorf("read own party: %w", err)
		}
		carried = &homeward.ReturnList{
			UID: newUID("L", 8), OrgID: ch.OrgID, ChannelID: ch.ID, PhaseID: phase.ID, Phase: phase.Number,
			Direction: homeward.ListOutgoing, AuthorID: self.ID, Profile: profile,
			Title: title,
		}
		if carried.Title == "" {
			// The store does not know the reader's language: the
			// channel's own name and the phase's number say it.
			carried.Title = fmt.Sprintf("%s — %d", ch.Name, phase.Number)
		}
		if err := t.insertList(ctx, carried); err != nil {
			return err
		}
		var refs []map[string]string
		for i, e := range take {
			ne := &homeward.ListEntry{ListID: carried.ID, Ref: fmt.Sprintf("%s-%04d", carried.UID, i+1), Position: i + 1, CaseID: e.CaseID,
				AddedRevision: 1, CarriedFrom: e.Ref, CarriedFromID: e.ID}
			person, err := json.Marshal(e.Person)
			if err != nil {
				return err
			}
			if err := t.insertEntry(ctx, ne, person); err != nil {
				return err
			}
			if _, err := t.ExecContext(ctx, `UPDATE list_entries SET carried_to_id = $1, updated_at = $2 WHERE id = $3`, ne.ID, s.db.tv(t.at), e.ID); err != nil {
				return fmt.Errorf("link carried entry: %w", err)
			}
			refs = append(refs, map[string]string{"from": e.Ref, "to": ne.Ref})
			if err := t.appendEvent(ctx, homeward.EntityCase, e.CaseID, homeward.ActionListCarryForward, ch.OrgID, map[string]any{
				"list_id": carried.ID, "ref": ne.Ref, "from": e.Ref, "answer": e.Answer}); err != nil {
				return err
			}
		}
		carried.Entries = len(take)
		return t.appendEvent(ctx, homeward.EntityList, carried.ID, homeward.ActionListCarryForward, ch.OrgID, map[string]any{"entries": refs, "from_phase": last})
	})
	if err != nil {
		return nil, nil, err
	}
	return phase, carried, nil
}
