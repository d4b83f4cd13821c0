package store

import (
	"context"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/homeward-project/homeward"
)

// viewEvents counts the view events of each record of entityType.
func viewEvents(t *testing.T, db *DB, entityType string) map[int64]int {
	t.Helper()
	rows, err := db.db.Query(`SELECT entity_id, count(*) FROM events WHERE entity_type = $1 AND action = $2 GROUP BY entity_id`,
		entityType, homeward.ActionView)
	mustNil(t, err)
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		mustNil(t, rows.Scan(&id, &n))
		out[id] = n
	}
	mustNil(t, rows.Err())
	return out
}

func sortedKeys[V any](m map[int64]V) []int64 {
	ks := make([]int64, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// batchWorld is two cases and two located records of organisation A, one
// of each shared with B, and one case and one located record of B.
type batchWorld struct {
	world
	cases   *CaseService
	located *LocatedService
	aCases  []int64 // [own, shared with B]
	aLoc    []int64
	bCase   int64
	bLoc    int64
}

func newBatchWorld(t *testing.T, db *DB) batchWorld {
	t.Helper()
	w := batchWorld{world: newWorld(t, db), cases: NewCaseService(db), located: NewLocatedService(db)}
	for _, org := range []int64{w.orgA, w.orgA, w.orgB} {
		ctx := w.as(org, homeward.RoleCaseworker)
		c := &homeward.Case{GivenName: "Тестовий", FamilyName: "Вигаданий"}
		mustNil(t, w.cases.CreateCase(ctx, c))
		l := &homeward.LocatedRecord{GivenName: "Тестовый", FamilyName: "Выдуманный"}
		mustNil(t, w.located.CreateLocated(ctx, l))
		if org == w.orgA {
			w.aCases, w.aLoc = append(w.aCases, c.ID), append(w.aLoc, l.ID)
		} else {
			w.bCase, w.bLoc = c.ID, l.ID
		}
	}
	a := w.as(w.orgA, homeward.RoleCaseworker)
	mustNil(t, w.cases.ShareCase(a, w.aCases[1], w.orgB))
	mustNil(t, w.located.ShareLocated(a, w.aLoc[1], w.orgB))
	return w
}

func TestBatchReadsReturnOnlyVisibleRecordsAndRecordOneViewEach(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newBatchWorld(t, db)
		tests := []struct {
			name      string
			ctx       context.Context
			caseIDs   []int64
			locIDs    []int64
			wantCases []int64
			wantLoc   []int64
		}{
			{"own organisation sees its records, not another's",
				w.as(w.orgA, homeward.RoleCaseworker),
				[]int64{w.aCases[0], w.aCases[1], w.bCase}, []int64{w.aLoc[0], w.aLoc[1], w.bLoc},
				[]int64{w.aCases[0], w.aCases[1]}, []int64{w.aLoc[0], w.aLoc[1]}},
			{"another organisation sees its own and what was shared with it",
				w.as(w.orgB, homeward.RoleCaseworker),
				[]int64{w.aCases[0], w.aCases[1], w.bCase}, []int64{w.aLoc[0], w.aLoc[1], w.bLoc},
				[]int64{w.aCases[1], w.bCase}, []int64{w.aLoc[1], w.bLoc}},
			{"an ID asked for twice is read and recorded once; unknown IDs are absent",
				w.as(w.orgA, homeward.RoleSupervisor),
				[]int64{w.aCases[0], w.aCases[0], 0, 1 << 40}, []int64{w.aLoc[0], w.aLoc[0], -1, 1 << 40},
				[]int64{w.aCases[0]}, []int64{w.aLoc[0]}},
			{"the system sees every record",
				w.sys,
				[]int64{w.aCases[0], w.bCase}, []int64{w.aLoc[1], w.bLoc},
				[]int64{w.aCases[0], w.bCase}, []int64{w.aLoc[1], w.bLoc}},
			{"no IDs read nothing",
				w.as(w.orgA, homeward.RoleCaseworker), nil, nil, nil, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				beforeC, beforeL := viewEvents(t, db, homeward.EntityCase), viewEvents(t, db, homeward.EntityLocated)
				cs, err := w.cases.FindCasesByIDs(tt.ctx, tt.caseIDs)
				mustNil(t, err)
				if got := sortedKeys(cs); !reflect.DeepEqual(got, tt.wantCases) && len(got)+len(tt.wantCases) > 0 {
					t.Fatalf("FindCasesByIDs returned %v, want %v", got, tt.wantCases)
				}
				for id, c := range cs {
					if c.ID != id || c.FamilyName != "Вигаданий" {
						t.Fatalf("case under key %d = %d %q", id, c.ID, c.FamilyName)
					}
				}
				ls, err := w.located.FindLocatedByIDs(tt.ctx, tt.locIDs)
				mustNil(t, err)
				if got := sortedKeys(ls); !reflect.DeepEqual(got, tt.wantLoc) && len(got)+len(tt.wantLoc) > 0 {
					t.Fatalf("FindLocatedByIDs returned %v, want %v", got, tt.wantLoc)
				}
				for id, l := range ls {
					if l.ID != id || l.FamilyName != "Выдуманный" {
						t.Fatalf("located record under key %d = %d %q", id, l.ID, l.FamilyName)
					}
				}
				for _, side := range []struct {
					entity string
					before map[int64]int
					want   []int64
				}{{homeward.EntityCase, beforeC, tt.wantCases}, {homeward.EntityLocated, beforeL, tt.wantLoc}} {
					after := viewEvents(t, db, side.entity)
					for id, n := range after {
						d := n - side.before[id]
						if want := map[bool]int{true: 1}[slices.Contains(side.want, id)]; d != want {
							t.Errorf("%s %d got %d view events, want %d", side.entity, id, d, want)
						}
					}
				}
			})
		}
		if _, err := NewEventService(db).VerifyChain(w.sys); err != nil {
			t.Fatalf("VerifyChain after batch reads: %v", err)
		}
	})
}

func TestBatchReadsRefuseRolesThatSeeNoRecords(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newBatchWorld(t, db)
		before := eventCount(t, db)
		analyst := w.as(w.orgA, homeward.RoleAnalyst)
		_, err := w.cases.FindCasesByIDs(analyst, w.aCases)
		wantCode(t, err, homeward.EFORBIDDEN)
		_, err = w.located.FindLocatedByIDs(analyst, w.aLoc)
		wantCode(t, err, homeward.EFORBIDDEN)
		_, err = w.cases.FindCasesByIDs(context.Background(), w.aCases)
		wantCode(t, err, homeward.EUNAUTHORIZED)
		if after := eventCount(t, db); after != before {
			t.Fatalf("refused batch reads appended %d events", after-before)
		}
	})
}

// TestFailedBatchReadAppendsNoEvent makes the event of the second record
// fail and checks that the first record's view is not recorded either: the
// batch is one transaction.
func TestFailedBatchReadAppendsNoEvent(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newBatchWorld(t, db)
		refused := w.aCases[1]
		var ddl []string
		if db.Dialect() == DialectPostgres {
			ddl = []string{
				`CREATE FUNCTION refuse_view() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused view'; END $$`,
				`CREATE TRIGGER refuse_view BEFORE INSERT ON events FOR EACH ROW WHEN (NEW.entity_id = ` + itoa(refused) +
					` AND NEW.action = 'view') EXECUTE FUNCTION refuse_view()`,
			}
		} else {
			ddl = []string{`CREATE TRIGGER refuse_view BEFORE INSERT ON events WHEN NEW.entity_id = ` + itoa(refused) +
				` AND NEW.action = 'view' BEGIN SELECT RAISE(ABORT, 'refused view'); END`}
		}
		for _, q := range ddl {
			if _, err := db.db.Exec(q); err != nil {
				t.Fatalf("install the refusing trigger: %v", err)
			}
		}
		before := eventCount(t, db)
		cs, err := w.cases.FindCasesByIDs(w.as(w.orgA, homeward.RoleCaseworker), w.aCases)
		if err == nil {
			t.Fatalf("FindCasesByIDs succeeded with %d cases although an event was refused", len(cs))
		}
		if after := eventCount(t, db); after != before {
			t.Fatalf("a failed batch appended %d events", after-before)
		}
		if _, err := db.db.Exec(`DROP TRIGGER refuse_view` + map[bool]string{true: ` ON events`}[db.Dialect() == DialectPostgres]); err != nil {
			t.Fatal(err)
		}
		// The log is intact and the next batch succeeds.
		_, err = w.cases.FindCasesByIDs(w.as(w.orgA, homeward.RoleCaseworker), w.aCases)
		mustNil(t, err)
		if _, err := NewEventService(db).VerifyChain(w.sys); err != nil {
			t.Fatalf("VerifyChain after a failed batch: %v", err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestFactsAndVerificationsForCasesLeaveOutCasesNotVisible(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newBatchWorld(t, db)
		wf := NewWorkflowService(db)
		supA := w.as(w.orgA, homeward.RoleSupervisor)
		// The shared case of A gets a verification and a consent; B's own
		// case a verification that A must not see.
		c, err := w.cases.FindCaseByID(supA, w.aCases[1])
		mustNil(t, err)
		c.Consents.Tracing = true
		mustNil(t, w.cases.UpdateCase(supA, c))
		va := &homeward.Verification{CaseID: w.aCases[1], Method: homeward.VerifyDNA, Outcome: homeward.OutcomeConfirmed,
			PerformedBy: "synthetic laboratory", PerformedOn: day(2)}
		mustNil(t, wf.AddVerification(supA, va))
		vb := &homeward.Verification{CaseID: w.bCase, Method: homeward.VerifyDNA, Outcome: homeward.OutcomeConfirmed,
			PerformedBy: "synthetic laboratory", PerformedOn: day(3)}
		mustNil(t, wf.AddVerification(w.as(w.orgB, homeward.RoleSupervisor), vb))
		all := []int64{w.aCases[0], w.aCases[1], w.bCase}

		tests := []struct {
			name      string
			ctx       context.Context
			wantFacts []int64
			wantRole  homeward.Role
			wantVerif map[int64]int64 // case → its one verification
		}{
			{"an organisation gets its own cases only", supA, []int64{w.aCases[0], w.aCases[1]}, homeward.RoleSupervisor,
				map[int64]int64{w.aCases[1]: va.ID}},
			{"another organisation gets its own and the shared case", w.as(w.orgB, homeward.RoleCaseworker), []int64{w.aCases[1], w.bCase},
				homeward.RoleCaseworker, map[int64]int64{w.aCases[1]: va.ID, w.bCase: vb.ID}},
			{"the system gets every case, as an administrator", w.sys, all, homeward.RoleAdmin,
				map[int64]int64{w.aCases[1]: va.ID, w.bCase: vb.ID}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := eventCount(t, db)
				facts, err := wf.FactsForCases(tt.ctx, all)
				mustNil(t, err)
				if got := sortedKeys(facts); !slices.Equal(got, tt.wantFacts) {
					t.Fatalf("FactsForCases returned cases %v, want %v", got, tt.wantFacts)
				}
				for id, f := range facts {
					one, err := wf.Facts(tt.ctx, id)
					mustNil(t, err)
					if f != one || f.Role != tt.wantRole {
						t.Errorf("facts of case %d = %+v, want %+v with role %s", id, f, one, tt.wantRole)
					}
				}
				if f := facts[w.aCases[1]]; f.Verifications != 1 || f.VerificationApproved || !f.ConsentTracing {
					t.Errorf("facts of the verified case = %+v, want one unapproved verification and consent to tracing", f)
				}
				vs, err := wf.FindVerificationsForCases(tt.ctx, all)
				mustNil(t, err)
				got := map[int64]int64{}
				for id, l := range vs {
					if len(l) != 1 || l[0].CaseID != id {
						t.Fatalf("verifications of case %d = %+v", id, l)
					}
					got[id] = l[0].ID
				}
				if !reflect.DeepEqual(got, tt.wantVerif) {
					t.Errorf("FindVerificationsForCases = %v, want %v", got, tt.wantVerif)
				}
				if after := eventCount(t, db); after != before {
					t.Errorf("reading facts appended %d events", after-before)
				}
			})
		}
		empty, err := wf.FactsForCases(supA, nil)
		mustNil(t, err)
		if len(empty) != 0 {
			t.Errorf("FactsForCases(nil) = %v", empty)
		}
		_, err = wf.FactsForCases(w.as(w.orgA, homeward.RoleAnalyst), all)
		wantCode(t, err, homeward.EFORBIDDEN)
		_, err = wf.FindVerificationsForCases(w.as(w.orgA, homeward.RoleAnalyst), all)
		wantCode(t, err, homeward.EFORBIDDEN)
	})
}
