package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// catalogueKeys collects every string the pages may show: the keys of t in
// templates, of T in Go code, the labels of enumerated values and fields,
// and the status titles and code messages.
func catalogueKeys(t *testing.T) map[string]string {
	t.Helper()
	keys := map[string]string{}
	tcall := regexp.MustCompile(`\{\{-?\s*t\s+"((?:[^"\\]|\\.)*)"`)
	tsub := regexp.MustCompile(`\(t\s+"((?:[^"\\]|\\.)*)"`)
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := templateFS.ReadFile(p)
		for _, re := range []*regexp.Regexp{tcall, tsub} {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				s, err := strconv.Unquote(`"` + m[1] + `"`)
				if err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				keys[s] = p
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "catalogue_uk.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			var name string
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				name = fn.Sel.Name
			case *ast.Ident:
				name = fn.Name
			}
			// The position of the message among the arguments.
			pos := map[string]int{"T": 0, "Errorf": 1, "FieldErrorf": 2, "malformed": 1}
			i, ok := pos[name]
			if !ok || i >= len(call.Args) {
				return true
			}
			if lit, ok := call.Args[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, _ := strconv.Unquote(lit.Value)
				// Messages of errors are looked up after formatting; only
				// those without arguments can be found.
				if name == "T" || !strings.Contains(s, "%") {
					keys[s] = f
				}
			}
			return true
		})
	}
	for _, v := range enumLabels {
		keys[v] = "labels.go"
	}
	for _, v := range fieldLabels {
		keys[v] = "labels.go"
	}
	for _, v := range append(append([]string{
		"Unknown column: map it to a field or choose to ignore it.",
		"No column holds the given name or the family name; map one.",
	}, rowMessages...), dateProblems...) {
		keys[v] = "import_handlers.go"
	}
	for _, v := range codeMessages {
		keys[v] = "i18n.go"
	}
	for _, st := range []int{400, 401, 403, 404, 409, 422, 429, 500} {
		keys[statusTitle(st)] = "errors.go"
	}
	return keys
}

func TestCatalogueCoversEveryString(t *testing.T) {
	keys := catalogueKeys(t)
	if len(keys) < 100 {
		t.Fatalf("found only %d strings; the scan is broken", len(keys))
	}
	var missing []string
	for k, where := range keys {
		if _, ok := catalogueUK[k]; !ok {
			missing = append(missing, strconv.Quote(k)+" ("+where+")")
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d strings have no Ukrainian translation:\n%s", len(missing), strings.Join(missing, "\n"))
	}
}

func TestCatalogueKeepsFormatVerbs(t *testing.T) {
	verbs := regexp.MustCompile(`%[dsvq]`)
	for en, uk := range catalogueUK {
		if strings.Join(verbs.FindAllString(en, -1), "") != strings.Join(verbs.FindAllString(uk, -1), "") {
			t.Errorf("%q → %q: the format verbs differ", en, uk)
		}
	}
}
