package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
)

// pngBytes is the signature and header of a PNG file, enough to be sniffed.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00")

func TestAttachmentIsHashedAndEveryViewIsAnEvent(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		p := newPairWorld(t, db)
		atts := NewAttachmentService(db)
		worker := p.as(p.orgA, homeward.RoleCaseworker)
		at := &homeward.Attachment{CaseID: p.caseID, Filename: "birth-certificate.png", Data: pngBytes}
		mustNil(t, atts.CreateAttachment(worker, at))
		sum := sha256.Sum256(pngBytes)
		if at.SHA256 != hex.EncodeToString(sum[:]) || at.Size != int64(len(pngBytes)) || at.ContentType != "image/png" || at.OrgID != p.orgA {
			t.Fatalf("stored attachment = %+v", at)
		}

		events := NewEventService(db)
		for _, ctx := range []context.Context{p.as(p.orgA, homeward.RoleSupervisor), worker, worker} {
			before := eventCount(t, db)
			got, err := atts.FindAttachmentByID(ctx, at.ID)
			mustNil(t, err)
			if !bytes.Equal(got.Data, pngBytes) || got.SHA256 != at.SHA256 {
				t.Fatalf("read back %d bytes with hash %s", len(got.Data), got.SHA256)
			}
			if n := eventCount(t, db) - before; n != 1 {
				t.Fatalf("a view appended %d events, want 1", n)
			}
			evs, err := events.FindEvents(ctx, homeward.EventFilter{EntityType: homeward.EntityCase, EntityID: p.caseID, Limit: 1})
			mustNil(t, err)
			a := homeward.ActorFromContext(ctx)
			if evs[0].Action != homeward.ActionAttachmentView || evs[0].ActorID != a.UserID || !strings.Contains(string(evs[0].Data), at.SHA256) {
				t.Fatalf("view event = %s by %d %s", evs[0].Action, evs[0].ActorID, evs[0].Data)
			}
			if strings.Contains(string(evs[0].Data), "birth-certificate") {
				t.Fatalf("view event carries the file name: %s", evs[0].Data)
			}
		}
		list, err := atts.FindAttachments(worker, p.caseID)
		mustNil(t, err)
		if len(list) != 1 || list[0].Data != nil || list[0].SHA256 != at.SHA256 {
			t.Fatalf("FindAttachments = %+v, want the one attachment without content", list)
		}
		if _, err := events.VerifyChain(p.sys); err != nil {
			t.Fatalf("VerifyChain: %v", err)
		}
	})
}

func TestAttachmentReadersAreLimitedByRoleAndOrganisation(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		p := newPairWorld(t, db)
		atts := NewAttachmentService(db)
		worker := p.as(p.orgA, homeward.RoleCaseworker)
		sup := p.as(p.orgA, homeward.RoleSupervisor)
		mustNil(t, NewCaseService(db).ShareCase(worker, p.caseID, p.orgB))
		private := &homeward.Attachment{CaseID: p.caseID, Filename: "photo.jpg", ContentType: "image/jpeg", Data: []byte("synthetic jpeg")}
		mustNil(t, atts.CreateAttachment(worker, private))
		wantCode(t, atts.CreateAttachment(worker, &homeward.Attachment{CaseID: p.caseID, Data: pngBytes, LiaisonVisible: true}), homeward.EFORBIDDEN)
		forLiaison := &homeward.Attachment{CaseID: p.caseID, Filename: "letter.pdf", Data: []byte("%PDF-1.4 synthetic"), LiaisonVisible: true}
		mustNil(t, atts.CreateAttachment(sup, forLiaison))
		if forLiaison.ContentType != "application/pdf" {
			t.Fatalf("sniffed content type = %q, want application/pdf", forLiaison.ContentType)
		}

		tests := []struct {
			name string
			ctx  context.Context
			id   int64
			code string
		}{
			{"admin reads", p.as(p.orgA, homeward.RoleAdmin), private.ID, ""},
			{"analyst may not read", p.as(p.orgA, homeward.RoleAnalyst), private.ID, homeward.EFORBIDDEN},
			{"liaison may not read an unshared attachment", p.as(p.orgA, homeward.RoleLiaison), private.ID, homeward.EFORBIDDEN},
			{"liaison reads an attachment shared with liaisons", p.as(p.orgA, homeward.RoleLiaison), forLiaison.ID, ""},
			{"organisation the case is shared with does not see it", p.as(p.orgB, homeward.RoleSupervisor), private.ID, homeward.ENOTFOUND},
			{"unknown attachment", sup, 9999, homeward.ENOTFOUND},
			{"nobody signed in", context.Background(), private.ID, homeward.EUNAUTHORIZED},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := eventCount(t, db)
				_, err := atts.FindAttachmentByID(tt.ctx, tt.id)
				wantCode(t, err, tt.code)
				want := int64(0)
				if tt.code == "" {
					want = 1
				}
				if n := eventCount(t, db) - before; n != want {
					t.Fatalf("appended %d events, want %d", n, want)
				}
			})
		}
		list, err := atts.FindAttachments(p.as(p.orgA, homeward.RoleLiaison), p.caseID)
		mustNil(t, err)
		if len(list) != 1 || list[0].ID != forLiaison.ID {
			t.Fatalf("a liaison lists %d attachments, want only the one shared with liaisons", len(list))
		}
		list, err = atts.FindAttachments(p.as(p.orgB, homeward.RoleSupervisor), p.caseID)
		mustNil(t, err)
		if len(list) != 0 {
			t.Fatalf("the organisation the case is shared with lists %d attachments, want 0", len(list))
		}
	})
}

func TestAttachmentRefusesEmptyTooLargeAndForeignCases(t *testing.T) {
	eachDB(t, func(t *testing.T, db *DB) {
		p := newPairWorld(t, db)
		atts := NewAttachmentService(db)
		worker := p.as(p.orgA, homeward.RoleCaseworker)
		mustNil(t, NewCaseService(db).ShareCase(worker, p.caseID, p.orgB))
		tests := []struct {
			name string
			ctx  context.Context
			at   homeward.Attachment
			code string
		}{
			{"empty file", worker, homeward.Attachment{CaseID: p.caseID}, homeward.EINVALID},
			{"over the size limit", worker, homeward.Attachment{CaseID: p.caseID, Data: make([]byte, homeward.MaxAttachmentSize+1)}, homeward.EINVALID},
			{"bad content type", worker, homeward.Attachment{CaseID: p.caseID, Data: pngBytes, ContentType: "not a type"}, homeward.EINVALID},
			{"file name not UTF-8", worker, homeward.Attachment{CaseID: p.caseID, Data: pngBytes, Filename: "\xff.png"}, homeward.EINVALID},
			{"case of another organisation", p.as(p.orgB, homeward.RoleCaseworker), homeward.Attachment{CaseID: p.caseID, Data: pngBytes}, homeward.EFORBIDDEN},
			{"analyst", p.as(p.orgA, homeward.RoleAnalyst), homeward.Attachment{CaseID: p.caseID, Data: pngBytes}, homeward.EFORBIDDEN},
			{"unknown case", worker, homeward.Attachment{CaseID: 9999, Data: pngBytes}, homeward.ENOTFOUND},
		}
		before := eventCount(t, db)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				at := tt.at
				wantCode(t, atts.CreateAttachment(tt.ctx, &at), tt.code)
			})
		}
		if n := eventCount(t, db) - before; n != 0 {
			t.Fatalf("refused attachments appended %d events", n)
		}
		ok := &homeward.Attachment{CaseID: p.caseID, Data: make([]byte, homeward.MaxAttachmentSize)}
		mustNil(t, atts.CreateAttachment(worker, ok))
		if ok.Size != homeward.MaxAttachmentSize {
			t.Fatalf("size = %d", ok.Size)
		}
	})
}
