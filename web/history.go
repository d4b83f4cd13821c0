package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/homeward-project/homeward"
)

// historyEntry is one event of a record's history as shown on its page.
type historyEntry struct {
	At      string
	Actor   string
	Action  string
	Changes []changeLine
}

type changeLine struct {
	Field string
	Old   string
	New   string
}

// historyLimit bounds the events shown on a record's page; the API pages
// through the rest.
const historyLimit = 500

func (s *Server) history(r *http.Request, v *view, entity string, id int64) ([]historyEntry, error) {
	evs, err := s.cfg.Events.FindEvents(r.Context(), homeward.EventFilter{EntityType: entity, EntityID: id, Limit: historyLimit})
	if err != nil {
		return nil, err
	}
	actors := map[int64]string{}
	actorName := func(uid int64) string {
		if uid == 0 {
			return v.T("System")
		}
		if n, ok := actors[uid]; ok {
			return n
		}
		n := fmt.Sprintf("#%d", uid)
		if u, err := s.cfg.Users.FindUserByID(r.Context(), uid); err == nil {
			n = u.DisplayName
			if n == "" {
				n = u.Login
			}
		}
		actors[uid] = n
		return n
	}
	out := make([]historyEntry, 0, len(evs))
	for _, e := range evs {
		h := historyEntry{At: formatDateTime(e.At), Actor: actorName(e.ActorID), Action: v.loc.label("action", e.Action)}
		var changes []homeward.Change
		if len(e.Data) > 0 && json.Unmarshal(e.Data, &changes) == nil {
			for _, c := range changes {
				h.Changes = append(h.Changes, changeLine{Field: v.loc.fieldLabel(c.Field), Old: v.loc.changeValue(c.Field, c.Old), New: v.loc.changeValue(c.Field, c.New)})
			}
		} else if len(e.Data) > 0 {
			h.Changes = v.loc.workflowChanges(e.Action, e.Data)
		} else if e.Erased {
			// Sealed under the record's key, which erasure destroyed.
			h.Changes = []changeLine{{Field: v.T("what it recorded was erased")}}
		}
		out = append(out, h)
	}
	return out, nil
}

// enumFields are the fields whose values are shown by their label.
var enumFields = map[string]string{
	"stage": "stage", "close_reason": "close", "circumstance": "circumstance", "sex": "sex",
	"source": "source", "location_kind": "location", "reliability": "reliability", "role": "role", "kind": "org",
}

// changeValue renders a changed value as the pages show it: labels for
// enumerated values, DD.MM.YYYY for dates, readable lists for structured
// values, JSON for anything else.
func (l *locale) changeValue(field string, x any) string {
	switch x := x.(type) {
	case nil:
		return ""
	case string:
		if kind, ok := enumFields[field]; ok {
			return l.label(kind, x)
		}
		if d, err := homeward.ParseDate(x); err == nil && len(x) == 10 && x[4] == '-' {
			return d.Display()
		}
		return x
	case bool:
		if x {
			return l.T("yes")
		}
		return l.T("no")
	case float64:
		return fmt.Sprint(x)
	}
	raw, err := json.Marshal(x)
	if err != nil {
		return ""
	}
	switch field {
	case "birth_date":
		var b homeward.BirthDate
		if json.Unmarshal(raw, &b) == nil {
			return b.Display()
		}
	case "consents":
		var c homeward.Consents
		if json.Unmarshal(raw, &c) == nil {
			var given []string
			for _, g := range []struct {
				ok    bool
				label string
			}{{c.Tracing, "Consent to tracing"}, {c.ShareMediator, "Consent to sharing with a mediator"}, {c.DNA, "Consent to DNA testing"}} {
				if g.ok {
					given = append(given, l.T(g.label))
				}
			}
			if len(given) == 0 {
				return l.T("no")
			}
			return strings.Join(given, "; ")
		}
	case "family":
		var fm []homeward.FamilyMember
		if json.Unmarshal(raw, &fm) == nil {
			parts := make([]string, len(fm))
			for i, m := range fm {
				parts[i] = strings.TrimSpace(m.Name + " (" + l.label("relation", m.Relation) + ")")
			}
			return strings.Join(parts, "; ")
		}
	case "other_names":
		var ns []homeward.OtherName
		if json.Unmarshal(raw, &ns) == nil {
			parts := make([]string, len(ns))
			for i, n := range ns {
				parts[i] = n.Name
			}
			return strings.Join(parts, "; ")
		}
	}
	return strings.TrimSpace(string(raw))
}

// workflowData is the part of a workflow event's data the history shows:
// a stage or match status that moved, and the reason given.
type workflowEventData struct {
	From        string `json:"from"`
	To          string `json:"to"`
	CloseReason string `json:"close_reason"`
	Reason      string `json:"reason"`
	Note        string `json:"note"`
	MatchID     int64  `json:"match_id"`
}

// workflowChanges renders the data of a transition or match event as
// change lines; other events show no detail.
func (l *locale) workflowChanges(action string, data json.RawMessage) []changeLine {
	if strings.HasPrefix(action, "list_") || strings.HasPrefix(action, "message_") || action == "task_done" {
		return l.exchangeChanges(data)
	}
	var d workflowEventData
	if json.Unmarshal(data, &d) != nil || d.From == "" && d.To == "" {
		return nil
	}
	var out []changeLine
	if action == homeward.ActionTransition {
		out = append(out, changeLine{Field: l.fieldLabel("stage"), Old: l.label("stage", d.From), New: l.label("stage", d.To)})
		if d.CloseReason != "" {
			out = append(out, changeLine{Field: l.fieldLabel("close_reason"), New: l.label("close", d.CloseReason)})
		}
		return out
	}
	if !strings.HasPrefix(action, "match_") {
		return nil
	}
	out = append(out, changeLine{Field: l.T("Match %d", d.MatchID), Old: l.label("match", d.From), New: l.label("match", d.To)})
	if d.Reason != "" {
		out = append(out, changeLine{Field: l.fieldLabel("reason"), New: l.label("reject", d.Reason)})
	}
	if d.Note != "" {
		out = append(out, changeLine{Field: l.fieldLabel("note"), New: d.Note})
	}
	return out
}

// exchangeEventData is the part of a list, message or task event's data
// the history shows: the entry, its answer, the revision, the task.
type exchangeEventData struct {
	Ref      string `json:"ref"`
	Code     string `json:"code"`
	Revision int    `json:"revision"`
	From     string `json:"from"`
	Answer   string `json:"answer"`
	Kind     string `json:"kind"`
	Chars    int    `json:"chars"`
	Photo    bool   `json:"photo"`
}

// exchangeChanges renders the data of an exchange event on a case as
// lines: never a name, only references, codes and counts.
func (l *locale) exchangeChanges(data json.RawMessage) []changeLine {
	var d exchangeEventData
	if json.Unmarshal(data, &d) != nil {
		return nil
	}
	var out []changeLine
	add := func(field, v string) {
		if v != "" {
			out = append(out, changeLine{Field: field, New: v})
		}
	}
	add(l.T("Entry"), d.Ref)
	if d.From != "" {
		add(l.T("Carried from"), d.From)
		if homeward.AnswerCode(d.Answer).Valid() {
			add(l.T("Answer"), l.label("answer", d.Answer))
		}
	}
	if d.Code != "" {
		add(l.T("Answer"), l.label("answer", d.Code))
	}
	if d.Revision > 0 {
		add(l.T("Revision"), fmt.Sprint(d.Revision))
	}
	if d.Kind != "" {
		add(l.T("Task"), l.label("task", d.Kind))
	}
	if d.Chars > 0 {
		add(l.T("Length"), l.T("%d characters", d.Chars))
	}
	if d.Photo {
		add(l.T("Photo"), l.T("yes"))
	}
	return out
}
