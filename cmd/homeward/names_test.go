package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNamesCommandShowsScriptTransliterationsAndKeys(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"names", "Олександр Білий"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{"Ukrainian Cyrillic", "Oleksandr Bilyi", "KMU 2010", "Александр", "Сашко", "keys:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestNamesCompareSaysWhy(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"names", "compare", "Саша", "Олександр"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if got := out.String(); !strings.Contains(got, "diminutive of") {
		t.Errorf("compare printed %q, want a diminutive", got)
	}
}

func TestNamesCompareInWritesOneLinePerInputLineInOrder(t *testing.T) {
	input := "Олександр\tAleksandr\r\nКовальський\tКовальська\nonly one name\n\nШевченко\tSchewtschenko\n"
	path := filepath.Join(t.TempDir(), "pairs.tsv")
	if err := os.WriteFile(path, []byte(input), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"names", "compare", "--in", path}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	want := []string{
		"Олександр\tAleksandr\t0.950\tequivalent form of",
		"Ковальський\tКовальська\t0.880\tgender form of",
		"only one name\t\t0.000\tdifferent",
		"\t\t0.000\tdifferent",
		"Шевченко\tSchewtschenko\t0.970\ttransliteration of (German usage (Ukrainian))",
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d = %q, want %q", i+1, lines[i], want[i])
		}
	}
}

func TestNamesCommandRejectsBadUsage(t *testing.T) {
	for _, args := range [][]string{{"names"}, {"names", "compare", "one"}, {"names", "compare", "--in", "x", "extra"}} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, &out, &errOut); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}
