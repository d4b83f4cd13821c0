package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/exchange"
	"github.com/homeward-project/homeward/matching"
	"github.com/homeward-project/homeward/store"
)

// demoPeer is one of the demo's other installations: the mediator's or
// the counterpart's, each with a database of its own beside the demo's.
type demoPeer struct {
	db   *store.DB
	id   *exchange.Identity
	self *homeward.Party
	org  *homeward.Org
	svc  *exchange.Service
	ctx  context.Context // a liaison of its organisation
}

func newDemoPeer(ctx context.Context, path, name string, orgKind homeward.OrgKind, kind homeward.PartyKind, password string) (*demoPeer, error) {
	keys := keyFlags{file: ptr(strings.TrimSuffix(path, ".db") + ".key"), passEnv: ptr("")}
	db, err := openDB(ctx, path, &keys, io.Discard)
	if err != nil {
		return nil, err
	}
	p := &demoPeer{db: db}
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor())
	p.org = &homeward.Org{Name: name, Kind: orgKind}
	if err := store.NewOrgService(db).CreateOrg(sys, p.org); err != nil {
		return nil, err
	}
	// Its own administrator and liaison, with the demo's password, so that
	// a newcomer serving this installation signs in to its organisation.
	for _, u := range []*homeward.User{
		{OrgID: p.org.ID, Login: "admin", DisplayName: "Administrator (demo)", Role: homeward.RoleAdmin},
		{OrgID: p.org.ID, Login: "liaison", DisplayName: "Liaison (demo)", Role: homeward.RoleLiaison},
	} {
		if err := store.NewUserService(db).CreateUser(sys, u, password); err != nil {
			return nil, err
		}
	}
	if p.id, err = exchange.GenerateIdentity(); err != nil {
		return nil, err
	}
	p.self = exchange.PartyOf(exchange.Card{Name: name, Kind: string(kind), Keys: p.id.Public()})
	sealed, err := keys.sealIdentity(p.id, discard{})
	if err != nil {
		return nil, err
	}
	if err := store.NewPartyService(db).InitSelf(sys, p.self, sealed); err != nil {
		return nil, err
	}
	p.ctx = homeward.NewContextWithActor(ctx, homeward.Actor{System: true, Role: homeward.RoleAdmin, OrgID: p.org.ID})
	lists := store.NewListService(db)
	p.svc = exchange.NewService(exchange.ServiceConfig{Identity: p.id, Parties: store.NewPartyService(db), Ledger: store.NewBundleLedger(db),
		Linker: &matching.EntryLinker{Lists: lists, Loader: &matching.ServiceLoader{OrgService: store.NewOrgService(db),
			CaseService: store.NewCaseService(db), LocatedService: store.NewLocatedService(db)}}})
	return p, nil
}

// trust adds and confirms parties in db, as its administrator would.
func trustParties(ctx context.Context, db *store.DB, cards ...*homeward.Party) (map[string]int64, error) {
	ps := store.NewPartyService(db)
	ids := map[string]int64{}
	for _, c := range cards {
		p := *c
		p.ID, p.Self = 0, false
		if err := ps.AddParty(ctx, &p); err != nil {
			return nil, err
		}
		if _, err := ps.ConfirmParty(ctx, p.ID, p.Fingerprint, p.Version); err != nil {
			return nil, err
		}
		ids[p.Fingerprint] = p.ID
	}
	return ids, nil
}

// demoChild is a child of the demo's first phase and the answer the
// counterpart gives.
type demoChild struct {
	given, family, patronymic string
	sex                       homeward.Sex
	birth                     homeward.BirthDate
	place                     string
	answer                    homeward.AnswerCode
}

var demoChildren = []demoChild{
	{"Олександр", "Коваленко", "Петрович", homeward.SexMale, homeward.BirthDate{Year: 2012, Month: 5, Day: 14, Precision: homeward.PrecisionDay}, "Маріуполь", homeward.AnswerReturnAgreed},
	{"Микола", "Коваленко", "Петрович", homeward.SexMale, homeward.BirthDate{Year: 2014, Month: 9, Day: 2, Precision: homeward.PrecisionDay}, "Маріуполь", homeward.AnswerReturnAgreed},
	{"Андрій", "Шевчук", "Іванович", homeward.SexMale, homeward.BirthDate{Year: 2010, Month: 1, Day: 23, Precision: homeward.PrecisionDay}, "Херсон", homeward.AnswerReturnAgreed},
	{"Олена", "Бондар", "Сергіївна", homeward.SexFemale, homeward.BirthDate{Year: 2013, Month: 7, Day: 30, Precision: homeward.PrecisionDay}, "Бердянськ", homeward.AnswerInCare},
	{"Тарас", "Мельник", "Олегович", homeward.SexMale, homeward.BirthDate{Year: 2011, Month: 3, Day: 8, Precision: homeward.PrecisionDay}, "Мелітополь", homeward.AnswerMoreIdentifiers},
	{"Дмитро", "Савчук", "Андрійович", homeward.SexMale, homeward.BirthDate{Year: 2009, Month: 11, Day: 11, Precision: homeward.PrecisionDay}, "Херсон", homeward.AnswerNoRecord},
	{"Ірина", "Ткаченко", "Вікторівна", homeward.SexFemale, homeward.BirthDate{Year: 2015, Month: 2, Day: 19, Precision: homeward.PrecisionDay}, "Нова Каховка", homeward.AnswerDeferred},
}

// russian gives the counterpart's register the names as it spells them.
var russian = map[string]string{"Олександр": "Александр", "Микола": "Николай", "Андрій": "Андрей", "Олена": "Елена",
	"Тарас": "Тарас", "Дмитро": "Дмитрий", "Ірина": "Ирина", "Іванович": "Иванович", "Сергіївна": "Сергеевна",
	"Олегович": "Олегович", "Андрійович": "Андреевич", "Вікторівна": "Викторовна", "Петрович": "Петрович"}

// loadDemoExchange makes the demo's channel with a mediator and a
// counterpart, each an installation of its own in dir, and carries a first
// phase through it: a list of seven children sealed by two supervisors and
// sent, forwarded, answered child by child, and the answers back; a
// welfare message with its receipts. It returns the demo installation's
// keys, sealed under a key file in dir.
func loadDemoExchange(ctx context.Context, db *store.DB, dir string, orgID int64, password string) (*exchange.Identity, error) {
	sys := homeward.NewContextWithActor(ctx, homeward.Actor{System: true, Role: homeward.RoleAdmin, OrgID: orgID})
	keys := keyFlags{file: ptr(filepath.Join(dir, "homeward.key")), passEnv: ptr("")}
	id, err := exchange.GenerateIdentity()
	if err != nil {
		return nil, err
	}
	sealed, err := keys.sealIdentity(id, discard{})
	if err != nil {
		return nil, err
	}
	self := exchange.PartyOf(exchange.Card{Name: "Національне бюро розшуку дітей (демо)", Kind: string(homeward.PartyAgency), Keys: id.Public()})
	if err := store.NewPartyService(db).InitSelf(sys, self, sealed); err != nil {
		return nil, err
	}
	med, err := newDemoPeer(ctx, filepath.Join(dir, "mediator.db"), "Mediator Office (demo)", homeward.OrgMediator, homeward.PartyMediator, password)
	if err != nil {
		return nil, err
	}
	defer med.db.Close()
	cp, err := newDemoPeer(ctx, filepath.Join(dir, "counterpart.db"), "Counterpart Commission (demo)", homeward.OrgCounterpart, homeward.PartyCounterpart, password)
	if err != nil {
		return nil, err
	}
	defer cp.db.Close()
	ours, err := trustParties(sys, db, med.self, cp.self)
	if err != nil {
		return nil, err
	}
	medIDs, err := trustParties(med.ctx, med.db, self, cp.self)
	if err != nil {
		return nil, err
	}
	cpIDs, err := trustParties(cp.ctx, cp.db, self, med.self)
	if err != nil {
		return nil, err
	}
	svc := exchange.NewService(exchange.ServiceConfig{Identity: id, Parties: store.NewPartyService(db), Ledger: store.NewBundleLedger(db)})

	// The origin's cases, verified, with consent; the first two are brothers.
	cases := store.NewCaseService(db)
	var cs []*homeward.Case
	for i, ch := range demoChildren {
		c := &homeward.Case{OrgID: orgID, GivenName: ch.given, FamilyName: ch.family, Patronymic: ch.patronymic, Sex: ch.sex,
			BirthDate: ch.birth, BirthPlace: ch.place, LastSeenPlace: ch.place, LastSeenDate: homeward.NewDate(2022, time.Month(3+i), 10),
			Circumstance: homeward.CircumstanceDeportation, Stage: homeward.StageVerified,
			Consents: homeward.Consents{Tracing: true, ShareMediator: true},
			Family: []homeward.FamilyMember{{Name: "(synthetic) " + ch.family, Relation: "mother", Contact: fmt.Sprintf("+380 00 111 %04d", i),
				Inquirer: true, LegalRep: true, LegalProof: "birth certificate"}}}
		if err := cases.CreateCase(sys, c); err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	cs[0].Siblings, cs[1].Siblings = []int64{cs[1].ID}, []int64{cs[0].ID}
	for _, c := range cs[:2] {
		if err := cases.UpdateCase(sys, c); err != nil {
			return nil, err
		}
	}
	// The counterpart's register holds six of them, in Russian.
	for _, ch := range demoChildren[:6] {
		if err := store.NewLocatedService(cp.db).CreateLocated(cp.ctx, &homeward.LocatedRecord{OrgID: cp.org.ID,
			GivenName: russian[ch.given], FamilyName: ch.family, Patronymic: russian[ch.patronymic], Sex: ch.sex, BirthDate: ch.birth,
			LocationKind: homeward.LocationInstitution, Institution: "Детский дом № 4 (демо)", Region: "Synthetic oblast"}); err != nil {
			return nil, err
		}
	}

	// Phase 1: a liaison builds the list, a supervisor asks for the seal and
	// a second supervisor seals it.
	as, err := demoActors(ctx, db, orgID, "liaison", "supervisor", "supervisor2")
	if err != nil {
		return nil, err
	}
	lists := store.NewListService(db)
	channel := &homeward.Channel{Name: "Return lists through the mediator (demo)", MediatorID: ours[med.self.Fingerprint], CounterpartID: ours[cp.self.Fingerprint]}
	if err := lists.CreateChannel(as[0], channel); err != nil {
		return nil, err
	}
	l := &homeward.ReturnList{ChannelID: channel.ID, Title: "Phase 1: children from the southern oblasts (demo)"}
	if err := lists.CreateList(as[0], l); err != nil {
		return nil, err
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	if l, _, err = lists.AddEntries(as[0], l.ID, ids, l.Version); err != nil {
		return nil, err
	}
	if l, err = lists.RequestSeal(as[1], l.ID, l.Version); err != nil {
		return nil, err
	}
	if l, err = lists.Seal(as[2], l.ID, l.Version); err != nil {
		return nil, err
	}
	b, err := svc.SendList(as[0], l.ID, l.Version)
	if err != nil {
		return nil, err
	}
	carry := func(from *exchange.Service, fctx context.Context, b *homeward.Bundle, to *exchange.Service, tctx context.Context) error {
		f, err := from.BundleFile(fctx, b.ID)
		if err != nil {
			return err
		}
		_, err = to.OpenBundle(tctx, f)
		return err
	}
	if err := carry(svc, as[0], b, med.svc, med.ctx); err != nil {
		return nil, err
	}
	// The mediator's receipt comes back; it forwards the list.
	if err := carryReceipts(med, svc, as[0]); err != nil {
		return nil, err
	}
	mch, err := onlyChannel(med)
	if err != nil {
		return nil, err
	}
	fwd, err := med.svc.CreateBundle(med.ctx, mch, medIDs[cp.self.Fingerprint])
	if err != nil {
		return nil, err
	}
	if err := carry(med.svc, med.ctx, fwd, cp.svc, cp.ctx); err != nil {
		return nil, err
	}
	// The counterpart answers child by child.
	cpLists := store.NewListService(cp.db)
	in, err := cpLists.FindLists(cp.ctx, homeward.ListFilter{Direction: homeward.ListIncoming})
	if err != nil || len(in) != 1 {
		return nil, fmt.Errorf("the counterpart did not receive the list: %v", err)
	}
	entries, err := cpLists.FindEntries(cp.ctx, in[0].ID)
	if err != nil {
		return nil, err
	}
	on := homeward.NewDate(2026, time.March, 20)
	for i, e := range entries {
		a := &homeward.Answer{Code: demoChildren[i].answer, On: on, TheirRef: fmt.Sprintf("УП-%03d", i+1)}
		switch a.Code {
		case homeward.AnswerInCare:
			a.Details = homeward.AnswerDetails{LocationKind: homeward.LocationFoster, Place: "Synthetic town", Region: "Synthetic oblast"}
		case homeward.AnswerMoreIdentifiers:
			a.Details.Identifiers = []string{"birth certificate", "a recent photo"}
		case homeward.AnswerDeferred:
			a.Details = homeward.AnswerDetails{Until: homeward.NewDate(2026, time.June, 30), Reason: "end of the school year"}
		case homeward.AnswerReturnAgreed:
			a.Text = "Five being prepared for the handover. (demo)"
		}
		if err := cpLists.RecordAnswer(cp.ctx, e.ID, a); err != nil {
			return nil, err
		}
	}
	ans, err := cp.svc.SendAnswers(cp.ctx, in[0].ID)
	if err != nil {
		return nil, err
	}
	if err := carry(cp.svc, cp.ctx, ans, med.svc, med.ctx); err != nil {
		return nil, err
	}
	back, err := med.svc.CreateBundle(med.ctx, mch, medIDs[self.Fingerprint])
	if err != nil {
		return nil, err
	}
	if err := carry(med.svc, med.ctx, back, svc, as[0]); err != nil {
		return nil, err
	}
	_ = cpIDs
	return id, nil
}

// carryReceipts brings the receipts the peer made back to the origin.
func carryReceipts(p *demoPeer, to *exchange.Service, tctx context.Context) error {
	bs, err := p.svc.FindBundles(p.ctx, homeward.BundleFilter{Direction: homeward.BundleOut})
	if err != nil {
		return err
	}
	for _, b := range bs {
		if b.Sequence == 0 && b.Status == homeward.BundleCreated {
			f, err := p.svc.BundleFile(p.ctx, b.ID)
			if err != nil {
				return err
			}
			if _, err := to.OpenBundle(tctx, f); err != nil {
				return err
			}
		}
	}
	return nil
}

func onlyChannel(p *demoPeer) (int64, error) {
	chs, err := store.NewListService(p.db).FindChannels(p.ctx)
	if err != nil || len(chs) != 1 {
		return 0, fmt.Errorf("the peer has %d channels: %v", len(chs), err)
	}
	return chs[0].ID, nil
}

// demoActors returns the contexts of demo users by login, so that the
// demo's records carry who did what.
func demoActors(ctx context.Context, db *store.DB, orgID int64, logins ...string) ([]context.Context, error) {
	us, err := store.NewUserService(db).FindUsers(homeward.NewContextWithActor(ctx, homeward.SystemActor()), homeward.UserFilter{OrgID: orgID})
	if err != nil {
		return nil, err
	}
	out := make([]context.Context, len(logins))
	for i, l := range logins {
		for _, u := range us {
			if u.Login == l {
				out[i] = homeward.NewContextWithActor(ctx, homeward.ActorOf(u))
			}
		}
		if out[i] == nil {
			return nil, fmt.Errorf("no demo user %s", l)
		}
	}
	return out, nil
}

func ptr[T any](v T) *T { return &v }

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
