package tabular

import (
	"slices"
	"testing"

	"github.com/homeward-project/homeward"
)

func TestAutoMapRecognisesHeadersInEnglishUkrainianAndRussianInAnyCase(t *testing.T) {
	tests := []struct {
		kind   string
		header string
		want   string
	}{
		{homeward.EntityCase, "given_name", FieldGivenName},
		{homeward.EntityCase, "Given name", FieldGivenName},
		{homeward.EntityCase, "FIRST NAME", FieldGivenName},
		{homeward.EntityCase, "first-name", FieldGivenName},
		{homeward.EntityCase, "Ім'я", FieldGivenName},
		{homeward.EntityCase, "ІМ’Я", FieldGivenName},
		{homeward.EntityCase, "Iм'я", FieldGivenName}, // Latin I typed on the wrong keyboard
		{homeward.EntityCase, "Имя", FieldGivenName},
		{homeward.EntityCase, "Прізвище", FieldFamilyName},
		{homeward.EntityCase, "  фамилия ", FieldFamilyName},
		{homeward.EntityCase, "Surname", FieldFamilyName},
		{homeward.EntityCase, "По батькові", FieldPatronymic},
		{homeward.EntityCase, "Отчество", FieldPatronymic},
		{homeward.EntityCase, "Дата народження", FieldBirthDate},
		{homeward.EntityCase, "Дата народження (ДД.ММ.РРРР)", FieldBirthDate},
		{homeward.EntityCase, "Дата рождения", FieldBirthDate},
		{homeward.EntityCase, "ДАТА РОЖДЕНИЯ", FieldBirthDate},
		{homeward.EntityCase, "DOB", FieldBirthDate},
		{homeward.EntityCase, "Date of birth", FieldBirthDate},
		{homeward.EntityCase, "Місце народження", FieldBirthPlace},
		{homeward.EntityCase, "Место рождения", FieldBirthPlace},
		{homeward.EntityCase, "Стать", FieldSex},
		{homeward.EntityCase, "Пол", FieldSex},
		{homeward.EntityCase, "Gender", FieldSex},
		{homeward.EntityCase, "Інші імена", FieldOtherNames},
		{homeward.EntityCase, "Обставини", FieldCircumstance},
		{homeward.EntityCase, "Особые приметы", FieldDistinguishingMarks},
		{homeward.EntityCase, "Дата зникнення", FieldLastSeenDate},
		{homeward.EntityCase, "Last seen", FieldLastSeenDate},
		{homeward.EntityCase, "Місце зникнення", FieldLastSeenPlace},
		{homeward.EntityCase, "Примечания", FieldNotes},
		{homeward.EntityCase, "Reference", FieldReference},
		{homeward.EntityCase, "Етап", FieldStage},
		{homeward.EntityLocated, "Заклад", FieldInstitution},
		{homeward.EntityLocated, "Учреждение", FieldInstitution},
		{homeward.EntityLocated, "Область", FieldRegion},
		{homeward.EntityLocated, "Регион", FieldRegion},
		{homeward.EntityLocated, "Станом на", FieldObservedAt},
		{homeward.EntityLocated, "Дата наблюдения", FieldObservedAt},
		{homeward.EntityLocated, "Джерело", FieldSource},
		{homeward.EntityLocated, "Источник", FieldSource},
		{homeward.EntityLocated, "Source reference", FieldSourceRef},
		{homeward.EntityLocated, "Reference", FieldSourceRef},
		{homeward.EntityLocated, "Надійність", FieldReliability},
		{homeward.EntityLocated, "Тип размещения", FieldLocationKind},
		{homeward.EntityLocated, "Ім'я", FieldGivenName},
		{homeward.EntityLocated, "Date observed", FieldObservedAt},
	}
	for _, tt := range tests {
		m, unknown := AutoMap(tt.kind, []string{tt.header})
		if len(unknown) != 0 || m[0] != tt.want {
			t.Errorf("AutoMap(%s, %q) = %q (unknown %v), want %q", tt.kind, tt.header, m[0], unknown, tt.want)
		}
	}
}

func TestAutoMapMarksUnknownAndRepeatedColumnsUnmapped(t *testing.T) {
	headers := []string{"Прізвище", "Shoe size", "Ім'я", "Фамилия", ""}
	m, unknown := AutoMap(homeward.EntityCase, headers)
	want := Mapping{FieldFamilyName, Unmapped, FieldGivenName, Unmapped, Unmapped}
	if !slices.Equal(m, want) {
		t.Errorf("mapping = %q, want %q", m, want)
	}
	if !slices.Equal(unknown, []int{1, 3, 4}) {
		t.Errorf("unknown = %v, want [1 3 4]", unknown)
	}
}

func TestAutoMapKnowsNoFieldsOfAnUnknownKind(t *testing.T) {
	m, unknown := AutoMap("nonsense", []string{"given_name"})
	if m[0] != Unmapped || len(unknown) != 1 {
		t.Errorf("AutoMap(nonsense) = %q, %v; want the column unknown", m, unknown)
	}
}

func TestAutoMapIgnoresTheErrorColumnOfARejectsFile(t *testing.T) {
	m, unknown := AutoMap(homeward.EntityLocated, []string{"Given name", "error"})
	if m[1] != "" || len(unknown) != 0 {
		t.Errorf("AutoMap = %q, %v; want the error column ignored", m, unknown)
	}
}

func TestAliasesOfDifferentFieldsNeverFoldToTheSameHeader(t *testing.T) {
	for _, kind := range []string{homeward.EntityCase, homeward.EntityLocated} {
		seen := map[string]string{}
		for _, f := range Fields(kind) {
			for _, h := range append([]string{f.Name, f.LabelEN, f.LabelUK}, f.Aliases...) {
				k := fold(h)
				if k == "" {
					t.Errorf("%s: alias %q of %s folds to nothing", kind, h, f.Name)
				}
				if other, ok := seen[k]; ok && other != f.Name {
					t.Errorf("%s: %q means both %s and %s", kind, h, other, f.Name)
				}
				seen[k] = f.Name
			}
		}
	}
}

func TestFieldsListsTheBriefsFields(t *testing.T) {
	tests := []struct {
		kind string
		want []string
	}{
		{homeward.EntityCase, []string{"reference", "given_name", "family_name", "patronymic", "other_names", "sex", "birth_date", "birth_place",
			"last_seen_place", "last_seen_date", "circumstance", "distinguishing_marks", "notes", "stage"}},
		{homeward.EntityLocated, []string{"given_name", "family_name", "patronymic", "sex", "birth_date", "birth_place", "location_kind",
			"institution", "region", "observed_at", "source", "source_ref", "reliability", "notes"}},
		{"other", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, f := range Fields(tt.kind) {
			got = append(got, f.Name)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Fields(%s) = %v, want %v", tt.kind, got, tt.want)
		}
	}
}

func FuzzAutoMap(f *testing.F) {
	f.Add("Ім'я", "Дата народження (ДД.ММ.РРРР)", "x")
	f.Add("given_name", "given_name", "")
	f.Add("((", "]]", "Фамилия")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		headers := []string{a, b, c}
		for _, kind := range []string{homeward.EntityCase, homeward.EntityLocated} {
			m, unknown := AutoMap(kind, headers)
			if len(m) != len(headers) {
				t.Fatalf("mapping has %d columns for %d headers", len(m), len(headers))
			}
			seen := map[string]bool{}
			u := 0
			for i, name := range m {
				switch name {
				case "":
				case Unmapped:
					if u >= len(unknown) || unknown[u] != i {
						t.Fatalf("column %d is unmapped but unknown = %v", i, unknown)
					}
					u++
				default:
					if _, ok := fieldByName(kind, name); !ok {
						t.Fatalf("column %d mapped to %q, not a field of %s", i, name, kind)
					}
					if seen[name] {
						t.Fatalf("two columns mapped to %s: %q", name, m)
					}
					seen[name] = true
				}
			}
			if u != len(unknown) {
				t.Fatalf("unknown = %v lists mapped columns (%q)", unknown, m)
			}
		}
	})
}

func TestOverrideCorrectsAMapping(t *testing.T) {
	headers := []string{"Прізвище", "Колір", "Nick"}
	tests := []struct {
		name, header, field string
		want                Mapping
		wantErr             bool
	}{
		{"ignores a column", "Колір", "-", Mapping{FieldFamilyName, "", Unmapped}, false},
		{"maps a column by field name", "Nick", "other_names", Mapping{FieldFamilyName, Unmapped, FieldOtherNames}, false},
		{"maps a column by label", "nick", "Інші імена", Mapping{FieldFamilyName, Unmapped, FieldOtherNames}, false},
		{"refuses an unknown field", "Nick", "shoe_size", nil, true},
		{"refuses an unknown header", "Зріст", "notes", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := AutoMap(homeward.EntityCase, headers)
			err := Override(homeward.EntityCase, headers, m, tt.header, tt.field)
			if tt.wantErr {
				if homeward.ErrorCode(err) != homeward.EINVALID {
					t.Errorf("Override = %v, want %s", err, homeward.EINVALID)
				}
				return
			}
			if err != nil || !slices.Equal(m, tt.want) {
				t.Errorf("Override: %q, %v; want %q", m, err, tt.want)
			}
		})
	}
}
