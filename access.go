package homeward

import "time"

// Actions of events that record a read of many records at once.
const (
	ActionList   = "list"   // a list page or API list without a name query
	ActionSearch = "search" // a list narrowed by a name query
)

// EntityMatch names a candidate match in an access event.
const EntityMatch = "match"

// EntityAudit and ActionHeadSigned record that the event log's head,
// unsigned until then, is signed from this event on.
const (
	EntityAudit      = "audit"
	ActionHeadSigned = "head_signed"
)

// Access is one read of many records at once: a list page, a search, an
// export. It is recorded as an event on the entity type (entity ID 0 for a
// list) with the filter and the row count, so that an audit shows who took
// which children's records out, and how many. It never holds a name: events can
// never be erased, and a name query is recorded as given, not as typed.
type Access struct {
	Action     string         // ActionList, ActionSearch or ActionExport
	EntityType string         // EntityCase, EntityLocated, EntityMatch or EntityImport
	EntityID   int64          // 0 for a list; the upload of an import's rejected rows
	Filter     map[string]any // the filter without its name query; see the Access methods of the filters
	Rows       int            // records returned (on this page, or in the file)
	Total      int            // records that match the filter in all
	Format     string         // the file format of an export
}

// accessFilter starts the record of a filter: its paging, and whether a
// name query was given. The query itself may be a child's name.
func accessFilter(query string, offset int) (map[string]any, string) {
	m := map[string]any{}
	action := ActionList
	if query != "" {
		m["query"] = true
		action = ActionSearch
	}
	if offset > 0 {
		m["offset"] = offset
	}
	return m, action
}

func putTime(m map[string]any, k string, t time.Time) {
	if !t.IsZero() {
		m[k] = t.UTC().Format(time.RFC3339)
	}
}

// Access describes a read of rows of total cases under f.
func (f CaseFilter) Access(rows, total int) Access {
	m, action := accessFilter(f.Query, f.Offset)
	if f.Stage != "" {
		m["stage"] = string(f.Stage)
	}
	if f.OrgID != 0 {
		m["org_id"] = f.OrgID
	}
	putTime(m, "from", f.From)
	putTime(m, "to", f.To)
	return Access{Action: action, EntityType: EntityCase, Filter: m, Rows: rows, Total: total}
}

// Access describes a read of rows of total located records under f.
func (f LocatedFilter) Access(rows, total int) Access {
	m, action := accessFilter(f.Query, f.Offset)
	if f.Source != "" {
		m["source"] = string(f.Source)
	}
	if f.OrgID != 0 {
		m["org_id"] = f.OrgID
	}
	putTime(m, "from", f.From)
	putTime(m, "to", f.To)
	return Access{Action: action, EntityType: EntityLocated, Filter: m, Rows: rows, Total: total}
}

// Access describes a read of rows of total matches under f. Matches carry
// the names of both records they pair.
func (f MatchFilter) Access(rows, total int) Access {
	m, action := accessFilter("", f.Offset)
	if f.CaseID != 0 {
		m["case_id"] = f.CaseID
	}
	if f.LocatedID != 0 {
		m["located_id"] = f.LocatedID
	}
	if len(f.Status) > 0 {
		st := make([]string, len(f.Status))
		for i, s := range f.Status {
			st[i] = string(s)
		}
		m["status"] = st
	}
	if f.MinProbability != 0 {
		m["min_probability"] = f.MinProbability
	}
	if f.OrgID != 0 {
		m["org_id"] = f.OrgID
	}
	if f.NotProposedBy != 0 {
		m["not_proposed_by"] = f.NotProposedBy
	}
	return Access{Action: action, EntityType: EntityMatch, Filter: m, Rows: rows, Total: total}
}

// Export turns the access into an export to a file of format.
func (a Access) Export(format string) Access {
	a.Action, a.Format = ActionExport, format
	return a
}
