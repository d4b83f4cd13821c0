package store

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
)

// fullCase sets every field a user can set, with an invented child.
func fullCase() *homeward.Case {
	asOf := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("EEST", 3*3600))
	rec := time.Date(2025, 1, 2, 3, 4, 5, 600000000, time.UTC)
	return &homeward.Case{
		GivenName:  "Мар'яна",
		FamilyName: "Тестенко",
		Patronymic: "Олексіївна",
		OtherNames: []homeward.OtherName{
			{Name: "Марьяна Тестенко", Script: homeward.ScriptRussian, Note: "name in the foster family's papers"},
			{Name: "Mariana Testenko", Script: homeward.ScriptLatin},
		},
		Sex:                 homeward.SexFemale,
		BirthDate:           homeward.BirthDate{Precision: homeward.PrecisionAge, EstimatedAge: 9, AgeAsOf: &asOf},
		BirthPlace:          "Херсон",
		LastSeenPlace:       "Олешки",
		LastSeenDate:        homeward.NewDate(2022, time.November, 3),
		Circumstance:        homeward.CircumstanceDeportation,
		DistinguishingMarks: "scar on the left hand",
		Notes:               "synthetic test record",
		Family: []homeward.FamilyMember{
			{Name: "Оксана Тестенко", Relation: "mother", Contact: "+380000000000", Inquirer: true, LegalRep: true, LegalProof: "birth certificate"},
			{Name: "Петро Тестенко", Relation: "grandfather"},
		},
		Siblings:    []int64{7, 9},
		Consents:    homeward.Consents{Tracing: true, ShareMediator: true, DNA: true, RecordedAt: &rec},
		Stage:       homeward.StageTracing,
		CloseReason: "",
		ImportKey:   "sheet-1:row-2",
	}
}

func TestCaseRoundTripsEveryField(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		cases := NewCaseService(db)
		ctx := w.as(w.orgA, homeward.RoleCaseworker)
		c := fullCase()
		mustNil(t, cases.CreateCase(ctx, c))
		if c.ID == 0 || c.Version != 1 || c.OrgID != w.orgA || c.CreatedBy == 0 || c.CreatedAt.IsZero() {
			t.Fatalf("store-assigned fields not set: %+v", c)
		}
		if want := homeward.FormatReference(c.CreatedAt.Year(), 1); c.Reference != want {
			t.Errorf("reference = %q, want %q", c.Reference, want)
		}
		got, err := cases.FindCaseByID(ctx, c.ID)
		mustNil(t, err)
		if !reflect.DeepEqual(got, c) {
			t.Fatalf("read back differs:\n got %+v\nwant %+v", got, c)
		}
		// The created struct's times are the stored ones, microsecond UTC.
		if got.BirthDate.AgeAsOf.Nanosecond()%1000 != 0 || got.BirthDate.AgeAsOf.Location() != time.UTC {
			t.Errorf("age as of not normalised: %v", got.BirthDate.AgeAsOf)
		}

		// An edit cannot move the stage: that is the workflow's, behind its guards.
		got.Stage = homeward.StageClosed
		got.CloseReason = homeward.CloseWithdrawn
		got.OtherNames = nil
		got.Family = got.Family[:1]
		mustNil(t, cases.UpdateCase(ctx, got))
		if got.Version != 2 {
			t.Errorf("version after update = %d, want 2", got.Version)
		}
		if got.Stage != homeward.StageRegistered || got.CloseReason != "" {
			t.Errorf("update moved the stage to %q (%q), want it left at registered", got.Stage, got.CloseReason)
		}
		again, err := cases.FindCaseByID(ctx, c.ID)
		mustNil(t, err)
		if !reflect.DeepEqual(again, got) {
			t.Fatalf("read back after update differs:\n got %+v\nwant %+v", again, got)
		}
	})
}

func TestCaseReferencesCountUpWithinTheYear(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		setClock(db, time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
		cases := NewCaseService(db)
		ctx := w.as(w.orgA, homeward.RoleCaseworker)
		var refs []string
		for i := range 2 {
			c := &homeward.Case{GivenName: fmt.Sprint("Child", i)}
			mustNil(t, cases.CreateCase(ctx, c))
			refs = append(refs, c.Reference)
		}
		imported := []*homeward.Case{{GivenName: "Imported", ImportKey: "k1"}}
		_, _, err := cases.ImportCases(ctx, imported, nil)
		mustNil(t, err)
		refs = append(refs, imported[0].Reference)
		c := &homeward.Case{GivenName: "After import"}
		mustNil(t, cases.CreateCase(ctx, c))
		refs = append(refs, c.Reference)
		want := []string{"HW-2026-000001", "HW-2026-000002", "HW-2026-000003", "HW-2026-000004"}
		if !reflect.DeepEqual(refs, want) {
			t.Fatalf("references = %v, want %v", refs, want)
		}
	})
}

func TestCaseOfAnotherOrganisationIsNotFoundUntilShared(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		cases := NewCaseService(db)
		ownerCtx := w.as(w.orgA, homeward.RoleCaseworker)
		otherCtx := w.as(w.orgB, homeward.RoleCaseworker)
		c := &homeward.Case{GivenName: "Іван", FamilyName: "Пробний"}
		mustNil(t, cases.CreateCase(ownerCtx, c))

		_, err := cases.FindCaseByID(otherCtx, c.ID)
		wantCode(t, err, homeward.ENOTFOUND)
		stolen := *c
		stolen.Notes = "changed by another organisation"
		wantCode(t, cases.UpdateCase(otherCtx, &stolen), homeward.ENOTFOUND)
		wantCode(t, cases.ShareCase(otherCtx, c.ID, w.orgB), homeward.ENOTFOUND)
		list, total, err := cases.FindCases(otherCtx, homeward.CaseFilter{})
		mustNil(t, err)
		if total != 0 || len(list) != 0 {
			t.Fatalf("other organisation lists %d cases (total %d), want none", len(list), total)
		}

		mustNil(t, cases.ShareCase(ownerCtx, c.ID, w.orgB))
		got, err := cases.FindCaseByID(otherCtx, c.ID)
		mustNil(t, err)
		if got.GivenName != c.GivenName {
			t.Fatalf("shared case read as %+v", got)
		}
		_, total, err = cases.FindCases(otherCtx, homeward.CaseFilter{})
		mustNil(t, err)
		if total != 1 {
			t.Fatalf("other organisation lists %d shared cases, want 1", total)
		}
		// Sharing lets the other organisation read, not write.
		wantCode(t, cases.UpdateCase(otherCtx, got), homeward.EFORBIDDEN)
	})
}

func TestRolesAreEnforcedOnCases(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		cases := NewCaseService(db)
		c := &homeward.Case{GivenName: "Олена", Consents: homeward.Consents{Tracing: true}}
		mustNil(t, cases.CreateCase(w.as(w.orgA, homeward.RoleSupervisor), c))
		startTracing(t, db, w.as(w.orgA, homeward.RoleSupervisor), c)
		mustNil(t, cases.CreateCase(w.as(w.orgB, homeward.RoleCaseworker), &homeward.Case{GivenName: "Інша"}))

		analyst := w.as(w.orgA, homeward.RoleAnalyst)
		_, err := cases.FindCaseByID(analyst, c.ID)
		wantCode(t, err, homeward.EFORBIDDEN)
		_, _, err = cases.FindCases(analyst, homeward.CaseFilter{})
		wantCode(t, err, homeward.EFORBIDDEN)
		counts, err := cases.CountCasesByStage(analyst)
		mustNil(t, err)
		if !reflect.DeepEqual(counts, map[homeward.Stage]int{homeward.StageTracing: 1}) {
			t.Errorf("analyst counts %v, want one tracing case of their organisation", counts)
		}

		liaison := w.as(w.orgA, homeward.RoleLiaison)
		if _, err := cases.FindCaseByID(liaison, c.ID); err != nil {
			t.Errorf("liaison reading a case: %v", err)
		}
		wantCode(t, cases.CreateCase(liaison, &homeward.Case{GivenName: "X"}), homeward.EFORBIDDEN)
		_, err = cases.FindCaseByID(context.Background(), c.ID)
		wantCode(t, err, homeward.EUNAUTHORIZED)
	})
}

func TestConcurrentSavesOfOneVersionLetOneWin(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		cases := NewCaseService(db)
		c := &homeward.Case{GivenName: "Андрій", FamilyName: "Зразковий"}
		mustNil(t, cases.CreateCase(w.as(w.orgA, homeward.RoleCaseworker), c))
		before := eventCount(t, db)

		edits := []*homeward.Case{}
		for i, who := range []homeward.Role{homeward.RoleCaseworker, homeward.RoleSupervisor} {
			e := *c
			e.Notes = fmt.Sprintf("edit %d by %s", i, who)
			e.BirthPlace = fmt.Sprintf("place %d", i)
			edits = append(edits, &e)
		}
		errs := make([]error, len(edits))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, e := range edits {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				role := homeward.RoleCaseworker
				if i == 1 {
					role = homeward.RoleSupervisor
				}
				errs[i] = cases.UpdateCase(w.as(w.orgA, role), e)
			}()
		}
		close(start)
		wg.Wait()

		winner := -1
		for i, err := range errs {
			switch homeward.ErrorCode(err) {
			case "":
				if winner >= 0 {
					t.Fatalf("both saves of version %d succeeded", c.Version)
				}
				winner = i
			case homeward.ECONFLICT:
			default:
				t.Fatalf("save %d: %v", i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("no save succeeded: %v", errs)
		}
		stored, err := cases.FindCaseByID(w.sys, c.ID)
		mustNil(t, err)
		if stored.Notes != edits[winner].Notes || stored.BirthPlace != edits[winner].BirthPlace || stored.Version != 2 {
			t.Fatalf("stored case %+v is not the winner's %+v", stored, edits[winner])
		}
		// One update event and one view event; the loser appended nothing.
		if got := eventCount(t, db) - before; got != 2 {
			t.Fatalf("%d events appended, want 2 (update and view)", got)
		}
	})
}

func TestFindCasesFiltersAndSearchesNames(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		clock := setClock(db, time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC))
		cases := NewCaseService(db)
		ctx := w.as(w.orgA, homeward.RoleCaseworker)
		mk := func(given, family string, stage homeward.Stage, other ...string) *homeward.Case {
			c := &homeward.Case{GivenName: given, FamilyName: family, Consents: homeward.Consents{Tracing: true}}
			for _, o := range other {
				c.OtherNames = append(c.OtherNames, homeward.OtherName{Name: o})
			}
			mustNil(t, cases.CreateCase(ctx, c))
			if stage == homeward.StageTracing {
				startTracing(t, db, ctx, c)
			}
			clock.advance(time.Hour)
			return c
		}
		maryana := mk("Мар’яна", "Тестенко", homeward.StageRegistered)
		fedor := mk("Фёдор", "Пробний", homeward.StageTracing, "Федір Пробний")
		percent := mk("Anna_%", "Smith", homeward.StageTracing)
		mustNil(t, cases.CreateCase(w.as(w.orgB, homeward.RoleCaseworker), &homeward.Case{GivenName: "Мар'яна"}))

		ids := func(cs []*homeward.Case) []int64 {
			var out []int64
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		tests := []struct {
			name string
			f    homeward.CaseFilter
			want []int64
		}{
			{"all of the organisation, newest first", homeward.CaseFilter{}, []int64{percent.ID, fedor.ID, maryana.ID}},
			{"apostrophe variants match", homeward.CaseFilter{Query: "МАРʼЯНА"}, []int64{maryana.ID}},
			{"no apostrophe matches", homeward.CaseFilter{Query: "марян"}, []int64{maryana.ID}},
			{"yo matches ye", homeward.CaseFilter{Query: "федор"}, []int64{fedor.ID}},
			{"other names are searched", homeward.CaseFilter{Query: "федір"}, []int64{fedor.ID}},
			{"reference is searched", homeward.CaseFilter{Query: strings.ToLower(fedor.Reference)}, []int64{fedor.ID}},
			{"Latin finds Cyrillic", homeward.CaseFilter{Query: "Maryana"}, []int64{maryana.ID}},
			{"Cyrillic finds Latin", homeward.CaseFilter{Query: "Анна"}, []int64{percent.ID}},
			{"a prefix finds the name", homeward.CaseFilter{Query: "Тесте"}, []int64{maryana.ID}},
			{"both words must match", homeward.CaseFilter{Query: "Мар'яна Пробний"}, nil},
			{"punctuation alone finds nothing", homeward.CaseFilter{Query: "_%"}, nil},
			{"a name no case has finds nothing", homeward.CaseFilter{Query: "Zbigniew"}, nil},
			{"stage", homeward.CaseFilter{Stage: homeward.StageTracing}, []int64{percent.ID, fedor.ID}},
			{"created from", homeward.CaseFilter{From: fedor.CreatedAt}, []int64{percent.ID, fedor.ID}},
			{"created before", homeward.CaseFilter{To: fedor.CreatedAt}, []int64{maryana.ID}},
			{"other organisation filter sees nothing", homeward.CaseFilter{OrgID: w.orgB}, nil},
			{"page", homeward.CaseFilter{Offset: 1, Limit: 1}, []int64{fedor.ID}},
		}
		for _, tt := range tests {
			got, total, err := cases.FindCases(ctx, tt.f)
			mustNil(t, err)
			if !reflect.DeepEqual(ids(got), tt.want) {
				t.Errorf("%s: got %v, want %v", tt.name, ids(got), tt.want)
			}
			if tt.f.Limit == 0 && total != len(tt.want) {
				t.Errorf("%s: total %d, want %d", tt.name, total, len(tt.want))
			}
			if tt.f.Limit == 1 && total != 3 {
				t.Errorf("%s: total %d, want 3", tt.name, total)
			}
		}
	})
}

func TestStaleUpdateFailsAndChangesNothing(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		cases := NewCaseService(db)
		ctx := w.as(w.orgA, homeward.RoleCaseworker)
		c := &homeward.Case{GivenName: "Софія"}
		mustNil(t, cases.CreateCase(ctx, c))
		fresh := *c
		fresh.Notes = "first"
		mustNil(t, cases.UpdateCase(ctx, &fresh))
		before := eventCount(t, db)
		stale := *c
		stale.Notes = "stale"
		wantCode(t, cases.UpdateCase(ctx, &stale), homeward.ECONFLICT)
		if stale.Version != 1 {
			t.Errorf("failed update changed the caller's version to %d", stale.Version)
		}
		if n := eventCount(t, db); n != before {
			t.Errorf("failed update appended %d events", n-before)
		}
		got, err := cases.FindCaseByID(ctx, c.ID)
		mustNil(t, err)
		if got.Notes != "first" || got.Version != 2 {
			t.Fatalf("stored case after stale update: notes %q version %d", got.Notes, got.Version)
		}
	})
}

func TestEveryChangeAppendsItsEvent(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		cases := NewCaseService(db)
		events := NewEventService(db)
		ctx := w.as(w.orgA, homeward.RoleCaseworker)
		c := &homeward.Case{GivenName: "Данило", FamilyName: "Вигаданий"}
		mustNil(t, cases.CreateCase(ctx, c))
		c.FamilyName = "Вигадний"
		c.Sex = homeward.SexMale
		mustNil(t, cases.UpdateCase(ctx, c))
		_, err := cases.FindCaseByID(ctx, c.ID)
		mustNil(t, err)
		mustNil(t, cases.ShareCase(ctx, c.ID, w.orgB))
		bad := *c
		bad.Sex = "x"
		wantCode(t, cases.UpdateCase(ctx, &bad), homeward.EINVALID)

		evs, err := events.FindEvents(ctx, homeward.EventFilter{EntityType: homeward.EntityCase, EntityID: c.ID})
		mustNil(t, err)
		var actions []string
		for _, ev := range evs {
			actions = append(actions, ev.Action)
			if ev.ActorID != homeward.ActorFromContext(ctx).UserID {
				t.Errorf("event %d actor %d", ev.ID, ev.ActorID)
			}
			if ev.OrgID != w.orgA {
				t.Errorf("event %d org %d, want %d", ev.ID, ev.OrgID, w.orgA)
			}
		}
		want := []string{homeward.ActionShare, homeward.ActionView, homeward.ActionUpdate, homeward.ActionCreate}
		if !reflect.DeepEqual(actions, want) {
			t.Fatalf("actions newest first = %v, want %v", actions, want)
		}
		var chs []struct {
			Field string          `json:"field"`
			Old   json.RawMessage `json:"old"`
			New   json.RawMessage `json:"new"`
		}
		mustNil(t, json.Unmarshal(evs[2].Data, &chs))
		wantCh := `[{"field":"family_name","old":"Вигаданий","new":"Вигадний"},{"field":"sex","old":null,"new":"m"}]`
		got, _ := json.Marshal(chs)
		if string(got) != wantCh {
			t.Errorf("update event data = %s, want %s", got, wantCh)
		}
		if !strings.Contains(string(evs[3].Data), `"given_name"`) {
			t.Errorf("create event data lacks the fields set: %s", evs[3].Data)
		}
		n, err := events.VerifyChain(w.sys)
		mustNil(t, err)
		if n != eventCount(t, db) {
			t.Errorf("verified %d events of %d", n, eventCount(t, db))
		}
	})
}

func TestCreateEventsListTheFieldsSet(t *testing.T) {
	c := fullCase()
	c.ID, c.Reference, c.OrgID, c.Version = 3, "HW-2026-000003", 2, 1
	r := fullLocated()
	r.ID, r.OrgID = 4, 2
	tests := []struct {
		name      string
		fast      []homeward.Change
		reference any
	}{
		{"full case", caseCreateLog(c), c},
		{"empty case", caseCreateLog(&homeward.Case{}), &homeward.Case{}},
		{"full located record", locatedCreateLog(r), r},
		{"empty located record", locatedCreateLog(&homeward.LocatedRecord{}), &homeward.LocatedRecord{}},
	}
	for _, tt := range tests {
		want, err := changes(nil, tt.reference)
		mustNil(t, err)
		gotJSON, _ := json.Marshal(tt.fast)
		wantJSON, _ := json.Marshal(want)
		if string(gotJSON) != string(wantJSON) {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, gotJSON, wantJSON)
		}
	}
}

func TestTextNeitherDatabaseCanStoreIsInvalid(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		ctx := w.as(w.orgA, homeward.RoleCaseworker)
		c := &homeward.Case{GivenName: "Ганна", Family: []homeward.FamilyMember{{Name: "nul\x00byte", Relation: "mother"}}}
		err := NewCaseService(db).CreateCase(ctx, c)
		wantCode(t, err, homeward.EINVALID)
		if f := homeward.ErrorField(err); f != "family.name" {
			t.Errorf("field %q, want family.name", f)
		}
		_, _, err = NewLocatedService(db).ImportLocated(ctx, []*homeward.LocatedRecord{{GivenName: "ok"}, {GivenName: "bad \xff"}}, nil)
		wantCode(t, err, homeward.EINVALID)
	})
}

// startTracing moves a new case with consent to tracing through the workflow,
// the only way a stage changes.
func startTracing(t *testing.T, db *DB, ctx context.Context, c *homeward.Case) {
	t.Helper()
	got, err := NewWorkflowService(db).Transition(ctx, c.ID, homeward.StageTracing, c.Version, "")
	mustNil(t, err)
	*c = *got
}

func TestNewCasesStartRegisteredWhateverStageTheyAsk(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		c := &homeward.Case{GivenName: "Тест", Stage: homeward.StageReunified, CloseReason: homeward.CloseReunified}
		mustNil(t, NewCaseService(db).CreateCase(w.as(w.orgA, homeward.RoleSupervisor), c))
		if c.Stage != homeward.StageRegistered || c.CloseReason != "" {
			t.Errorf("new case at %q (%q), want registered", c.Stage, c.CloseReason)
		}
	})
}
