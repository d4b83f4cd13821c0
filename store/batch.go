package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/homeward-project/homeward"
)

// batchChunk bounds the IDs of one IN list: both drivers limit the
// parameters of a statement, and a page never asks for more than a few
// dozen records anyway.
const batchChunk = 500

// uniqueIDs returns ids sorted and without duplicates or zeros, so that a
// record asked for twice is read, and its view recorded, once, and the
// events of a batch come in a stable order.
func uniqueIDs(ids []int64) []int64 {
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id > 0 {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// chunks calls fn with successive slices of at most batchChunk IDs.
func chunks(ids []int64, fn func(part []int64) error) error {
	for len(ids) > 0 {
		n := min(len(ids), batchChunk)
		if err := fn(ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// inList returns "(p1, p2, …)" with one placeholder per ID.
func inList(ids []int64, arg func(any) string) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(arg(id))
	}
	b.WriteByte(')')
	return b.String()
}

// findByIDs reads the visible records of table among ids inside one write
// transaction and appends a view event for each, as the single reads do
// one at a time. Nothing is recorded unless every read and event succeed.
func findByIDs[T any](ctx context.Context, db *DB, ids []int64, table, alias, entityType, columns string,
	scan func(rowScanner) (*T, error), key func(*T) (id, org int64)) (map[int64]*T, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	ids = uniqueIDs(ids)
	out := make(map[int64]*T, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	err := db.write(ctx, func(t *tx) error {
		return chunks(ids, func(part []int64) error {
			var args []any
			arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
			q := `SELECT ` + columns + ` FROM ` + table + ` ` + alias + ` WHERE ` + alias + `.id IN ` + inList(part, arg) +
				` AND ` + visibleClause(a, alias, entityType, arg) + ` ORDER BY ` + alias + `.id`
			rows, err := t.QueryContext(ctx, q, args...)
			if err != nil {
				return fmt.Errorf("read %s records: %w", entityType, err)
			}
			var found []*T
			for rows.Next() {
				v, err := scan(rows)
				if err != nil {
					rows.Close()
					return fmt.Errorf("read %s record: %w", entityType, err)
				}
				found = append(found, v)
			}
			if err := rows.Close(); err != nil {
				return fmt.Errorf("read %s records: %w", entityType, err)
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("read %s records: %w", entityType, err)
			}
			// Events are appended once the rows are closed: appending may
			// write to the same connection.
			for _, v := range found {
				id, org := key(v)
				if err := t.appendEvent(ctx, entityType, id, homeward.ActionView, org, nil); err != nil {
					return err
				}
				out[id] = v
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindCasesByIDs returns the cases the actor may see among ids and records
// one view per case returned, all in one transaction. IDs the actor may not
// see are left out, as a list leaves them out.
func (s *CaseService) FindCasesByIDs(ctx context.Context, ids []int64) (map[int64]*homeward.Case, error) {
	return findByIDs(ctx, s.db, ids, "cases", "c", homeward.EntityCase, caseColumns,
		func(r rowScanner) (*homeward.Case, error) { return s.db.scanCase(ctx, r) },
		func(c *homeward.Case) (int64, int64) { return c.ID, c.OrgID })
}

// FindLocatedByIDs returns the located records the actor may see among ids
// and records one view per record returned, all in one transaction.
func (s *LocatedService) FindLocatedByIDs(ctx context.Context, ids []int64) (map[int64]*homeward.LocatedRecord, error) {
	return findByIDs(ctx, s.db, ids, "located", "l", homeward.EntityLocated, locatedColumns,
		func(r rowScanner) (*homeward.LocatedRecord, error) { return s.db.scanLocated(ctx, r) },
		func(l *homeward.LocatedRecord) (int64, int64) { return l.ID, l.OrgID })
}

// visibleCases reads the cases among ids that the actor may see.
func (db *DB) visibleCases(ctx context.Context, q querier, a homeward.Actor, ids []int64) (map[int64]*homeward.Case, error) {
	out := make(map[int64]*homeward.Case, len(ids))
	err := chunks(ids, func(part []int64) error {
		var args []any
		arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
		query := `SELECT ` + caseColumns + ` FROM cases c WHERE c.id IN ` + inList(part, arg) + ` AND ` + visibleClause(a, "c", homeward.EntityCase, arg)
		return queryEach(ctx, q, query, args, func(rows *sql.Rows) error {
			c, err := db.scanCase(ctx, rows)
			if err != nil {
				return err
			}
			out[c.ID] = c
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read cases: %w", err)
	}
	return out, nil
}

// queryEach runs q and calls fn for each row.
func queryEach(ctx context.Context, db querier, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// FactsForCases returns the facts of the visible cases among ids, with one
// set-based query per kind of fact rather than one round of queries per
// case: the case list's "waiting on me" reads a page of them at a time.
func (s *WorkflowService) FactsForCases(ctx context.Context, ids []int64) (map[int64]homeward.TransitionFacts, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	ids = uniqueIDs(ids)
	out := make(map[int64]homeward.TransitionFacts, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	cs, err := s.db.visibleCases(ctx, s.db.db, a, ids)
	if err != nil {
		return nil, err
	}
	role := a.Role
	if a.System {
		role = homeward.RoleAdmin
	}
	visible := make([]int64, 0, len(cs))
	for _, id := range ids {
		if c, ok := cs[id]; ok {
			visible = append(visible, id)
			out[id] = homeward.TransitionFacts{Role: role, ConsentTracing: c.Consents.Tracing, ConsentShareMediator: c.Consents.ShareMediator}
		}
	}
	err = chunks(visible, func(part []int64) error {
		var args []any
		arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
		in := inList(part, arg) // the placeholders repeat in each branch: both drivers number them
		// The same counts as caseFacts, one row per case and kind.
		q := `SELECT 'm', case_id, count(*) FROM matches WHERE case_id IN ` + in + ` AND status = 'confirmed' GROUP BY case_id
			UNION ALL SELECT 'v', case_id, count(*) FROM verifications WHERE case_id IN ` + in + ` GROUP BY case_id
			UNION ALL SELECT 'a', case_id, count(*) FROM verifications WHERE case_id IN ` + in + ` AND outcome = 'confirmed' AND approved_at IS NOT NULL GROUP BY case_id
			UNION ALL SELECT 'h', case_id, count(*) FROM handovers WHERE case_id IN ` + in + ` GROUP BY case_id
			UNION ALL SELECT 'r', case_id, count(*) FROM reunifications WHERE case_id IN ` + in + ` GROUP BY case_id
			UNION ALL SELECT 'f', case_id, count(*) FROM follow_ups WHERE case_id IN ` + in + ` GROUP BY case_id
			UNION ALL SELECT 's', e.case_id, count(*) FROM list_entries e JOIN return_lists l ON l.id = e.list_id
				WHERE e.case_id IN ` + in + ` AND ` + sealedEntry + ` GROUP BY e.case_id`
		err := queryEach(ctx, s.db.db, q, args, func(rows *sql.Rows) error {
			var kind string
			var id int64
			var n int
			if err := rows.Scan(&kind, &id, &n); err != nil {
				return err
			}
			f := out[id]
			switch kind {
			case "m":
				f.ConfirmedMatch = n > 0
			case "v":
				f.Verifications = n
			case "a":
				f.VerificationApproved = n > 0
			case "h":
				f.HandoverRecorded = n > 0
			case "r":
				f.ReunificationRecorded = n > 0
			case "f":
				f.FollowUps = n
			case "s":
				f.OnSealedList = n > 0
			}
			out[id] = f
			return nil
		})
		if err != nil {
			return err
		}
		q = `SELECT e.case_id, e.answer FROM list_entries e WHERE e.id IN (SELECT max(e.id) FROM list_entries e
			JOIN return_lists l ON l.id = e.list_id WHERE e.case_id IN ` + in + ` AND ` + sealedEntry + ` GROUP BY e.case_id)`
		err = queryEach(ctx, s.db.db, q, args, func(rows *sql.Rows) error {
			var id int64
			var answer string
			if err := rows.Scan(&id, &answer); err != nil {
				return err
			}
			f := out[id]
			f.ReturnAgreed = answer == string(homeward.AnswerReturnAgreed)
			out[id] = f
			return nil
		})
		if err != nil {
			return err
		}
		// The latest determination stands, as in caseFacts.
		q = `SELECT b.case_id, b.decision FROM best_interests b WHERE b.id IN
			(SELECT max(id) FROM best_interests WHERE case_id IN ` + in + ` GROUP BY case_id)`
		return queryEach(ctx, s.db.db, q, args, func(rows *sql.Rows) error {
			var id int64
			var decision string
			if err := rows.Scan(&id, &decision); err != nil {
				return err
			}
			f := out[id]
			f.BestInterestsReturn = decision == string(homeward.BestInterestsReturn)
			out[id] = f
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read facts of cases: %w", err)
	}
	return out, nil
}

// FindVerificationsForCases returns the verifications of the visible cases
// among ids, oldest first per case; cases without any are absent.
func (s *WorkflowService) FindVerificationsForCases(ctx context.Context, ids []int64) (map[int64][]*homeward.Verification, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	ids = uniqueIDs(ids)
	out := make(map[int64][]*homeward.Verification)
	err := chunks(ids, func(part []int64) error {
		var args []any
		arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
		q := `SELECT ` + verificationColumns + ` FROM verifications v WHERE v.case_id IN ` + inList(part, arg) +
			` AND EXISTS (SELECT 1 FROM cases c WHERE c.id = v.case_id AND ` + visibleClause(a, "c", homeward.EntityCase, arg) + `) ORDER BY v.id`
		return queryEach(ctx, s.db.db, q, args, func(rows *sql.Rows) error {
			v, err := s.db.scanVerification(ctx, rows)
			if err != nil {
				return err
			}
			out[v.CaseID] = append(out[v.CaseID], v)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read verifications of cases: %w", err)
	}
	return out, nil
}
