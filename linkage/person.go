package linkage

// Fields of the built-in person model.
const (
	FieldGivenName  = "given_name"
	FieldFamilyName = "family_name"
	FieldPatronymic = "patronymic"
	FieldSex        = "sex"
	FieldBirthDate  = "birth_date"
	FieldBirthPlace = "birth_place"
)

func level(label, when string, m float64) Level { return Level{Label: label, When: when, M: m} }

func tfLevel(label, when string, m float64) Level {
	return Level{Label: label, When: when, M: m, TFAdjust: true}
}

func reasons(label string, m float64, rs ...string) Level {
	return Level{Label: label, When: WhenReason, Reasons: rs, M: m}
}

// tfReasons is a reasons level weighed by the rarer-looking of the two
// names' frequencies (the larger): Oleksandr agreeing with Олександр is as
// common an agreement as Олександр with Олександр.
func tfReasons(label string, m float64, rs ...string) Level {
	return Level{Label: label, When: WhenReason, Reasons: rs, M: m, TFAdjust: true}
}

// tfRelative weighs a fuzzy level by how rare the name is compared with
// the average name: a misspelt rare surname is a rarer coincidence.
func tfRelative(l Level) Level {
	l.TFRelative = true
	return l
}

func scoreLevel(label string, thr, m float64) Level {
	return Level{Label: label, When: WhenScore, Threshold: thr, M: m}
}

// PersonModel returns the built-in, untrained model for children's records:
// given, family and patronymic names through the names engine (scripts,
// transliterations, Ukrainian/Russian equivalents, diminutives), sex, date of
// birth with the usual distortions, and birthplace. Any field may be blank or
// absent. A "family" column groups siblings: two siblings matching two
// siblings is evidence for both matches (when both sides have one), and a
// sibling's better match for the same record is evidence against a pair
// (sibling rivalry: twins stop matching each other's records). Its m values
// are starting points for training, not trained values.
//
// Its blocking rules are in two groups: the first find nearly every true
// pair and train the model; the rest, marked no_training, catch what a
// replaced surname combined with an altered or missing date or a misspelt
// name hides from the first (through the settlement of birth, the
// patronymic, and parts where a missing date agrees with any), and a pair
// only they find weighs NoTrainingWeight less.
func PersonModel() *Model {
	return &Model{
		Name:               "Homeward built-in person model",
		IDColumn:           "id",
		AllowMissingFields: true,
		SiblingField:       "family",
		Exclusive:          true,
		Comparisons: []Comparison{
			{
				Name: "given name", Kind: KindName, Field: FieldGivenName, SwapField: FieldFamilyName, TFMinimumU: 1e-4,
				Levels: []Level{
					level("missing", WhenMissing, 0),
					tfLevel("same", WhenNormalised, 0.6),
					tfReasons("transliteration or Ukrainian/Russian equivalent", 0.15, "transliteration", "equivalent"),
					tfReasons("diminutive", 0.05, "diminutive"),
					{Label: "given and family names swapped", When: WhenSwapped, Threshold: 0.8, M: 0.02, TFAdjust: true},
					reasons("gender form or phonetic", 0.02, "gender_form", "phonetic"),
					scoreLevel("similar (score ≥ 0.92)", 0.92, 0.05),
					scoreLevel("similar (score ≥ 0.80)", 0.80, 0.03),
					scoreLevel("somewhat similar (score ≥ 0.65)", 0.65, 0.01),
					level("different", WhenElse, 0.02),
				},
			},
			{
				Name: "family name", Kind: KindName, Field: FieldFamilyName, SwapField: FieldGivenName, TFMinimumU: 1e-5, FamilyShared: true,
				Levels: []Level{
					level("missing", WhenMissing, 0),
					tfLevel("same", WhenNormalised, 0.5),
					tfReasons("transliteration or Ukrainian/Russian equivalent", 0.2, "transliteration", "equivalent"),
					reasons("gender form", 0.03, "gender_form"),
					{Label: "given and family names swapped", When: WhenSwapped, Threshold: 0.8, M: 0.02, TFAdjust: true, Conditional: true},
					tfRelative(reasons("phonetic or typo", 0.05, "phonetic", "typo", "diminutive")),
					scoreLevel("similar (score ≥ 0.92)", 0.92, 0.04),
					scoreLevel("similar (score ≥ 0.80)", 0.80, 0.03),
					scoreLevel("somewhat similar (score ≥ 0.65)", 0.65, 0.02),
					level("different", WhenElse, 0.11),
				},
			},
			{
				Name: "patronymic", Kind: KindName, Field: FieldPatronymic, TFMinimumU: 1e-4, FamilyShared: true,
				Levels: []Level{
					level("missing", WhenMissing, 0),
					tfLevel("same", WhenNormalised, 0.6),
					tfReasons("transliteration or Ukrainian/Russian equivalent", 0.2, "transliteration", "equivalent", "gender_form"),
					scoreLevel("similar (score ≥ 0.85)", 0.85, 0.1),
					level("different", WhenElse, 0.1),
				},
			},
			{
				Name: "sex", Kind: KindSex, Field: FieldSex,
				Levels: []Level{
					level("missing", WhenMissing, 0),
					level("same", WhenExact, 0.97),
					level("different", WhenElse, 0.03),
				},
			},
			{
				Name: "date of birth", Kind: KindDate, Field: FieldBirthDate,
				Levels: []Level{
					level("missing", WhenMissing, 0),
					level("exact", WhenExact, 0.6),
					{Label: "one day apart", When: WhenDayOffset, Threshold: 1, M: 0.04},
					level("day and month swapped", WhenDayMonthSwapped, 0.03),
					{Label: "the same day and month, a year apart", When: WhenYearOffsetSameDay, Threshold: 1, M: 0.03},
					{Label: "the same day, a month apart", When: WhenMonthOffsetSameDay, Threshold: 1, M: 0.02},
					{Label: "one digit differs", When: WhenLevenshtein, Threshold: 1, M: 0.05},
					{Label: "only a year or an age given, consistent", When: WhenAgeWindow, Threshold: 0, M: 0.04},
					level("same month and year", WhenSameMonth, 0.05),
					{Label: "one month apart", When: WhenMonthOffset, Threshold: 1, M: 0.03},
					level("same year", WhenSameYear, 0.04),
					{Label: "one year apart", When: WhenYearOffset, Threshold: 1, M: 0.04},
					{Label: "only a year or an age given, within two years", When: WhenAgeWindow, Threshold: 2, M: 0.02},
					level("different", WhenElse, 0.06),
				},
			},
			{
				Name: "birthplace", Kind: KindPlace, Field: FieldBirthPlace, FamilyShared: true,
				Levels: []Level{
					level("missing", WhenMissing, 0),
					level("same after normalisation", WhenNormalised, 0.4),
					level("same settlement", WhenSameSettlement, 0.3),
					level("same raion", WhenSameRaion, 0.05),
					level("same oblast, no settlement named on one side", WhenSameOblastNoSettlement, 0.1),
					level("same oblast", WhenSameOblast, 0.05),
					level("different", WhenElse, 0.1),
				},
			},
		},
		Blocking: []BlockingRule{
			{Name: "given and family name keys, in either column", Unordered: true, Parts: []BlockPart{
				{Field: FieldGivenName, Key: BlockNameKeys}, {Field: FieldFamilyName, Key: BlockNameKeys}}},
			{Name: "family name keys and year of birth", Parts: []BlockPart{
				{Field: FieldFamilyName, Key: BlockNameKeys}, {Field: FieldBirthDate, Key: BlockYear}}},
			{Name: "given name keys and date of birth", Parts: []BlockPart{
				{Field: FieldGivenName, Key: BlockNameKeys}, {Field: FieldBirthDate, Key: BlockDate}}},
			{Name: "given name and patronymic keys and year of birth", Parts: []BlockPart{
				{Field: FieldGivenName, Key: BlockNameKeys}, {Field: FieldPatronymic, Key: BlockNameKeys}, {Field: FieldBirthDate, Key: BlockYear}}},
			{Name: "given name keys and day and month of birth (either order)", Parts: []BlockPart{
				{Field: FieldGivenName, Key: BlockNameKeys}, {Field: FieldBirthDate, Key: BlockMonthDay}}},
			{Name: "given name keys and month of birth", Parts: []BlockPart{
				{Field: FieldGivenName, Key: BlockNameKeys}, {Field: FieldBirthDate, Key: BlockYearMonth}}},
			{Name: "patronymic keys and date of birth", Parts: []BlockPart{
				{Field: FieldPatronymic, Key: BlockNameKeys}, {Field: FieldBirthDate, Key: BlockDate}}},
			{Name: "family name keys and day and month of birth (either order)", Parts: []BlockPart{
				{Field: FieldFamilyName, Key: BlockNameKeys}, {Field: FieldBirthDate, Key: BlockMonthDay}}},
			{Name: "a name key in either name column and month of birth", Parts: []BlockPart{
				{Field: FieldGivenName, Also: []string{FieldFamilyName}, Key: BlockNameKeys}, {Field: FieldBirthDate, Key: BlockYearMonth}}},
			// The rules below catch the true pairs the ones above miss (a
			// replaced surname with an altered date or a misspelt name);
			// they bring mostly look-alikes, so EM does not learn from them.
			{Name: "a name key in either name column and day and month of birth (either order)", NoTraining: true, Parts: []BlockPart{
				{Field: FieldGivenName, Also: []string{FieldFamilyName}, Key: BlockNameKeys}, {Field: FieldBirthDate, Key: BlockMonthDay}}},
			{Name: "given name keys, the first letters of the family name and year of birth", NoTraining: true, Parts: []BlockPart{
				{Field: FieldGivenName, Key: BlockNameKeys}, {Field: FieldFamilyName, Key: BlockNamePrefix, Length: 3}, {Field: FieldBirthDate, Key: BlockYear}}},
			{Name: "given name and patronymic keys and oblast of birth", NoTraining: true, Parts: []BlockPart{
				{Field: FieldGivenName, Also: []string{FieldFamilyName}, Key: BlockNameKeys}, {Field: FieldPatronymic, Key: BlockNameKeys}, {Field: FieldBirthPlace, Key: BlockOblast}}},
			{Name: "date of birth and the initial of the family name", NoTraining: true, Parts: []BlockPart{
				{Field: FieldBirthDate, Key: BlockDate}, {Field: FieldFamilyName, Key: BlockNamePrefix, Length: 1}}},
			{Name: "given name keys, year of birth and day of the month (or only a year given)", NoTraining: true, Parts: []BlockPart{
				{Field: FieldGivenName, Key: BlockNameKeys}, {Field: FieldBirthDate, Key: BlockYear}, {Field: FieldBirthDate, Key: BlockDay, MissingAgrees: true}}},
			{Name: "a name key in either name column, settlement and year of birth (or none)", NoTraining: true, Parts: []BlockPart{
				{Field: FieldGivenName, Also: []string{FieldFamilyName}, Key: BlockNameKeys}, {Field: FieldBirthPlace, Key: BlockSettlement}, {Field: FieldBirthDate, Key: BlockYear, MissingAgrees: true}}},
			{Name: "the first letters of the given name, settlement and year of birth", NoTraining: true, Parts: []BlockPart{
				{Field: FieldGivenName, Key: BlockNamePrefix, Length: 3}, {Field: FieldBirthPlace, Key: BlockSettlement}, {Field: FieldBirthDate, Key: BlockYear}}},
			{Name: "date and settlement of birth", NoTraining: true, Parts: []BlockPart{
				{Field: FieldBirthDate, Key: BlockDate}, {Field: FieldBirthPlace, Key: BlockSettlement}}},
			{Name: "given name and patronymic keys, and the same date of birth or one missing", NoTraining: true, Parts: []BlockPart{
				{Field: FieldGivenName, Key: BlockNameKeys}, {Field: FieldPatronymic, Key: BlockNameKeys}, {Field: FieldBirthDate, Key: BlockDate, MissingAgrees: true}}},
			{Name: "family name and patronymic keys", NoTraining: true, Parts: []BlockPart{
				{Field: FieldFamilyName, Key: BlockNameKeys}, {Field: FieldPatronymic, Key: BlockNameKeys}}},
			{Name: "family name keys, the first letters of the given name, and the same date of birth or one missing", NoTraining: true, Parts: []BlockPart{
				{Field: FieldFamilyName, Key: BlockNameKeys}, {Field: FieldGivenName, Key: BlockNamePrefix, Length: 2}, {Field: FieldBirthDate, Key: BlockDate, MissingAgrees: true}}},
			{Name: "the first letters of the given and family names, and the same date of birth or one missing", NoTraining: true, Parts: []BlockPart{
				{Field: FieldGivenName, Key: BlockNamePrefix, Length: 3}, {Field: FieldFamilyName, Key: BlockNamePrefix, Length: 2}, {Field: FieldBirthDate, Key: BlockDate, MissingAgrees: true}}},
		},
	}
}
