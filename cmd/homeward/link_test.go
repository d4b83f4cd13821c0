package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/homeward-project/homeward/linkage"
	"github.com/homeward-project/homeward/linkage/synth"
)

func writeCSV(t *testing.T, path string, header []string, rows [][]string) {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(header)
	w.WriteAll(rows)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// corpusFiles writes a small synthetic corpus (invented people only).
func corpusFiles(t *testing.T) (reports, located string) {
	t.Helper()
	dir := t.TempDir()
	c := synth.Generate(synth.Config{Reports: 60, Located: 300, Seed: 3})
	reports, located = filepath.Join(dir, "reports.csv"), filepath.Join(dir, "located.csv")
	writeCSV(t, reports, synth.Header, c.Reports)
	writeCSV(t, located, synth.Header, c.Located)
	return reports, located
}

func runLinkCmd(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"link"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestLinkRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	reports, located := corpusFiles(t)
	noID := filepath.Join(dir, "noid.csv")
	writeCSV(t, noID, []string{"given_name", "family_name"}, [][]string{{"Іван", "Петренко"}})
	onlyID := filepath.Join(dir, "onlyid.csv")
	writeCSV(t, onlyID, []string{"id", "colour"}, [][]string{{"1", "red"}})
	badModel := filepath.Join(dir, "bad.json")
	os.WriteFile(badModel, []byte(`{"comparisons": [], "colour": "red"}`), 0o644)
	unknownField := filepath.Join(dir, "unknown.json")
	os.WriteFile(unknownField, []byte(`{"id_column": "id",
		"comparisons": [{"kind": "string", "field": "nickname", "levels": [{"label": "same", "when": "exact"}, {"label": "else", "when": "else"}]}],
		"blocking": [{"name": "nick", "parts": [{"field": "nickname", "key": "value"}]}]}`), 0o644)
	out := filepath.Join(dir, "pairs.csv")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantMsg  string
	}{
		{"missing id column", []string{noID, located, "--out", out}, 3, `no "id" column`},
		{"no column the model compares", []string{onlyID, "--out", out}, 3, "none of the columns"},
		{"file that does not exist", []string{filepath.Join(dir, "nope.csv"), "--out", out}, 4, "no such file"},
		{"directory instead of a file", []string{dir, "--out", out}, 3, "cannot read"},
		{"not a spreadsheet", []string{filepath.Join(dir, "noid.xlsx"), "--out", out}, 4, "no such file"},
		{"model with an unknown key", []string{"--model", badModel, reports, "--out", out}, 3, "colour"},
		{"model naming a field the input lacks", []string{"--model", unknownField, reports, located, "--out", out}, 3, `"nickname"`},
		{"no output", []string{reports}, 2, "--out"},
		{"three inputs", []string{reports, located, reports, "--out", out}, 2, "want one or two"},
		{"threshold out of range", []string{reports, "--threshold", "2", "--out", out}, 2, "not a probability"},
		{"age reference that is not a date", []string{reports, "--age-as-of", "27.11.2026", "--out", out}, 2, "--age-as-of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runLinkCmd(tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.wantCode, stderr)
			}
			if !strings.Contains(stderr, tt.wantMsg) {
				t.Errorf("stderr %q does not say %q", stderr, tt.wantMsg)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("a failed run left %s behind", out)
			}
		})
	}
}

// A report giving only an estimated age finds the child's record with a
// full date, as of the date the age was stated, and not as of a date that
// makes the age wrong.
func TestLinkReadsEstimatedAges(t *testing.T) {
	dir := t.TempDir()
	header := []string{"id", "given_name", "family_name", "patronymic", "sex", "birth_date", "birth_place"}
	left := filepath.Join(dir, "reports.csv")
	writeCSV(t, left, header, [][]string{
		{"r1", "Олена", "Шевчук", "Петрівна", "f", "~9", "Маріуполь"},
		{"r2", "Іван", "Коваль", "Андрійович", "m", "12.05.2011", "Херсон"},
	})
	right := filepath.Join(dir, "located.csv")
	writeCSV(t, right, header, [][]string{
		{"l1", "Елена", "Шевчук", "Петровна", "f", "2016-10-02", "Мариуполь"},
		{"l2", "Иван", "Коваль", "Андреевич", "m", "2011-05-12", "Херсон"},
	})
	level := func(asOf string) string {
		out := filepath.Join(dir, "pairs-"+asOf+".csv")
		code, _, stderr := runLinkCmd(left, right, "--out", out, "--explain", "--threshold", "0", "--age-as-of", asOf)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for _, r := range readPairsFile(t, out)[1:] {
			if r[0] == "r1" && r[1] == "l1" {
				for _, part := range strings.Split(r[4], "; ") {
					if strings.HasPrefix(part, "date of birth: ") {
						return part
					}
				}
			}
		}
		return ""
	}
	if got := level("2026-03-01"); !strings.Contains(got, "only a year or an age given, consistent") {
		t.Errorf("~9 as of 1 March 2026 against 2 October 2016: %q", got)
	}
	if got := level("2030-03-01"); strings.Contains(got, "consistent") || strings.Contains(got, "within two years") {
		t.Errorf("~9 as of 2030 agrees with a birth in 2016: %q", got)
	}
}

func readPairsFile(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestLinkWritesExplainedPairsBestFirstWithFlagsAfterFiles(t *testing.T) {
	reports, located := corpusFiles(t)
	out := filepath.Join(t.TempDir(), "pairs.csv")
	code, _, stderr := runLinkCmd(reports, located, "--out", out, "--explain", "--threshold", "0.5")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows := readPairsFile(t, out)
	if got := strings.Join(rows[0], ","); got != "left_id,right_id,probability,weight,explanation" {
		t.Fatalf("header %q", got)
	}
	if len(rows) < 10 {
		t.Fatalf("%d pairs from 60 reports against 300 records, want at least 10", len(rows)-1)
	}
	prev := 2.0
	for _, r := range rows[1:] {
		if !strings.HasPrefix(r[0], "SYN-R") || !strings.HasPrefix(r[1], "SYN-L") {
			t.Fatalf("pair %v is not report then located record", r)
		}
		var p float64
		if _, err := fmtSscan(r[2], &p); err != nil || p < 0.5 || p > prev {
			t.Fatalf("probability %q out of order or below the threshold", r[2])
		}
		prev = p
		if !strings.Contains(r[4], "given name:") || !strings.Contains(r[4], "date of birth:") {
			t.Fatalf("explanation %q lacks comparisons", r[4])
		}
	}
}

func TestLinkIsDeterministic(t *testing.T) {
	reports, located := corpusFiles(t)
	dir := t.TempDir()
	var outs [2][]byte
	for i := range outs {
		out := filepath.Join(dir, "pairs.csv")
		if code, _, stderr := runLinkCmd("--threshold", "0.1", reports, located, "--out", out); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		outs[i], _ = os.ReadFile(out)
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Error("two runs on the same input wrote different pairs")
	}
}

func TestLinkDedupesOneXLSXFile(t *testing.T) {
	dir := t.TempDir()
	c := synth.Generate(synth.Config{Reports: 40, Located: 40, Seed: 5})
	x := excelize.NewFile()
	rows := append([][]string{synth.Header}, append(c.Reports, c.Located...)...)
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, v := range r {
			cells[j] = " " + v + " " // spaces around values are trimmed
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "records.xlsx")
	if err := x.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "pairs.csv")
	if code, _, stderr := runLinkCmd(path, "--out", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	pairs := readPairsFile(t, out)
	truth := map[[2]string]bool{}
	for _, p := range c.Truth {
		truth[[2]string{p[0], p[1]}] = true
		truth[[2]string{p[1], p[0]}] = true
	}
	found := 0
	for _, r := range pairs[1:] {
		if r[0] == r[1] {
			t.Fatalf("a record paired with itself: %v", r)
		}
		if truth[[2]string{r[0], r[1]}] {
			found++
		}
	}
	if found < len(c.Truth)/2 {
		t.Errorf("found %d of %d duplicates across the sheet", found, len(c.Truth))
	}
}

func fmtSscan(s string, p *float64) (int, error) { return fmt.Sscan(s, p) }

// A model trained on one run can be saved, read and reused: reused on the
// same files it gives the same pairs. The date ages were stated at belongs
// to the input and is not saved with it.
func TestLinkSavesAModelThatReusesToTheSamePairs(t *testing.T) {
	reports, located := corpusFiles(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "model.json")
	first, second := filepath.Join(dir, "first.csv"), filepath.Join(dir, "second.csv")
	if code, _, stderr := runLinkCmd(reports, located, "--out", first, "--save-model", model, "--age-as-of", "2026-01-15"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f, err := os.Open(model)
	if err != nil {
		t.Fatal(err)
	}
	m, err := linkage.ReadModel(f)
	f.Close()
	if err != nil {
		t.Fatalf("the saved model does not read back: %v", err)
	}
	if !m.Trained || m.AgeAsOf != "" {
		t.Errorf("saved model: trained %v, age_as_of %q; want trained, no date", m.Trained, m.AgeAsOf)
	}
	if code, _, stderr := runLinkCmd("--model", model, reports, located, "--out", second, "--age-as-of", "2026-01-15"); code != 0 {
		t.Fatalf("exit %d with the saved model: %s", code, stderr)
	}
	a, b := readPairsFile(t, first), readPairsFile(t, second)
	if len(a) < 10 {
		t.Fatalf("%d pairs from the first run", len(a)-1)
	}
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("the saved model gives other pairs: %d rows against %d", len(b), len(a))
	}
}
