package exchange_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/exchange"
	"github.com/homeward-project/homeward/internal/dbtest"
	"github.com/homeward-project/homeward/matching"
	"github.com/homeward-project/homeward/store"
)

// installation is one Homeward installation of a test: its own database,
// organisation, keys and services, as a separate server would have.
type installation struct {
	t       testing.TB
	name    string
	db      *store.DB
	org     *homeward.Org
	id      *exchange.Identity
	self    *homeward.Party
	parties *store.PartyService
	lists   *store.ListService
	cases   *store.CaseService
	located *store.LocatedService
	welfare *store.WelfareService
	wf      *store.WorkflowService
	ledger  *store.BundleLedger
	svc     *exchange.Service
	now     time.Time

	admin, liaison, sup, sup2, worker context.Context
}

func newInstallation(t testing.TB, backend, name string, kind homeward.OrgKind, pk homeward.PartyKind) *installation {
	t.Helper()
	db := dbtest.Open(t, backend)
	in := &installation{t: t, name: name, db: db, parties: store.NewPartyService(db), lists: store.NewListService(db),
		cases: store.NewCaseService(db), located: store.NewLocatedService(db), welfare: store.NewWelfareService(db),
		wf: store.NewWorkflowService(db), ledger: store.NewBundleLedger(db), now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	sys := homeward.NewContextWithActor(context.Background(), homeward.SystemActor())
	in.org = &homeward.Org{Name: name, Kind: kind}
	must(t, store.NewOrgService(db).CreateOrg(sys, in.org))
	as := func(id int64, role homeward.Role) context.Context {
		return homeward.NewContextWithActor(context.Background(), homeward.Actor{UserID: id, OrgID: in.org.ID, Role: role})
	}
	in.admin, in.liaison, in.sup, in.sup2, in.worker = as(1, homeward.RoleAdmin), as(2, homeward.RoleLiaison), as(3, homeward.RoleSupervisor),
		as(4, homeward.RoleSupervisor), as(5, homeward.RoleCaseworker)
	id, err := exchange.GenerateIdentity()
	must(t, err)
	in.id = id
	in.self = exchange.PartyOf(exchange.Card{Name: name, Kind: string(pk), Keys: id.Public()})
	must(t, in.parties.InitSelf(sys, in.self, []byte("sealed elsewhere in this test")))
	in.svc = exchange.NewService(exchange.ServiceConfig{
		Identity: id, Parties: in.parties, Ledger: in.ledger, Now: func() time.Time { return in.now },
		Linker: &matching.EntryLinker{Lists: in.lists, Loader: &matching.ServiceLoader{OrgService: store.NewOrgService(db), CaseService: in.cases, LocatedService: in.located}},
	})
	return in
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// trusts adds the other installation's card and confirms its fingerprint,
// as an administrator does after comparing it over the telephone.
func (in *installation) trusts(others ...*installation) {
	in.t.Helper()
	for _, o := range others {
		card, err := exchange.ParseCard(exchange.Card{Name: o.self.Name, Kind: string(o.self.Kind), Keys: o.id.Public()}.Marshal())
		must(in.t, err)
		p := exchange.PartyOf(card)
		must(in.t, in.parties.AddParty(in.admin, p))
		_, err = in.parties.ConfirmParty(in.admin, p.ID, o.self.Fingerprint, p.Version)
		must(in.t, err)
	}
}

func (in *installation) partyID(o *installation) int64 {
	in.t.Helper()
	p, err := in.parties.FindPartyByFingerprint(in.admin, o.self.Fingerprint)
	must(in.t, err)
	return p.ID
}

// open opens a bundle file and fails the test on a refusal.
func (in *installation) open(file []byte) *homeward.Bundle {
	in.t.Helper()
	b, err := in.svc.OpenBundle(in.liaison, file)
	if err != nil {
		in.t.Fatalf("%s opens a bundle: %v", in.name, err)
	}
	return b
}

func (in *installation) file(b *homeward.Bundle) []byte {
	in.t.Helper()
	f, err := in.svc.BundleFile(in.liaison, b.ID)
	must(in.t, err)
	return f
}

func (in *installation) onlyList(dir homeward.ListDirection) *homeward.ReturnList {
	in.t.Helper()
	ls, err := in.lists.FindLists(in.liaison, homeward.ListFilter{Direction: dir})
	must(in.t, err)
	if len(ls) != 1 {
		in.t.Fatalf("%s has %d %s lists, want 1", in.name, len(ls), dir)
	}
	return ls[0]
}

type child struct {
	given, family string
	sex           homeward.Sex
	ru            [2]string // as the counterpart's register spells the names
	answer        homeward.AnswerCode
}

// TestThreeInstallationsNegotiateAReturn carries a list of seven children
// from an origin agency through a mediator to a counterpart, and the
// answers back, as bundle files between three installations with three
// databases, then a welfare message and its receipts.
func TestThreeInstallationsNegotiateAReturn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, backend string) {
		origin := newInstallation(t, backend, "Origin agency (test)", homeward.OrgAgency, homeward.PartyAgency)
		mediator := newInstallation(t, backend, "Mediator office (test)", homeward.OrgMediator, homeward.PartyMediator)
		counterpart := newInstallation(t, backend, "Counterpart commission (test)", homeward.OrgCounterpart, homeward.PartyCounterpart)
		origin.trusts(mediator, counterpart)
		mediator.trusts(origin, counterpart)
		counterpart.trusts(origin, mediator)

		children := []child{
			{"Олександр", "Коваленко", homeward.SexMale, [2]string{"Александр", "Коваленко"}, homeward.AnswerReturnAgreed},
			{"Микола", "Коваленко", homeward.SexMale, [2]string{"Николай", "Коваленко"}, homeward.AnswerReturnAgreed},
			{"Андрій", "Шевчук", homeward.SexMale, [2]string{"Андрей", "Шевчук"}, homeward.AnswerReturnAgreed},
			{"Богдан", "Ткаченко", homeward.SexMale, [2]string{"Богдан", "Ткаченко"}, homeward.AnswerReturnAgreed},
			{"Олена", "Бондар", homeward.SexFemale, [2]string{"Елена", "Бондарь"}, homeward.AnswerReturnAgreed},
			{"Тарас", "Мельник", homeward.SexMale, [2]string{"Тарас", "Мельник"}, homeward.AnswerMoreIdentifiers},
			{"Дмитро", "Савчук", homeward.SexMale, [2]string{}, homeward.AnswerNoRecord},
		}
		cases := seedCases(origin, children)
		// The counterpart's register knows six of them, in Russian.
		csys := homeward.NewContextWithActor(context.Background(), homeward.Actor{System: true, Role: homeward.RoleAdmin, OrgID: counterpart.org.ID})
		for i, ch := range children {
			if ch.ru[0] == "" {
				continue
			}
			must(t, counterpart.located.CreateLocated(csys, &homeward.LocatedRecord{OrgID: counterpart.org.ID, GivenName: ch.ru[0], FamilyName: ch.ru[1],
				Sex: ch.sex, BirthDate: homeward.BirthDate{Year: 2010 + i, Month: 4, Day: 10 + i, Precision: homeward.PrecisionDay},
				BirthPlace: "Мариуполь", LocationKind: homeward.LocationInstitution, Institution: "Synthetic children's home"}))
		}

		// The origin builds the list, a second supervisor seals it, and it
		// leaves for the mediator.
		ch, l := origin.sealedList(mediator, counterpart, cases)
		// A twin of the origin, with the same seven children, gets the
		// same answers as a filled-in answer sheet instead of a bundle.
		twin := newInstallation(t, backend, "Origin agency, answered by sheet (test)", homeward.OrgAgency, homeward.PartyAgency)
		twin.trusts(mediator, counterpart)
		twinCases := seedCases(twin, children)
		_, twinList := twin.sealedList(mediator, counterpart, twinCases)
		sent, err := origin.svc.SendList(origin.liaison, l.ID, l.Version)
		must(t, err)
		if sent.Sequence != 1 || sent.Kinds[homeward.DocList] != 1 {
			t.Fatalf("first bundle = %+v", sent)
		}

		// The mediator opens it, which makes a receipt for the origin, and
		// forwards the list to the counterpart.
		got := mediator.open(origin.file(sent))
		if got.Status != homeward.BundleOpened {
			t.Fatalf("mediator: bundle %s", got.Status)
		}
		relayed := mediator.onlyList(homeward.ListRelayed)
		if relayed.Entries != 7 {
			t.Fatalf("relayed list has %d entries", relayed.Entries)
		}
		receipts, err := mediator.svc.FindBundles(mediator.liaison, homeward.BundleFilter{Direction: homeward.BundleOut})
		must(t, err)
		if len(receipts) != 1 || receipts[0].Sequence != 0 || receipts[0].Kinds[homeward.DocReceipt] != 1 {
			t.Fatalf("mediator's receipts = %+v", receipts)
		}
		origin.open(mediator.file(receipts[0]))
		if b, _ := origin.svc.FindBundleByID(origin.liaison, sent.ID); b.Status != homeward.BundleReceived || b.ReceivedAt == nil {
			t.Fatalf("origin's bundle after the receipt: %+v", b)
		}
		if got, _ := origin.lists.FindListByID(origin.liaison, l.ID); got.State != homeward.ListAcknowledged {
			t.Fatalf("origin's list is %s after the mediator's receipt, want acknowledged", got.State)
		}
		mch := mediator.onlyChannel()
		fwd, err := mediator.svc.CreateBundle(mediator.liaison, mch.ID, mediator.partyID(counterpart))
		must(t, err)
		counterpart.open(mediator.file(fwd))

		// The counterpart links the entries to its records and answers.
		in := counterpart.onlyList(homeward.ListIncoming)
		entries, err := counterpart.lists.FindEntries(counterpart.liaison, in.ID)
		must(t, err)
		if len(entries) != 7 {
			t.Fatalf("counterpart received %d entries", len(entries))
		}
		for i, e := range entries {
			cands, err := counterpart.lists.FindCandidates(counterpart.liaison, e.ID)
			must(t, err)
			// Candidates carry their records' names: reading them is a view.
			for _, c := range cands {
				evs, err := store.NewEventService(counterpart.db).FindEvents(homeward.NewContextWithActor(context.Background(), homeward.SystemActor()),
					homeward.EventFilter{EntityType: c.EntityType, EntityID: c.EntityID, Limit: 1})
				must(t, err)
				if len(evs) != 1 || evs[0].Action != homeward.ActionView || !strings.Contains(string(evs[0].Data), fmt.Sprintf(`"entry_id":%d`, e.ID)) {
					t.Fatalf("reading the candidates of entry %s recorded no view of %s %d", e.Ref, c.EntityType, c.EntityID)
				}
			}
			if children[i].ru[0] != "" && (len(cands) == 0 || cands[0].EntityType != homeward.EntityLocated || cands[0].Probability < 0.5) {
				t.Fatalf("entry %s (%s) has candidates %+v; its record is in the register", e.Ref, children[i].given, cands)
			}
			a := &homeward.Answer{Code: children[i].answer, On: homeward.NewDate(2026, 3, 20), TheirRef: fmt.Sprintf("CP-%d", i)}
			if a.Code == homeward.AnswerMoreIdentifiers {
				a.Details.Identifiers = []string{"birth certificate", "photo"}
			}
			if a.Code == homeward.AnswerReturnAgreed {
				a.Details.Place = "Synthetic children's home"
			}
			must(t, counterpart.lists.RecordAnswer(counterpart.liaison, e.ID, a))
		}
		ans, err := counterpart.svc.SendAnswers(counterpart.liaison, in.ID)
		must(t, err)
		mediator.open(counterpart.file(ans))
		back, err := mediator.svc.CreateBundle(mediator.liaison, mch.ID, mediator.partyID(origin))
		must(t, err)
		origin.open(mediator.file(back))

		twin.answerBySheet(twinList, children)
		sameStates(t, origin, cases, twin, twinCases)

		// At the origin: five may move to agreed once best interests are
		// recorded; the other two go into phase 2.
		l, err = origin.lists.FindListByID(origin.liaison, l.ID)
		must(t, err)
		if l.State != homeward.ListAnswered || l.Answered != 7 {
			t.Fatalf("origin's list = %s, %d answered", l.State, l.Answered)
		}
		origin.agree(cases, children)
		twin.agree(twinCases, children)
		sameStates(t, origin, cases, twin, twinCases)
		_, carried, err := origin.lists.OpenPhase(origin.liaison, ch.ID, true, "")
		must(t, err)
		next, err := origin.lists.FindEntries(origin.liaison, carried.ID)
		must(t, err)
		if len(next) != 2 || next[0].CaseID != cases[5].ID || next[1].CaseID != cases[6].ID {
			t.Fatalf("phase 2 carries %d entries", len(next))
		}
		_, twinCarried, err := twin.lists.OpenPhase(twin.liaison, twinList.ChannelID, true, "")
		must(t, err)
		if twinNext, err := twin.lists.FindEntries(twin.liaison, twinCarried.ID); err != nil || len(twinNext) != 2 ||
			twinNext[0].CaseID != twinCases[5].ID || twinNext[1].CaseID != twinCases[6].ID {
			t.Fatalf("the twin's phase 2 carries %d entries (%v); the bundle's carried 2", len(twinNext), err)
		}

		// A welfare message for the first child, approved by a supervisor
		// other than its writer, reaches the counterpart, and the read
		// receipt comes back.
		msg := &homeward.WelfareMessage{CaseID: cases[0].ID, Text: "Mum and your brother's class send their love. (synthetic)"}
		must(t, origin.welfare.WriteMessage(origin.worker, msg))
		_, err = origin.welfare.ApproveMessage(origin.sup, msg.ID, msg.Version)
		must(t, err)
		mb, err := origin.svc.CreateBundle(origin.liaison, ch.ID, origin.partyID(mediator))
		must(t, err)
		mediator.open(origin.file(mb))
		fwd2, err := mediator.svc.CreateBundle(mediator.liaison, mch.ID, mediator.partyID(counterpart))
		must(t, err)
		counterpart.open(mediator.file(fwd2))
		ms, err := counterpart.welfare.FindMessages(counterpart.liaison, homeward.MessageFilter{})
		must(t, err)
		if len(ms) != 1 || ms[0].Direction != homeward.MessageIncoming || ms[0].EntryRef != entries[0].Ref {
			t.Fatalf("counterpart's messages = %+v", ms)
		}
		_, err = counterpart.welfare.MarkRead(counterpart.liaison, ms[0].ID)
		must(t, err)
		rb, err := counterpart.svc.CreateBundle(counterpart.liaison, counterpart.onlyChannel().ID, counterpart.partyID(mediator))
		must(t, err)
		mediator.open(counterpart.file(rb))
		rb2, err := mediator.svc.CreateBundle(mediator.liaison, mch.ID, mediator.partyID(origin))
		must(t, err)
		origin.open(mediator.file(rb2))
		mine, err := origin.welfare.FindMessages(origin.worker, homeward.MessageFilter{CaseID: cases[0].ID})
		must(t, err)
		if len(mine) != 1 || mine[0].State != homeward.MessageRead || mine[0].ReadAt == nil || mine[0].DeliveredAt == nil {
			t.Fatalf("origin's message = %+v", *mine[0])
		}

		for _, x := range []*installation{origin, mediator, counterpart, twin} {
			if n, err := store.NewEventService(x.db).VerifyChain(homeward.NewContextWithActor(context.Background(), homeward.SystemActor())); err != nil || n == 0 {
				t.Fatalf("%s: audit chain %d events: %v", x.name, n, err)
			}
		}
		mediator.holdsNo(t, cases)
	})
}

func (in *installation) onlyChannel() *homeward.Channel {
	in.t.Helper()
	chs, err := in.lists.FindChannels(in.liaison)
	must(in.t, err)
	if len(chs) != 1 {
		in.t.Fatalf("%s has %d channels", in.name, len(chs))
	}
	return chs[0]
}

// holdsNo fails if any text in the installation's database holds a
// contact or a note of the cases: a mediator must never hold a way to
// reach a family.
func (in *installation) holdsNo(t *testing.T, cases []*homeward.Case) {
	t.Helper()
	var secrets []string
	for _, c := range cases {
		secrets = append(secrets, c.Notes)
		for _, m := range c.Family {
			secrets = append(secrets, m.Contact)
		}
	}
	found, err := in.db.FindText(context.Background(), secrets)
	must(t, err)
	if len(found) > 0 {
		t.Fatalf("%s's database holds %v", in.name, found)
	}
}
