package main

import (
	"context"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/store"
)

func TestEraseDestroysACaseAndAuditVerifySaysSo(t *testing.T) {
	f, _, cmd := signedFixture(t)
	db, err := openDB(context.Background(), f.dsn, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cs, _, err := store.NewCaseService(db).FindCases(homeward.NewContextWithActor(context.Background(), homeward.SystemActor()), homeward.CaseFilter{Query: "Олена"})
	db.Close()
	if err != nil || len(cs) != 1 {
		t.Fatalf("the fixture's case: %v, %v", cs, err)
	}
	ref := cs[0].Reference
	if code, _, errOut := cmd("erase", "--case", ref, "--reason", "she asked"); code == 0 || !strings.Contains(errOut, "reason") {
		t.Fatalf("erase with a free-text reason: exit %d, %s", code, errOut)
	}
	if code, out, errOut := cmd("erase", "--case", ref, "--reason", homeward.EraseDataSubjectRequest); code != 0 || !strings.Contains(out, "erased case "+ref) {
		t.Fatalf("erase: exit %d, %q %s", code, out, errOut)
	}
	if code, _, errOut := cmd("erase", "--case", ref, "--reason", homeward.EraseDataSubjectRequest); code == 0 {
		t.Fatalf("erase of an erased case: exit %d, %s", code, errOut)
	}
	code, out, errOut := cmd("audit", "verify")
	if code != 0 || !regexp.MustCompile(`erased: case \d+ at \S+ by user 0 \(event \d+; 1 events can no longer be read\)`).MatchString(out) {
		t.Fatalf("audit verify after erasure: exit %d\n%s%s", code, out, errOut)
	}
}
