package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
)

// metaFields change on every write and are not news in an event.
var metaFields = map[string]bool{"id": true, "version": true, "created_at": true, "updated_at": true, "created_by": true}

// changes lists the fields that differ between old and new, by their JSON
// names, in name order. With old nil it lists the fields new sets, which is
// what a create event records.
func changes(old, new any) ([]homeward.Change, error) {
	o, err := fieldsOf(old)
	if err != nil {
		return nil, err
	}
	n, err := fieldsOf(new)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(n)+len(o))
	for k := range n {
		keys = append(keys, k)
	}
	for k := range o {
		if _, ok := n[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var cs []homeward.Change
	for _, k := range keys {
		if metaFields[k] {
			continue
		}
		ov, nv := o[k], n[k]
		if bytes.Equal(ov, nv) {
			continue
		}
		c := homeward.Change{Field: k}
		if !isZeroJSON(ov) {
			c.Old = ov
		}
		if !isZeroJSON(nv) {
			c.New = nv
		}
		if c.Old == nil && c.New == nil {
			continue
		}
		cs = append(cs, c)
	}
	return cs, nil
}

func fieldsOf(v any) (map[string]json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if v == nil {
		return m, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode record: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode record: %w", err)
	}
	return m, nil
}

// isZeroJSON reports whether a JSON value says nothing: absent, null, empty
// or false.
func isZeroJSON(v json.RawMessage) bool {
	switch string(v) {
	case "", "null", `""`, "{}", "[]", "0", "false":
		return true
	}
	return false
}

// fieldLog builds the data of a create event without a JSON round trip per
// record, which dominates an import of many rows. It must list the same
// fields, values and order as changes(nil, record); a test holds it to that.
type fieldLog []homeward.Change

func (l *fieldLog) add(name string, v any, zero bool) {
	if !zero {
		*l = append(*l, homeward.Change{Field: name, New: v})
	}
}

func (l *fieldLog) str(name, v string)      { l.add(name, v, v == "") }
func (l *fieldLog) id(name string, v int64) { l.add(name, v, v == 0) }

// sorted orders the fields by name, as changes does.
func (l fieldLog) sorted() []homeward.Change {
	if len(l) == 0 {
		return nil
	}
	sort.Slice(l, func(i, j int) bool { return l[i].Field < l[j].Field })
	return l
}

func locatedCreateLog(r *homeward.LocatedRecord) []homeward.Change {
	l := make(fieldLog, 0, 16)
	l.id("org_id", r.OrgID)
	l.str("given_name", r.GivenName)
	l.str("family_name", r.FamilyName)
	l.str("patronymic", r.Patronymic)
	l.str("sex", string(r.Sex))
	l.add("birth_date", r.BirthDate, r.BirthDate == homeward.BirthDate{})
	l.str("birth_place", r.BirthPlace)
	l.str("location_kind", string(r.LocationKind))
	l.str("institution", r.Institution)
	l.str("region", r.Region)
	l.add("observed_at", r.ObservedAt, r.ObservedAt.IsZero())
	l.str("source", string(r.Source))
	l.str("source_ref", r.SourceRef)
	l.str("reliability", string(r.Reliability))
	l.str("notes", r.Notes)
	return l.sorted()
}

func caseCreateLog(c *homeward.Case) []homeward.Change {
	l := make(fieldLog, 0, 24)
	l.str("reference", c.Reference)
	l.id("org_id", c.OrgID)
	l.str("given_name", c.GivenName)
	l.str("family_name", c.FamilyName)
	l.str("patronymic", c.Patronymic)
	l.add("other_names", c.OtherNames, len(c.OtherNames) == 0)
	l.str("sex", string(c.Sex))
	l.add("birth_date", c.BirthDate, c.BirthDate == homeward.BirthDate{})
	l.str("birth_place", c.BirthPlace)
	l.str("last_seen_place", c.LastSeenPlace)
	l.add("last_seen_date", c.LastSeenDate, c.LastSeenDate.IsZero())
	l.str("circumstance", string(c.Circumstance))
	l.str("distinguishing_marks", c.DistinguishingMarks)
	l.str("notes", c.Notes)
	l.add("family", c.Family, len(c.Family) == 0)
	l.add("siblings", c.Siblings, len(c.Siblings) == 0)
	l.add("consents", c.Consents, false)
	l.str("stage", string(c.Stage))
	l.str("close_reason", string(c.CloseReason))
	return l.sorted()
}

// editKind is what editRecord needs to know of a record type that users
// edit under optimistic concurrency (cases, located records).
type editKind[T any] struct {
	table, alias, columns, fields string
	entity                        string // event entity type
	what                          string // in errors: "case", "located record"
	forbidden                     string // the message for another organisation's edit
	scan                          func(*DB, context.Context, rowScanner) (*T, error)
	values                        func(*DB, context.Context, rowsQueryer, *T) ([]any, error) // in the order of fields
	names                         func(*T) []string                                          // for the blind index
	org                           func(*T) int64
	version                       func(*T) int
	// keep copies into nw what the store owns from old and what an edit
	// may not change, and sets the version and update time it will have.
	keep func(nw, old *T, at time.Time)
}

// editRecord writes nw, the edit of record id the actor started from
// version, in one transaction with its update event: the record must be
// visible to the actor and held by its organisation, and still at version
// (else ECONFLICT). nw comes back as stored.
func editRecord[T any](ctx context.Context, db *DB, a homeward.Actor, k editKind[T], id int64, version int, nw *T) error {
	return db.write(ctx, func(t *tx) error {
		var args []any
		arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
		q := `SELECT ` + k.columns + ` FROM ` + k.table + ` ` + k.alias + ` WHERE ` + k.alias + `.id = ` + arg(id) +
			` AND ` + visibleClause(a, k.alias, k.entity, arg)
		old, err := k.scan(db, ctx, t.QueryRowContext(ctx, q, args...))
		if err != nil {
			return scanErr(err, k.what, id)
		}
		if !a.System && k.org(old) != a.OrgID {
			return homeward.Errorf(homeward.EFORBIDDEN, "%s", k.forbidden)
		}
		if k.version(old) != version {
			return conflict(k.what)
		}
		k.keep(nw, old, t.at)
		vals, err := k.values(t.db, ctx, t, nw)
		if err != nil {
			return err
		}
		if err := t.updateVersioned(ctx, k.table, k.fields, vals, id, version, k.what); err != nil {
			return err
		}
		if err := t.retoken(ctx, k.entity, id, k.names(old), k.names(nw)); err != nil {
			return err
		}
		ch, err := changes(old, nw)
		if err != nil {
			return err
		}
		return t.appendEvent(ctx, k.entity, id, homeward.ActionUpdate, k.org(old), ch)
	})
}

// updateVersioned writes vals to the comma-separated fields of the row id
// of table if its version is still version, bumping the version and the
// update time; a row that moved meanwhile is a conflict about what.
func (t *tx) updateVersioned(ctx context.Context, table, fields string, vals []any, id int64, version int, what string) error {
	set := strings.Split(fields, ",")
	for i := range set {
		set[i] = strings.TrimSpace(set[i]) + " = $" + strconv.Itoa(i+1)
	}
	n := len(vals)
	res, err := t.ExecContext(ctx, `UPDATE `+table+` SET `+strings.Join(set, ", ")+
		fmt.Sprintf(`, version = version + 1, updated_at = $%d WHERE id = $%d AND version = $%d`, n+1, n+2, n+3),
		append(vals, t.db.tv(t.at), id, version)...)
	if err != nil {
		return fmt.Errorf("update %s %d: %w", what, id, err)
	}
	if k, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update %s %d: %w", what, id, err)
	} else if k == 0 {
		return conflict(what)
	}
	return nil
}
