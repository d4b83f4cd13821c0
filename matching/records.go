package matching

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/linkage"
)

// fields are the values the person model compares, in the model's order.
// FieldsHash covers exactly these, so that a rejected pair returns only
// when one of them changes.
var fields = [...]string{
	linkage.FieldGivenName, linkage.FieldFamilyName, linkage.FieldPatronymic,
	linkage.FieldSex, linkage.FieldBirthDate, linkage.FieldBirthPlace,
}

// header is the dataset layout of indexed records.
var header = append([]string{"id"}, fields[:]...)

type values [len(fields)]string

func (v *values) hash() string { return homeward.FieldsHash(v[:]...) }

// row is the dataset row of a record with id.
func (v *values) row(id int64) []string {
	return append([]string{strconv.FormatInt(id, 10)}, v[:]...)
}

func (v *values) query() map[string]string {
	q := make(map[string]string, len(fields))
	for i, f := range fields {
		q[f] = v[i]
	}
	return q
}

// birthDate writes a birth date as the linkage engine reads it. An
// estimated age carries the date it was stated at ("~7@2025-05-01"), so
// the engine compares the birth window it implies; without that date it
// says nothing.
func birthDate(b homeward.BirthDate) string {
	if b.Precision == homeward.PrecisionAge {
		if b.AgeAsOf == nil {
			return ""
		}
		return "~" + strconv.Itoa(b.EstimatedAge) + "@" + b.AgeAsOf.Format(time.DateOnly)
	}
	return b.String()
}

func caseValues(c *homeward.Case) values {
	return values{strings.TrimSpace(c.GivenName), strings.TrimSpace(c.FamilyName), strings.TrimSpace(c.Patronymic),
		string(c.Sex), birthDate(c.BirthDate), strings.TrimSpace(c.BirthPlace)}
}

func locatedValues(r *homeward.LocatedRecord) values {
	return values{strings.TrimSpace(r.GivenName), strings.TrimSpace(r.FamilyName), strings.TrimSpace(r.Patronymic),
		string(r.Sex), birthDate(r.BirthDate), strings.TrimSpace(r.BirthPlace)}
}

// caseRec is what the matcher keeps of a case: the compared values and
// what sibling evidence needs, nothing else of the family's report.
type caseRec struct {
	id        int64
	org       int64
	reference string
	vals      values
	hash      string
	siblings  []int64
}

// locRec is what the matcher keeps of a located record.
type locRec struct {
	id          int64
	owner       int64
	vals        values
	hash        string
	institution string         // folded, for sibling evidence
	orgs        map[int64]bool // organisations that may see it
}

func newCaseRec(c *homeward.Case) *caseRec {
	v := caseValues(c)
	return &caseRec{id: c.ID, org: c.OrgID, reference: c.Reference, vals: v, hash: v.hash(), siblings: append([]int64(nil), c.Siblings...)}
}

func newLocRec(r *homeward.LocatedRecord) *locRec {
	v := locatedValues(r)
	return &locRec{id: r.ID, owner: r.OrgID, vals: v, hash: v.hash(),
		institution: strings.ToLower(strings.Join(strings.Fields(r.Institution), " ")), orgs: map[int64]bool{r.OrgID: true}}
}

// Loader reads what the matcher indexes when it starts.
type Loader interface {
	// OrgIDs lists every organisation.
	OrgIDs(ctx context.Context) ([]int64, error)
	// Cases calls fn with pages of the cases org owns.
	Cases(ctx context.Context, org int64, fn func([]*homeward.Case) error) error
	// Located calls fn with pages of the located records org owns or that
	// are shared with it.
	Located(ctx context.Context, org int64, fn func([]*homeward.LocatedRecord) error) error
}
