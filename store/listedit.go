package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/homeward-project/homeward"
)

// listAt reads a list for a change made from its version: a list changed
// since it was read is a conflict.
func (t *tx) listAt(ctx context.Context, a homeward.Actor, id int64, version int) (*homeward.ReturnList, error) {
	l, err := listOf(ctx, t, a, id)
	if err != nil {
		return nil, err
	}
	if l.Version != version {
		return nil, conflict("list")
	}
	return l, nil
}

// editableList reads an outgoing list for a change at version. A change to
// a sealed list starts its next revision: what was sealed stays as it left.
// Any change withdraws a request to seal, since what was asked for changed.
func (t *tx) editableList(ctx context.Context, a homeward.Actor, id int64, version int) (*homeward.ReturnList, error) {
	l, err := t.listAt(ctx, a, id, version)
	if err != nil {
		return nil, err
	}
	switch {
	case l.Direction != homeward.ListOutgoing:
		return nil, homeward.Errorf(homeward.EINVALID, "Only this installation's own lists can be changed.")
	case l.State.Final():
		return nil, homeward.Errorf(homeward.EINVALID, "The list is %s and cannot be changed.", l.State)
	}
	if l.Revision == l.SealedRevision {
		l.Revision++
		if err := t.appendEvent(ctx, homeward.EntityList, l.ID, homeward.ActionListRevise, l.OrgID, map[string]int{"revision": l.Revision}); err != nil {
			return nil, err
		}
	}
	l.SealRequestedBy, l.SealRequestedAt = 0, nil
	return l, nil
}

// saveList writes a list's revision, seal request, state and profile after
// a change, checking the version read.
func (t *tx) saveList(ctx context.Context, l *homeward.ReturnList) error {
	if err := t.updateVersioned(ctx, "return_lists", "revision, sealed_revision, seal_requested_by, seal_requested_at, state, profile",
		[]any{l.Revision, l.SealedRevision, l.SealRequestedBy, t.db.tvp(l.SealRequestedAt), string(l.State), string(l.Profile)},
		l.ID, l.Version, "list"); err != nil {
		return err
	}
	l.Version, l.UpdatedAt = l.Version+1, t.at
	return t.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM list_entries e WHERE e.list_id = $1 AND e.removed_revision = 0),
		(SELECT count(*) FROM list_entries e WHERE e.list_id = $1 AND e.removed_revision = 0 AND e.answer <> '')`, l.ID).Scan(&l.Entries, &l.Answered)
}

// listableCase reads a case to put on a list: held by the list's
// organisation, open, with consent to share it with a mediator.
func (t *tx) listableCase(ctx context.Context, a homeward.Actor, id int64) (*homeward.Case, error) {
	c, err := t.ownedCase(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return c, listable(c)
}

// listable says whether a case may go on a list, or leave on one.
func listable(c *homeward.Case) error {
	switch {
	case !c.Consents.ShareMediator:
		return homeward.FieldErrorf(homeward.EINVALID, "consents.share_mediator", "Case %s has no consent to share it with a mediator; record the consent first.", c.Reference)
	case c.Stage == homeward.StageClosed:
		return homeward.Errorf(homeward.EINVALID, "Case %s is closed.", c.Reference)
	}
	return nil
}

// AddEntries puts cases on a list and proposes their siblings.
func (s *ListService) AddEntries(ctx context.Context, listID int64, caseIDs []int64, version int) (*homeward.ReturnList, []int64, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return nil, nil, err
	}
	if len(caseIDs) == 0 {
		return nil, nil, homeward.FieldErrorf(homeward.EINVALID, "case_ids", "Choose the cases to put on the list.")
	}
	var out *homeward.ReturnList
	var siblings []int64
	err := s.db.write(ctx, func(t *tx) error {
		l, err := t.editableList(ctx, a, listID, version)
		if err != nil {
			return err
		}
		entries, err := t.db.entriesOf(ctx, t, listID)
		if err != nil {
			return err
		}
		byCase := map[int64]*homeward.ListEntry{}
		pos := 0
		for _, e := range entries {
			byCase[e.CaseID] = e
			pos = max(pos, e.Position)
		}
		var added []map[string]any
		var cases []*homeward.Case
		for _, id := range slices.Compact(slices.Sorted(slices.Values(caseIDs))) {
			c, err := t.listableCase(ctx, a, id)
			if err != nil {
				return err
			}
			cases = append(cases, c)
			person, err := json.Marshal(homeward.Disclose(c, l.Profile, nil, nil))
			if err != nil {
				return err
			}
			var ref string
			if e := byCase[id]; e != nil {
				if e.RemovedRevision == 0 {
					continue // already on the list
				}
				// Back on the list: it keeps its reference, so the other
				// side sees the same child return, not a new one.
				sealed, err := t.sealPerson(ctx, e.ListID, e.Ref, person)
				if err != nil {
					return err
				}
				if _, err := t.ExecContext(ctx, `UPDATE list_entries SET removed_revision = 0, person = $1, updated_at = $2 WHERE id = $3`,
					sealed, s.db.tv(t.at), e.ID); err != nil {
					return fmt.Errorf("restore entry: %w", err)
				}
				e.RemovedRevision = 0
				ref = e.Ref
			} else {
				pos++
				ref = fmt.Sprintf("%s-%04d", l.UID, pos)
				e := &homeward.ListEntry{ListID: l.ID, Ref: ref, Position: pos, CaseID: c.ID, AddedRevision: l.Revision, State: homeward.EntryPending}
				if err := t.insertEntry(ctx, e, person); err != nil {
					return err
				}
				byCase[id] = e
			}
			added = append(added, map[string]any{"ref": ref, "case_id": c.ID})
			if err := t.appendEvent(ctx, homeward.EntityCase, c.ID, homeward.ActionListAdd, c.OrgID, map[string]any{"list_id": l.ID, "ref": ref}); err != nil {
				return err
			}
		}
		for _, c := range cases {
			for _, sib := range c.Siblings {
				if e := byCase[sib]; (e == nil || e.RemovedRevision != 0) && !slices.Contains(siblings, sib) {
					if _, err := t.ownedCase(ctx, a, sib); err == nil {
						siblings = append(siblings, sib)
					}
				}
			}
		}
		if err := t.saveList(ctx, l); err != nil {
			return err
		}
		out = l
		if len(added) == 0 {
			return nil
		}
		return t.appendEvent(ctx, homeward.EntityList, l.ID, homeward.ActionListAdd, l.OrgID, map[string]any{"entries": added, "revision": l.Revision})
	})
	if err != nil {
		return nil, nil, err
	}
	return out, siblings, nil
}

func (t *tx) insertEntry(ctx context.Context, e *homeward.ListEntry, person []byte) error {
	e.CreatedAt, e.UpdatedAt = t.at, t.at
	if e.State == "" {
		e.State = homeward.EntryPending
	}
	sealed, err := t.sealPerson(ctx, e.ListID, e.Ref, person)
	if err != nil {
		return err
	}
	if err := t.QueryRowContext(ctx, `INSERT INTO list_entries (list_id, ref, position, case_id, person, added_revision, state,
		carried_from, carried_from_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		e.ListID, e.Ref, e.Position, e.CaseID, sealed, e.AddedRevision, string(e.State), e.CarriedFrom, e.CarriedFromID,
		t.db.tv(t.at), t.db.tv(t.at)).Scan(&e.ID); err != nil {
		if isUniqueViolation(err) {
			return homeward.Errorf(homeward.ECONFLICT, "The list already has an entry %s.", e.Ref)
		}
		return fmt.Errorf("insert entry: %w", err)
	}
	return nil
}

// insertEntries inserts the entries of a received list, many a statement:
// a statement an entry kept a 5,000-entry list's opening waiting on as
// many round trips. The rows come back in no promised order, so each is
// found again by its reference, which is unique on its list.
func (t *tx) insertEntries(ctx context.Context, es []*homeward.ListEntry, persons []string) error {
	const chunk = 80 // eleven parameters an entry
	for start := 0; start < len(es); start += chunk {
		part := es[start:min(len(es), start+chunk)]
		args := make([]any, 0, len(part)*11)
		values := make([]string, len(part))
		byRef := make(map[string]*homeward.ListEntry, len(part))
		for i, e := range part {
			e.CreatedAt, e.UpdatedAt = t.at, t.at
			if e.State == "" {
				e.State = homeward.EntryPending
			}
			byRef[e.Ref] = e
			sealed, err := t.sealPerson(ctx, e.ListID, e.Ref, []byte(persons[start+i]))
			if err != nil {
				return err
			}
			args = append(args, e.ListID, e.Ref, e.Position, e.CaseID, sealed, e.AddedRevision, string(e.State),
				e.CarriedFrom, e.CarriedFromID, t.db.tv(t.at), t.db.tv(t.at))
			marks := make([]string, 11)
			for j := range marks {
				marks[j] = fmt.Sprintf("$%d", len(args)-10+j)
			}
			values[i] = "(" + strings.Join(marks, ", ") + ")"
		}
		err := func() error {
			rows, err := t.QueryContext(ctx, `INSERT INTO list_entries (list_id, ref, position, case_id, person, added_revision, state,
				carried_from, carried_from_id, created_at, updated_at) VALUES `+strings.Join(values, ", ")+` RETURNING id, ref`, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				var ref string
				if err := rows.Scan(&id, &ref); err != nil {
					return err
				}
				if e := byRef[ref]; e != nil {
					e.ID = id
				}
			}
			return rows.Err()
		}()
		if err != nil {
			if isUniqueViolation(err) {
				return homeward.Errorf(homeward.ECONFLICT, "The list has an entry twice.")
			}
			return fmt.Errorf("insert entries: %w", err)
		}
		for _, e := range part {
			if e.ID == 0 {
				return fmt.Errorf("insert entries: no id came back for %s", e.Ref)
			}
		}
	}
	return nil
}

// RemoveEntry takes an entry off the working revision of a list.
func (s *ListService) RemoveEntry(ctx context.Context, listID, entryID int64, version int) (*homeward.ReturnList, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return nil, err
	}
	var out *homeward.ReturnList
	err := s.db.write(ctx, func(t *tx) error {
		l, err := t.editableList(ctx, a, listID, version)
		if err != nil {
			return err
		}
		e, el, err := t.db.entryOf(ctx, t, a, entryID)
		if err != nil || el.ID != l.ID {
			return notFound("list entry", entryID)
		}
		if e.RemovedRevision != 0 {
			return homeward.Errorf(homeward.EINVALID, "The entry %s is already off the list.", e.Ref)
		}
		if _, err := t.ExecContext(ctx, `UPDATE list_entries SET removed_revision = $1, updated_at = $2 WHERE id = $3`, l.Revision, s.db.tv(t.at), e.ID); err != nil {
			return fmt.Errorf("remove entry: %w", err)
		}
		if err := t.saveList(ctx, l); err != nil {
			return err
		}
		out = l
		if err := t.appendEvent(ctx, homeward.EntityCase, e.CaseID, homeward.ActionListRemove, l.OrgID, map[string]any{"list_id": l.ID, "ref": e.Ref}); err != nil {
			return err
		}
		return t.appendEvent(ctx, homeward.EntityList, l.ID, homeward.ActionListRemove, l.OrgID, map[string]any{"ref": e.Ref, "revision": l.Revision})
	})
	return out, err
}

// SetProfile changes what leaves with the list's next revision.
func (s *ListService) SetProfile(ctx context.Context, listID int64, p homeward.DisclosureProfile, version int) (*homeward.ReturnList, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return nil, err
	}
	if !p.Valid() {
		return nil, homeward.FieldErrorf(homeward.EINVALID, "profile", "Choose the disclosure profile (minimal, standard or full).")
	}
	var out *homeward.ReturnList
	err := s.db.write(ctx, func(t *tx) error {
		l, err := t.editableList(ctx, a, listID, version)
		if err != nil {
			return err
		}
		from := l.Profile
		l.Profile = p
		if err := t.saveList(ctx, l); err != nil {
			return err
		}
		out = l
		return t.appendEvent(ctx, homeward.EntityList, l.ID, homeward.ActionListProfile, l.OrgID, map[string]any{"from": from, "to": p, "revision": l.Revision})
	})
	return out, err
}

// RequestSeal asks a second supervisor to seal the working revision.
func (s *ListService) RequestSeal(ctx context.Context, listID int64, version int) (*homeward.ReturnList, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return nil, err
	}
	var out *homeward.ReturnList
	err := s.db.write(ctx, func(t *tx) error {
		l, err := t.listAt(ctx, a, listID, version)
		if err != nil {
			return err
		}
		switch {
		case !l.Editable():
			return homeward.Errorf(homeward.EINVALID, "Only an open list of this installation is sealed.")
		case l.Revision == l.SealedRevision:
			return homeward.Errorf(homeward.EINVALID, "Revision %d is already sealed; change the list to prepare the next.", l.SealedRevision)
		case l.Entries == 0:
			return homeward.Errorf(homeward.EINVALID, "The list has no entries.")
		case l.SealRequestedBy != 0:
			return homeward.Errorf(homeward.EINVALID, "The seal was already asked for; a second supervisor seals it.")
		}
		l.SealRequestedBy, l.SealRequestedAt = a.UserID, &t.at
		if err := t.saveList(ctx, l); err != nil {
			return err
		}
		out = l
		return t.appendEvent(ctx, homeward.EntityList, l.ID, homeward.ActionListSealRequest, l.OrgID, map[string]int{"revision": l.Revision})
	})
	return out, err
}

// Seal freezes the working revision as the document that will leave.
func (s *ListService) Seal(ctx context.Context, listID int64, version int) (*homeward.ReturnList, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return nil, err
	}
	if !a.System && !a.Role.IsSupervisorRank() {
		return nil, homeward.Errorf(homeward.EFORBIDDEN, "Only a supervisor seals a list.")
	}
	var out *homeward.ReturnList
	err := s.db.write(ctx, func(t *tx) error {
		l, err := t.listAt(ctx, a, listID, version)
		if err != nil {
			return err
		}
		switch {
		case !l.Editable() || l.Revision == l.SealedRevision:
			return homeward.Errorf(homeward.EINVALID, "There is no revision of the list waiting to be sealed.")
		case l.SealRequestedBy == 0:
			return homeward.Errorf(homeward.EINVALID, "Ask for the seal first; a second supervisor then seals it.")
		case !a.System && l.SealRequestedBy == a.UserID:
			return homeward.Errorf(homeward.EFORBIDDEN, "You asked for the seal; the four-eyes rule needs a second supervisor, not the one who asked, to seal the list.")
		}
		doc, cases, err := t.composeRevision(ctx, a, l)
		if err != nil {
			return err
		}
		body, err := json.Marshal(doc)
		if err != nil {
			return fmt.Errorf("encode list: %w", err)
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:])
		if _, err := t.ExecContext(ctx, `UPDATE list_revisions SET superseded_at = $1 WHERE list_id = $2 AND superseded_at IS NULL`, s.db.tv(t.at), l.ID); err != nil {
			return fmt.Errorf("supersede revision: %w", err)
		}
		sealedBody, err := t.db.sealText(ctx, t, revisionAD(l.ID, l.Revision), string(body))
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO list_revisions (list_id, revision, entries, body, body_hash, seal_requested_by, sealed_by, sealed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, l.ID, l.Revision, len(doc.Entries), sealedBody, hash, l.SealRequestedBy, a.UserID, s.db.tv(t.at)); err != nil {
			return fmt.Errorf("insert revision: %w", err)
		}
		l.SealedRevision, l.SealRequestedBy, l.SealRequestedAt = l.Revision, 0, nil
		l.State = l.State.Advance(homeward.ListSealed)
		if err := t.saveList(ctx, l); err != nil {
			return err
		}
		out = l
		if err := t.appendEvent(ctx, homeward.EntityList, l.ID, homeward.ActionListSeal, l.OrgID, map[string]any{
			"revision": l.Revision, "entries": len(doc.Entries), "hash": hash}); err != nil {
			return err
		}
		role := a.Role
		if a.System {
			role = homeward.RoleAdmin
		}
		var moving []*homeward.Case
		for _, c := range cases {
			if err := t.appendEvent(ctx, homeward.EntityCase, c.ID, homeward.ActionListSeal, c.OrgID, map[string]any{"list_id": l.ID, "revision": l.Revision}); err != nil {
				return err
			}
			// The facts of this move are what this transaction made true
			// (the seal) and the consent it just checked.
			f := homeward.TransitionFacts{Role: role, ConsentTracing: c.Consents.Tracing, ConsentShareMediator: c.Consents.ShareMediator, OnSealedList: true}
			if c.Stage == homeward.StageVerified && homeward.CheckTransition(c.Stage, homeward.StageListed, f) == nil {
				moving = append(moving, c)
			}
		}
		return t.moveCases(ctx, moving, homeward.StageListed)
	})
	return out, err
}

// composeRevision builds the document of a list's working revision from
// its cases as they are now, and freezes each entry's disclosed person.
func (t *tx) composeRevision(ctx context.Context, a homeward.Actor, l *homeward.ReturnList) (*homeward.ListDocument, []*homeward.Case, error) {
	entries, err := t.db.entriesOf(ctx, t, l.ID)
	if err != nil {
		return nil, nil, err
	}
	doc := &homeward.ListDocument{UID: l.UID, Revision: l.Revision, Phase: l.Phase, Title: l.Title, Profile: l.Profile, SealedAt: t.at}
	refOf := map[int64]string{}
	var active []*homeward.ListEntry
	var cases []*homeward.Case
	var problems []string
	var ids []int64
	for _, e := range entries {
		if e.RemovedRevision == 0 {
			ids = append(ids, e.CaseID)
		}
	}
	byID, err := t.db.visibleCases(ctx, t, a, ids)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		if e.RemovedRevision != 0 {
			continue
		}
		c := byID[e.CaseID]
		if c == nil || (!a.System && c.OrgID != l.OrgID) {
			return nil, nil, homeward.Errorf(homeward.EFORBIDDEN, "The case of entry %s is no longer this organisation's.", e.Ref)
		}
		if err := listable(c); err != nil {
			problems = append(problems, homeward.ErrorMessage(err))
			continue
		}
		refOf[c.ID] = e.Ref
		active = append(active, e)
		cases = append(cases, c)
	}
	if len(problems) > 0 {
		return nil, nil, homeward.Errorf(homeward.EINVALID, "The list cannot be sealed: %s Take those entries off or correct the cases.", strings.Join(problems, " "))
	}
	frozen := make([]frozenEntry, 0, len(active))
	for i, e := range active {
		c := cases[i]
		var sibs []string
		for _, id := range c.Siblings {
			if ref, ok := refOf[id]; ok {
				sibs = append(sibs, ref)
			}
		}
		var photos []*homeward.Attachment
		if l.Profile.Includes(homeward.ProfileFull) {
			if photos, err = t.liaisonAttachments(ctx, c.ID); err != nil {
				return nil, nil, err
			}
		}
		person := homeward.Disclose(c, l.Profile, sibs, photos)
		b, err := json.Marshal(person)
		if err != nil {
			return nil, nil, err
		}
		frozen = append(frozen, frozenEntry{e.ID, e.ListID, e.Ref, string(b)})
		doc.Entries = append(doc.Entries, homeward.EntryDocument{Ref: e.Ref, Person: person, CarriedFrom: e.CarriedFrom})
	}
	if err := t.freezeEntries(ctx, frozen); err != nil {
		return nil, nil, err
	}
	if l.SealedRevision > 0 {
		prev, err := t.revisionDocument(ctx, l.ID, l.SealedRevision)
		if err != nil {
			return nil, nil, err
		}
		now := map[string]bool{}
		for _, e := range doc.Entries {
			now[e.Ref] = true
		}
		for _, e := range prev.Entries {
			if !now[e.Ref] {
				doc.Removed = append(doc.Removed, e.Ref)
			}
		}
	}
	return doc, cases, nil
}

// frozenEntry is the disclosed person of an entry as a seal freezes it.
type frozenEntry struct {
	id     int64
	listID int64
	ref    string
	person string
}

// freezeEntries writes the disclosed persons of a seal, a chunk of entries
// a statement: one statement an entry made a 5,000-entry list's seal wait
// on 5,000 round trips to PostgreSQL.
func (t *tx) freezeEntries(ctx context.Context, es []frozenEntry) error {
	const chunk = 400 // two parameters an entry, well under both drivers' limits
	for len(es) > 0 {
		part := es[:min(len(es), chunk)]
		es = es[len(part):]
		args := []any{t.db.tv(t.at)}
		values := make([]string, len(part))
		for i, e := range part {
			sealed, err := t.sealPerson(ctx, e.listID, e.ref, []byte(e.person))
			if err != nil {
				return err
			}
			args = append(args, e.id, sealed)
			values[i] = fmt.Sprintf("(CAST($%d AS BIGINT), CAST($%d AS TEXT))", len(args)-1, len(args))
		}
		if _, err := t.ExecContext(ctx, `UPDATE list_entries SET person = v.column2, updated_at = $1
			FROM (VALUES `+strings.Join(values, ", ")+`) AS v WHERE list_entries.id = v.column1`, args...); err != nil {
			return fmt.Errorf("freeze entries: %w", err)
		}
	}
	return nil
}

// liaisonAttachments returns the attachments of a case marked for
// liaisons, without their content.
func (t *tx) liaisonAttachments(ctx context.Context, caseID int64) ([]*homeward.Attachment, error) {
	rows, err := t.QueryContext(ctx, `SELECT `+attachmentMeta+` FROM attachments WHERE case_id = $1 AND liaison_visible ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("find attachments: %w", err)
	}
	defer rows.Close()
	var out []*homeward.Attachment
	for rows.Next() {
		at, err := t.db.scanAttachment(ctx, rows, false)
		if err != nil {
			return nil, err
		}
		out = append(out, at)
	}
	return out, rows.Err()
}

// moveCases moves cases whose move was checked to a stage, a chunk of
// cases a statement, each with its event.
func (t *tx) moveCases(ctx context.Context, cs []*homeward.Case, to homeward.Stage) error {
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	err := chunks(ids, func(part []int64) error {
		args := []any{string(to), t.db.tv(t.at)}
		marks := make([]string, len(part))
		for i, id := range part {
			args = append(args, id)
			marks[i] = fmt.Sprintf("$%d", len(args))
		}
		if _, err := t.ExecContext(ctx, `UPDATE cases SET stage = $1, version = version + 1, updated_at = $2 WHERE id IN (`+strings.Join(marks, ", ")+`)`, args...); err != nil {
			return fmt.Errorf("move cases: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range cs {
		from := c.Stage
		c.Stage, c.Version, c.UpdatedAt = to, c.Version+1, t.at
		if err := t.appendEvent(ctx, homeward.EntityCase, c.ID, homeward.ActionTransition, c.OrgID, transitionEvent{From: from, To: to}); err != nil {
			return err
		}
	}
	return nil
}

// revisionDocument reads a stored revision's document.
func (t *tx) revisionDocument(ctx context.Context, listID int64, revision int) (*homeward.ListDocument, error) {
	return t.db.revisionDocument(ctx, t, listID, revision)
}

// revisionAD binds a revision's sealed document, which names every child
// of the list, to the list and revision.
func revisionAD(listID int64, revision int) string {
	return fmt.Sprintf("list revision %d %d", listID, revision)
}

// revisionBody reads a revision's document as sealed and opens it.
func (db *DB) revisionBody(ctx context.Context, q queryer, listID int64, revision int) (string, error) {
	var body string
	if err := q.QueryRowContext(ctx, `SELECT body FROM list_revisions WHERE list_id = $1 AND revision = $2`, listID, revision).Scan(&body); err != nil {
		return "", err
	}
	return db.openText(ctx, revisionAD(listID, revision), body)
}

func (db *DB) revisionDocument(ctx context.Context, q queryer, listID int64, revision int) (*homeward.ListDocument, error) {
	body, err := db.revisionBody(ctx, q, listID, revision)
	if err != nil {
		return nil, scanErr(err, "revision", int64(revision))
	}
	var doc homeward.ListDocument
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		return nil, fmt.Errorf("list %d revision %d: %w", listID, revision, err)
	}
	return &doc, nil
}

// Withdraw withdraws a list; a list that left is withdrawn at the other
// side too, by a notice in the next bundle.
func (s *ListService) Withdraw(ctx context.Context, listID int64, reason string, version int) (*homeward.ReturnList, error) {
	return s.finish(ctx, listID, version, homeward.ListWithdrawn, reason)
}

// Close closes a list whose business is done.
func (s *ListService) Close(ctx context.Context, listID int64, version int) (*homeward.ReturnList, error) {
	return s.finish(ctx, listID, version, homeward.ListClosed, "")
}

func (s *ListService) finish(ctx context.Context, listID int64, version int, to homeward.ListState, reason string) (*homeward.ReturnList, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return nil, err
	}
	if !a.System && !a.Role.IsSupervisorRank() {
		return nil, homeward.Errorf(homeward.EFORBIDDEN, "Only a supervisor withdraws or closes a list.")
	}
	reason = strings.TrimSpace(reason)
	if to == homeward.ListWithdrawn && reason == "" {
		return nil, homeward.FieldErrorf(homeward.EINVALID, "reason", "Say why the list is withdrawn.")
	}
	if len([]rune(reason)) > homeward.MaxAnswerText {
		return nil, homeward.FieldErrorf(homeward.EINVALID, "reason", "The reason is longer than %d characters.", homeward.MaxAnswerText)
	}
	var out *homeward.ReturnList
	err := s.db.write(ctx, func(t *tx) error {
		l, err := t.listAt(ctx, a, listID, version)
		if err != nil {
			return err
		}
		if l.State.Final() {
			return homeward.Errorf(homeward.EINVALID, "The list is already %s.", l.State)
		}
		wasSent := l.State != homeward.ListDraft && l.State != homeward.ListSealed
		l.State = to
		if err := t.saveList(ctx, l); err != nil {
			return err
		}
		out = l
		action := homeward.ActionListClose
		if to == homeward.ListWithdrawn {
			action = homeward.ActionListWithdraw
			if wasSent && l.Direction == homeward.ListOutgoing {
				if err := t.queueNotice(ctx, l, homeward.ListWithdrawn, reason); err != nil {
					return err
				}
			}
		}
		return t.appendEvent(ctx, homeward.EntityList, l.ID, action, l.OrgID, map[string]any{"reason": reason})
	})
	return out, err
}

// Revisions returns a list's sealed or received revisions, first first.
func (s *ListService) Revisions(ctx context.Context, listID int64) ([]*homeward.ListRevision, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	if _, err := listOf(ctx, s.db.db, a, listID); err != nil {
		return nil, err
	}
	rows, err := s.db.db.QueryContext(ctx, `SELECT list_id, revision, entries, body_hash, seal_requested_by, sealed_by, sealed_at, sent_at, superseded_at
		FROM list_revisions WHERE list_id = $1 ORDER BY revision`, listID)
	if err != nil {
		return nil, fmt.Errorf("find revisions: %w", err)
	}
	defer rows.Close()
	var out []*homeward.ListRevision
	for rows.Next() {
		var r homeward.ListRevision
		if err := rows.Scan(&r.ListID, &r.Revision, &r.Entries, &r.BodyHash, &r.SealRequestedBy, &r.SealedBy, timeScan{&r.SealedAt},
			timePtrScan{&r.SentAt}, timePtrScan{&r.SupersededAt}); err != nil {
			return nil, fmt.Errorf("read revision: %w", err)
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}

// RevisionDocument returns a revision as it left or arrived and records
// the export: it holds the names of every child on the list.
func (s *ListService) RevisionDocument(ctx context.Context, listID int64, revision int) (*homeward.ListDocument, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	var doc *homeward.ListDocument
	err := s.db.write(ctx, func(t *tx) error {
		l, err := listOf(ctx, t, a, listID)
		if err != nil {
			return err
		}
		if revision == 0 {
			revision = l.SealedRevision
		}
		if doc, err = t.revisionDocument(ctx, listID, revision); err != nil {
			return err
		}
		return t.appendEvent(ctx, homeward.EntityList, l.ID, homeward.ActionListExport, l.OrgID, map[string]int{"revision": revision, "entries": len(doc.Entries)})
	})
	return doc, err
}

// Diff compares two revisions of a list, entry by entry and field by field.
func (s *ListService) Diff(ctx context.Context, listID int64, from, to int) (*homeward.ListDiff, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	if _, err := listOf(ctx, s.db.db, a, listID); err != nil {
		return nil, err
	}
	docs := make([]*homeward.ListDocument, 2)
	for i, rev := range []int{from, to} {
		d, err := s.db.revisionDocument(ctx, s.db.db, listID, rev)
		if err != nil {
			return nil, homeward.FieldErrorf(homeward.EINVALID, "revision", "The list has no revision %d.", rev)
		}
		docs[i] = d
	}
	return diffDocuments(docs[0], docs[1])
}

func diffDocuments(a, b *homeward.ListDocument) (*homeward.ListDiff, error) {
	d := &homeward.ListDiff{From: a.Revision, To: b.Revision}
	old := map[string]homeward.EntryDocument{}
	for _, e := range a.Entries {
		old[e.Ref] = e
	}
	seen := map[string]bool{}
	for _, e := range b.Entries {
		seen[e.Ref] = true
		o, ok := old[e.Ref]
		if !ok {
			d.Added = append(d.Added, e.Ref)
			continue
		}
		ch, err := changes(o.Person, e.Person)
		if err != nil {
			return nil, err
		}
		if len(ch) > 0 {
			d.Changed = append(d.Changed, homeward.EntryChange{Ref: e.Ref, Fields: ch})
		}
	}
	for _, e := range a.Entries {
		if !seen[e.Ref] {
			d.Removed = append(d.Removed, e.Ref)
		}
	}
	return d, nil
}
