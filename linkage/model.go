package linkage

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// Model is a Fellegi–Sunter model: what is compared, the ordered levels of
// each comparison with their m and u probabilities, how candidate pairs are
// blocked, and the prior. It is saved as JSON so a trained model can be
// reviewed and reused.
type Model struct {
	// Name says what the model is for.
	Name string `json:"name,omitempty"`
	// IDColumn names the column holding each record's identifier ("id" when empty).
	IDColumn string `json:"id_column,omitempty"`
	// Prior is the probability that two records drawn at random are the same
	// person. Training re-estimates it on each input unless PriorFixed.
	Prior      float64 `json:"prior,omitempty"`
	PriorFixed bool    `json:"prior_fixed,omitempty"`
	// NoTrainingWeight (≤ 0) is added to the weight of a pair that only
	// blocking rules marked no_training found: such pairs are matches far
	// less often than the rest, and the comparisons alone do not say so
	// (they take each field apart; the rules saw the record whole).
	// Training estimates it with the prior, as log2 of the ratio of the
	// prior odds among those pairs to the prior odds among the rest.
	NoTrainingWeight float64 `json:"no_training_weight,omitempty"`
	// Trained says m and u hold trained values; an untrained model is trained
	// on its input before scoring.
	Trained bool `json:"trained,omitempty"`
	// Exclusive says each record is one person, who appears once in each
	// file unless listed twice: when linking two files, two candidates of
	// one record that are different people compete for it (see
	// competition.go), and training's EM lets a report match at most one
	// of its candidates.
	Exclusive bool `json:"exclusive,omitempty"`
	// AgeAsOf is the date (YYYY-MM-DD) estimated ages in the input ("~7",
	// "7 years") were stated at: a child about 7 then was born in the year
	// before the day 7 years earlier. Without it, estimated ages compare as
	// missing.
	AgeAsOf string `json:"age_as_of,omitempty"`
	// AllowMissingFields treats a column the input lacks as blank rather
	// than an error (the built-in person model reads whatever it finds).
	AllowMissingFields bool `json:"allow_missing_fields,omitempty"`
	// SiblingField names a column grouping records by family on each side
	// (a report's family, the children a source listed together). When a
	// record of one family matches a record of the other, the families are
	// likely one, and that is evidence for pairs of their other records:
	// it stands in for the comparisons marked FamilyShared, with the weight
	// that makes the pair's prior that of one child among the family's
	// records (or SiblingWeight bits, when set). A pair whose records both
	// have siblings, none of them matching, gains a weight (≤ 0) estimated
	// on the input, or SiblingAbsentWeight when SiblingWeight is set.
	SiblingField        string         `json:"sibling_field,omitempty"`
	SiblingWeight       float64        `json:"sibling_weight,omitempty"`
	SiblingAbsentWeight float64        `json:"sibling_absent_weight,omitempty"`
	Comparisons         []Comparison   `json:"comparisons"`
	Blocking            []BlockingRule `json:"blocking"`
	Training            TrainingConfig `json:"training,omitempty"`
}

// Comparison kinds.
const (
	KindName    = "name"    // personal names through the names engine
	KindDate    = "date"    // dates of birth, full or partial, or an estimated age
	KindSex     = "sex"     // m/f in any of the usual spellings
	KindPlace   = "place"   // settlement, raion, oblast
	KindExact   = "exact"   // equal or not
	KindString  = "string"  // string similarity
	KindNumeric = "numeric" // numeric difference
)

// Comparison compares one field (two for a name with a swap field) of two
// records and reports the first of its levels whose condition holds.
type Comparison struct {
	// Name labels the comparison in explanations (the field when empty).
	Name string `json:"name,omitempty"`
	Kind string `json:"kind"`
	// Field is the column compared.
	Field string `json:"field"`
	// SwapField is the column a "swapped" level compares crosswise, e.g.
	// family_name for given_name.
	SwapField string `json:"swap_field,omitempty"`
	// TFMinimumU bounds the term-frequency-adjusted u from below, so a name
	// seen once does not weigh infinitely.
	TFMinimumU float64 `json:"tf_minimum_u,omitempty"`
	// FamilyShared marks a field siblings share (family name, patronymic,
	// birthplace). When a sibling's match shows two records come from one
	// family, sibling evidence stands in for these comparisons: it says the
	// same thing, more surely.
	FamilyShared bool    `json:"family_shared,omitempty"`
	Levels       []Level `json:"levels"`
}

// Label is the comparison's name in explanations.
func (c *Comparison) Label() string {
	if c.Name != "" {
		return c.Name
	}
	return c.Field
}

// Level conditions. Which apply depends on the comparison kind; see
// compare.go.
const (
	WhenMissing         = "missing"           // either value is blank
	WhenExact           = "exact"             // values equal after trimming
	WhenNormalised      = "normalised"        // equal after normalisation (case, script noise)
	WhenReason          = "reason"            // names: similarity reason among Reasons
	WhenScore           = "score"             // names: similarity score ≥ Threshold
	WhenJaroWinkler     = "jaro_winkler"      // Jaro-Winkler ≥ Threshold
	WhenLevenshtein     = "levenshtein"       // edit distance ≤ Threshold
	WhenSwapped         = "swapped"           // names: Field and SwapField crosswise
	WhenLocalPart       = "local_part"        // string: same text before '@'
	WhenDayOffset       = "day_offset"        // dates: |Δ| ≤ Threshold days
	WhenDayMonthSwapped = "day_month_swapped" // dates: day and month exchanged
	WhenSameMonth       = "same_month"        // dates: same year and month
	WhenMonthOffset     = "month_offset"      // dates: |Δ| ≤ Threshold months
	WhenSameYear        = "same_year"         // dates: same year
	WhenYearOffset      = "year_offset"       // dates: |Δ| ≤ Threshold years
	WhenAgeWindow       = "age_window"        // dates: an estimated age or year within Threshold years
	// dates: the same day and month, |Δ| ≤ Threshold years (a year written
	// wrong)
	WhenYearOffsetSameDay = "year_offset_same_day"
	// dates: the same day, |Δ| ≤ Threshold months (a month written wrong)
	WhenMonthOffsetSameDay = "month_offset_same_day"
	WhenSameSettlement     = "same_settlement" // places
	WhenSameRaion          = "same_raion"      // places
	WhenSameOblast         = "same_oblast"     // places
	// places: the same oblast, and one of them names no settlement in it
	WhenSameOblastNoSettlement = "same_oblast_no_settlement"
	WhenAbsDiff                = "abs_diff" // numbers: |a−b| ≤ Threshold
	WhenRelDiff                = "rel_diff" // numbers: |a−b|/max(|a|,|b|) ≤ Threshold
	WhenElse                   = "else"     // always
)

// Level is one outcome of a comparison, with its probabilities among matches
// (M) and non-matches (U).
type Level struct {
	Label     string   `json:"label"`
	When      string   `json:"when"`
	Reasons   []string `json:"reasons,omitempty"`
	Threshold float64  `json:"threshold,omitempty"`
	M         float64  `json:"m,omitempty"`
	U         float64  `json:"u,omitempty"`
	// Fixed keeps M and U as given: training leaves them alone.
	Fixed bool `json:"fixed,omitempty"`
	// TFAdjust weighs agreement by how rare the value is: its frequency is
	// the level's u.
	TFAdjust bool `json:"tf_adjust,omitempty"`
	// Conditional marks a level that only ever occurs together with a
	// level of an earlier comparison that already carries its chance among
	// matches (the family name's "swapped" with the given name's: one swap
	// shows in both). It weighs how rare it is alone, log2(1/u), so that
	// one event does not count its rarity among matches twice. Training
	// still estimates its m, which is not used.
	Conditional bool `json:"conditional,omitempty"`
	// TFRelative, for a fuzzy level, scales the level's u by the value's
	// frequency relative to the average (the first term-frequency level's
	// u): a misspelt rare name is a rarer coincidence than a misspelt
	// common one.
	TFRelative bool `json:"tf_relative,omitempty"`
}

// Weight is the level's match weight log2(m/u); a missing level weighs 0.
func (l *Level) Weight() float64 {
	if l.When == WhenMissing || l.M <= 0 || l.U <= 0 {
		return 0
	}
	return math.Log2(l.M / l.U)
}

// BlockingRule generates candidate pairs: two records are a candidate when
// every part of the rule agrees. A model's rules are a union.
type BlockingRule struct {
	Name  string      `json:"name"`
	Parts []BlockPart `json:"parts"`
	// Unordered makes the rule's parts agree in any order: given and
	// family name keys, unordered, pair "Анна Руденко" with "Руденко
	// Анна" as well.
	Unordered bool `json:"unordered,omitempty"`
	// NoTraining leaves the rule out of training: its pairs are scored, but
	// EM neither runs a session on them nor counts them for the prior. A
	// rule added to catch the last few true pairs (a typo and a replaced
	// surname at once) brings mostly look-alikes, which teach EM the wrong
	// m values; Splink likewise trains on rules of its own.
	NoTraining bool `json:"no_training,omitempty"`
}

// Block part kinds.
const (
	BlockValue     = "value"      // the normalised value
	BlockNameKeys  = "name_keys"  // any of names.Keys (script- and spelling-independent)
	BlockPrefix    = "prefix"     // the first Length characters of the normalised value
	BlockYear      = "year"       // the year of a date
	BlockYearMonth = "year_month" // year and month of a date
	BlockMonthDay  = "month_day"  // month and day of a date, either order
	BlockDate      = "date"       // the full date
	BlockDay       = "day"        // the day of the month of a date
	BlockMonth     = "month"      // the month of a date, whatever the year
	// BlockNamePrefix is the first Length letters of a name's phonetic
	// code (script- and spelling-independent, like name_keys): it still
	// blocks a name with a typo after them.
	BlockNamePrefix = "name_prefix"
	// BlockOblast is the oblast (region) of a place.
	BlockOblast = "oblast"
	// BlockSettlement is any name key of the settlement of a place
	// (script-independent: Рубіжне, Рубежное and Rubizhne share one).
	BlockSettlement = "settlement"
	// BlockAll puts every record in one block: the full cross product, for
	// data small enough that nothing need be left out (rule it last, so the
	// report still shows what the other rules find).
	BlockAll = "all"
)

// BlockPart is one field's key in a blocking rule. With Also, the part's
// keys are those of every field named, so that a name recorded in the wrong
// column (given and family names swapped) still blocks.
type BlockPart struct {
	Field  string   `json:"field"`
	Also   []string `json:"also,omitempty"`
	Key    string   `json:"key"`
	Length int      `json:"length,omitempty"`
	// MissingAgrees makes a blank value agree with any value: the rule
	// pairs a record whose date is missing with every record sharing its
	// other parts, whatever their date. When deduplicating (and in an
	// index's own records, which are one dataset) it pairs blank with
	// blank only, as a record there is both the query and the indexed one.
	MissingAgrees bool `json:"missing_agrees,omitempty"`
}

// TrainingConfig holds the safeguards of training.
type TrainingConfig struct {
	// MaxIterations bounds EM (default 100).
	MaxIterations int `json:"max_iterations,omitempty"`
	// Tolerance stops EM when no parameter moves more (default 1e-5).
	Tolerance float64 `json:"tolerance,omitempty"`
	// PriorStrength is the weight, in pseudo-pairs, of the model's starting m
	// values in EM: it keeps small data from producing absurd estimates
	// (default 10).
	PriorStrength float64 `json:"prior_strength,omitempty"`
	// RandomPairs is how many random pairs estimate u (default 400,000, or
	// all pairs when fewer).
	RandomPairs int `json:"random_pairs,omitempty"`
	// MaxEMPairs bounds the blocked pairs EM sees (default 500,000).
	MaxEMPairs int `json:"max_em_pairs,omitempty"`
	// Seed makes sampling reproducible (default 1).
	Seed uint64 `json:"seed,omitempty"`
}

func (t TrainingConfig) withDefaults() TrainingConfig {
	if t.MaxIterations <= 0 {
		t.MaxIterations = 100
	}
	if t.Tolerance <= 0 {
		t.Tolerance = 1e-5
	}
	if t.PriorStrength <= 0 {
		t.PriorStrength = 10
	}
	if t.RandomPairs <= 0 {
		t.RandomPairs = 400_000
	}
	if t.MaxEMPairs <= 0 {
		t.MaxEMPairs = 500_000
	}
	if t.Seed == 0 {
		t.Seed = 1
	}
	return t
}

// ID returns the id column's name.
func (m *Model) ID() string {
	if m.IDColumn == "" {
		return "id"
	}
	return m.IDColumn
}

// ReadModel decodes and validates a model.
func ReadModel(r io.Reader) (*Model, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var m Model
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Write encodes the model as indented JSON.
func (m *Model) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}

// Clone returns a deep copy, so training one never changes another.
func (m *Model) Clone() *Model {
	c := *m
	c.Comparisons = slices.Clone(m.Comparisons)
	for i := range c.Comparisons {
		c.Comparisons[i].Levels = slices.Clone(m.Comparisons[i].Levels)
		for j := range c.Comparisons[i].Levels {
			c.Comparisons[i].Levels[j].Reasons = slices.Clone(m.Comparisons[i].Levels[j].Reasons)
		}
	}
	c.Blocking = slices.Clone(m.Blocking)
	for i := range c.Blocking {
		c.Blocking[i].Parts = slices.Clone(m.Blocking[i].Parts)
	}
	return &c
}

// ErrModel marks a model that cannot be used.
var ErrModel = errors.New("invalid model")

func modelErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrModel, fmt.Sprintf(format, args...))
}

var kindConditions = map[string][]string{
	KindName:    {WhenMissing, WhenExact, WhenNormalised, WhenReason, WhenScore, WhenJaroWinkler, WhenLevenshtein, WhenSwapped, WhenElse},
	KindDate:    {WhenMissing, WhenExact, WhenDayOffset, WhenDayMonthSwapped, WhenSameMonth, WhenMonthOffset, WhenSameYear, WhenYearOffset, WhenAgeWindow, WhenYearOffsetSameDay, WhenMonthOffsetSameDay, WhenLevenshtein, WhenElse},
	KindSex:     {WhenMissing, WhenExact, WhenElse},
	KindPlace:   {WhenMissing, WhenExact, WhenNormalised, WhenSameSettlement, WhenSameRaion, WhenSameOblast, WhenSameOblastNoSettlement, WhenElse},
	KindExact:   {WhenMissing, WhenExact, WhenNormalised, WhenElse},
	KindString:  {WhenMissing, WhenExact, WhenNormalised, WhenLevenshtein, WhenJaroWinkler, WhenLocalPart, WhenSwapped, WhenElse},
	KindNumeric: {WhenMissing, WhenExact, WhenAbsDiff, WhenRelDiff, WhenElse},
}

var reasonNames = map[string]bool{
	"identical": true, "normalised": true, "transliteration": true, "equivalent": true,
	"diminutive": true, "gender_form": true, "phonetic": true, "typo": true,
}

// Validate checks the model is usable: known kinds and conditions, levels in
// a sensible shape, probabilities in range, blocking rules that name fields.
func (m *Model) Validate() error {
	if len(m.Comparisons) == 0 {
		return modelErrorf("no comparisons")
	}
	if len(m.Comparisons) > 16 {
		return modelErrorf("%d comparisons: at most 16", len(m.Comparisons))
	}
	if m.Prior < 0 || m.Prior >= 1 {
		return modelErrorf("prior %g is not in [0,1)", m.Prior)
	}
	if m.NoTrainingWeight > 0 || math.IsNaN(m.NoTrainingWeight) {
		return modelErrorf("no_training_weight %g is positive", m.NoTrainingWeight)
	}
	for i := range m.Comparisons {
		c := &m.Comparisons[i]
		conds, ok := kindConditions[c.Kind]
		if !ok {
			return modelErrorf("comparison %q: unknown kind %q", c.Label(), c.Kind)
		}
		if c.Field == "" {
			return modelErrorf("comparison %d: no field", i)
		}
		if len(c.Levels) < 2 || len(c.Levels) > 15 {
			return modelErrorf("comparison %q: %d levels, need 2 to 15", c.Label(), len(c.Levels))
		}
		if c.TFMinimumU < 0 || c.TFMinimumU >= 1 {
			return modelErrorf("comparison %q: tf_minimum_u %g is not in [0,1)", c.Label(), c.TFMinimumU)
		}
		for j := range c.Levels {
			l := &c.Levels[j]
			if !slices.Contains(conds, l.When) {
				return modelErrorf("comparison %q level %d: condition %q does not apply to kind %q", c.Label(), j, l.When, c.Kind)
			}
			if l.When == WhenSwapped && c.SwapField == "" {
				return modelErrorf("comparison %q: a swapped level needs swap_field", c.Label())
			}
			if l.When == WhenReason {
				if len(l.Reasons) == 0 {
					return modelErrorf("comparison %q level %d: no reasons", c.Label(), j)
				}
				for _, r := range l.Reasons {
					if !reasonNames[r] {
						return modelErrorf("comparison %q level %d: unknown reason %q", c.Label(), j, r)
					}
				}
			}
			if l.M < 0 || l.M > 1 || l.U < 0 || l.U > 1 {
				return modelErrorf("comparison %q level %q: m and u must be in [0,1]", c.Label(), l.Label)
			}
			if l.When == WhenMissing && j != 0 {
				return modelErrorf("comparison %q: the missing level must come first", c.Label())
			}
			if l.When == WhenElse && j != len(c.Levels)-1 {
				return modelErrorf("comparison %q: the else level must come last", c.Label())
			}
		}
		if c.Levels[len(c.Levels)-1].When != WhenElse {
			return modelErrorf("comparison %q: the last level must be else", c.Label())
		}
	}
	if len(m.Blocking) == 0 {
		return modelErrorf("no blocking rules")
	}
	if len(m.Blocking) > 64 {
		return modelErrorf("%d blocking rules: at most 64", len(m.Blocking))
	}
	if m.AgeAsOf != "" {
		if d := parseDate(m.AgeAsOf); d.prec != precDay {
			return modelErrorf("age_as_of %q is not a date: write YYYY-MM-DD", m.AgeAsOf)
		}
	}
	if m.SiblingWeight < 0 || math.IsNaN(m.SiblingWeight) {
		return modelErrorf("sibling_weight %g is negative", m.SiblingWeight)
	}
	if m.SiblingAbsentWeight > 0 || math.IsNaN(m.SiblingAbsentWeight) {
		return modelErrorf("sibling_absent_weight %g is positive", m.SiblingAbsentWeight)
	}
	for _, r := range m.Blocking {
		if len(r.Parts) == 0 {
			return modelErrorf("blocking rule %q: no parts", r.Name)
		}
		for _, p := range r.Parts {
			if p.Field == "" || slices.Contains(p.Also, "") {
				return modelErrorf("blocking rule %q: a part names no field", r.Name)
			}
			switch p.Key {
			case BlockAll, BlockValue, BlockNameKeys, BlockYear, BlockYearMonth, BlockMonthDay, BlockDate:
			case BlockOblast, BlockSettlement, BlockDay, BlockMonth:
			case BlockPrefix, BlockNamePrefix:
				if p.Length <= 0 {
					return modelErrorf("blocking rule %q: prefix needs a length", r.Name)
				}
			default:
				return modelErrorf("blocking rule %q: unknown key %q", r.Name, p.Key)
			}
		}
	}
	return nil
}

// Fields lists every column the model reads, the id column first.
func (m *Model) Fields() []string {
	out := []string{m.ID()}
	add := func(f string) {
		if f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	for _, c := range m.Comparisons {
		add(c.Field)
		add(c.SwapField)
	}
	for _, r := range m.Blocking {
		for _, p := range r.Parts {
			add(p.Field)
			for _, f := range p.Also {
				add(f)
			}
		}
	}
	return out
}
