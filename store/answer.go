package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/homeward-project/homeward"
)

const answerColumns = `a.id, a.uid, a.entry_id, e.ref, a.code, a.answered_on, a.their_ref, a.text, a.details, a.corrects, a.source,
	a.bundle_id, a.recorded_by, a.created_at`

// answerAD binds an answer's sealed text and details (what the other side
// says of a child: where, with whom) to the answer's uid.
func answerAD(uid, what string) string { return "answer " + uid + " " + what }

func (db *DB) scanAnswer(ctx context.Context, r rowScanner) (*homeward.Answer, error) {
	var a homeward.Answer
	var details string
	err := r.Scan(&a.ID, &a.UID, &a.EntryID, &a.EntryRef, &a.Code, dateScan{&a.On}, &a.TheirRef, &a.Text, &details, &a.Corrects, &a.Source,
		&a.SentIn, &a.RecordedBy, timeScan{&a.CreatedAt})
	if err != nil {
		return nil, err
	}
	if a.Text, err = db.openText(ctx, answerAD(a.UID, "text"), a.Text); err != nil {
		return nil, err
	}
	if details, err = db.openText(ctx, answerAD(a.UID, "details"), details); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(details), &a.Details); err != nil {
		return nil, fmt.Errorf("answer %d details: %w", a.ID, err)
	}
	return &a, nil
}

func (db *DB) answersOf(ctx context.Context, q querier, where string, args ...any) ([]*homeward.Answer, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+answerColumns+` FROM answers a JOIN list_entries e ON e.id = a.entry_id WHERE `+where+` ORDER BY a.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("find answers: %w", err)
	}
	defer rows.Close()
	var out []*homeward.Answer
	for rows.Next() {
		a, err := db.scanAnswer(ctx, rows)
		if err != nil {
			return nil, fmt.Errorf("read answer: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// FindAnswers returns every answer about an entry, oldest first.
func (s *ListService) FindAnswers(ctx context.Context, entryID int64) ([]*homeward.Answer, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	if _, _, err := s.db.entryOf(ctx, s.db.db, a, entryID); err != nil {
		return nil, err
	}
	return s.db.answersOf(ctx, s.db.db, `a.entry_id = $1`, entryID)
}

// RecordAnswer records an answer about an entry, typed in by a person.
func (s *ListService) RecordAnswer(ctx context.Context, entryID int64, ans *homeward.Answer) error {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return err
	}
	na := *ans
	na.Normalize()
	if err := na.Validate(); err != nil {
		return err
	}
	if err := checkText(&na); err != nil {
		return err
	}
	na.Source = homeward.AnswerByHand
	err := s.db.write(ctx, func(t *tx) error {
		e, l, err := t.db.entryOf(ctx, t, a, entryID)
		if err != nil {
			return err
		}
		if l.Direction == homeward.ListRelayed {
			return homeward.Errorf(homeward.EINVALID, "A mediator carries the answers of the sides; it records none of its own.")
		}
		return t.applyAnswer(ctx, a, l, e, &na, 0)
	})
	if err != nil {
		return err
	}
	*ans = na
	return nil
}

// answerable checks that an entry may be answered: on a list that left
// (an outgoing one sealed at least; a received one not withdrawn), and on
// it still.
func answerable(l *homeward.ReturnList, e *homeward.ListEntry) error {
	switch {
	case l.State == homeward.ListWithdrawn:
		return homeward.Errorf(homeward.EINVALID, "The list was withdrawn.")
	case l.Direction == homeward.ListOutgoing && l.SealedRevision == 0:
		return homeward.Errorf(homeward.EINVALID, "The list has not been sealed, so no answer can be about it yet.")
	case e.RemovedRevision != 0:
		return homeward.FieldErrorf(homeward.EINVALID, "entry_ref", "The entry %s is no longer on the list.", e.Ref)
	}
	return nil
}

// applyAnswer stores an answer about entry e of list l, as typed in,
// imported or received, and what it sets off: on our own list, the located
// record its location gives and the task it opens on the case.
func (t *tx) applyAnswer(ctx context.Context, a homeward.Actor, l *homeward.ReturnList, e *homeward.ListEntry, ans *homeward.Answer, bundleID int64) error {
	if err := answerable(l, e); err != nil {
		return err
	}
	if ans.UID == "" {
		ans.UID = newUID("A", 16)
	}
	if ans.Corrects == "" && e.Answer != "" {
		var last string
		if err := t.QueryRowContext(ctx, `SELECT uid FROM answers WHERE entry_id = $1 ORDER BY id DESC LIMIT 1`, e.ID).Scan(&last); err != nil {
			return fmt.Errorf("find the answer corrected: %w", err)
		}
		ans.Corrects = last
	}
	details, err := json.Marshal(ans.Details)
	if err != nil {
		return err
	}
	ans.EntryID, ans.EntryRef, ans.RecordedBy, ans.CreatedAt, ans.SentIn = e.ID, e.Ref, a.UserID, t.at, 0
	sealedText, err := t.db.sealText(ctx, t, answerAD(ans.UID, "text"), ans.Text)
	if err != nil {
		return err
	}
	sealedDetails, err := t.db.sealText(ctx, t, answerAD(ans.UID, "details"), string(details))
	if err != nil {
		return err
	}
	if err := t.QueryRowContext(ctx, `INSERT INTO answers (uid, entry_id, code, answered_on, their_ref, text, details, corrects, source,
		bundle_id, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		ans.UID, e.ID, string(ans.Code), normDate(ans.On).String(), ans.TheirRef, sealedText, sealedDetails, ans.Corrects, string(ans.Source),
		bundleID, ans.RecordedBy, t.db.tv(t.at)).Scan(&ans.ID); err != nil {
		if isUniqueViolation(err) {
			return homeward.Errorf(homeward.ECONFLICT, "The answer %s was already recorded.", ans.UID)
		}
		return fmt.Errorf("insert answer: %w", err)
	}
	e.State, e.Answer, e.AnsweredAt = homeward.EntryAnswered, ans.Code, &t.at
	if l.Direction == homeward.ListOutgoing {
		if err := t.answerEffects(ctx, a, l, e, ans); err != nil {
			return err
		}
	}
	if _, err := t.ExecContext(ctx, `UPDATE list_entries SET state = $1, answer = $2, answered_at = $3, located_id = $4, updated_at = $3 WHERE id = $5`,
		string(e.State), string(e.Answer), t.db.tv(t.at), e.LocatedID, e.ID); err != nil {
		return fmt.Errorf("update entry: %w", err)
	}
	if err := t.refreshAnsweredState(ctx, l); err != nil {
		return err
	}
	return t.appendEvent(ctx, homeward.EntityList, l.ID, homeward.ActionListAnswer, l.OrgID, map[string]any{
		"ref": e.Ref, "code": ans.Code, "answer": ans.UID, "source": ans.Source, "bundle_id": bundleID})
}

// answerEffects carries an answer about one of our children to the case:
// a located record where the answer says where the child is, the task the
// answer opens, and the case's timeline.
func (t *tx) answerEffects(ctx context.Context, a homeward.Actor, l *homeward.ReturnList, e *homeward.ListEntry, ans *homeward.Answer) error {
	if ans.Code.GivesLocation() && ans.Details.HasLocation() {
		r := locatedFromAnswer(l, e, ans)
		sys := homeward.Actor{System: true, Role: homeward.RoleAdmin, UserID: a.UserID}
		if err := t.insertLocated(ctx, sys, r); err != nil {
			return err
		}
		e.LocatedID = r.ID
		cp := *r
		t.located = append(t.located, &cp)
	}
	detail, err := t.db.sealText(ctx, t, taskAD(e.ID, ans.ID, "detail"), homeward.TaskDetail(ans))
	if err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO tasks (case_id, org_id, kind, entry_id, answer_id, detail, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.CaseID, l.OrgID, string(homeward.TaskFor(ans.Code)), e.ID, ans.ID,
		detail, t.db.tv(t.at)); err != nil {
		return fmt.Errorf("open task: %w", err)
	}
	return t.appendEvent(ctx, homeward.EntityCase, e.CaseID, homeward.ActionListAnswer, l.OrgID, map[string]any{
		"list_id": l.ID, "ref": e.Ref, "code": ans.Code, "answer": ans.UID, "located_id": e.LocatedID})
}

// locatedFromAnswer is the located record an answer's location makes: the
// child as we listed them, where the other side says they are.
func locatedFromAnswer(l *homeward.ReturnList, e *homeward.ListEntry, ans *homeward.Answer) *homeward.LocatedRecord {
	p, d := &e.Person, &ans.Details
	r := &homeward.LocatedRecord{
		OrgID:     l.OrgID,
		GivenName: p.GivenName, FamilyName: p.FamilyName, Patronymic: p.Patronymic, Sex: p.Sex,
		BirthDate: p.BirthDate, BirthPlace: p.BirthPlace,
		LocationKind: d.LocationKind, Institution: d.Place, Region: d.Region,
		ObservedAt:  ans.On,
		Source:      homeward.SourceCounterpartAnswer,
		SourceRef:   e.Ref,
		Reliability: homeward.ReliabilityHigh,
	}
	if r.LocationKind == "" {
		r.LocationKind = homeward.LocationOther
	}
	if d.Country != "" {
		r.Region = strings.TrimPrefix(strings.Join([]string{r.Region, d.Country}, ", "), ", ")
	}
	if d.KnownAs != "" {
		r.Notes = "Known there as: " + d.KnownAs
	}
	return r
}

// refreshAnsweredState moves a list to partly answered or answered.
func (t *tx) refreshAnsweredState(ctx context.Context, l *homeward.ReturnList) error {
	var total, answered int
	if err := t.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(CASE WHEN answer <> '' THEN 1 ELSE 0 END), 0) FROM list_entries
		WHERE list_id = $1 AND removed_revision = 0`, l.ID).Scan(&total, &answered); err != nil {
		return fmt.Errorf("count answers: %w", err)
	}
	to := homeward.ListPartlyAnswered
	if answered == total {
		to = homeward.ListAnswered
	}
	if next := l.State.Advance(to); next != l.State && !l.State.Final() {
		l.State = next
		return t.saveList(ctx, l)
	}
	return nil
}

// ImportAnswers records the answers of a filled-in sheet.
func (s *ListService) ImportAnswers(ctx context.Context, listID int64, rows []homeward.AnswerRow, keepGood bool) (*homeward.AnswerImport, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return nil, err
	}
	rep := &homeward.AnswerImport{Rows: len(rows)}
	err := s.db.write(ctx, func(t *tx) error {
		l, err := listOf(ctx, t, a, listID)
		if err != nil {
			return err
		}
		if l.Direction != homeward.ListOutgoing {
			return homeward.Errorf(homeward.EINVALID, "A filled-in sheet answers one of this installation's own lists.")
		}
		entries, err := t.db.entriesOf(ctx, t, listID)
		if err != nil {
			return err
		}
		byRef := map[string]*homeward.ListEntry{}
		for _, e := range entries {
			byRef[strings.ToUpper(e.Ref)] = e
		}
		last, err := t.db.latestAnswers(ctx, t, listID)
		if err != nil {
			return err
		}
		type good struct {
			e   *homeward.ListEntry
			ans homeward.Answer
		}
		var goods []good
		seen := map[string]int{}
		for _, r := range rows {
			ans := r.Answer
			ans.Normalize()
			ref := strings.ToUpper(strings.TrimSpace(ans.EntryRef))
			e := byRef[ref]
			problem := func(field, msg string) {
				rep.Problems = append(rep.Problems, homeward.RowProblem{Row: r.Row, Field: field, Message: msg})
			}
			switch {
			case ref == "":
				problem("entry_ref", "The entry reference is empty.")
				continue
			case e == nil:
				problem("entry_ref", fmt.Sprintf("No entry %s on this list.", ans.EntryRef))
				continue
			case seen[ref] != 0:
				problem("entry_ref", fmt.Sprintf("The entry %s is answered on row %d too.", e.Ref, seen[ref]))
				continue
			}
			seen[ref] = r.Row
			if err := answerable(l, e); err != nil {
				problem(homeward.ErrorField(err), homeward.ErrorMessage(err))
				continue
			}
			if err := ans.Validate(); err != nil {
				problem(homeward.ErrorField(err), homeward.ErrorMessage(err))
				continue
			}
			if err := checkText(&ans); err != nil {
				problem(homeward.ErrorField(err), homeward.ErrorMessage(err))
				continue
			}
			if prev := last[e.ID]; prev != nil && sameAnswer(prev, &ans) {
				continue // the same file imported again
			}
			ans.Source = homeward.AnswerBySpreadsheet
			goods = append(goods, good{e, ans})
		}
		if len(rep.Problems) > 0 && !keepGood {
			return homeward.Errorf(homeward.EINVALID, "%d of %d rows have problems; nothing was recorded.", len(rep.Problems), len(rows))
		}
		for i := range goods {
			if err := t.applyAnswer(ctx, a, l, goods[i].e, &goods[i].ans, 0); err != nil {
				return fmt.Errorf("row for %s: %w", goods[i].e.Ref, err)
			}
		}
		rep.Recorded = len(goods)
		return nil
	})
	if err != nil && homeward.ErrorCode(err) != homeward.EINVALID {
		return nil, err
	}
	return rep, err
}

// latestAnswers returns the standing answer of each entry of a list.
func (db *DB) latestAnswers(ctx context.Context, q querier, listID int64) (map[int64]*homeward.Answer, error) {
	as, err := db.answersOf(ctx, q, `e.list_id = $1`, listID)
	if err != nil {
		return nil, err
	}
	out := map[int64]*homeward.Answer{}
	for _, a := range as {
		out[a.EntryID] = a
	}
	return out, nil
}

// sameAnswer reports whether b says what a said.
func sameAnswer(a, b *homeward.Answer) bool {
	da, _ := json.Marshal(a.Details)
	db, _ := json.Marshal(b.Details)
	return a.Code == b.Code && a.On.Equal(b.On.Time) && a.TheirRef == b.TheirRef && a.Text == b.Text && string(da) == string(db)
}

// FindTasks returns a case's tasks, open ones first.
func (s *ListService) FindTasks(ctx context.Context, caseID int64) ([]*homeward.Task, error) {
	a := homeward.ActorFromContext(ctx)
	if err := s.db.checkVisible(ctx, a, homeward.EntityCase, caseID); err != nil {
		return nil, err
	}
	rows, err := s.db.db.QueryContext(ctx, `SELECT id, case_id, org_id, kind, entry_id, answer_id, detail, done_by, done_at, note, created_at
		FROM tasks WHERE case_id = $1 ORDER BY CASE WHEN done_at IS NULL THEN 0 ELSE 1 END, id DESC`, caseID)
	if err != nil {
		return nil, fmt.Errorf("find tasks: %w", err)
	}
	defer rows.Close()
	var out []*homeward.Task
	for rows.Next() {
		tk, err := s.db.scanTask(ctx, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, tk)
	}
	return out, rows.Err()
}

// taskAD binds a task's sealed detail (what the answer said) and note
// (what the caseworker wrote) to the entry and answer that opened it.
func taskAD(entryID, answerID int64, what string) string {
	return fmt.Sprintf("task %d %d %s", entryID, answerID, what)
}

func (db *DB) scanTask(ctx context.Context, r rowScanner) (*homeward.Task, error) {
	var tk homeward.Task
	err := r.Scan(&tk.ID, &tk.CaseID, &tk.OrgID, &tk.Kind, &tk.EntryID, &tk.AnswerID, &tk.Detail, &tk.DoneBy, timePtrScan{&tk.DoneAt},
		&tk.Note, timeScan{&tk.CreatedAt})
	if err != nil {
		return nil, fmt.Errorf("read task: %w", err)
	}
	if tk.Detail, err = db.openText(ctx, taskAD(tk.EntryID, tk.AnswerID, "detail"), tk.Detail); err != nil {
		return nil, err
	}
	if tk.Note, err = db.openText(ctx, taskAD(tk.EntryID, tk.AnswerID, "note"), tk.Note); err != nil {
		return nil, err
	}
	return &tk, nil
}

// CompleteTask marks a task done.
func (s *ListService) CompleteTask(ctx context.Context, id int64, note string) (*homeward.Task, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canWrite(a); err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	if len([]rune(note)) > homeward.MaxAnswerText {
		return nil, homeward.FieldErrorf(homeward.EINVALID, "note", "The note is longer than %d characters.", homeward.MaxAnswerText)
	}
	var out *homeward.Task
	err := s.db.write(ctx, func(t *tx) error {
		tk, err := s.db.scanTask(ctx, t.QueryRowContext(ctx, `SELECT id, case_id, org_id, kind, entry_id, answer_id, detail, done_by, done_at, note, created_at
			FROM tasks WHERE id = $1`, id))
		if err != nil {
			return notFound("task", id)
		}
		if _, err := t.ownedCase(ctx, a, tk.CaseID); err != nil {
			return notFound("task", id)
		}
		if tk.DoneAt != nil {
			return homeward.Errorf(homeward.EINVALID, "The task is already done.")
		}
		sealedNote, err := t.db.sealText(ctx, t, taskAD(tk.EntryID, tk.AnswerID, "note"), note)
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `UPDATE tasks SET done_by = $1, done_at = $2, note = $3 WHERE id = $4`, a.UserID, s.db.tv(t.at), sealedNote, id); err != nil {
			return fmt.Errorf("complete task: %w", err)
		}
		tk.DoneBy, tk.DoneAt, tk.Note = a.UserID, &t.at, note
		out = tk
		return t.appendEvent(ctx, homeward.EntityCase, tk.CaseID, "task_done", tk.OrgID, map[string]any{"task_id": id, "kind": tk.Kind})
	})
	return out, err
}

// completeTasks marks the open tasks of a kind on a case done, each with
// its event, when what they asked for happened.
func (t *tx) completeTasks(ctx context.Context, a homeward.Actor, c *homeward.Case, kind homeward.TaskKind, note string) error {
	rows, err := t.QueryContext(ctx, `SELECT id, entry_id, answer_id FROM tasks WHERE case_id = $1 AND kind = $2 AND done_at IS NULL`, c.ID, string(kind))
	if err != nil {
		return fmt.Errorf("find open tasks: %w", err)
	}
	type open struct{ id, entry, answer int64 }
	var ts []open
	for rows.Next() {
		var o open
		if err := rows.Scan(&o.id, &o.entry, &o.answer); err != nil {
			rows.Close()
			return fmt.Errorf("find open tasks: %w", err)
		}
		ts = append(ts, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find open tasks: %w", err)
	}
	for _, o := range ts {
		id := o.id
		sealedNote, err := t.db.sealText(ctx, t, taskAD(o.entry, o.answer, "note"), note)
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `UPDATE tasks SET done_by = $1, done_at = $2, note = $3 WHERE id = $4`, a.UserID, t.db.tv(t.at), sealedNote, id); err != nil {
			return fmt.Errorf("complete task: %w", err)
		}
		if err := t.appendEvent(ctx, homeward.EntityCase, c.ID, "task_done", c.OrgID, map[string]any{"task_id": id, "kind": kind}); err != nil {
			return err
		}
	}
	return nil
}

// FindCandidates returns the candidates of a received entry, best first,
// and records a view of each candidate record: their explanations carry
// the records' names.
func (s *ListService) FindCandidates(ctx context.Context, entryID int64) ([]*homeward.EntryCandidate, error) {
	a := homeward.ActorFromContext(ctx)
	if err := canRead(a); err != nil {
		return nil, err
	}
	var out []*homeward.EntryCandidate
	err := s.db.write(ctx, func(t *tx) error {
		_, l, err := t.db.entryOf(ctx, t, a, entryID)
		if err != nil {
			return err
		}
		if out, err = readCandidates(ctx, t, entryID); err != nil {
			return err
		}
		// Appended once the rows are closed: appending may write on the
		// same connection.
		for _, c := range out {
			if err := t.appendEvent(ctx, c.EntityType, c.EntityID, homeward.ActionView, l.OrgID, map[string]int64{"entry_id": entryID}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func readCandidates(ctx context.Context, t *tx, entryID int64) ([]*homeward.EntryCandidate, error) {
	rows, err := t.QueryContext(ctx, `SELECT entry_id, entity_type, entity_id, probability, explanation FROM entry_candidates
		WHERE entry_id = $1 ORDER BY probability DESC, id`, entryID)
	if err != nil {
		return nil, fmt.Errorf("find candidates: %w", err)
	}
	defer rows.Close()
	var out []*homeward.EntryCandidate
	for rows.Next() {
		var c homeward.EntryCandidate
		var ex string
		if err := rows.Scan(&c.EntryID, &c.EntityType, &c.EntityID, &c.Probability, &ex); err != nil {
			return nil, fmt.Errorf("read candidate: %w", err)
		}
		if err := decodeList(ex, &c.Explanation); err != nil {
			return nil, fmt.Errorf("candidate explanation: %w", err)
		}
		out = append(out, &c)
	}
	return out, rows.Err()
}

// SaveCandidates replaces the candidates of a received list's entries.
func (s *ListService) SaveCandidates(ctx context.Context, listID int64, cs []homeward.EntryCandidate) error {
	a := homeward.ActorFromContext(ctx)
	if err := canExchange(a); err != nil {
		return err
	}
	return s.db.write(ctx, func(t *tx) error {
		l, err := listOf(ctx, t, a, listID)
		if err != nil {
			return err
		}
		if l.Direction != homeward.ListIncoming {
			return homeward.Errorf(homeward.EINVALID, "Candidates are found for the entries of a received list.")
		}
		if _, err := t.ExecContext(ctx, `DELETE FROM entry_candidates WHERE entry_id IN (SELECT id FROM list_entries WHERE list_id = $1)`, listID); err != nil {
			return fmt.Errorf("clear candidates: %w", err)
		}
		onList := map[int64]bool{}
		rows, err := t.QueryContext(ctx, `SELECT id FROM list_entries WHERE list_id = $1`, listID)
		if err != nil {
			return fmt.Errorf("find entries: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("find entries: %w", err)
			}
			onList[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("find entries: %w", err)
		}
		counts := map[int64]int{}
		for _, c := range cs {
			if !onList[c.EntryID] {
				return homeward.Errorf(homeward.EINVALID, "Entry %d is not on list %d.", c.EntryID, listID)
			}
			counts[c.EntryID]++
		}
		// Many rows a statement: a list of 5,000 entries has up to 25,000
		// candidates, and a statement each kept PostgreSQL busy for seconds.
		const chunk = 150 // six parameters a row
		for rest := cs; len(rest) > 0; {
			part := rest[:min(len(rest), chunk)]
			rest = rest[len(part):]
			var args []any
			values := make([]string, len(part))
			for i, c := range part {
				args = append(args, c.EntryID, c.EntityType, c.EntityID, c.Probability, encodeList(c.Explanation), s.db.tv(t.at))
				n := len(args)
				values[i] = fmt.Sprintf("($%d, $%d, $%d, $%d, $%d, $%d)", n-5, n-4, n-3, n-2, n-1, n)
			}
			if _, err := t.ExecContext(ctx, `INSERT INTO entry_candidates (entry_id, entity_type, entity_id, probability, explanation, created_at)
				VALUES `+strings.Join(values, ", "), args...); err != nil {
				return fmt.Errorf("insert candidates: %w", err)
			}
		}
		if _, err := t.ExecContext(ctx, `UPDATE list_entries SET candidates = (SELECT count(*) FROM entry_candidates c WHERE c.entry_id = list_entries.id)
			WHERE list_id = $1`, listID); err != nil {
			return fmt.Errorf("count candidates: %w", err)
		}
		return t.appendEvent(ctx, homeward.EntityList, listID, homeward.ActionListLink, l.OrgID, map[string]int{"candidates": len(cs), "entries": len(counts)})
	})
}
