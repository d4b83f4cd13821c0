package web

import (
	"testing"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/matching"
)

func TestEveryMatchingReasonHasAUkrainianTranslation(t *testing.T) {
	for _, f := range matching.ReasonFormats {
		if _, ok := catalogueUK[f]; !ok {
			t.Errorf("no Ukrainian for the reason %q", f)
		}
	}
}

func TestEvidenceReasonIsShownInThePageLanguage(t *testing.T) {
	swapped := homeward.MatchEvidence{
		Reason:       "04.03.2015 in the report, 03.04.2015 in the located record: day and month swapped",
		ReasonFormat: "%s in the report, %s in the located record: %s",
		ReasonArgs:   []string{"04.03.2015", "03.04.2015", "day and month swapped"},
	}
	sex := homeward.MatchEvidence{ReasonFormat: "%s in both", ReasonArgs: []string{"female"}}
	russian := homeward.MatchEvidence{ReasonFormat: "%s is the Russian form of %s", ReasonArgs: []string{"Александр", "Олександр"}}
	old := homeward.MatchEvidence{Reason: "stored before reasons had formats"}
	tests := []struct {
		lang string
		e    homeward.MatchEvidence
		want string
	}{
		{"en", swapped, swapped.Reason},
		{"uk", swapped, "04.03.2015 у справі, 03.04.2015 у записі про знайдену дитину: день і місяць переставлено"},
		{"uk", sex, "жіноча в обох записах"},
		{"en", sex, "female in both"},
		{"uk", russian, "Александр — російська форма Олександр"},
		{"uk", old, old.Reason},
	}
	for _, tt := range tests {
		if got := locales[tt.lang].evidenceReason(tt.e); got != tt.want {
			t.Errorf("%s %q: got %q, want %q", tt.lang, tt.e.ReasonFormat, got, tt.want)
		}
	}
}
