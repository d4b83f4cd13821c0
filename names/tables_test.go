package names

import (
	"bufio"
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestGivenNamesTableCoversCommonNamesWithDiminutives(t *testing.T) {
	sc := bufio.NewScanner(bytes.NewReader(givenTSV))
	seen := map[string]bool{}
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if text == "" || text[0] == '#' {
			continue
		}
		col := strings.Split(text, "\t")
		if len(col) != 6 {
			t.Errorf("given.tsv line %d: %d columns, want 6", line, len(col))
			continue
		}
		if col[0] != "m" && col[0] != "f" {
			t.Errorf("given.tsv line %d: sex %q", line, col[0])
		}
		uk := strings.Fields(col[1])
		if seen[uk[0]] {
			t.Errorf("given.tsv line %d: %s again", line, uk[0])
		}
		seen[uk[0]] = true
		// Russian forms have no Ukrainian letter and Ukrainian full forms
		// no Russian one; Ukrainian diminutives may (usage mixes: Сєрьожа,
		// Серьожа). Foreign forms are Latin.
		for i, bad := range map[int]string{1: "ыэъё", 2: "іїєґ", 5: "іїєґ"} {
			if strings.ContainsAny(col[i], bad) {
				t.Errorf("given.tsv line %d: column %d %q has a letter of %q", line, i+1, col[i], bad)
			}
		}
		for _, f := range strings.Fields(col[3]) {
			if f != "-" && DetectScript(f) != ScriptLatin {
				t.Errorf("given.tsv line %d: %q is not Latin", line, f)
			}
		}
		if col[4] == "-" && col[5] == "-" {
			t.Errorf("given.tsv line %d: %s has no diminutive", line, uk[0])
		}
	}
	if len(seen) < 150 {
		t.Errorf("given.tsv has %d names, want at least 150", len(seen))
	}
}

func TestGivenNameFormsListsFullFormsAndDiminutives(t *testing.T) {
	full, dims := GivenNameForms("Олександр")
	if !slices.Contains(full, "Александр") || !slices.Contains(full, "Alexander") || !slices.Contains(dims, "Сашко") {
		t.Errorf("Олександр: full %q, diminutives %q", full, dims)
	}
	full, _ = GivenNameForms("Женя")
	if !slices.Contains(full, "Євген") || !slices.Contains(full, "Євгенія") {
		t.Errorf("Женя: full %q, want Євген and Євгенія", full)
	}
	if full, dims := GivenNameForms("Шевченко"); full != nil || dims != nil {
		t.Errorf("Шевченко: %q %q, want nothing", full, dims)
	}
}
