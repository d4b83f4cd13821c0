package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/homeward-project/homeward"
)

// canRead authorises reading individual children's records.
func canRead(a homeward.Actor) error {
	switch {
	case a.System:
		return nil
	case a.UserID == 0:
		return errNoActor
	case !a.Role.CanReadRecords():
		return homeward.Errorf(homeward.EFORBIDDEN, "Your role may see aggregate figures only, not individual records.")
	}
	return nil
}

// canWrite authorises creating and changing records.
func canWrite(a homeward.Actor) error {
	switch {
	case a.System:
		return nil
	case a.UserID == 0:
		return errNoActor
	case !a.Role.CanWriteRecords():
		return homeward.Errorf(homeward.EFORBIDDEN, "Your role may not create or change records.")
	}
	return nil
}

// recordTable maps an entity type to its table; only these can be shared.
func recordTable(entityType string) (string, error) {
	switch entityType {
	case homeward.EntityCase:
		return "cases", nil
	case homeward.EntityLocated:
		return "located", nil
	case homeward.EntityList:
		return "return_lists", nil
	}
	return "", fmt.Errorf("entity type %q has no record table", entityType)
}

// visibleClause restricts rows of alias (a cases or located table) to those
// of the actor's organisation or shared with it. The system sees everything.
func visibleClause(a homeward.Actor, alias, entityType string, arg func(any) string) string {
	if a.System {
		return "1 = 1"
	}
	org := arg(a.OrgID)
	return "(" + alias + ".org_id = " + org + " OR EXISTS (SELECT 1 FROM shares sh WHERE sh.entity_type = '" +
		entityType + "' AND sh.entity_id = " + alias + ".id AND sh.org_id = " + org + "))"
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ownerOf returns the organisation owning a record the actor may see, and
// ENOTFOUND when it does not exist or is not visible.
func ownerOf(ctx context.Context, q queryer, a homeward.Actor, entityType string, id int64) (int64, error) {
	table, err := recordTable(entityType)
	if err != nil {
		return 0, err
	}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	query := "SELECT r.org_id FROM " + table + " r WHERE r.id = " + arg(id) + " AND " + visibleClause(a, "r", entityType, arg)
	var org int64
	if err := q.QueryRowContext(ctx, query, args...).Scan(&org); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, notFound(entityType, id)
		}
		return 0, fmt.Errorf("find %s %d: %w", entityType, id, err)
	}
	return org, nil
}

// checkVisible reports ENOTFOUND unless the actor may read the record.
func (db *DB) checkVisible(ctx context.Context, a homeward.Actor, entityType string, id int64) error {
	if err := canRead(a); err != nil {
		return err
	}
	_, err := ownerOf(ctx, db.db, a, entityType, id)
	return err
}

// share lets orgID see a record owned by the actor's organisation. Sharing
// twice is not an error and records one event.
func (db *DB) share(ctx context.Context, entityType string, id, orgID int64) error {
	a := homeward.ActorFromContext(ctx)
	if err := canWrite(a); err != nil {
		return err
	}
	return db.write(ctx, func(t *tx) error {
		owner, err := ownerOf(ctx, t, a, entityType, id)
		if err != nil {
			return err
		}
		if !a.System && owner != a.OrgID {
			return homeward.Errorf(homeward.EFORBIDDEN, "Only the organisation that holds a record may share it.")
		}
		if orgID == owner {
			return homeward.FieldErrorf(homeward.EINVALID, "org_id", "The record already belongs to that organisation.")
		}
		var n int
		if err := t.QueryRowContext(ctx, `SELECT count(*) FROM orgs WHERE id = $1`, orgID).Scan(&n); err != nil {
			return fmt.Errorf("find org: %w", err)
		}
		if n == 0 {
			return notFound("organisation", orgID)
		}
		res, err := t.ExecContext(ctx, `INSERT INTO shares (entity_type, entity_id, org_id, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, entityType, id, orgID, a.UserID, db.tv(t.at))
		if err != nil {
			return fmt.Errorf("share %s %d: %w", entityType, id, err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return nil
		}
		return t.appendEvent(ctx, entityType, id, homeward.ActionShare, owner, map[string]int64{"org_id": orgID})
	})
}
