package linkage

import (
	"context"
	"math"
	"testing"

	"github.com/homeward-project/homeward/linkage/synth"
)

// blocks reports whether rule puts one left and one right record, given
// as field values, in a common block.
func blocks(t *testing.T, rule BlockingRule, left, right map[string]string) bool {
	t.Helper()
	m := PersonModel()
	m.Blocking = []BlockingRule{rule}
	ds := func(v map[string]string) *Dataset {
		d := &Dataset{Header: []string{"id"}, Rows: [][]string{{"1"}}}
		for k, x := range v {
			d.Header = append(d.Header, k)
			d.Rows[0] = append(d.Rows[0], x)
		}
		return d
	}
	lk, err := NewLinker(m, ds(left), ds(right))
	if err != nil {
		t.Fatal(err)
	}
	return lk.rulesOf(0, 0) != 0
}

func TestBlockingRulesCatchAlteredRecords(t *testing.T) {
	names := []BlockPart{{Field: FieldGivenName, Key: BlockNameKeys}, {Field: FieldFamilyName, Key: BlockNameKeys}}
	given := BlockPart{Field: FieldGivenName, Key: BlockNameKeys}
	year := BlockPart{Field: FieldBirthDate, Key: BlockYear}
	tests := []struct {
		name        string
		rule        BlockingRule
		left, right map[string]string
		want        bool
	}{
		{"unordered name keys meet names in swapped columns",
			BlockingRule{Parts: names, Unordered: true},
			map[string]string{"given_name": "Анна", "family_name": "Руденко"},
			map[string]string{"given_name": "Руденко", "family_name": "Анна"}, true},
		{"ordered name keys keep the columns apart",
			BlockingRule{Parts: names},
			map[string]string{"given_name": "Анна", "family_name": "Руденко"},
			map[string]string{"given_name": "Руденко", "family_name": "Анна"}, false},
		{"unordered name keys still need both names",
			BlockingRule{Parts: names, Unordered: true},
			map[string]string{"given_name": "Анна", "family_name": "Руденко"},
			map[string]string{"given_name": "Анна", "family_name": "Коваленко"}, false},
		{"a name prefix survives a typo after it, across scripts",
			BlockingRule{Parts: []BlockPart{given, {Field: FieldFamilyName, Key: BlockNamePrefix, Length: 3}}},
			map[string]string{"given_name": "Ольга", "family_name": "Остапенко"},
			map[string]string{"given_name": "Olha", "family_name": "Ostapekno"}, true},
		{"a name prefix tells different names apart",
			BlockingRule{Parts: []BlockPart{given, {Field: FieldFamilyName, Key: BlockNamePrefix, Length: 3}}},
			map[string]string{"given_name": "Ольга", "family_name": "Остапенко"},
			map[string]string{"given_name": "Ольга", "family_name": "Коваленко"}, false},
		{"the oblast of a settlement meets the oblast named alone",
			BlockingRule{Parts: []BlockPart{given, {Field: FieldBirthPlace, Key: BlockOblast}}},
			map[string]string{"given_name": "Ольга", "birth_place": "м. Маріуполь, Донецька обл."},
			map[string]string{"given_name": "Ольга", "birth_place": "Donetsk Oblast"}, true},
		{"different oblasts do not meet",
			BlockingRule{Parts: []BlockPart{given, {Field: FieldBirthPlace, Key: BlockOblast}}},
			map[string]string{"given_name": "Ольга", "birth_place": "м. Маріуполь, Донецька обл."},
			map[string]string{"given_name": "Ольга", "birth_place": "г. Херсон, Херсонская обл."}, false},
		{"a date with a mistyped month still blocks by year and day",
			BlockingRule{Parts: []BlockPart{given, year, {Field: FieldBirthDate, Key: BlockDay}}},
			map[string]string{"given_name": "Роман", "birth_date": "13.01.2010"},
			map[string]string{"given_name": "Roman", "birth_date": "2010-41-13"}, true},
		{"a date with a mistyped day still blocks by year and month",
			BlockingRule{Parts: []BlockPart{given, {Field: FieldBirthDate, Key: BlockYearMonth}}},
			map[string]string{"given_name": "Ксенія", "birth_date": "19.08.2018"},
			map[string]string{"given_name": "Ксения", "birth_date": "2018-08-59"}, true},
		{"a settlement meets its Russian spelling without the oblast",
			BlockingRule{Parts: []BlockPart{given, {Field: FieldBirthPlace, Key: BlockSettlement}}},
			map[string]string{"given_name": "Андрій", "birth_place": "м. Рубіжне, Луганська обл."},
			map[string]string{"given_name": "Андрей", "birth_place": "Рубежное"}, true},
		{"different settlements do not meet",
			BlockingRule{Parts: []BlockPart{given, {Field: FieldBirthPlace, Key: BlockSettlement}}},
			map[string]string{"given_name": "Андрій", "birth_place": "м. Рубіжне, Луганська обл."},
			map[string]string{"given_name": "Андрій", "birth_place": "м. Харків"}, false},
		{"a missing date agrees with any when the part says so",
			BlockingRule{Parts: []BlockPart{given, {Field: FieldBirthDate, Key: BlockDate, MissingAgrees: true}}},
			map[string]string{"given_name": "Роман", "birth_date": ""},
			map[string]string{"given_name": "Roman", "birth_date": "2010-05-13"}, true},
		{"a date agrees with a missing one on the other side",
			BlockingRule{Parts: []BlockPart{given, {Field: FieldBirthDate, Key: BlockDate, MissingAgrees: true}}},
			map[string]string{"given_name": "Роман", "birth_date": "13.05.2010"},
			map[string]string{"given_name": "Roman", "birth_date": ""}, true},
		{"two missing dates agree",
			BlockingRule{Parts: []BlockPart{given, {Field: FieldBirthDate, Key: BlockDate, MissingAgrees: true}}},
			map[string]string{"given_name": "Роман"},
			map[string]string{"given_name": "Roman"}, true},
		{"two different dates still disagree where a missing one would agree",
			BlockingRule{Parts: []BlockPart{given, {Field: FieldBirthDate, Key: BlockDate, MissingAgrees: true}}},
			map[string]string{"given_name": "Роман", "birth_date": "13.05.2010"},
			map[string]string{"given_name": "Roman", "birth_date": "2011-05-13"}, false},
		{"equal dates agree where a missing one would",
			BlockingRule{Parts: []BlockPart{given, {Field: FieldBirthDate, Key: BlockDate, MissingAgrees: true}}},
			map[string]string{"given_name": "Роман", "birth_date": "13.05.2010"},
			map[string]string{"given_name": "Roman", "birth_date": "2010-05-13"}, true},
		{"a missing date does not stand in for the other parts",
			BlockingRule{Parts: []BlockPart{given, {Field: FieldBirthDate, Key: BlockDate, MissingAgrees: true}}},
			map[string]string{"given_name": "Роман"},
			map[string]string{"given_name": "Олег", "birth_date": "2010-05-13"}, false},
		{"the month of birth ignores the year",
			BlockingRule{Parts: []BlockPart{{Field: FieldGivenName, Key: BlockNamePrefix, Length: 1}, {Field: FieldBirthDate, Key: BlockMonth}}},
			map[string]string{"given_name": "Eleanor", "birth_date": "2008-08-27"},
			map[string]string{"given_name": "Evans", "birth_date": "2018-08-26"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rule.Name = tt.name
			if got := blocks(t, tt.rule, tt.left, tt.right); got != tt.want {
				t.Errorf("blocks = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSiblingRivalryTakesWeightFromASiblingsRecord(t *testing.T) {
	// Reports 0 and 1 are twins of one family; located record 0 is the
	// twin of report 1, whose names agree better.
	lk := &Linker{
		model: &Model{SiblingField: "family"},
		left:  &sideData{family: []uint32{7, 7}},
		right: &sideData{family: []uint32{0}},
	}
	priorW := -20.0
	pairs := []Pair{
		{Left: 1, Right: 0, Weight: 40},
		{Left: 0, Right: 0, Weight: 30},
	}
	for i := range pairs {
		pairs[i].Probability = probability(priorW, pairs[i].Weight)
	}
	lk.addSiblingRivalry(pairs, priorW)
	twin, better := pairs[1], pairs[0]
	if twin.Rival == nil || twin.Rival.Left != 1 || twin.Rival.Right != 0 {
		t.Fatalf("the weaker pair's rival = %+v, want the sibling's pair", twin.Rival)
	}
	// It loses log2(1 + odds of the rival) = log2(1 + 2^20) bits.
	if want := 30 - math.Log2(1+math.Exp2(20)); math.Abs(twin.Weight-want) > 1e-9 {
		t.Errorf("weaker pair's weight %.4f, want %.4f", twin.Weight, want)
	}
	if twin.Probability >= 0.5 {
		t.Errorf("weaker pair's probability %.3f, want below 0.5", twin.Probability)
	}
	if better.Probability < 0.99 {
		t.Errorf("better pair's probability %.3f, want it kept near 1", better.Probability)
	}
	if math.Abs(twin.Rival.Weight-(twin.Weight-30)) > 1e-9 {
		t.Errorf("rival weight %.4f does not explain the change", twin.Rival.Weight)
	}
}

func TestRivalryNeedsASiblingAndTwoFiles(t *testing.T) {
	lk := &Linker{
		model: &Model{SiblingField: "family"},
		left:  &sideData{family: []uint32{7, 8}}, // two families
		right: &sideData{family: []uint32{0}},
	}
	pairs := []Pair{{Left: 1, Right: 0, Weight: 40}, {Left: 0, Right: 0, Weight: 30}}
	lk.addSiblingRivalry(pairs, -20)
	if pairs[1].Weight != 30 || pairs[1].Rival != nil {
		t.Errorf("a pair lost weight to a stranger's pair: %+v", pairs[1])
	}
	lk.dedupe = true
	if lk.rivalry() {
		t.Error("rivalry applies when deduplicating one file")
	}
}

func TestNoTrainingRulesAreLeftOutOfTrainingAndWeighed(t *testing.T) {
	c := synth.Generate(synth.Config{Reports: 200, Located: 2000, Seed: 3})
	lk, err := NewLinker(PersonModel(), &Dataset{Header: synth.Header, Rows: c.Reports}, &Dataset{Header: synth.Header, Rows: c.Located})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := lk.Train(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range rep.Sessions {
		if !lk.rules[i].train && s.Iterations != 0 {
			t.Errorf("EM ran a session on no-training rule %q", s.Rule)
		}
	}
	w := lk.Model().NoTrainingWeight
	if w > 0 {
		t.Fatalf("no-training weight %g is positive", w)
	}
	pairs, _, err := lk.Pairs(context.Background(), 0.01)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pairs {
		sum := 0.0
		for _, c := range lk.Explain(p) {
			sum += c.Weight
		}
		if math.Abs(sum-p.Weight) > 1e-6 {
			t.Fatalf("explanation sums to %.4f, pair weighs %.4f: %s", sum, p.Weight, FormatExplanation(lk.Explain(p)))
		}
	}
}

func TestMissingAgreesPairsBlankWithBlankOnlyWhenDeduplicating(t *testing.T) {
	m := PersonModel()
	m.Blocking = []BlockingRule{{Name: "given name, date or none", Parts: []BlockPart{
		{Field: FieldGivenName, Key: BlockNameKeys}, {Field: FieldBirthDate, Key: BlockDate, MissingAgrees: true}}}}
	d := &Dataset{Header: []string{"id", FieldGivenName, FieldBirthDate}, Rows: [][]string{
		{"a", "Роман", ""},
		{"b", "Roman", ""},
		{"c", "Роман", "2010-05-13"},
	}}
	lk, err := NewLinker(m, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A record is both query and indexed when deduplicating, so a blank
	// date cannot agree with every date without making every date agree.
	tests := []struct {
		name string
		l, r int
		want bool
	}{
		{"two blank dates agree", 0, 1, true},
		{"a blank date and a date do not", 0, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lk.rulesOf(tt.l, tt.r) != 0; got != tt.want {
				t.Errorf("blocked = %v, want %v", got, tt.want)
			}
		})
	}
}
