package matching

import (
	"strings"
	"testing"

	"github.com/homeward-project/homeward/linkage"
	"github.com/homeward-project/homeward/names"
)

func TestReasonSaysHowTheTwoValuesRelate(t *testing.T) {
	m := linkage.PersonModel()
	comp := func(field string) *linkage.Comparison {
		for i := range m.Comparisons {
			if m.Comparisons[i].Field == field {
				return &m.Comparisons[i]
			}
		}
		t.Fatalf("no comparison of %s", field)
		return nil
	}
	ukRu := [2]names.Script{names.ScriptUkrainian, names.ScriptCyrillic}
	tests := []struct {
		name, field, level, report, located string
		langs                               [2]names.Script
		want                                string
	}{
		{"Russian form told by the records' language", linkage.FieldGivenName, "", "Олександр", "Александр", ukRu, "Александр is the Russian form of Олександр"},
		{"Russian form told by the name's letters", linkage.FieldGivenName, "", "Наталія", "Наталья", [2]names.Script{}, "Наталья is the Russian form of Наталія"},
		{"Latin spelling", linkage.FieldGivenName, "", "Олександр", "Oleksandr", ukRu, "Oleksandr is a Latin spelling of Олександр"},
		{"diminutive", linkage.FieldGivenName, "", "Олександр", "Сашко", ukRu, "Сашко is a diminutive of Олександр"},
		{"same name", linkage.FieldFamilyName, "", "Шевчук", "Шевчук", ukRu, "Шевчук in both"},
		{"name missing on one side", linkage.FieldPatronymic, "missing", "Петрович", "", ukRu, "not recorded in the located record"},
		{"day and month swapped", linkage.FieldBirthDate, "day and month swapped", "2015-03-04", "2015-04-03", ukRu, "04.03.2015 in the report, 03.04.2015 in the located record: day and month swapped"},
		{"same date", linkage.FieldBirthDate, "exact", "2015-03-04", "2015-03-04", ukRu, "04.03.2015 in both"},
		{"different sex", linkage.FieldSex, "different", "m", "f", ukRu, "male in the report, female in the located record"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := comp(tc.field)
			lv := levelOf(c, tc.level)
			if tc.level == "" {
				lv = &c.Levels[1]
			}
			got := reason(c, lv, tc.report, tc.located, tc.langs).String()
			if !strings.Contains(got, tc.want) {
				t.Errorf("reason = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestEvidenceCoversEveryComparisonWithAReason(t *testing.T) {
	def, err := DefaultModel()
	if err != nil {
		t.Fatal(err)
	}
	c := values{"Олександр", "Шевчук", "Петрович", "m", "2015-03-04", "Маріуполь"}
	l := values{"Александр", "Шевчук", "", "m", "2015-04-03", "Мариуполь"}
	ix, err := linkage.NewIndex(def, &linkage.Dataset{Header: header, Rows: [][]string{l.row(7)}})
	if err != nil {
		t.Fatal(err)
	}
	found, err := ix.Query(c.query(), 1, 0)
	if err != nil || len(found) != 1 {
		t.Fatalf("query: %v, %d found", err, len(found))
	}
	ev := evidence(def, found[0].Evidence, &c, &l)
	if len(ev) != len(def.Comparisons) {
		t.Fatalf("%d pieces of evidence, want one per comparison (%d)", len(ev), len(def.Comparisons))
	}
	for _, e := range ev {
		if e.Reason == "" {
			t.Errorf("%s (%s) has no reason", e.Comparison, e.Level)
		}
	}
}
