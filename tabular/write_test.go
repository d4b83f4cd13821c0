package tabular

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
)

func sampleCases() []*homeward.Case {
	return []*homeward.Case{
		{
			Reference: "HW-2026-000001", GivenName: "Олена", FamilyName: "Тестенко", Patronymic: "Петрівна",
			OtherNames: []homeward.OtherName{{Name: "Алёна", Script: homeward.ScriptRussian}, {Name: "Olena", Script: homeward.ScriptLatin}},
			Sex:        homeward.SexFemale,
			BirthDate:  homeward.BirthDate{Year: 2015, Month: 3, Day: 5, Precision: homeward.PrecisionDay},
			BirthPlace: "Маріуполь", LastSeenPlace: "Табір, корпус 2", LastSeenDate: homeward.NewDate(2022, time.September, 1),
			Circumstance: homeward.CircumstanceDeportation, DistinguishingMarks: "родимка", Notes: "=SUM(A1) is not a formula\n-and a second line",
			Stage: homeward.StageTracing,
		},
		{
			Reference: "HW-2026-000002", FamilyName: "Зразкова", Sex: homeward.SexMale,
			BirthDate: homeward.BirthDate{Year: 2014, Month: 11, Precision: homeward.PrecisionMonth},
			Notes:     "'+quoted already", Stage: homeward.StageRegistered,
		},
		{
			Reference: "HW-2026-000003", GivenName: "Петро", BirthDate: homeward.BirthDate{Year: 2016, Precision: homeward.PrecisionYear},
			Circumstance: homeward.CircumstanceInstitution, Stage: homeward.StageRegistered,
		},
	}
}

func sampleLocated() []*homeward.LocatedRecord {
	return []*homeward.LocatedRecord{
		{
			GivenName: "Алена", FamilyName: "Тестенко", Patronymic: "Петровна", Sex: homeward.SexFemale,
			BirthDate:    homeward.BirthDate{Year: 2015, Month: 3, Day: 6, Precision: homeward.PrecisionDay},
			BirthPlace:   "Мариуполь",
			LocationKind: homeward.LocationFoster, Institution: "", Region: "Вигадана область",
			ObservedAt: homeward.NewDate(2023, time.June, 1), Source: homeward.SourceCounterpartList, SourceRef: "00123",
			Reliability: homeward.ReliabilityMedium, Notes: "@mention",
		},
		{
			FamilyName: "Зразкова", BirthDate: homeward.BirthDate{EstimatedAge: 9, Precision: homeward.PrecisionAge},
			LocationKind: homeward.LocationInstitution, Institution: "Вигаданий дитячий будинок №1", Source: homeward.SourceTestimony,
			Reliability: homeward.ReliabilityLow,
		},
	}
}

func TestWrittenCasesReadBackTheSame(t *testing.T) {
	for _, format := range []string{FormatCSV, FormatXLSX} {
		for _, lang := range []string{"en", "uk"} {
			t.Run(format+"/"+lang, func(t *testing.T) {
				want := sampleCases()
				var buf bytes.Buffer
				if err := WriteCases(&buf, format, want, WithLabels(lang)); err != nil {
					t.Fatal(err)
				}
				s, err := Read("cases."+format, &buf)
				if err != nil {
					t.Fatal(err)
				}
				if s.Headers[1] != map[string]string{"en": "Given name", "uk": "Ім'я"}[lang] {
					t.Errorf("header %q in %s", s.Headers[1], lang)
				}
				m, unknown := AutoMap(homeward.EntityCase, s.Headers)
				if len(unknown) != 0 {
					t.Fatalf("the export's own headers are unknown: %v", unknown)
				}
				if s.Rows[0][0] != "HW-2026-000001" || s.Rows[0][13] != "tracing" || s.Rows[0][6] != "05.03.2015" {
					t.Errorf("row 2 = %q; want the reference, the stage and the date as DD.MM.YYYY", s.Rows[0])
				}
				got, errs := ConvertCases(s, m)
				if len(errs) != 0 {
					t.Fatalf("errors %v", errs)
				}
				if len(got) != len(want) {
					t.Fatalf("read %d cases, wrote %d", len(got), len(want))
				}
				for i := range want {
					w := *want[i]
					w.Reference, w.Stage = "", "" // export only
					g := *got[i]
					g.ImportKey = ""
					if !casesEqual(&g, &w) {
						t.Errorf("case %d read back as\n%+v\nwant\n%+v", i, g, w)
					}
				}
			})
		}
	}
}

func casesEqual(a, b *homeward.Case) bool {
	return a.GivenName == b.GivenName && a.FamilyName == b.FamilyName && a.Patronymic == b.Patronymic &&
		slices.Equal(a.OtherNames, b.OtherNames) && a.Sex == b.Sex && a.BirthDate == b.BirthDate &&
		a.BirthPlace == b.BirthPlace && a.LastSeenPlace == b.LastSeenPlace && a.LastSeenDate.Equal(b.LastSeenDate.Time) &&
		a.Circumstance == b.Circumstance && a.DistinguishingMarks == b.DistinguishingMarks && a.Notes == b.Notes &&
		a.Reference == b.Reference && a.Stage == b.Stage
}

func TestWrittenLocatedRecordsReadBackTheSame(t *testing.T) {
	for _, format := range []string{FormatCSV, FormatXLSX} {
		t.Run(format, func(t *testing.T) {
			want := sampleLocated()
			var buf bytes.Buffer
			if err := WriteLocated(&buf, format, want); err != nil {
				t.Fatal(err)
			}
			s, err := Read("located."+format, &buf)
			if err != nil {
				t.Fatal(err)
			}
			m, unknown := AutoMap(homeward.EntityLocated, s.Headers)
			if len(unknown) != 0 {
				t.Fatalf("the export's own headers are unknown: %v", unknown)
			}
			got, errs := ConvertLocated(s, m)
			if len(errs) != 0 || len(got) != len(want) {
				t.Fatalf("read %d records, errors %v", len(got), errs)
			}
			for i := range want {
				w, g := *want[i], *got[i]
				g.ImportKey = ""
				g.BirthDate.AgeAsOf = nil // the age's reference date is not exported
				if !w.ObservedAt.Equal(g.ObservedAt.Time) {
					t.Errorf("record %d observed %v, want %v", i, g.ObservedAt, w.ObservedAt)
				}
				w.ObservedAt, g.ObservedAt = homeward.Date{}, homeward.Date{}
				if g != w {
					t.Errorf("record %d read back as\n%+v\nwant\n%+v", i, g, w)
				}
			}
		})
	}
}

func TestWriteRefusesAnUnknownFormat(t *testing.T) {
	var buf bytes.Buffer
	err := WriteCases(&buf, "ods", sampleCases())
	if homeward.ErrorCode(err) != homeward.EINVALID {
		t.Errorf("WriteCases(ods) = %v, want %s", err, homeward.EINVALID)
	}
}

func TestWriteRejectedWritesOnlyTheBadRowsWithTheirErrors(t *testing.T) {
	for _, format := range []string{FormatCSV, FormatXLSX} {
		t.Run(format, func(t *testing.T) {
			s := sheet("Прізвище|Ім'я|Дата народження",
				"Тестенко|Олена|05.03.2015", "", "Зразкова|Ірина|31.02.2014", "||~7", "Вигаданий|Петро|2016")
			m, _ := AutoMap(homeward.EntityCase, s.Headers)
			_, errs := ConvertCases(s, m)
			var buf bytes.Buffer
			if err := WriteRejected(&buf, format, s, errs); err != nil {
				t.Fatal(err)
			}
			r, err := Read("rejects."+format, &buf)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Headers, []string{"Прізвище", "Ім'я", "Дата народження", "error"}) {
				t.Fatalf("headers %q", r.Headers)
			}
			if len(r.Rows) != 2 || r.Rows[0][0] != "Зразкова" || r.Rows[1][2] != "~7" {
				t.Fatalf("rows %q, want rows 4 and 5 of the original", r.Rows)
			}
			if r.Rows[0][3] == "" || r.Rows[1][3] == "" {
				t.Errorf("rows without an error message: %q", r.Rows)
			}
			// Corrected, the rejects file imports as it is.
			r.Rows[0][2], r.Rows[1][0] = "28.02.2014", "Вигадана"
			m, unknown := AutoMap(homeward.EntityCase, r.Headers)
			cs, errs := ConvertCases(r, m)
			if len(unknown) != 0 || len(errs) != 0 || len(cs) != 2 {
				t.Errorf("corrected rejects: unknown %v, errors %v, %d cases", unknown, errs, len(cs))
			}
		})
	}
}

// TestCSVExportQuotesEveryFormulaStart reads the exported bytes themselves,
// not through Read (which would undo the escaping it shares with the
// writer): a cell a spreadsheet program could run as a formula must start
// with a quote.
func TestCSVExportQuotesEveryFormulaStart(t *testing.T) {
	for _, v := range []string{"=1+1", "+1", "-1", "@SUM(A1)", "\t=1+1", "\r=1+1", "'=1"} {
		var buf bytes.Buffer
		if err := WriteCases(&buf, FormatCSV, []*homeward.Case{{Notes: v}}); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\uFEFF")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		j := slices.Index(recs[0], "Notes")
		if got := recs[1][j]; got != "'"+v {
			t.Errorf("%q exported as %q; want %q", v, got, "'"+v)
		}
	}
}
