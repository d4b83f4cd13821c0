package homeward

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValidateRefusesOverlongFieldsNamingThem(t *testing.T) {
	long := strings.Repeat("я", 900_000)
	for _, tt := range []struct {
		name  string
		err   error
		field string
	}{
		{"case given name", (&Case{GivenName: long}).Validate(), "given_name"},
		{"case notes", (&Case{GivenName: "Олена", Notes: long}).Validate(), "notes"},
		{"case family contact", (&Case{GivenName: "Олена", Family: []FamilyMember{{Name: "Марія", Relation: "mother", Contact: long}}}).Validate(), "family[0].contact"},
		{"case other name", (&Case{GivenName: "Олена", OtherNames: []OtherName{{Name: long}}}).Validate(), "other_names[0]"},
		{"case sex quoted", (&Case{GivenName: "Олена", Sex: Sex(long)}).Validate(), "sex"},
		{"located family name", (&LocatedRecord{FamilyName: long}).Validate(), "family_name"},
		{"located institution", (&LocatedRecord{FamilyName: "Шевченко", Institution: long}).Validate(), "institution"},
		{"handover notes", (&Handover{Notes: long}).Validate(), "notes"},
		{"reunification proof", (&Reunification{Proof: long}).Validate(), "proof"},
		{"follow-up findings", (&FollowUp{Findings: long}).Validate(), "findings"},
		{"verification notes", (&Verification{Notes: long}).Validate(), "notes"},
		{"best interests panel", (&BestInterests{Panel: []string{long}}).Validate(), "panel[0]"},
		{"match decision note", (&MatchDecision{Note: long}).Validate(), "note"},
		{"organisation name", (&Org{Name: long, Kind: OrgNGO}).Validate(), "name"},
		{"user display name", (&User{Login: "worker", DisplayName: long, OrgID: 1, Role: RoleCaseworker}).Validate(), "display_name"},
	} {
		if ErrorCode(tt.err) != EINVALID || ErrorField(tt.err) != tt.field {
			t.Errorf("%s: %v; want invalid %s", tt.name, tt.err, tt.field)
			continue
		}
		if msg := ErrorMessage(tt.err); utf8.RuneCountInString(msg) > 2*MaxExcerpt {
			t.Errorf("%s: the message is %d characters long; it must quote no more than an excerpt", tt.name, utf8.RuneCountInString(msg))
		}
	}
	if err := (&Case{GivenName: strings.Repeat("я", MaxNameLength)}).Validate(); err != nil {
		t.Errorf("a name of exactly %d characters: %v", MaxNameLength, err)
	}
}

func TestExcerptCutsAtACharacter(t *testing.T) {
	if got := Excerpt(strings.Repeat("ї", 300)); got != strings.Repeat("ї", MaxExcerpt)+"…" {
		t.Errorf("Excerpt = %d characters", utf8.RuneCountInString(got))
	}
	if got := Excerpt("коротко"); got != "коротко" {
		t.Errorf("Excerpt(short) = %q", got)
	}
}
