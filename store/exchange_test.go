package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
)

// fakeFingerprint makes a fingerprint for a party of a test: the store
// compares fingerprints and never checks them against keys (that is the
// bundle service's work).
func fakeFingerprint(name string) string {
	sum := sha256.Sum256([]byte(name))
	fp, err := homeward.NormalizeFingerprint(hex.EncodeToString(sum[:16]))
	if err != nil {
		panic(err)
	}
	return fp
}

// exchangeWorld is a world with this installation's party, a trusted
// mediator and counterpart, and a channel of organisation A through them.
type exchangeWorld struct {
	world
	db                    *DB
	parties               *PartyService
	lists                 *ListService
	ledger                *BundleLedger
	self, med, cp         *homeward.Party
	ch                    *homeward.Channel
	liaison, sup, sup2, w context.Context
}

func newExchangeWorld(t *testing.T, db *DB) *exchangeWorld {
	t.Helper()
	return exchangeOn(t, db, newWorld(t, db))
}

// exchangeOn adds the parties and the channel to a world.
func exchangeOn(t *testing.T, db *DB, w world) *exchangeWorld {
	t.Helper()
	x := &exchangeWorld{world: w, db: db, parties: NewPartyService(db), lists: NewListService(db), ledger: NewBundleLedger(db)}
	x.liaison = w.as(w.orgA, homeward.RoleLiaison)
	x.sup = w.as(w.orgA, homeward.RoleSupervisor)
	x.sup2 = homeward.NewContextWithActor(context.Background(), homeward.Actor{UserID: w.orgA*100 + 50, OrgID: w.orgA, Role: homeward.RoleSupervisor})
	x.w = w.as(w.orgA, homeward.RoleCaseworker)
	x.self = x.party(t, "Agency A (test)", homeward.PartyAgency, true)
	x.med = x.party(t, "Mediator (test)", homeward.PartyMediator, false)
	x.cp = x.party(t, "Counterpart (test)", homeward.PartyCounterpart, false)
	x.ch = &homeward.Channel{Name: "Test channel", MediatorID: x.med.ID, CounterpartID: x.cp.ID}
	mustNil(t, x.lists.CreateChannel(x.liaison, x.ch))
	return x
}

func (x *exchangeWorld) party(t *testing.T, name string, kind homeward.PartyKind, self bool) *homeward.Party {
	t.Helper()
	p := &homeward.Party{Name: name, Kind: kind, SigningKey: "ed25519:" + name, AgeKey: "age1" + strings.ToLower(strings.ReplaceAll(name, " ", "")),
		Fingerprint: fakeFingerprint(name)}
	if self {
		mustNil(t, x.parties.InitSelf(x.sys, p, []byte("sealed keys")))
		return p
	}
	admin := x.as(x.orgA, homeward.RoleAdmin)
	mustNil(t, x.parties.AddParty(admin, p))
	p, err := x.parties.ConfirmParty(admin, p.ID, p.Fingerprint, p.Version)
	mustNil(t, err)
	return p
}

// verifiedCase registers a case at stage verified with consent to share,
// as the system may (the demo loader, a migrated register).
func (x *exchangeWorld) verifiedCase(t *testing.T, given, family string, sex homeward.Sex) *homeward.Case {
	t.Helper()
	c := &homeward.Case{OrgID: x.orgA, GivenName: given, FamilyName: family, Sex: sex,
		BirthDate: homeward.BirthDate{Year: 2014, Month: 5, Day: 3, Precision: homeward.PrecisionDay},
		Stage:     homeward.StageVerified, Consents: homeward.Consents{Tracing: true, ShareMediator: true},
		Family: []homeward.FamilyMember{{Name: "(synthetic) parent", Relation: "mother", Contact: "+380 00 000 0000", LegalRep: true, LegalProof: "birth certificate"}},
		Notes:  "synthetic note that must never leave"}
	mustNil(t, NewCaseService(x.db).CreateCase(homeward.NewContextWithActor(context.Background(), homeward.Actor{System: true, Role: homeward.RoleAdmin, OrgID: x.orgA}), c))
	return c
}

// sealedList builds a list of the cases and seals it with four eyes.
func (x *exchangeWorld) sealedList(t *testing.T, cases ...*homeward.Case) *homeward.ReturnList {
	t.Helper()
	l := &homeward.ReturnList{ChannelID: x.ch.ID, Title: "Phase 1 list"}
	mustNil(t, x.lists.CreateList(x.liaison, l))
	ids := make([]int64, len(cases))
	for i, c := range cases {
		ids[i] = c.ID
	}
	l, _, err := x.lists.AddEntries(x.liaison, l.ID, ids, l.Version)
	mustNil(t, err)
	l, err = x.lists.RequestSeal(x.sup, l.ID, l.Version)
	mustNil(t, err)
	l, err = x.lists.Seal(x.sup2, l.ID, l.Version)
	mustNil(t, err)
	return l
}

func (x *exchangeWorld) entries(t *testing.T, listID int64) []*homeward.ListEntry {
	t.Helper()
	es, err := x.lists.FindEntries(x.liaison, listID)
	mustNil(t, err)
	return es
}

func (x *exchangeWorld) stage(t *testing.T, caseID int64) homeward.Stage {
	t.Helper()
	var s homeward.Stage
	mustNil(t, x.db.db.QueryRow(`SELECT stage FROM cases WHERE id = $1`, caseID).Scan(&s))
	return s
}

func TestPartiesAreTrustedOnlyOnceAPersonConfirmsTheFingerprint(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		ps := NewPartyService(db)
		admin, adminB := w.as(w.orgA, homeward.RoleAdmin), w.as(w.orgB, homeward.RoleAdmin)
		p := &homeward.Party{Name: "Mediator", Kind: homeward.PartyMediator, SigningKey: "ed25519:x", AgeKey: "age1x", Fingerprint: fakeFingerprint("m")}
		wantCode(t, ps.AddParty(adminB, p), homeward.EFORBIDDEN) // not the installation's first organisation
		wantCode(t, ps.AddParty(w.as(w.orgA, homeward.RoleSupervisor), p), homeward.EFORBIDDEN)
		mustNil(t, ps.AddParty(admin, p))
		if p.Trusted() {
			t.Fatal("a party is trusted before its fingerprint is confirmed")
		}
		dup := *p
		wantCode(t, ps.AddParty(admin, &dup), homeward.ECONFLICT)
		_, err := ps.ConfirmParty(admin, p.ID, fakeFingerprint("another"), p.Version)
		wantCode(t, err, homeward.EINVALID)
		_, err = ps.ConfirmParty(admin, p.ID, "not a fingerprint", p.Version)
		wantCode(t, err, homeward.EINVALID)
		typed := strings.ToLower(strings.ReplaceAll(p.Fingerprint, " ", "-"))
		got, err := ps.ConfirmParty(admin, p.ID, typed, p.Version)
		mustNil(t, err)
		if !got.Trusted() || got.ConfirmedBy == 0 {
			t.Fatalf("confirmed party = %+v", got)
		}
		_, err = ps.FindParties(w.as(w.orgA, homeward.RoleCaseworker))
		wantCode(t, err, homeward.EFORBIDDEN)
		_, err = ps.RetireParty(admin, p.ID, "", got.Version)
		wantCode(t, err, homeward.EINVALID)
		got, err = ps.RetireParty(admin, p.ID, "keys lost", got.Version)
		mustNil(t, err)
		if got.Trusted() {
			t.Fatal("a retired party is still trusted")
		}
		evs, err := NewEventService(db).FindEvents(w.sys, homeward.EventFilter{EntityType: homeward.EntityParty, EntityID: p.ID})
		mustNil(t, err)
		if len(evs) != 3 {
			t.Fatalf("party has %d events, want create, confirm, retire", len(evs))
		}
	})
}

func TestSealingNeedsASecondSupervisorAndListsTheVerifiedCases(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		x := newExchangeWorld(t, db)
		a := x.verifiedCase(t, "Олександр", "Пробний", homeward.SexMale)
		b := x.verifiedCase(t, "Марія", "Пробна", homeward.SexFemale)
		cs := NewCaseService(db)
		// Siblings are proposed together.
		sys := homeward.NewContextWithActor(context.Background(), homeward.SystemActor())
		a.Siblings = []int64{b.ID}
		mustNil(t, cs.UpdateCase(sys, a))
		noConsent := x.verifiedCase(t, "Іван", "Безгоди", homeward.SexMale)
		noConsent.Consents.ShareMediator = false
		mustNil(t, cs.UpdateCase(sys, noConsent))

		l := &homeward.ReturnList{ChannelID: x.ch.ID, Title: "Phase 1"}
		mustNil(t, x.lists.CreateList(x.liaison, l))
		_, _, err := x.lists.AddEntries(x.w, l.ID, []int64{a.ID}, l.Version)
		wantCode(t, err, homeward.EFORBIDDEN) // a caseworker does not build lists
		_, _, err = x.lists.AddEntries(x.liaison, l.ID, []int64{noConsent.ID}, l.Version)
		wantCode(t, err, homeward.EINVALID)
		if !strings.Contains(homeward.ErrorMessage(err), "consent") {
			t.Fatalf("refusal %q does not name the consent", homeward.ErrorMessage(err))
		}
		l, sibs, err := x.lists.AddEntries(x.liaison, l.ID, []int64{a.ID}, l.Version)
		mustNil(t, err)
		if len(sibs) != 1 || sibs[0] != b.ID {
			t.Fatalf("proposed siblings = %v, want [%d]", sibs, b.ID)
		}
		l, _, err = x.lists.AddEntries(x.liaison, l.ID, sibs, l.Version)
		mustNil(t, err)
		_, err = x.lists.Seal(x.sup, l.ID, l.Version)
		wantCode(t, err, homeward.EINVALID) // nobody asked
		l, err = x.lists.RequestSeal(x.sup, l.ID, l.Version)
		mustNil(t, err)
		_, err = x.lists.Seal(x.sup, l.ID, l.Version)
		wantCode(t, err, homeward.EFORBIDDEN)
		if !strings.Contains(homeward.ErrorMessage(err), "four-eyes") {
			t.Fatalf("refusal %q does not name the four-eyes rule", homeward.ErrorMessage(err))
		}
		_, err = x.lists.Seal(x.liaison, l.ID, l.Version)
		wantCode(t, err, homeward.EFORBIDDEN)
		l, err = x.lists.Seal(x.sup2, l.ID, l.Version)
		mustNil(t, err)
		if l.State != homeward.ListSealed || l.SealedRevision != 1 || l.Entries != 2 {
			t.Fatalf("sealed list = %+v", l)
		}
		for _, c := range []*homeward.Case{a, b} {
			if got := x.stage(t, c.ID); got != homeward.StageListed {
				t.Fatalf("case %s at %s after the seal, want listed", c.Reference, got)
			}
		}
		doc, err := x.lists.RevisionDocument(x.liaison, l.ID, 1)
		mustNil(t, err)
		if len(doc.Entries) != 2 || len(doc.Entries[0].Person.Siblings) != 1 || doc.Entries[0].Person.Siblings[0] != doc.Entries[1].Ref {
			t.Fatalf("sealed document entries = %+v", doc.Entries)
		}
		for _, e := range doc.Entries {
			if e.Person.LegalRepBasis != "birth certificate" || len(e.Person.Seekers) != 0 {
				t.Fatalf("minimal profile disclosed %+v", e.Person)
			}
		}
	})
}

func TestARevisionSupersedesTheSealedOneWithADiff(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		x := newExchangeWorld(t, db)
		a := x.verifiedCase(t, "Олег", "Перший", homeward.SexMale)
		b := x.verifiedCase(t, "Ольга", "Друга", homeward.SexFemale)
		l := x.sealedList(t, a)
		l, _, err := x.lists.AddEntries(x.liaison, l.ID, []int64{b.ID}, l.Version)
		mustNil(t, err)
		if l.Revision != 2 || l.SealedRevision != 1 {
			t.Fatalf("after a change: revision %d, sealed %d; want 2, 1", l.Revision, l.SealedRevision)
		}
		es := x.entries(t, l.ID)
		l, err = x.lists.RemoveEntry(x.liaison, l.ID, es[0].ID, l.Version)
		mustNil(t, err)
		l, err = x.lists.SetProfile(x.liaison, l.ID, homeward.ProfileStandard, l.Version)
		mustNil(t, err)
		l, err = x.lists.RequestSeal(x.liaison, l.ID, l.Version)
		mustNil(t, err)
		l, err = x.lists.Seal(x.sup, l.ID, l.Version)
		mustNil(t, err)
		d, err := x.lists.Diff(x.liaison, l.ID, 1, 2)
		mustNil(t, err)
		if len(d.Added) != 1 || len(d.Removed) != 1 || d.Removed[0] != es[0].Ref {
			t.Fatalf("diff = %+v", d)
		}
		revs, err := x.lists.Revisions(x.liaison, l.ID)
		mustNil(t, err)
		if len(revs) != 2 || revs[0].SupersededAt == nil || revs[1].SupersededAt != nil {
			t.Fatalf("revisions = %+v", revs)
		}
		doc, err := x.lists.RevisionDocument(x.liaison, l.ID, 2)
		mustNil(t, err)
		if len(doc.Removed) != 1 || len(doc.Entries) != 1 || len(doc.Entries[0].Person.Seekers) != 1 {
			t.Fatalf("revision 2 = %+v", doc)
		}
	})
}

func TestAnswersSetOffWhatTheyMean(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		x := newExchangeWorld(t, db)
		var hooked []*homeward.LocatedRecord
		db.SetLocatedHook(func(rs []*homeward.LocatedRecord) { hooked = append(hooked, rs...) })
		agreed := x.verifiedCase(t, "Андрій", "Повернений", homeward.SexMale)
		inCare := x.verifiedCase(t, "Софія", "Знайдена", homeward.SexFemale)
		more := x.verifiedCase(t, "Денис", "Невідомий", homeward.SexMale)
		l := x.sealedList(t, agreed, inCare, more)
		es := x.entries(t, l.ID)
		wf := NewWorkflowService(db)

		ans := &homeward.Answer{Code: homeward.AnswerInCare, On: day(3)}
		wantCode(t, x.lists.RecordAnswer(x.liaison, es[1].ID, ans), homeward.EINVALID) // no kind of care, no place
		ans.Details = homeward.AnswerDetails{LocationKind: homeward.LocationInstitution, Place: "Synthetic children's home No 1", Region: "Synthetic oblast"}
		mustNil(t, x.lists.RecordAnswer(x.liaison, es[1].ID, ans))
		if len(hooked) != 1 || hooked[0].Source != homeward.SourceCounterpartAnswer || hooked[0].SourceRef != es[1].Ref || hooked[0].GivenName != "Софія" {
			t.Fatalf("located records heard = %+v", hooked)
		}
		mustNil(t, x.lists.RecordAnswer(x.liaison, es[2].ID, &homeward.Answer{Code: homeward.AnswerMoreIdentifiers, On: day(3),
			Details: homeward.AnswerDetails{Identifiers: []string{"birth certificate", " ", "photo"}}}))
		tasks, err := x.lists.FindTasks(x.liaison, more.ID)
		mustNil(t, err)
		if len(tasks) != 1 || tasks[0].Kind != homeward.TaskMoreIdentifiers || tasks[0].Detail != "birth certificate, photo" {
			t.Fatalf("tasks = %+v", tasks)
		}
		got, err := x.lists.FindListByID(x.liaison, l.ID)
		mustNil(t, err)
		if got.State != homeward.ListPartlyAnswered || got.Answered != 2 {
			t.Fatalf("list = %s with %d answered, want partly_answered with 2", got.State, got.Answered)
		}

		c, err := NewCaseService(db).FindCaseByID(x.w, agreed.ID)
		mustNil(t, err)
		_, err = wf.Transition(x.w, c.ID, homeward.StageAgreed, c.Version, "")
		wantCode(t, err, homeward.EINVALID)
		mustNil(t, x.lists.RecordAnswer(x.liaison, es[0].ID, &homeward.Answer{Code: homeward.AnswerReturnAgreed, On: day(4), TheirRef: "CP-17"}))
		_, err = wf.Transition(x.w, c.ID, homeward.StageAgreed, c.Version, "")
		wantCode(t, err, homeward.EINVALID) // best interests still missing
		mustNil(t, wf.SaveBestInterests(x.w, &homeward.BestInterests{CaseID: c.ID, ChildWishes: "to go home", Assessment: "safe",
			Panel: []string{"Panel One"}, Decision: homeward.BestInterestsReturn, DecidedOn: day(5)}))
		if _, err := wf.Transition(x.w, c.ID, homeward.StageAgreed, c.Version, ""); err != nil {
			t.Fatalf("agreed return with best interests: %v", err)
		}
		tasks, err = x.lists.FindTasks(x.liaison, c.ID)
		mustNil(t, err)
		if len(tasks) != 1 || tasks[0].Kind != homeward.TaskBestInterests || tasks[0].DoneAt == nil {
			t.Fatalf("after the move to agreed, tasks = %+v; the best-interests task is done by it", tasks)
		}
		// A correction stands; the earlier answer stays.
		mustNil(t, x.lists.RecordAnswer(x.liaison, es[0].ID, &homeward.Answer{Code: homeward.AnswerDeferred, On: day(6),
			Details: homeward.AnswerDetails{Until: day(30), Reason: "school year"}}))
		as, err := x.lists.FindAnswers(x.liaison, es[0].ID)
		mustNil(t, err)
		if len(as) != 2 || as[1].Corrects != as[0].UID {
			t.Fatalf("answers = %+v", as)
		}
		got, _ = x.lists.FindListByID(x.liaison, l.ID)
		if got.State != homeward.ListAnswered {
			t.Fatalf("list state %s with every entry answered", got.State)
		}
	})
}

func TestOpeningAPhaseCarriesTheEntriesStillWaiting(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		x := newExchangeWorld(t, db)
		var cs []*homeward.Case
		for i := range 5 {
			cs = append(cs, x.verifiedCase(t, fmt.Sprintf("Дитина%d", i), "Пробна", homeward.SexFemale))
		}
		l := x.sealedList(t, cs...)
		es := x.entries(t, l.ID)
		answers := []*homeward.Answer{
			{Code: homeward.AnswerReturnAgreed, On: day(3)},
			{Code: homeward.AnswerNoRecord, On: day(3)},
			{Code: homeward.AnswerDeferred, On: day(3), Details: homeward.AnswerDetails{Until: day(20), Reason: "exams"}},
			{Code: homeward.AnswerMoreIdentifiers, On: day(3), Details: homeward.AnswerDetails{Identifiers: []string{"photo"}}},
			nil, // unanswered
		}
		for i, a := range answers {
			if a != nil {
				mustNil(t, x.lists.RecordAnswer(x.liaison, es[i].ID, a))
			}
		}
		ph, carried, err := x.lists.OpenPhase(x.liaison, x.ch.ID, true, "")
		mustNil(t, err)
		if ph.Number != 2 || carried == nil {
			t.Fatalf("phase %d, carried list %v", ph.Number, carried)
		}
		next := x.entries(t, carried.ID)
		if len(next) != 4 {
			t.Fatalf("carried %d entries, want 4 (all but the agreed return)", len(next))
		}
		for i, e := range next {
			if e.CarriedFrom != es[i+1].Ref || e.CaseID != cs[i+1].ID {
				t.Fatalf("carried entry %d = %+v, want the continuation of %s", i, e, es[i+1].Ref)
			}
		}
		hist, err := x.lists.EntryHistory(x.liaison, next[1].ID)
		mustNil(t, err)
		if len(hist) != 2 || hist[0].ID != es[2].ID || hist[0].Answer != homeward.AnswerDeferred {
			t.Fatalf("history = %+v", hist)
		}
		_, again, err := x.lists.OpenPhase(x.liaison, x.ch.ID, true, "")
		mustNil(t, err)
		if again != nil {
			t.Fatalf("phase 3 carried %d entries that were never answered in phase 2's unsealed list", again.Entries)
		}
		sums, err := x.lists.ChannelSummary(x.liaison, x.ch.ID)
		mustNil(t, err)
		if len(sums) != 3 || sums[2].ByCode["outgoing."+string(homeward.AnswerNoRecord)] != 1 || sums[2].ByState["outgoing.pending"] != 1 {
			t.Fatalf("summary of phase 1 = %+v", sums[2])
		}
	})
}

func TestImportedAnswersAreRefusedWholeNamingEachRow(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		x := newExchangeWorld(t, db)
		a := x.verifiedCase(t, "Тарас", "Рядковий", homeward.SexMale)
		b := x.verifiedCase(t, "Уляна", "Рядкова", homeward.SexFemale)
		c := x.verifiedCase(t, "Ярема", "Рядковий", homeward.SexMale)
		l := x.sealedList(t, a, b, c)
		es := x.entries(t, l.ID)
		before := eventCount(t, db)
		rows := []homeward.AnswerRow{
			{Row: 2, Answer: homeward.Answer{EntryRef: es[0].Ref, Code: homeward.AnswerReturnAgreed, On: day(2)}},
			{Row: 3, Answer: homeward.Answer{EntryRef: es[1].Ref, Code: "maybe", On: day(2)}},
			{Row: 4, Answer: homeward.Answer{EntryRef: "L00000000-0001", Code: homeward.AnswerNoRecord, On: day(2)}},
			{Row: 5, Answer: homeward.Answer{EntryRef: es[2].Ref, Code: homeward.AnswerThirdCountry, On: day(2)}},
			{Row: 6, Answer: homeward.Answer{EntryRef: es[0].Ref, Code: homeward.AnswerNoRecord, On: day(2)}},
		}
		rep, err := x.lists.ImportAnswers(x.liaison, l.ID, rows, false)
		wantCode(t, err, homeward.EINVALID)
		want := map[int]string{3: "code", 4: "entry_ref", 5: "country", 6: "entry_ref"}
		if len(rep.Problems) != len(want) || rep.Recorded != 0 {
			t.Fatalf("report = %+v", rep)
		}
		for _, p := range rep.Problems {
			if want[p.Row] != p.Field {
				t.Fatalf("problem %+v, want field %q on row %d", p, want[p.Row], p.Row)
			}
		}
		if eventCount(t, db) != before {
			t.Fatal("a refused import changed the database")
		}
		rep, err = x.lists.ImportAnswers(x.liaison, l.ID, rows, true)
		mustNil(t, err)
		if rep.Recorded != 1 || len(rep.Problems) != 4 {
			t.Fatalf("keeping the good rows: %+v", rep)
		}
		rep, err = x.lists.ImportAnswers(x.liaison, l.ID, rows[:1], false)
		mustNil(t, err)
		if rep.Recorded != 0 {
			t.Fatalf("the same answer imported again was recorded again: %+v", rep)
		}
	})
}
