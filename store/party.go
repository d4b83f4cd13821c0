package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/homeward-project/homeward"
)

// PartyService keeps this installation's party and the parties it
// exchanges bundles with; it implements homeward.PartyService.
type PartyService struct{ db *DB }

var _ homeward.PartyService = (*PartyService)(nil)

// NewPartyService returns the party service of db.
func NewPartyService(db *DB) *PartyService { return &PartyService{db: db} }

const partyColumns = `id, name, kind, self, signing_key, age_key, fingerprint, confirmed_by, confirmed_at,
	retired_by, retired_at, retire_reason, version, created_by, created_at, updated_at`

func scanParty(r rowScanner) (*homeward.Party, error) {
	var p homeward.Party
	err := r.Scan(&p.ID, &p.Name, &p.Kind, &p.Self, &p.SigningKey, &p.AgeKey, &p.Fingerprint, &p.ConfirmedBy, timePtrScan{&p.ConfirmedAt},
		&p.RetiredBy, timePtrScan{&p.RetiredAt}, &p.RetireReason, &p.Version, &p.CreatedBy, timeScan{&p.CreatedAt}, timeScan{&p.UpdatedAt})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// canSeeParties lets the roles that exchange see parties and their keys.
func canSeeParties(a homeward.Actor) error {
	switch {
	case a.System:
		return nil
	case a.UserID == 0:
		return errNoActor
	case !a.Role.CanExchange():
		return homeward.Errorf(homeward.EFORBIDDEN, "Only liaisons, supervisors and administrators see the parties.")
	}
	return nil
}

// installationAdmin lets through the system and the administrators of the
// installation's first organisation, which runs it: trusting a party opens
// the installation to its bundles, for every organisation on it.
func (db *DB) installationAdmin(ctx context.Context, q queryer, a homeward.Actor) error {
	if err := isAdmin(a); err != nil {
		return err
	}
	if a.System {
		return nil
	}
	var first int64
	if err := q.QueryRowContext(ctx, `SELECT coalesce(min(id), 0) FROM orgs`).Scan(&first); err != nil {
		return fmt.Errorf("find the first organisation: %w", err)
	}
	if a.OrgID != first {
		return homeward.Errorf(homeward.EFORBIDDEN, "Only the administrators of the organisation that runs this installation manage parties.")
	}
	return nil
}

// Self returns this installation's party.
func (s *PartyService) Self(ctx context.Context) (*homeward.Party, error) {
	if err := signedIn(homeward.ActorFromContext(ctx)); err != nil {
		return nil, err
	}
	p, err := scanParty(s.db.db.QueryRowContext(ctx, `SELECT `+partyColumns+` FROM parties WHERE self`))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, homeward.Errorf(homeward.ENOTFOUND, "This installation has no party identity yet: run “homeward party init”.")
	} else if err != nil {
		return nil, fmt.Errorf("read own party: %w", err)
	}
	return p, nil
}

// InitSelf stores this installation's party and its sealed secret keys.
func (s *PartyService) InitSelf(ctx context.Context, p *homeward.Party, sealed []byte) error {
	a := homeward.ActorFromContext(ctx)
	if !a.System {
		return homeward.Errorf(homeward.EFORBIDDEN, "Only “homeward party init” makes the installation's identity.")
	}
	np := *p
	np.Self = true
	if np.Kind == "" {
		np.Kind = homeward.PartyAgency
	}
	if err := np.Validate(); err != nil {
		return err
	}
	if !np.Online() || len(sealed) == 0 {
		return homeward.Errorf(homeward.EINVALID, "The installation's party needs its keys.")
	}
	err := s.db.write(ctx, func(t *tx) error {
		var n int
		if err := t.QueryRowContext(ctx, `SELECT count(*) FROM parties WHERE self`).Scan(&n); err != nil {
			return fmt.Errorf("find own party: %w", err)
		}
		if n > 0 {
			return homeward.Errorf(homeward.ECONFLICT, "This installation already has its party identity; “homeward party show” prints it.")
		}
		if err := t.insertParty(ctx, &np); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO party_secrets (party_id, sealed, created_at) VALUES ($1, $2, $3)`,
			np.ID, sealed, s.db.tv(t.at)); err != nil {
			return fmt.Errorf("store sealed keys: %w", err)
		}
		return t.appendEvent(ctx, homeward.EntityParty, np.ID, homeward.ActionPartyInit, 0, partyEvent(&np))
	})
	if err != nil {
		return err
	}
	*p = np
	return nil
}

// partyEvent is what a party's events record: its public facts.
func partyEvent(p *homeward.Party) map[string]any {
	return map[string]any{"name": p.Name, "kind": p.Kind, "fingerprint": p.Fingerprint, "self": p.Self}
}

func (t *tx) insertParty(ctx context.Context, p *homeward.Party) error {
	p.Version, p.CreatedBy, p.CreatedAt, p.UpdatedAt = 1, t.actor.UserID, t.at, t.at
	err := t.QueryRowContext(ctx, `INSERT INTO parties (name, kind, self, signing_key, age_key, fingerprint, confirmed_by, confirmed_at,
		version, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		p.Name, string(p.Kind), p.Self, p.SigningKey, p.AgeKey, p.Fingerprint, p.ConfirmedBy, t.db.tvp(p.ConfirmedAt),
		p.Version, p.CreatedBy, t.db.tv(t.at), t.db.tv(t.at)).Scan(&p.ID)
	if isUniqueViolation(err) {
		return homeward.FieldErrorf(homeward.ECONFLICT, "fingerprint", "A party with this fingerprint is already known.")
	} else if err != nil {
		return fmt.Errorf("insert party: %w", err)
	}
	return nil
}

// SelfSecret returns the sealed secret keys of this installation.
func (s *PartyService) SelfSecret(ctx context.Context) ([]byte, error) {
	if !homeward.ActorFromContext(ctx).System {
		return nil, homeward.Errorf(homeward.EFORBIDDEN, "Only the system reads the installation's keys.")
	}
	var b []byte
	err := s.db.db.QueryRowContext(ctx, `SELECT ps.sealed FROM party_secrets ps JOIN parties p ON p.id = ps.party_id WHERE p.self`).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, homeward.Errorf(homeward.ENOTFOUND, "This installation has no party identity yet: run “homeward party init”.")
	} else if err != nil {
		return nil, fmt.Errorf("read sealed keys: %w", err)
	}
	return b, nil
}

// FindParties returns every party, this installation's first.
func (s *PartyService) FindParties(ctx context.Context) ([]*homeward.Party, error) {
	if err := canSeeParties(homeward.ActorFromContext(ctx)); err != nil {
		return nil, err
	}
	return s.db.queryParties(ctx, `SELECT `+partyColumns+` FROM parties ORDER BY self DESC, name, id`)
}

func (db *DB) queryParties(ctx context.Context, q string, args ...any) ([]*homeward.Party, error) {
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find parties: %w", err)
	}
	defer rows.Close()
	var ps []*homeward.Party
	for rows.Next() {
		p, err := scanParty(rows)
		if err != nil {
			return nil, fmt.Errorf("read party: %w", err)
		}
		ps = append(ps, p)
	}
	return ps, rows.Err()
}

// FindPartyByID returns a party.
func (s *PartyService) FindPartyByID(ctx context.Context, id int64) (*homeward.Party, error) {
	if err := canSeeParties(homeward.ActorFromContext(ctx)); err != nil {
		return nil, err
	}
	return partyByID(ctx, s.db.db, id)
}

func partyByID(ctx context.Context, q queryer, id int64) (*homeward.Party, error) {
	p, err := scanParty(q.QueryRowContext(ctx, `SELECT `+partyColumns+` FROM parties WHERE id = $1`, id))
	if err != nil {
		return nil, scanErr(err, "party", id)
	}
	return p, nil
}

// FindPartyByFingerprint returns the party with a fingerprint.
func (s *PartyService) FindPartyByFingerprint(ctx context.Context, fp string) (*homeward.Party, error) {
	if err := canSeeParties(homeward.ActorFromContext(ctx)); err != nil {
		return nil, err
	}
	return partyByFingerprint(ctx, s.db.db, fp)
}

func partyByFingerprint(ctx context.Context, q queryer, fp string) (*homeward.Party, error) {
	norm, err := homeward.NormalizeFingerprint(fp)
	if err != nil {
		return nil, err
	}
	p, err := scanParty(q.QueryRowContext(ctx, `SELECT `+partyColumns+` FROM parties WHERE fingerprint = $1`, norm))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, homeward.Errorf(homeward.ENOTFOUND, "No party has the fingerprint %s.", norm)
	} else if err != nil {
		return nil, fmt.Errorf("find party %s: %w", norm, err)
	}
	return p, nil
}

// AddParty stores a remote party. It is not trusted until an
// administrator confirms its fingerprint; an offline party (no keys) needs
// no confirmation, as nothing is ever accepted from it.
func (s *PartyService) AddParty(ctx context.Context, p *homeward.Party) error {
	a := homeward.ActorFromContext(ctx)
	np := *p
	np.Self, np.ConfirmedBy, np.ConfirmedAt, np.RetiredAt, np.RetiredBy, np.RetireReason = false, 0, nil, nil, 0, ""
	np.Name = strings.TrimSpace(np.Name)
	if np.Fingerprint != "" {
		fp, err := homeward.NormalizeFingerprint(np.Fingerprint)
		if err != nil {
			return err
		}
		np.Fingerprint = fp
	}
	if err := np.Validate(); err != nil {
		return err
	}
	if err := checkText(&np); err != nil {
		return err
	}
	err := s.db.write(ctx, func(t *tx) error {
		if err := s.db.installationAdmin(ctx, t, a); err != nil {
			return err
		}
		if err := t.insertParty(ctx, &np); err != nil {
			return err
		}
		return t.appendEvent(ctx, homeward.EntityParty, np.ID, homeward.ActionCreate, 0, partyEvent(&np))
	})
	if err != nil {
		return err
	}
	*p = np
	return nil
}

// ConfirmParty trusts a party when the fingerprint given equals its own.
func (s *PartyService) ConfirmParty(ctx context.Context, id int64, fingerprint string, version int) (*homeward.Party, error) {
	a := homeward.ActorFromContext(ctx)
	var out *homeward.Party
	err := s.db.write(ctx, func(t *tx) error {
		if err := s.db.installationAdmin(ctx, t, a); err != nil {
			return err
		}
		p, err := partyByID(ctx, t, id)
		if err != nil {
			return err
		}
		switch {
		case p.Version != version:
			return conflict("party")
		case !p.Online():
			return homeward.Errorf(homeward.EINVALID, "An offline party has no keys to confirm.")
		case p.RetiredAt != nil:
			return homeward.Errorf(homeward.EINVALID, "The party is retired; add its new keys as a new party.")
		case p.ConfirmedAt != nil || p.Self:
			return homeward.Errorf(homeward.EINVALID, "The party is already trusted.")
		}
		fp, err := homeward.NormalizeFingerprint(fingerprint)
		if err != nil {
			return err
		}
		if fp != p.Fingerprint {
			return homeward.FieldErrorf(homeward.EINVALID, "fingerprint", "The fingerprint you read does not match the party's keys: do not trust it, and ask the party for its keys again.")
		}
		if a.UserID == 0 && !a.System {
			return errNoActor
		}
		p.ConfirmedBy, p.ConfirmedAt = a.UserID, &t.at
		if err := t.updateVersioned(ctx, "parties", "confirmed_by, confirmed_at", []any{p.ConfirmedBy, s.db.tv(t.at)}, id, version, "party"); err != nil {
			return err
		}
		p.Version, p.UpdatedAt = p.Version+1, t.at
		out = p
		return t.appendEvent(ctx, homeward.EntityParty, id, homeward.ActionPartyConfirm, 0, partyEvent(p))
	})
	return out, err
}

// RetireParty stops trusting a party.
func (s *PartyService) RetireParty(ctx context.Context, id int64, reason string, version int) (*homeward.Party, error) {
	a := homeward.ActorFromContext(ctx)
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, homeward.FieldErrorf(homeward.EINVALID, "reason", "Say why the party is retired.")
	}
	if len([]rune(reason)) > homeward.MaxNameLength*5 {
		return nil, homeward.FieldErrorf(homeward.EINVALID, "reason", "The reason is longer than %d characters.", homeward.MaxNameLength*5)
	}
	var out *homeward.Party
	err := s.db.write(ctx, func(t *tx) error {
		if err := s.db.installationAdmin(ctx, t, a); err != nil {
			return err
		}
		p, err := partyByID(ctx, t, id)
		if err != nil {
			return err
		}
		switch {
		case p.Version != version:
			return conflict("party")
		case p.Self:
			return homeward.Errorf(homeward.EINVALID, "This installation's own party cannot be retired.")
		case p.RetiredAt != nil:
			return homeward.Errorf(homeward.EINVALID, "The party is already retired.")
		}
		p.RetiredBy, p.RetiredAt, p.RetireReason = a.UserID, &t.at, reason
		if err := t.updateVersioned(ctx, "parties", "retired_by, retired_at, retire_reason", []any{p.RetiredBy, s.db.tv(t.at), reason}, id, version, "party"); err != nil {
			return err
		}
		p.Version, p.UpdatedAt = p.Version+1, t.at
		out = p
		ev := partyEvent(p)
		ev["reason"] = reason
		return t.appendEvent(ctx, homeward.EntityParty, id, homeward.ActionPartyRetire, 0, ev)
	})
	return out, err
}
