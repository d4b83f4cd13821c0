package exchange_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/tabular"
	"github.com/xuri/excelize/v2"
)

// seedCases registers the children as verified cases with consent to
// share, each with a contact and a note that must never leave; the first
// two are brothers.
func seedCases(in *installation, children []child) []*homeward.Case {
	in.t.Helper()
	sys := homeward.NewContextWithActor(context.Background(), homeward.Actor{System: true, Role: homeward.RoleAdmin, OrgID: in.org.ID})
	var cases []*homeward.Case
	for i, ch := range children {
		c := &homeward.Case{OrgID: in.org.ID, GivenName: ch.given, FamilyName: ch.family, Sex: ch.sex,
			BirthDate:  homeward.BirthDate{Year: 2010 + i, Month: 4, Day: 10 + i, Precision: homeward.PrecisionDay},
			BirthPlace: "Маріуполь", Stage: homeward.StageVerified, Consents: homeward.Consents{Tracing: true, ShareMediator: true},
			Family: []homeward.FamilyMember{{Name: "(synthetic) parent " + ch.family, Relation: "mother",
				Contact: fmt.Sprintf("+380 00 555 %04d", i), LegalRep: true, LegalProof: "birth certificate"}},
			Notes: fmt.Sprintf("synthetic-note-%d never leaves", i)}
		must(in.t, in.cases.CreateCase(sys, c))
		cases = append(cases, c)
	}
	cases[0].Siblings = []int64{cases[1].ID}
	must(in.t, in.cases.UpdateCase(sys, cases[0]))
	return cases
}

// sealedList opens a channel through the mediator to the counterpart and
// puts the cases on its first list, sealed by a second supervisor.
func (in *installation) sealedList(mediator, counterpart *installation, cases []*homeward.Case) (*homeward.Channel, *homeward.ReturnList) {
	in.t.Helper()
	ch := &homeward.Channel{Name: "Return lists (test)", MediatorID: in.partyID(mediator), CounterpartID: in.partyID(counterpart)}
	must(in.t, in.lists.CreateChannel(in.liaison, ch))
	l := &homeward.ReturnList{ChannelID: ch.ID, Title: "Phase 1"}
	must(in.t, in.lists.CreateList(in.liaison, l))
	ids := make([]int64, len(cases))
	for i, c := range cases {
		ids[i] = c.ID
	}
	l, _, err := in.lists.AddEntries(in.liaison, l.ID, ids, l.Version)
	must(in.t, err)
	l, err = in.lists.RequestSeal(in.sup, l.ID, l.Version)
	must(in.t, err)
	l, err = in.lists.Seal(in.sup2, l.ID, l.Version)
	must(in.t, err)
	return ch, l
}

// answerBySheet fills in the list's answer sheet as a counterpart without
// Homeward would, with the children's answers, and imports it.
func (in *installation) answerBySheet(l *homeward.ReturnList, children []child) {
	in.t.Helper()
	doc, err := in.lists.RevisionDocument(in.liaison, l.ID, l.SealedRevision)
	must(in.t, err)
	var b bytes.Buffer
	must(in.t, tabular.WriteAnswerSheet(&b, l, doc, "uk"))
	f, err := excelize.OpenReader(&b)
	must(in.t, err)
	defer f.Close()
	sheet := f.GetSheetName(0)
	head, err := f.GetRows(sheet)
	must(in.t, err)
	// Headers are "Ukrainian / English / Russian": found by English.
	col := map[string]int{}
	for i, h := range head[0] {
		col[h] = i + 1
	}
	set := func(row int, header, v string) {
		in.t.Helper()
		n := 0
		for h, i := range col {
			if strings.Contains(h, " / "+header+" / ") {
				n = i
			}
		}
		if n == 0 {
			in.t.Fatalf("the answer sheet has no column %q: %q", header, head[0])
		}
		cell, _ := excelize.CoordinatesToCellName(n, row)
		must(in.t, f.SetCellStr(sheet, cell, v))
	}
	for i, ch := range children {
		row := i + 2
		set(row, "Answer", string(ch.answer))
		set(row, "Answer date", "20.03.2026")
		set(row, "Your reference", fmt.Sprintf("CP-%d", i))
		switch ch.answer {
		case homeward.AnswerReturnAgreed:
			set(row, "Where (institution, settlement)", "Synthetic children's home")
		case homeward.AnswerMoreIdentifiers:
			set(row, "Details", "birth certificate, photo")
		}
	}
	var out bytes.Buffer
	must(in.t, f.Write(&out))
	rows, problems, err := tabular.ReadAnswerSheet("answers.xlsx", &out)
	must(in.t, err)
	if len(problems) > 0 {
		in.t.Fatalf("the filled-in sheet has problems: %+v", problems)
	}
	rep, err := in.lists.ImportAnswers(in.liaison, l.ID, rows, false)
	if err != nil || rep.Recorded != len(children) {
		in.t.Fatalf("import the sheet: %+v, %v", rep, err)
	}
}

// agree records best interests for the children whose return was agreed
// and moves their cases to agreed.
func (in *installation) agree(cases []*homeward.Case, children []child) {
	in.t.Helper()
	for i, c := range cases {
		if children[i].answer != homeward.AnswerReturnAgreed {
			continue
		}
		c, err := in.cases.FindCaseByID(in.worker, c.ID)
		must(in.t, err)
		must(in.t, in.wf.SaveBestInterests(in.worker, &homeward.BestInterests{CaseID: c.ID, ChildWishes: "to go home",
			Assessment: "synthetic assessment", Panel: []string{"Panel One"}, Decision: homeward.BestInterestsReturn, DecidedOn: homeward.NewDate(2026, 3, 22)}))
		if _, err := in.wf.Transition(in.worker, c.ID, homeward.StageAgreed, c.Version, ""); err != nil {
			in.t.Fatalf("%s: case %d to agreed: %v", in.name, i, err)
		}
	}
}

// caseState is what an answer changes about a case: its stage, its entry,
// the tasks it set and whether it gave a located record.
type caseState struct {
	Stage   homeward.Stage
	Entry   homeward.EntryState
	Answer  homeward.AnswerCode
	Located bool
	Tasks   []homeward.TaskKind
}

func (in *installation) states(cases []*homeward.Case) ([]caseState, homeward.ListState) {
	in.t.Helper()
	out := make([]caseState, len(cases))
	var ls homeward.ListState
	for i, c := range cases {
		c, err := in.cases.FindCaseByID(in.worker, c.ID)
		must(in.t, err)
		out[i].Stage = c.Stage
		listings, err := in.lists.FindListingsOfCase(in.liaison, c.ID)
		must(in.t, err)
		if len(listings) == 0 {
			in.t.Fatalf("%s: case %d is on no list", in.name, i)
		}
		e := listings[0].Entry
		out[i].Entry, out[i].Answer, out[i].Located = e.State, e.Answer, e.LocatedID != 0
		ts, err := in.lists.FindTasks(in.worker, c.ID)
		must(in.t, err)
		for _, t := range ts {
			out[i].Tasks = append(out[i].Tasks, t.Kind)
		}
		slices.Sort(out[i].Tasks)
		ls = listings[0].List.State
	}
	return out, ls
}

// sameStates fails unless the cases of two installations stand the same.
func sameStates(t *testing.T, a *installation, ac []*homeward.Case, b *installation, bc []*homeward.Case) {
	t.Helper()
	as, al := a.states(ac)
	bs, bl := b.states(bc)
	if al != bl {
		t.Errorf("list: %s at %s, %s at %s", al, a.name, bl, b.name)
	}
	for i := range as {
		if fmt.Sprint(as[i]) != fmt.Sprint(bs[i]) {
			t.Errorf("case %d: %+v at %s, %+v at %s", i, as[i], a.name, bs[i], b.name)
		}
	}
}
