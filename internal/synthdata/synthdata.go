// Package synthdata turns the synthetic corpus of linkage/synth into domain
// records, for the demo and the benchmark commands. Every person it makes is
// invented; it must never be pointed at real records.
package synthdata

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/homeward-project/homeward"
)

// ImportKey is the import key of the record made from a corpus row: the
// row's synthetic id, so that loading a corpus twice creates nothing new and
// benchmarks can map corpus ids to stored records.
func ImportKey(row []string) string { return "synth:" + row[0] }

var relations = []string{"mother", "father", "grandmother", "aunt", "guardian"}

// Case turns a report row (synth.Header) into a case. With rng it also gets
// an invented inquirer, consents, circumstances and a tracing stage for two
// cases in three (the stage is the system's to set; a user's case starts
// registered); without, only the compared fields and the import key.
func Case(row []string, rng *rand.Rand) *homeward.Case {
	bd, _ := homeward.ParseBirthDate(row[5])
	c := &homeward.Case{
		GivenName:  row[1],
		FamilyName: row[2],
		Patronymic: row[3],
		Sex:        homeward.Sex(row[4]),
		BirthDate:  bd,
		BirthPlace: row[6],
		ImportKey:  ImportKey(row),
	}
	if rng == nil {
		return c
	}
	c.LastSeenPlace = row[6]
	c.LastSeenDate = homeward.NewDate(2022+rng.IntN(3), time.Month(1+rng.IntN(12)), 1+rng.IntN(28))
	c.Circumstance = homeward.Circumstances[rng.IntN(len(homeward.Circumstances))]
	c.Stage = homeward.StageRegistered
	if rng.IntN(3) > 0 {
		c.Stage = homeward.StageTracing
	}
	c.Consents = homeward.Consents{Tracing: true, ShareMediator: rng.IntN(3) > 0, DNA: rng.IntN(4) == 0}
	c.Family = []homeward.FamilyMember{{
		Name:     "(synthetic) " + row[2],
		Relation: relations[rng.IntN(len(relations))],
		Contact:  fmt.Sprintf("+380 00 %03d %04d", rng.IntN(1000), rng.IntN(10000)),
		Inquirer: true,
		LegalRep: rng.IntN(2) == 0,
	}}
	return c
}

var locations = []homeward.LocationKind{homeward.LocationInstitution, homeward.LocationFoster, homeward.LocationAdoptive, homeward.LocationOther}

var reliabilities = []homeward.Reliability{homeward.ReliabilityHigh, homeward.ReliabilityMedium, homeward.ReliabilityLow}

// Located turns a located row into a located record from a counterpart's
// list. With rng it also gets an invented location, observation date, source
// and reliability.
func Located(row []string, rng *rand.Rand) *homeward.LocatedRecord {
	bd, _ := homeward.ParseBirthDate(row[5])
	r := &homeward.LocatedRecord{
		GivenName:  row[1],
		FamilyName: row[2],
		Patronymic: row[3],
		Sex:        homeward.Sex(row[4]),
		BirthDate:  bd,
		BirthPlace: row[6],
		Source:     homeward.SourceCounterpartList,
		SourceRef:  row[0],
		ImportKey:  ImportKey(row),
	}
	if rng == nil {
		return r
	}
	r.LocationKind = locations[rng.IntN(len(locations))]
	r.Region = fmt.Sprintf("Region %d (synthetic)", 1+rng.IntN(40))
	r.ObservedAt = homeward.NewDate(2023+rng.IntN(3), time.Month(1+rng.IntN(12)), 1+rng.IntN(28))
	r.Source = homeward.SourceKinds[rng.IntN(len(homeward.SourceKinds))]
	r.Reliability = reliabilities[rng.IntN(len(reliabilities))]
	return r
}
