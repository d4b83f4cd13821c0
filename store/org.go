package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/names"
)

// OrgService manages organisations; it implements homeward.OrgService.
type OrgService struct{ db *DB }

var _ homeward.OrgService = (*OrgService)(nil)

// NewOrgService returns the organisation service of db.
func NewOrgService(db *DB) *OrgService { return &OrgService{db: db} }

const orgColumns = `id, name, kind, require_totp, version, created_at, updated_at`

func scanOrg(r rowScanner) (*homeward.Org, error) {
	var o homeward.Org
	if err := r.Scan(&o.ID, &o.Name, &o.Kind, &o.RequireTOTP, &o.Version, timeScan{&o.CreatedAt}, timeScan{&o.UpdatedAt}); err != nil {
		return nil, err
	}
	return &o, nil
}

// signedIn lets any signed-in user (or the system) through: every user may
// see the organisations, to know whom a record is shared with.
func signedIn(a homeward.Actor) error {
	if !a.System && a.UserID == 0 {
		return errNoActor
	}
	return nil
}

// isAdmin lets administrators and the system through.
func isAdmin(a homeward.Actor) error {
	if err := signedIn(a); err != nil {
		return err
	}
	if !a.System && a.Role != homeward.RoleAdmin {
		return homeward.Errorf(homeward.EFORBIDDEN, "Only administrators may do this.")
	}
	return nil
}

// FindOrgByID returns an organisation.
func (s *OrgService) FindOrgByID(ctx context.Context, id int64) (*homeward.Org, error) {
	if err := signedIn(homeward.ActorFromContext(ctx)); err != nil {
		return nil, err
	}
	o, err := scanOrg(s.db.db.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM orgs WHERE id = $1`, id))
	if err != nil {
		return nil, scanErr(err, "organisation", id)
	}
	return o, nil
}

// FindOrgs returns all organisations by name.
func (s *OrgService) FindOrgs(ctx context.Context) ([]*homeward.Org, error) {
	if err := signedIn(homeward.ActorFromContext(ctx)); err != nil {
		return nil, err
	}
	rows, err := s.db.db.QueryContext(ctx, `SELECT `+orgColumns+` FROM orgs ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("find organisations: %w", err)
	}
	defer rows.Close()
	var os []*homeward.Org
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, fmt.Errorf("read organisation: %w", err)
		}
		os = append(os, o)
	}
	return os, rows.Err()
}

// CreateOrg stores a new organisation. The administrators of the
// installation's first organisation (the one that runs it) and the system
// may: an administrator of a partner organisation must not be able to set
// up look-alike organisations of their own.
func (s *OrgService) CreateOrg(ctx context.Context, o *homeward.Org) error {
	a := homeward.ActorFromContext(ctx)
	if err := isAdmin(a); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	if err := checkText(o); err != nil {
		return err
	}
	no := *o
	err := s.db.write(ctx, func(t *tx) error {
		if !a.System {
			var first sql.NullInt64
			if err := t.QueryRowContext(ctx, `SELECT min(id) FROM orgs`).Scan(&first); err != nil {
				return fmt.Errorf("find the first organisation: %w", err)
			}
			if !first.Valid || first.Int64 != a.OrgID {
				return homeward.Errorf(homeward.EFORBIDDEN, "Only administrators of the installation's first organisation may create organisations.")
			}
		}
		if err := refuseLookAlike(ctx, t, no.Name, 0); err != nil {
			return err
		}
		no.Version, no.CreatedAt, no.UpdatedAt = 1, t.at, t.at
		err := t.QueryRowContext(ctx, `INSERT INTO orgs (name, kind, require_totp, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			no.Name, string(no.Kind), no.RequireTOTP, no.Version, s.db.tv(t.at), s.db.tv(t.at)).Scan(&no.ID)
		if err != nil {
			if isUniqueViolation(err) {
				return homeward.FieldErrorf(homeward.ECONFLICT, "name", "An organisation with this name already exists.")
			}
			return fmt.Errorf("insert organisation: %w", err)
		}
		ch, err := changes(nil, &no)
		if err != nil {
			return err
		}
		return t.appendEvent(ctx, homeward.EntityOrg, no.ID, homeward.ActionCreate, no.ID, ch)
	})
	if err != nil {
		return err
	}
	*o = no
	return nil
}

// UpdateOrg renames or re-kinds an organisation if o.Version is current.
// Administrators may change their own organisation; the system any.
func (s *OrgService) UpdateOrg(ctx context.Context, o *homeward.Org) error {
	a := homeward.ActorFromContext(ctx)
	if err := isAdmin(a); err != nil {
		return err
	}
	if !a.System && a.OrgID != o.ID {
		return homeward.Errorf(homeward.EFORBIDDEN, "Administrators may change only their own organisation.")
	}
	if err := o.Validate(); err != nil {
		return err
	}
	if err := checkText(o); err != nil {
		return err
	}
	no := *o
	err := s.db.write(ctx, func(t *tx) error {
		old, err := scanOrg(t.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM orgs WHERE id = $1`, o.ID))
		if err != nil {
			return scanErr(err, "organisation", o.ID)
		}
		if old.Version != o.Version {
			return conflict("organisation")
		}
		if err := refuseLookAlike(ctx, t, no.Name, o.ID); err != nil {
			return err
		}
		no.CreatedAt, no.Version, no.UpdatedAt = old.CreatedAt, old.Version+1, t.at
		res, err := t.ExecContext(ctx, `UPDATE orgs SET name = $1, kind = $2, require_totp = $3, version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6`,
			no.Name, string(no.Kind), no.RequireTOTP, s.db.tv(t.at), o.ID, o.Version)
		if err != nil {
			if isUniqueViolation(err) {
				return homeward.FieldErrorf(homeward.ECONFLICT, "name", "An organisation with this name already exists.")
			}
			return fmt.Errorf("update organisation %d: %w", o.ID, err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return conflict("organisation")
		}
		ch, err := changes(old, &no)
		if err != nil {
			return err
		}
		return t.appendEvent(ctx, homeward.EntityOrg, o.ID, homeward.ActionUpdate, o.ID, ch)
	})
	if err != nil {
		return err
	}
	*o = no
	return nil
}

// refuseLookAlike refuses a name that looks like that of another
// organisation than except: the same letters in another script or case, a
// digit for a letter ("Hоmeward" with a Cyrillic о for "Homeward"), so that
// nobody can pass for an organisation users trust.
func refuseLookAlike(ctx context.Context, t *tx, name string, except int64) error {
	want := names.Skeleton(name)
	rows, err := t.QueryContext(ctx, `SELECT id, name FROM orgs WHERE id <> $1`, except)
	if err != nil {
		return fmt.Errorf("find organisation names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var other string
		if err := rows.Scan(&id, &other); err != nil {
			return fmt.Errorf("read organisation name: %w", err)
		}
		if names.Skeleton(other) == want {
			return homeward.FieldErrorf(homeward.ECONFLICT, "name", "This name looks too much like that of an existing organisation.")
		}
	}
	return rows.Err()
}
