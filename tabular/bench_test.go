package tabular

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
)

// syntheticLocated invents n located records; the names are made up.
func syntheticLocated(n int) []*homeward.LocatedRecord {
	given := []string{"Олена", "Ірина", "Петро", "Марко", "Софія", "Алена", "Ivan", "Дарина"}
	family := []string{"Тестенко", "Зразкова", "Вигаданий", "Пробний", "Умовна", "Testenko"}
	rs := make([]*homeward.LocatedRecord, n)
	for i := range rs {
		rs[i] = &homeward.LocatedRecord{
			GivenName: given[i%len(given)], FamilyName: fmt.Sprintf("%s-%d", family[i%len(family)], i),
			Sex:          homeward.Sex([]string{"f", "m"}[i%2]),
			BirthDate:    homeward.BirthDate{Year: 2008 + i%15, Month: 1 + i%12, Day: 1 + i%28, Precision: homeward.PrecisionDay},
			BirthPlace:   "Вигадане місто",
			LocationKind: homeward.LocationInstitution, Institution: "Вигаданий заклад №" + fmt.Sprint(i%300),
			Region: "Вигадана область", ObservedAt: homeward.NewDate(2023, time.Month(1+i%12), 1),
			Source: homeward.SourceCounterpartList, SourceRef: fmt.Sprintf("L-%06d", i), Reliability: homeward.ReliabilityMedium,
		}
	}
	return rs
}

func BenchmarkReadXLSX100k(b *testing.B) {
	var buf bytes.Buffer
	if err := WriteLocated(&buf, FormatXLSX, syntheticLocated(100_000)); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		s, err := Read("located.xlsx", bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if len(s.Rows) != 100_000 {
			b.Fatalf("read %d rows", len(s.Rows))
		}
	}
}

func BenchmarkReadAndConvertXLSX100k(b *testing.B) {
	var buf bytes.Buffer
	if err := WriteLocated(&buf, FormatXLSX, syntheticLocated(100_000)); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.ResetTimer()
	for b.Loop() {
		s, err := Read("located.xlsx", bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		m, _ := AutoMap(homeward.EntityLocated, s.Headers)
		rs, errs := ConvertLocated(s, m)
		if len(errs) != 0 || len(rs) != 100_000 {
			b.Fatalf("%d records, %d errors", len(rs), len(errs))
		}
	}
}

func BenchmarkWriteXLSX100k(b *testing.B) {
	rs := syntheticLocated(100_000)
	for b.Loop() {
		var buf bytes.Buffer
		if err := WriteLocated(&buf, FormatXLSX, rs); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadCSV100k(b *testing.B) {
	var buf bytes.Buffer
	if err := WriteLocated(&buf, FormatCSV, syntheticLocated(100_000)); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Read("located.csv", bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
