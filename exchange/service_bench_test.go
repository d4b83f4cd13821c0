package exchange_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/internal/synthdata"
	"github.com/homeward-project/homeward/linkage/synth"
	"github.com/homeward-project/homeward/store"
)

// BenchmarkList5000 measures DESIGN.md's goal for a list of 5,000
// entries: sealed and written as a bundle (≤ 2 s), opened and stored by the
// mediator (≤ 5 s), and opened by the counterpart, whose opening also
// links every entry against its 5,000 located records. Run with
//
//	go test ./exchange -run X -bench List5000 -benchtime 3x
func BenchmarkList5000(b *testing.B) {
	const n = 5000
	ctx := context.Background()
	origin := benchInstallation(b, "Origin (bench)", homeward.OrgAgency, homeward.PartyAgency)
	mediator := benchInstallation(b, "Mediator (bench)", homeward.OrgMediator, homeward.PartyMediator)
	counterpart := benchInstallation(b, "Counterpart (bench)", homeward.OrgCounterpart, homeward.PartyCounterpart)
	for _, p := range [][2]*installation{{origin, mediator}, {origin, counterpart}, {mediator, origin}, {mediator, counterpart}, {counterpart, origin}, {counterpart, mediator}} {
		p[0].trusts(p[1])
	}
	corpus := synth.Generate(synth.Config{Reports: n, Located: n, Seed: 11})
	rng := rand.New(rand.NewPCG(11, 1))
	var cs []*homeward.Case
	for _, row := range corpus.Reports {
		c := synthdata.Case(row, rng)
		c.OrgID, c.Stage = origin.org.ID, homeward.StageVerified
		c.Consents.ShareMediator = true
		cs = append(cs, c)
	}
	sys := homeward.NewContextWithActor(ctx, homeward.Actor{System: true, Role: homeward.RoleAdmin, OrgID: origin.org.ID})
	if _, _, err := origin.cases.ImportCases(sys, cs, nil); err != nil {
		b.Fatal(err)
	}
	var rs []*homeward.LocatedRecord
	for _, row := range corpus.Located {
		r := synthdata.Located(row, rng)
		r.OrgID = counterpart.org.ID
		rs = append(rs, r)
	}
	csys := homeward.NewContextWithActor(ctx, homeward.Actor{System: true, Role: homeward.RoleAdmin, OrgID: counterpart.org.ID})
	if _, _, err := counterpart.located.ImportLocated(csys, rs, nil); err != nil {
		b.Fatal(err)
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	ch := &homeward.Channel{Name: "Bench", MediatorID: origin.partyID(mediator), CounterpartID: origin.partyID(counterpart)}
	if err := origin.lists.CreateChannel(origin.liaison, ch); err != nil {
		b.Fatal(err)
	}
	var seal, open, link time.Duration
	var size int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		l := &homeward.ReturnList{ChannelID: ch.ID, Title: fmt.Sprintf("Bench %d", i)}
		must(b, origin.lists.CreateList(origin.liaison, l))
		l, _, err := origin.lists.AddEntries(origin.liaison, l.ID, ids, l.Version)
		if err != nil {
			b.Fatal(err)
		}
		if l, err = origin.lists.RequestSeal(origin.sup, l.ID, l.Version); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		if l, err = origin.lists.Seal(origin.sup2, l.ID, l.Version); err != nil {
			b.Fatal(err)
		}
		sent, err := origin.svc.SendList(origin.liaison, l.ID, l.Version)
		if err != nil {
			b.Fatal(err)
		}
		file, err := origin.svc.BundleFile(origin.liaison, sent.ID)
		if err != nil {
			b.Fatal(err)
		}
		seal += time.Since(start)
		size = int64(len(file))
		start = time.Now()
		if _, err := mediator.svc.OpenBundle(mediator.liaison, file); err != nil {
			b.Fatal(err)
		}
		open += time.Since(start)
		fwd, err := mediator.svc.CreateBundle(mediator.liaison, onlyChannelID(b, mediator), mediator.partyID(counterpart))
		if err != nil {
			b.Fatal(err)
		}
		ffile, err := mediator.svc.BundleFile(mediator.liaison, fwd.ID)
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		if _, err := counterpart.svc.OpenBundle(counterpart.liaison, ffile); err != nil {
			b.Fatal(err)
		}
		link += time.Since(start)
	}
	b.ReportMetric(seal.Seconds()/float64(b.N), "seal+write-s")
	b.ReportMetric(open.Seconds()/float64(b.N), "mediator-open-s")
	b.ReportMetric(link.Seconds()/float64(b.N), "counterpart-open+link-s")
	b.ReportMetric(float64(size), "bundle-bytes")
}

// benchInstallation is on SQLite, the default, or on PostgreSQL with
// HOMEWARD_BENCH_BACKEND=postgres (and HOMEWARD_TEST_DATABASE_URL).
func benchInstallation(b *testing.B, name string, kind homeward.OrgKind, pk homeward.PartyKind) *installation {
	backend := store.DialectSQLite
	if os.Getenv("HOMEWARD_BENCH_BACKEND") == store.DialectPostgres {
		backend = store.DialectPostgres
	}
	return newInstallation(b, backend, name, kind, pk)
}

func onlyChannelID(b *testing.B, in *installation) int64 {
	chs, err := in.lists.FindChannels(in.liaison)
	if err != nil || len(chs) != 1 {
		b.Fatalf("%s has %d channels: %v", in.name, len(chs), err)
	}
	return chs[0].ID
}
