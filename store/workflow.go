package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/homeward-project/homeward"
)

// WorkflowService moves cases through the workflow and keeps the records its
// guards look at; it implements homeward.WorkflowService. The records are
// append-only: a correction is a new record, so the case keeps its history.
type WorkflowService struct{ db *DB }

var _ homeward.WorkflowService = (*WorkflowService)(nil)

// NewWorkflowService returns the workflow service of db.
func NewWorkflowService(db *DB) *WorkflowService { return &WorkflowService{db: db} }

// ownedCase reads a case inside t for a change by the actor: it must be
// visible (else ENOTFOUND) and held by the actor's organisation (else
// EFORBIDDEN), as for UpdateCase.
func (t *tx) ownedCase(ctx context.Context, a homeward.Actor, id int64) (*homeward.Case, error) {
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	c, err := t.db.scanCase(ctx, t.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases c WHERE c.id = `+arg(id)+` AND `+visibleClause(a, "c", homeward.EntityCase, arg), args...))
	if err != nil {
		return nil, scanErr(err, "case", id)
	}
	if !a.System && c.OrgID != a.OrgID {
		return nil, homeward.Errorf(homeward.EFORBIDDEN, "Only the organisation that holds a case may change it.")
	}
	return c, nil
}

// sealedEntry is the condition on an entry e of list l that puts a case on
// a list for the workflow: on an outgoing list not withdrawn, in a revision
// that was sealed, not removed since.
const sealedEntry = `e.removed_revision = 0 AND l.direction = 'outgoing' AND l.state <> 'withdrawn' AND e.added_revision <= l.sealed_revision`

// caseFacts reads what the guards look at. Inside a write transaction the
// facts cannot change before the stage does: writers are serialised.
func caseFacts(ctx context.Context, q queryer, a homeward.Actor, c *homeward.Case) (homeward.TransitionFacts, error) {
	f := homeward.TransitionFacts{
		Role:                 a.Role,
		ConsentTracing:       c.Consents.Tracing,
		ConsentShareMediator: c.Consents.ShareMediator,
	}
	if a.System {
		f.Role = homeward.RoleAdmin
	}
	var confirmed, approved, handovers, reunifications, sealed int
	var decision, answer string
	// An entry counts as listed once a sealed revision holds it; the
	// latest entry of the case on a list not withdrawn carries the answer
	// that stands.
	err := q.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM list_entries e JOIN return_lists l ON l.id = e.list_id WHERE e.case_id = $1 AND `+sealedEntry+`),
		COALESCE((SELECT e.answer FROM list_entries e JOIN return_lists l ON l.id = e.list_id WHERE e.case_id = $1 AND `+sealedEntry+`
			ORDER BY e.id DESC LIMIT 1), ''),
		(SELECT count(*) FROM matches WHERE case_id = $1 AND status = 'confirmed'),
		(SELECT count(*) FROM verifications WHERE case_id = $1),
		(SELECT count(*) FROM verifications WHERE case_id = $1 AND outcome = 'confirmed' AND approved_at IS NOT NULL),
		COALESCE((SELECT decision FROM best_interests WHERE case_id = $1 ORDER BY id DESC LIMIT 1), ''),
		(SELECT count(*) FROM handovers WHERE case_id = $1),
		(SELECT count(*) FROM reunifications WHERE case_id = $1),
		(SELECT count(*) FROM follow_ups WHERE case_id = $1)`, c.ID).
		Scan(&sealed, &answer, &confirmed, &f.Verifications, &approved, &decision, &handovers, &reunifications, &f.FollowUps)
	if err != nil {
		return f, fmt.Errorf("read facts of case %d: %w", c.ID, err)
	}
	f.OnSealedList = sealed > 0
	f.ReturnAgreed = answer == string(homeward.AnswerReturnAgreed)
	f.ConfirmedMatch = confirmed > 0
	f.VerificationApproved = approved > 0
	// The latest determination stands: a later "remain" overrides an
	// earlier "return".
	f.BestInterestsReturn = decision == string(homeward.BestInterestsReturn)
	f.HandoverRecorded = handovers > 0
	f.ReunificationRecorded = reunifications > 0
	return f, nil
}

// Facts returns the facts the guards would look at now, for the case page.
func (s *WorkflowService) Facts(ctx context.Context, caseID int64) (homeward.TransitionFacts, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return homeward.TransitionFacts{}, err
	}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	c, err := s.db.scanCase(ctx, s.db.db.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases c WHERE c.id = `+arg(caseID)+` AND `+visibleClause(a, "c", homeward.EntityCase, arg), args...))
	if err != nil {
		return homeward.TransitionFacts{}, scanErr(err, "case", caseID)
	}
	return caseFacts(ctx, s.db.db, a, c)
}

// transitionEvent is the data of a transition event.
type transitionEvent struct {
	From        homeward.Stage       `json:"from"`
	To          homeward.Stage       `json:"to"`
	CloseReason homeward.CloseReason `json:"close_reason,omitempty"`
}

// Transition moves a case to stage to when version is current and the
// guards pass on facts read in the same transaction.
func (s *WorkflowService) Transition(ctx context.Context, caseID int64, to homeward.Stage, version int, reason homeward.CloseReason) (*homeward.Case, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	if to != homeward.StageClosed {
		reason = ""
	}
	var out *homeward.Case
	err := s.db.write(ctx, func(t *tx) error {
		c, err := t.ownedCase(ctx, a, caseID)
		if err != nil {
			return err
		}
		if c.Version != version {
			return conflict("case")
		}
		f, err := caseFacts(ctx, t, a, c)
		if err != nil {
			return err
		}
		f.CloseReason = reason
		if err := homeward.CheckTransition(c.Stage, to, f); err != nil {
			return err
		}
		res, err := t.ExecContext(ctx, `UPDATE cases SET stage = $1, close_reason = $2, version = version + 1, updated_at = $3
			WHERE id = $4 AND version = $5`, string(to), string(reason), s.db.tv(t.at), caseID, version)
		if err != nil {
			return fmt.Errorf("move case %d: %w", caseID, err)
		}
		if k, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("move case %d: %w", caseID, err)
		} else if k == 0 {
			return conflict("case")
		}
		from := c.Stage
		c.Stage, c.CloseReason, c.Version, c.UpdatedAt = to, reason, c.Version+1, t.at
		out = c
		if err := t.appendEvent(ctx, homeward.EntityCase, caseID, homeward.ActionTransition, c.OrgID,
			transitionEvent{From: from, To: to, CloseReason: reason}); err != nil {
			return err
		}
		if to == homeward.StageAgreed {
			// The move is what the task asked for; it is done with it.
			return t.completeTasks(ctx, a, c, homeward.TaskBestInterests, "moved to agreed")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// recordOnCase runs insert for a new record of a case held by the actor's
// organisation, and appends action to the case with data. The actor must
// be allowed to write records.
func (s *WorkflowService) recordOnCase(ctx context.Context, caseID int64, action string, insert func(t *tx, c *homeward.Case) (data any, err error)) error {
	a := homeward.ActorFromContext(ctx)
	if err := canWrite(a); err != nil {
		return err
	}
	return s.db.write(ctx, func(t *tx) error {
		c, err := t.ownedCase(ctx, a, caseID)
		if err != nil {
			return err
		}
		data, err := insert(t, c)
		if err != nil {
			return err
		}
		return t.appendEvent(ctx, homeward.EntityCase, caseID, action, c.OrgID, data)
	})
}

// listOnCase runs a query over the records of a case the actor may see.
func listOnCase[T any](ctx context.Context, db *DB, caseID int64, query string, scan func(context.Context, rowScanner) (*T, error)) ([]*T, error) {
	a := homeward.ActorFromContext(ctx)
	if err := db.checkVisible(ctx, a, homeward.EntityCase, caseID); err != nil {
		return nil, err
	}
	rows, err := db.db.QueryContext(ctx, query, caseID)
	if err != nil {
		return nil, fmt.Errorf("list records of case %d: %w", caseID, err)
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		v, err := scan(ctx, rows)
		if err != nil {
			return nil, fmt.Errorf("read record of case %d: %w", caseID, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

const verificationColumns = `id, case_id, method, outcome, performed_by, performed_on, notes, attachment_ids,
	recorded_by, approved_by, approved_at, version, created_at, sealed`

// verificationPersonal is the sealed part of a verification: who performed
// it (a name, often of a relative) and the notes.
type verificationPersonal struct {
	PerformedBy string `json:"performed_by,omitempty"`
	Notes       string `json:"notes,omitempty"`
}

func (db *DB) scanVerification(ctx context.Context, r rowScanner) (*homeward.Verification, error) {
	var v homeward.Verification
	var ids string
	var sealed []byte
	err := r.Scan(&v.ID, &v.CaseID, &v.Method, &v.Outcome, &v.PerformedBy, dateScan{&v.PerformedOn}, &v.Notes, &ids,
		&v.RecordedBy, &v.ApprovedBy, timePtrScan{&v.ApprovedAt}, &v.Version, timeScan{&v.CreatedAt}, &sealed)
	if err != nil {
		return nil, err
	}
	p := verificationPersonal{v.PerformedBy, v.Notes}
	if _, err := db.openJSON(ctx, "verifications", v.ID, sealed, &p); err != nil {
		return nil, err
	}
	v.PerformedBy, v.Notes = p.PerformedBy, p.Notes
	if err := decodeList(ids, &v.AttachmentIDs); err != nil {
		return nil, fmt.Errorf("verification %d attachments: %w", v.ID, err)
	}
	return &v, nil
}

// verificationEvent is the data of a verification event.
type verificationEvent struct {
	VerificationID int64                        `json:"verification_id"`
	Method         homeward.VerificationMethod  `json:"method,omitempty"`
	Outcome        homeward.VerificationOutcome `json:"outcome,omitempty"`
	AttachmentIDs  []int64                      `json:"attachment_ids,omitempty"`
}

// AddVerification records a verification of the case v.CaseID. Its
// attachments must belong to the same case.
func (s *WorkflowService) AddVerification(ctx context.Context, v *homeward.Verification) error {
	if err := v.Validate(); err != nil {
		return err
	}
	if err := checkText(v); err != nil {
		return err
	}
	nv := *v
	nv.AttachmentIDs = slices.Compact(slices.Sorted(slices.Values(v.AttachmentIDs)))
	err := s.recordOnCase(ctx, v.CaseID, homeward.ActionVerificationAdd, func(t *tx, c *homeward.Case) (any, error) {
		if len(nv.AttachmentIDs) > 0 {
			args := []any{c.ID}
			ph := make([]string, len(nv.AttachmentIDs))
			for i, id := range nv.AttachmentIDs {
				args = append(args, id)
				ph[i] = fmt.Sprintf("$%d", i+2)
			}
			var n int
			if err := t.QueryRowContext(ctx, `SELECT count(*) FROM attachments WHERE case_id = $1 AND id IN (`+strings.Join(ph, ", ")+`)`, args...).Scan(&n); err != nil {
				return nil, fmt.Errorf("check attachments: %w", err)
			}
			if n != len(nv.AttachmentIDs) {
				return nil, homeward.FieldErrorf(homeward.EINVALID, "attachment_ids", "The evidence must be attachments of this case.")
			}
		}
		nv.RecordedBy, nv.ApprovedBy, nv.ApprovedAt = t.actor.UserID, 0, nil
		nv.Version, nv.CreatedAt = 1, t.at
		nv.PerformedOn = normDate(nv.PerformedOn)
		if err := t.QueryRowContext(ctx, `INSERT INTO verifications (case_id, method, outcome, performed_by, performed_on, notes,
			attachment_ids, recorded_by, version, created_at) VALUES ($1, $2, $3, '', $4, '', $5, $6, $7, $8) RETURNING id`,
			c.ID, string(nv.Method), string(nv.Outcome), nv.PerformedOn.String(),
			encodeList(nv.AttachmentIDs), nv.RecordedBy, nv.Version, s.db.tv(t.at)).Scan(&nv.ID); err != nil {
			return nil, fmt.Errorf("insert verification: %w", err)
		}
		if err := t.sealRowUpdate(ctx, "verifications", nv.ID, verificationPersonal{nv.PerformedBy, nv.Notes}); err != nil {
			return nil, err
		}
		return verificationEvent{VerificationID: nv.ID, Method: nv.Method, Outcome: nv.Outcome, AttachmentIDs: nv.AttachmentIDs}, nil
	})
	if err != nil {
		return err
	}
	*v = nv
	return nil
}

// ApproveVerification approves a verification if version is current. Only
// a supervisor or administrator of the case's organisation who did not
// record it may: the second pair of eyes on an identification.
func (s *WorkflowService) ApproveVerification(ctx context.Context, id int64, version int) (*homeward.Verification, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	if !a.System && !a.Role.IsSupervisorRank() {
		return nil, homeward.Errorf(homeward.EFORBIDDEN, "Only a supervisor may approve a verification.")
	}
	var out *homeward.Verification
	err := s.db.write(ctx, func(t *tx) error {
		v, err := s.db.scanVerification(ctx, t.QueryRowContext(ctx, `SELECT `+verificationColumns+` FROM verifications WHERE id = $1`, id))
		if err != nil {
			return scanErr(err, "verification", id)
		}
		c, err := t.ownedCase(ctx, a, v.CaseID)
		if homeward.ErrorCode(err) == homeward.ENOTFOUND {
			return notFound("verification", id)
		} else if err != nil {
			return err
		}
		if v.Version != version {
			return conflict("verification")
		}
		if v.Approved() {
			return homeward.Errorf(homeward.EINVALID, "The verification is already approved.")
		}
		if !a.System && v.RecordedBy == a.UserID {
			return homeward.Errorf(homeward.EFORBIDDEN, "You recorded this verification; the four-eyes rule needs a second supervisor, not the one who recorded it, to approve it.")
		}
		now := t.at
		res, err := t.ExecContext(ctx, `UPDATE verifications SET approved_by = $1, approved_at = $2, version = version + 1
			WHERE id = $3 AND version = $4`, a.UserID, s.db.tv(now), id, version)
		if err != nil {
			return fmt.Errorf("approve verification %d: %w", id, err)
		}
		if k, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("approve verification %d: %w", id, err)
		} else if k == 0 {
			return conflict("verification")
		}
		v.ApprovedBy, v.ApprovedAt, v.Version = a.UserID, &now, v.Version+1
		out = v
		return t.appendEvent(ctx, homeward.EntityCase, c.ID, homeward.ActionVerificationApprove, c.OrgID,
			verificationEvent{VerificationID: id, Outcome: v.Outcome})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindVerifications lists the verifications of a case, oldest first.
func (s *WorkflowService) FindVerifications(ctx context.Context, caseID int64) ([]*homeward.Verification, error) {
	return listOnCase(ctx, s.db, caseID, `SELECT `+verificationColumns+` FROM verifications WHERE case_id = $1 ORDER BY id`, s.db.scanVerification)
}

// FindUnapprovedVerifications lists the unapproved verifications of the
// actor's organisation that someone else recorded, oldest first. Only
// supervisors and administrators approve, so others get none.
func (s *WorkflowService) FindUnapprovedVerifications(ctx context.Context) ([]*homeward.Verification, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	if !a.System && !a.Role.IsSupervisorRank() {
		return nil, nil
	}
	q := `SELECT ` + verificationColumns + ` FROM verifications v WHERE v.approved_at IS NULL`
	var args []any
	if !a.System {
		q += ` AND v.recorded_by <> $1 AND EXISTS (SELECT 1 FROM cases c WHERE c.id = v.case_id AND c.org_id = $2)`
		args = append(args, a.UserID, a.OrgID)
	}
	rows, err := s.db.db.QueryContext(ctx, q+` ORDER BY v.id LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("find unapproved verifications: %w", err)
	}
	defer rows.Close()
	var out []*homeward.Verification
	for rows.Next() {
		v, err := s.db.scanVerification(ctx, rows)
		if err != nil {
			return nil, fmt.Errorf("read verification: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// recordEvent is the data of the events of the other workflow records: the
// record's ID and, where it says something without personal data, its
// decision or flags.
type recordEvent struct {
	ID        int64                          `json:"id"`
	Decision  homeward.BestInterestsDecision `json:"decision,omitempty"`
	RiskFlags []homeward.RiskFlag            `json:"risk_flags,omitempty"`
}

const bestInterestsColumns = `id, case_id, child_wishes, assessment, panel, decision, decided_on, recorded_by, created_at, sealed`

// bestInterestsPersonal is the sealed part of a determination: the child's
// own words, the assessment and the panel's names. The decision stays
// clear: the workflow's guards read it.
type bestInterestsPersonal struct {
	ChildWishes string   `json:"child_wishes,omitempty"`
	Assessment  string   `json:"assessment,omitempty"`
	Panel       []string `json:"panel,omitempty"`
}

func (db *DB) scanBestInterests(ctx context.Context, r rowScanner) (*homeward.BestInterests, error) {
	var b homeward.BestInterests
	var panel string
	var sealed []byte
	if err := r.Scan(&b.ID, &b.CaseID, &b.ChildWishes, &b.Assessment, &panel, &b.Decision, dateScan{&b.DecidedOn},
		&b.RecordedBy, timeScan{&b.CreatedAt}, &sealed); err != nil {
		return nil, err
	}
	if err := decodeList(panel, &b.Panel); err != nil {
		return nil, fmt.Errorf("best-interests record %d panel: %w", b.ID, err)
	}
	p := bestInterestsPersonal{b.ChildWishes, b.Assessment, b.Panel}
	if _, err := db.openJSON(ctx, "best_interests", b.ID, sealed, &p); err != nil {
		return nil, err
	}
	b.ChildWishes, b.Assessment, b.Panel = p.ChildWishes, p.Assessment, p.Panel
	return &b, nil
}

// SaveBestInterests records a best-interests determination; the latest one
// of a case stands.
func (s *WorkflowService) SaveBestInterests(ctx context.Context, b *homeward.BestInterests) error {
	if err := b.Validate(); err != nil {
		return err
	}
	if err := checkText(b); err != nil {
		return err
	}
	nb := *b
	nb.Panel = nil
	for _, p := range b.Panel {
		if p = strings.TrimSpace(p); p != "" {
			nb.Panel = append(nb.Panel, p)
		}
	}
	err := s.recordOnCase(ctx, b.CaseID, homeward.ActionBestInterests, func(t *tx, c *homeward.Case) (any, error) {
		nb.RecordedBy, nb.CreatedAt, nb.DecidedOn = t.actor.UserID, t.at, normDate(nb.DecidedOn)
		if err := t.QueryRowContext(ctx, `INSERT INTO best_interests (case_id, child_wishes, assessment, panel, decision, decided_on,
			recorded_by, created_at) VALUES ($1, '', '', '[]', $2, $3, $4, $5) RETURNING id`,
			c.ID, string(nb.Decision), nb.DecidedOn.String(),
			nb.RecordedBy, s.db.tv(t.at)).Scan(&nb.ID); err != nil {
			return nil, fmt.Errorf("insert best-interests record: %w", err)
		}
		if err := t.sealRowUpdate(ctx, "best_interests", nb.ID, bestInterestsPersonal{nb.ChildWishes, nb.Assessment, nb.Panel}); err != nil {
			return nil, err
		}
		return recordEvent{ID: nb.ID, Decision: nb.Decision}, nil
	})
	if err != nil {
		return err
	}
	*b = nb
	return nil
}

// FindBestInterests lists the best-interests records of a case, oldest first.
func (s *WorkflowService) FindBestInterests(ctx context.Context, caseID int64) ([]*homeward.BestInterests, error) {
	return listOnCase(ctx, s.db, caseID, `SELECT `+bestInterestsColumns+` FROM best_interests WHERE case_id = $1 ORDER BY id`, s.db.scanBestInterests)
}

const handoverColumns = `id, case_id, handover_on, place, route, third_country, escort, from_country, to_country, notes, recorded_by, created_at, sealed`

// handoverPersonal is the sealed part of a handover: where and by which
// route the child was handed over, to and by whom (names and contacts).
// The countries stay clear: they name no one and reports count by them.
type handoverPersonal struct {
	Place  string `json:"place,omitempty"`
	Route  string `json:"route,omitempty"`
	Escort string `json:"escort,omitempty"`
	Notes  string `json:"notes,omitempty"`
}

func (db *DB) scanHandover(ctx context.Context, r rowScanner) (*homeward.Handover, error) {
	var h homeward.Handover
	var sealed []byte
	if err := r.Scan(&h.ID, &h.CaseID, dateScan{&h.HandoverOn}, &h.Place, &h.Route, &h.ThirdCountry, &h.Escort,
		&h.FromCountry, &h.ToCountry, &h.Notes, &h.RecordedBy, timeScan{&h.CreatedAt}, &sealed); err != nil {
		return nil, err
	}
	p := handoverPersonal{h.Place, h.Route, h.Escort, h.Notes}
	if _, err := db.openJSON(ctx, "handovers", h.ID, sealed, &p); err != nil {
		return nil, err
	}
	h.Place, h.Route, h.Escort, h.Notes = p.Place, p.Route, p.Escort, p.Notes
	return &h, nil
}

// RecordHandover records the handover of the child of case h.CaseID.
func (s *WorkflowService) RecordHandover(ctx context.Context, h *homeward.Handover) error {
	if err := h.Validate(); err != nil {
		return err
	}
	if err := checkText(h); err != nil {
		return err
	}
	nh := *h
	err := s.recordOnCase(ctx, h.CaseID, homeward.ActionHandover, func(t *tx, c *homeward.Case) (any, error) {
		nh.RecordedBy, nh.CreatedAt, nh.HandoverOn = t.actor.UserID, t.at, normDate(nh.HandoverOn)
		if err := t.QueryRowContext(ctx, `INSERT INTO handovers (case_id, handover_on, place, route, third_country, escort,
			from_country, to_country, notes, recorded_by, created_at) VALUES ($1, $2, '', '', $3, '', $4, $5, '', $6, $7) RETURNING id`,
			c.ID, nh.HandoverOn.String(), nh.ThirdCountry, nh.FromCountry, nh.ToCountry,
			nh.RecordedBy, s.db.tv(t.at)).Scan(&nh.ID); err != nil {
			return nil, fmt.Errorf("insert handover: %w", err)
		}
		if err := t.sealRowUpdate(ctx, "handovers", nh.ID, handoverPersonal{nh.Place, nh.Route, nh.Escort, nh.Notes}); err != nil {
			return nil, err
		}
		return recordEvent{ID: nh.ID}, nil
	})
	if err != nil {
		return err
	}
	*h = nh
	return nil
}

// FindHandovers lists the handover records of a case, oldest first.
func (s *WorkflowService) FindHandovers(ctx context.Context, caseID int64) ([]*homeward.Handover, error) {
	return listOnCase(ctx, s.db, caseID, `SELECT `+handoverColumns+` FROM handovers WHERE case_id = $1 ORDER BY id`, s.db.scanHandover)
}

const reunificationColumns = `id, case_id, reunified_on, with_whom, relation, proof, notes, recorded_by, created_at, sealed`

// reunificationPersonal is the sealed part of a reunification: with whom,
// their relation, the proof they gave and the notes.
type reunificationPersonal struct {
	WithWhom string `json:"with_whom,omitempty"`
	Relation string `json:"relation,omitempty"`
	Proof    string `json:"proof,omitempty"`
	Notes    string `json:"notes,omitempty"`
}

func (db *DB) scanReunification(ctx context.Context, r rowScanner) (*homeward.Reunification, error) {
	var u homeward.Reunification
	var sealed []byte
	if err := r.Scan(&u.ID, &u.CaseID, dateScan{&u.ReunifiedOn}, &u.WithWhom, &u.Relation, &u.Proof, &u.Notes,
		&u.RecordedBy, timeScan{&u.CreatedAt}, &sealed); err != nil {
		return nil, err
	}
	p := reunificationPersonal{u.WithWhom, u.Relation, u.Proof, u.Notes}
	if _, err := db.openJSON(ctx, "reunifications", u.ID, sealed, &p); err != nil {
		return nil, err
	}
	u.WithWhom, u.Relation, u.Proof, u.Notes = p.WithWhom, p.Relation, p.Proof, p.Notes
	return &u, nil
}

// RecordReunification records the reunification of the child of case r.CaseID.
func (s *WorkflowService) RecordReunification(ctx context.Context, r *homeward.Reunification) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if err := checkText(r); err != nil {
		return err
	}
	nr := *r
	err := s.recordOnCase(ctx, r.CaseID, homeward.ActionReunification, func(t *tx, c *homeward.Case) (any, error) {
		nr.RecordedBy, nr.CreatedAt, nr.ReunifiedOn = t.actor.UserID, t.at, normDate(nr.ReunifiedOn)
		if err := t.QueryRowContext(ctx, `INSERT INTO reunifications (case_id, reunified_on, with_whom, relation, proof, notes,
			recorded_by, created_at) VALUES ($1, $2, '', '', '', '', $3, $4) RETURNING id`,
			c.ID, nr.ReunifiedOn.String(), nr.RecordedBy, s.db.tv(t.at)).Scan(&nr.ID); err != nil {
			return nil, fmt.Errorf("insert reunification: %w", err)
		}
		if err := t.sealRowUpdate(ctx, "reunifications", nr.ID, reunificationPersonal{nr.WithWhom, nr.Relation, nr.Proof, nr.Notes}); err != nil {
			return nil, err
		}
		return recordEvent{ID: nr.ID}, nil
	})
	if err != nil {
		return err
	}
	*r = nr
	return nil
}

// FindReunifications lists the reunification records of a case, oldest first.
func (s *WorkflowService) FindReunifications(ctx context.Context, caseID int64) ([]*homeward.Reunification, error) {
	return listOnCase(ctx, s.db, caseID, `SELECT `+reunificationColumns+` FROM reunifications WHERE case_id = $1 ORDER BY id`, s.db.scanReunification)
}

const followUpColumns = `id, case_id, visited_on, visitor, findings, risk_flags, notes, recorded_by, created_at, sealed`

// followUpPersonal is the sealed part of a follow-up visit. The risk flags
// stay clear: a fixed vocabulary that the case's events already carry.
type followUpPersonal struct {
	Visitor  string `json:"visitor,omitempty"`
	Findings string `json:"findings,omitempty"`
	Notes    string `json:"notes,omitempty"`
}

func (db *DB) scanFollowUp(ctx context.Context, r rowScanner) (*homeward.FollowUp, error) {
	var v homeward.FollowUp
	var flags string
	var sealed []byte
	if err := r.Scan(&v.ID, &v.CaseID, dateScan{&v.VisitedOn}, &v.Visitor, &v.Findings, &flags, &v.Notes,
		&v.RecordedBy, timeScan{&v.CreatedAt}, &sealed); err != nil {
		return nil, err
	}
	if err := decodeList(flags, &v.RiskFlags); err != nil {
		return nil, fmt.Errorf("follow-up %d risk flags: %w", v.ID, err)
	}
	p := followUpPersonal{v.Visitor, v.Findings, v.Notes}
	if _, err := db.openJSON(ctx, "follow_ups", v.ID, sealed, &p); err != nil {
		return nil, err
	}
	v.Visitor, v.Findings, v.Notes = p.Visitor, p.Findings, p.Notes
	return &v, nil
}

// AddFollowUp records a follow-up visit to the child of case v.CaseID.
func (s *WorkflowService) AddFollowUp(ctx context.Context, v *homeward.FollowUp) error {
	if err := v.Validate(); err != nil {
		return err
	}
	if err := checkText(v); err != nil {
		return err
	}
	nv := *v
	nv.RiskFlags = slices.Compact(slices.Sorted(slices.Values(v.RiskFlags)))
	err := s.recordOnCase(ctx, v.CaseID, homeward.ActionFollowUp, func(t *tx, c *homeward.Case) (any, error) {
		nv.RecordedBy, nv.CreatedAt, nv.VisitedOn = t.actor.UserID, t.at, normDate(nv.VisitedOn)
		if err := t.QueryRowContext(ctx, `INSERT INTO follow_ups (case_id, visited_on, visitor, findings, risk_flags, notes,
			recorded_by, created_at) VALUES ($1, $2, '', '', $3, '', $4, $5) RETURNING id`,
			c.ID, nv.VisitedOn.String(), encodeList(nv.RiskFlags), nv.RecordedBy, s.db.tv(t.at)).Scan(&nv.ID); err != nil {
			return nil, fmt.Errorf("insert follow-up: %w", err)
		}
		if err := t.sealRowUpdate(ctx, "follow_ups", nv.ID, followUpPersonal{nv.Visitor, nv.Findings, nv.Notes}); err != nil {
			return nil, err
		}
		return recordEvent{ID: nv.ID, RiskFlags: nv.RiskFlags}, nil
	})
	if err != nil {
		return err
	}
	*v = nv
	return nil
}

// FindFollowUps lists the follow-up visits of a case, oldest first.
func (s *WorkflowService) FindFollowUps(ctx context.Context, caseID int64) ([]*homeward.FollowUp, error) {
	return listOnCase(ctx, s.db, caseID, `SELECT `+followUpColumns+` FROM follow_ups WHERE case_id = $1 ORDER BY id`, s.db.scanFollowUp)
}
