package store

import (
	"bytes"
	"testing"

	"github.com/homeward-project/homeward"
)

// mustNotFind fails when any of needles is stored anywhere in the database.
func mustNotFind(t *testing.T, db *DB, needles ...string) {
	t.Helper()
	found, err := db.FindText(t.Context(), needles)
	mustNil(t, err)
	if len(found) > 0 {
		t.Fatalf("stored in clear: %v", found)
	}
}

func TestWorkflowRecordsAreSealedAtRest(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		p := newPairWorld(t, db)
		wf := NewWorkflowService(db)
		worker := p.as(p.orgA, homeward.RoleCaseworker)
		sup := p.as(p.orgA, homeward.RoleSupervisor)

		v := &homeward.Verification{CaseID: p.caseID, Method: homeward.VerifyDNA, Outcome: homeward.OutcomeConfirmed,
			PerformedBy: "Лабораторія-Тест-17", PerformedOn: day(2), Notes: "Тестова-нотатка-42"}
		mustNil(t, wf.AddVerification(sup, v))
		bi := &homeward.BestInterests{CaseID: p.caseID, ChildWishes: "Бажання-дитини-43", Assessment: "Оцінка-44",
			Panel: []string{"Член-Панелі-45"}, Decision: homeward.BestInterestsReturn, DecidedOn: day(5)}
		mustNil(t, wf.SaveBestInterests(worker, bi))
		h := &homeward.Handover{CaseID: p.caseID, HandoverOn: day(10), Place: "Пункт-Передачі-46", Route: "Маршрут-47",
			ThirdCountry: "Belarus", Escort: "Супровід +380501234567", FromCountry: "RU", ToCountry: "UA", Notes: "Нотатка-48"}
		mustNil(t, wf.RecordHandover(worker, h))
		r := &homeward.Reunification{CaseID: p.caseID, ReunifiedOn: day(11), WithWhom: "Мати-Тестова-49", Relation: "Родич-50",
			Proof: "Доказ-51", Notes: "Нотатка-52"}
		mustNil(t, wf.RecordReunification(worker, r))
		fu := &homeward.FollowUp{CaseID: p.caseID, VisitedOn: day(25), Visitor: "Відвідувач-53", Findings: "Висновок-54",
			Notes: "Нотатка-55", RiskFlags: []homeward.RiskFlag{homeward.RiskTrauma}}
		mustNil(t, wf.AddFollowUp(worker, fu))

		mustNotFind(t, db, "Лабораторія-Тест-17", "Тестова-нотатка-42", "Бажання-дитини-43", "Оцінка-44", "Член-Панелі-45",
			"Пункт-Передачі-46", "Маршрут-47", "+380501234567", "Нотатка-48", "Мати-Тестова-49", "Родич-50", "Доказ-51",
			"Нотатка-52", "Відвідувач-53", "Висновок-54", "Нотатка-55")

		vs, err := wf.FindVerifications(worker, p.caseID)
		mustNil(t, err)
		if len(vs) != 1 || vs[0].PerformedBy != v.PerformedBy || vs[0].Notes != v.Notes {
			t.Fatalf("verifications = %+v", vs)
		}
		av, err := wf.ApproveVerification(p.as(p.orgA, homeward.RoleAdmin), v.ID, v.Version)
		mustNil(t, err)
		if av.Notes != v.Notes {
			t.Fatalf("approved verification = %+v", av)
		}
		bis, err := wf.FindBestInterests(worker, p.caseID)
		mustNil(t, err)
		if len(bis) != 1 || bis[0].ChildWishes != bi.ChildWishes || bis[0].Assessment != bi.Assessment || len(bis[0].Panel) != 1 || bis[0].Panel[0] != "Член-Панелі-45" {
			t.Fatalf("best interests = %+v", bis)
		}
		hs, err := wf.FindHandovers(worker, p.caseID)
		mustNil(t, err)
		if len(hs) != 1 || hs[0].Place != h.Place || hs[0].Route != h.Route || hs[0].Escort != h.Escort || hs[0].Notes != h.Notes || hs[0].ThirdCountry != "Belarus" {
			t.Fatalf("handovers = %+v", hs)
		}
		rs, err := wf.FindReunifications(worker, p.caseID)
		mustNil(t, err)
		if len(rs) != 1 || rs[0].WithWhom != r.WithWhom || rs[0].Relation != r.Relation || rs[0].Proof != r.Proof || rs[0].Notes != r.Notes {
			t.Fatalf("reunifications = %+v", rs)
		}
		fs, err := wf.FindFollowUps(worker, p.caseID)
		mustNil(t, err)
		if len(fs) != 1 || fs[0].Visitor != fu.Visitor || fs[0].Findings != fu.Findings || fs[0].Notes != fu.Notes || len(fs[0].RiskFlags) != 1 {
			t.Fatalf("follow-ups = %+v", fs)
		}
	})
}

func TestAttachmentsAreSealedAtRest(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		p := newPairWorld(t, db)
		atts := NewAttachmentService(db)
		worker := p.as(p.orgA, homeward.RoleCaseworker)
		content := []byte("Свідоцтво-Тестове-56 synthetic scan")
		at := &homeward.Attachment{CaseID: p.caseID, Filename: "Іваненко-Тест-57.txt", ContentType: "text/plain", Data: content}
		mustNil(t, atts.CreateAttachment(worker, at))
		mustNotFind(t, db, "Свідоцтво-Тестове-56", "Іваненко-Тест-57")

		got, err := atts.FindAttachmentByID(worker, at.ID)
		mustNil(t, err)
		if !bytes.Equal(got.Data, content) || got.Filename != at.Filename || got.Size != int64(len(content)) {
			t.Fatalf("read back %+v", got)
		}
		list, err := atts.FindAttachments(worker, p.caseID)
		mustNil(t, err)
		if len(list) != 1 || list[0].Filename != at.Filename || list[0].Data != nil {
			t.Fatalf("FindAttachments = %+v", list)
		}
	})
}

func TestUploadsAreSealedAtRest(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		w := newWorld(t, db)
		uploads := NewUploadService(db)
		mine := w.as(w.orgA, homeward.RoleCaseworker)
		csv := []byte("given_name,family_name\nТестовий-Дитина-58,Прізвище-Тест-59\n")
		u := &homeward.Upload{Kind: homeward.EntityCase, Filename: "Школа-Тест-60.csv", Data: csv}
		mustNil(t, uploads.CreateUpload(mine, u))
		mustNotFind(t, db, "Тестовий-Дитина-58", "Прізвище-Тест-59", "Школа-Тест-60")

		got, err := uploads.FindUploadByID(mine, u.ID)
		mustNil(t, err)
		if !bytes.Equal(got.Data, csv) || got.Filename != u.Filename {
			t.Fatalf("read back %q %q", got.Filename, got.Data)
		}
		mustNil(t, uploads.DeleteUpload(mine, u.ID))
		_, err = uploads.FindUploadByID(mine, u.ID)
		wantCode(t, err, homeward.ENOTFOUND)
	})
}

func TestClearWorkflowRowsOfAnOlderVersionAreSealedInPlace(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		p := newPairWorld(t, db)
		ctx := t.Context()
		// Rows as a version before 0008 wrote them: clear, sealed NULL.
		var hid int64
		mustNil(t, db.wdb.QueryRowContext(ctx, `INSERT INTO handovers (case_id, handover_on, place, escort, from_country, to_country,
			notes, recorded_by, created_at) VALUES ($1, '2026-03-10', 'Старий-Пункт-61', '+380501234567', 'RU', 'UA', '', 1, $2) RETURNING id`,
			p.caseID, db.tv(db.clock())).Scan(&hid))
		var aid int64
		mustNil(t, db.wdb.QueryRowContext(ctx, `INSERT INTO attachments (case_id, org_id, filename, content_type, size, sha256, data,
			created_by, created_at) VALUES ($1, $2, 'Старе-Фото-62.txt', 'text/plain', 5, 'x', $3, 1, $4) RETURNING id`,
			p.caseID, p.orgA, []byte("Вміст-63"), db.tv(db.clock())).Scan(&aid))
		worker := p.as(p.orgA, homeward.RoleCaseworker)
		hs, err := NewWorkflowService(db).FindHandovers(worker, p.caseID)
		mustNil(t, err)
		if len(hs) != 1 || hs[0].Place != "Старий-Пункт-61" {
			t.Fatalf("clear handover reads as %+v", hs)
		}

		_, err = db.sealClear(homeward.NewContextWithActor(ctx, homeward.SystemActor()))
		mustNil(t, err)
		mustNotFind(t, db, "Старий-Пункт-61", "+380501234567", "Старе-Фото-62", "Вміст-63")
		hs, err = NewWorkflowService(db).FindHandovers(worker, p.caseID)
		mustNil(t, err)
		if len(hs) != 1 || hs[0].Place != "Старий-Пункт-61" || hs[0].Escort != "+380501234567" || hs[0].ID != hid {
			t.Fatalf("sealed handover reads as %+v", hs)
		}
		at, err := NewAttachmentService(db).FindAttachmentByID(worker, aid)
		mustNil(t, err)
		if at.Filename != "Старе-Фото-62.txt" || string(at.Data) != "Вміст-63" {
			t.Fatalf("sealed attachment reads as %q %q", at.Filename, at.Data)
		}
	})
}
