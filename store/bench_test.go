package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/homeward-project/homeward"
)

// BenchmarkImportLocated100k imports 100,000 invented located records into
// a fresh database per iteration: one transaction, a create event per
// record. Run with: go test ./store -run '^$' -bench ImportLocated -benchtime 1x
// (PostgreSQL too when HOMEWARD_TEST_DATABASE_URL is set).
func BenchmarkImportLocated100k(b *testing.B) {
	const n = 100_000
	rs := make([]*homeward.LocatedRecord, n)
	for i := range rs {
		rs[i] = &homeward.LocatedRecord{
			GivenName:   fmt.Sprintf("Ім'я%d", i%977),
			FamilyName:  fmt.Sprintf("Прізвище%d", i%4099),
			Patronymic:  "Вигаданович",
			Sex:         homeward.SexMale,
			BirthDate:   homeward.BirthDate{Year: 2010 + i%12, Month: 1 + i%12, Day: 1 + i%28, Precision: homeward.PrecisionDay},
			BirthPlace:  "Invented Town",
			Region:      "Invented Oblast",
			Source:      homeward.SourceCounterpartList,
			SourceRef:   fmt.Sprintf("list 1, line %d", i+1),
			Reliability: homeward.ReliabilityMedium,
			ImportKey:   fmt.Sprintf("list-1:%d", i+1),
		}
	}
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) { benchmarkImportLocated(b, backend, rs) })
	}
}

func benchmarkImportLocated(b *testing.B, backend string, rs []*homeward.LocatedRecord) {
	n := len(rs)
	for b.Loop() {
		b.StopTimer()
		db := openTestDB(b, backend)
		ctx := homeward.NewContextWithActor(context.Background(), homeward.SystemActor())
		org := &homeward.Org{Name: "Bench", Kind: homeward.OrgAgency}
		if err := NewOrgService(db).CreateOrg(ctx, org); err != nil {
			b.Fatal(err)
		}
		batch := make([]*homeward.LocatedRecord, n)
		for i, r := range rs {
			c := *r
			c.OrgID = org.ID
			batch[i] = &c
		}
		b.StartTimer()
		created, _, err := NewLocatedService(db).ImportLocated(ctx, batch, nil)
		if err != nil || created != n {
			b.Fatalf("created %d: %v", created, err)
		}
	}
	b.ReportMetric(float64(n), "rows/op")
}

// BenchmarkReencrypt100k moves 100,000 located records (their rows and
// record keys) to a new data key, in batches, as `homeward key rotate
// --reencrypt` does. Run with: go test ./store -run '^$' -bench Reencrypt100k -benchtime 1x
func BenchmarkReencrypt100k(b *testing.B) {
	const n = 100_000
	rs := make([]*homeward.LocatedRecord, n)
	for i := range rs {
		rs[i] = &homeward.LocatedRecord{
			GivenName: fmt.Sprintf("Ім'я%d", i%977), FamilyName: fmt.Sprintf("Прізвище%d", i%4099),
			Sex: homeward.SexMale, BirthDate: homeward.BirthDate{Year: 2010 + i%12, Precision: homeward.PrecisionYear},
			Source: homeward.SourceCounterpartList, SourceRef: fmt.Sprintf("list 1, line %d", i+1),
			Reliability: homeward.ReliabilityMedium, ImportKey: fmt.Sprintf("list-1:%d", i+1),
		}
	}
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) {
			recheck := activeRecheck
			activeRecheck = 0 // no other writer to wait for
			defer func() { activeRecheck = recheck }()
			for b.Loop() {
				b.StopTimer()
				db := benchLocatedDB(b, backend, rs)
				b.StartTimer()
				res, err := db.Reencrypt(context.Background(), nil)
				if err != nil || res.Located != n || res.RecordKeys != n {
					b.Fatalf("%+v: %v", res, err)
				}
			}
			b.ReportMetric(float64(n), "rows/op")
		})
	}
}

// BenchmarkRewrap re-wraps the data keys under a new master key.
func BenchmarkRewrap(b *testing.B) {
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) {
			db := openTestDB(b, backend)
			for b.Loop() {
				if err := db.Rewrap(context.Background(), testMasterKey(b)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchLocatedDB is a fresh database holding the records rs.
func benchLocatedDB(b *testing.B, backend string, rs []*homeward.LocatedRecord) *DB {
	db := openTestDB(b, backend)
	ctx := homeward.NewContextWithActor(context.Background(), homeward.SystemActor())
	org := &homeward.Org{Name: "Bench", Kind: homeward.OrgAgency}
	if err := NewOrgService(db).CreateOrg(ctx, org); err != nil {
		b.Fatal(err)
	}
	batch := make([]*homeward.LocatedRecord, len(rs))
	for i, r := range rs {
		c := *r
		c.OrgID = org.ID
		batch[i] = &c
	}
	if created, _, err := NewLocatedService(db).ImportLocated(ctx, batch, nil); err != nil || created != len(rs) {
		b.Fatalf("created %d: %v", created, err)
	}
	return db
}
