package names

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

var ua2ruSource = flag.String("ua2ru", "", "path of names-translator's ua2ru.tsv: regenerate data/ua2ru.tsv from it")

// TestGenerateUA2RU rebuilds data/ua2ru.tsv from the full dictionary when
// run with -ua2ru PATH (go test ./names -run TestGenerateUA2RU -ua2ru
// ../shared/data/names/ua2ru.tsv). It keeps of every pool only the
// Russian forms that the phonetic code does not already join to the
// Ukrainian one, which loses nothing for matching since equivalence is
// decided on that code. The noisy legacy pool is left out.
func TestGenerateUA2RU(t *testing.T) {
	if *ua2ruSource == "" {
		t.Skip("regenerates data/ua2ru.tsv; run with -ua2ru PATH")
	}
	f, err := os.Open(*ua2ruSource)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type key struct{ pool, uk string }
	forms := map[key][]string{}
	var order []key
	sc := bufio.NewScanner(f)
	kept, dropped := 0, 0
	for sc.Scan() {
		col := strings.Split(sc.Text(), "\t")
		if len(col) != 4 || col[0] == "pool" || col[0] == "legacy" {
			continue
		}
		k := key{col[0], col[1]}
		ru := col[2]
		if strings.EqualFold(ru, col[1]) {
			dropped++
			continue
		}
		{
			same := false
			for _, a := range tableCodes(k.uk) {
				for _, b := range tableCodes(ru) {
					same = same || a == b
				}
			}
			if same {
				dropped++
				continue
			}
		}
		if _, ok := forms[k]; !ok {
			order = append(order, k)
		}
		forms[k] = append(forms[k], ru)
		kept++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].pool != order[j].pool {
			return order[i].pool < order[j].pool
		}
		return order[i].uk < order[j].uk
	})
	out, err := os.Create("data/ua2ru.tsv")
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(out)
	fmt.Fprint(w, ua2ruHeader)
	for _, k := range order {
		fmt.Fprintf(w, "%s\t%s\t%s\n", k.pool, k.uk, strings.Join(forms[k], " "))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("kept %d Russian forms of %d Ukrainian keys, dropped %d", kept, len(order), dropped)
}

const ua2ruHeader = `# Ukrainian → Russian forms of given names (first), patronymics and surnames (last).
# Columns: pool, Ukrainian form (lower case), Russian forms (most usual first).
# Compacted for Homeward by TestGenerateUA2RU from ua2ru.tsv, which was extracted from
# https://github.com/dchaplinsky/names-translator at commit 73dc7d4525b045f7e35b1f7fe6e8289e2cab1f27
# (names_translator/data/{first,last,patronymic}.dawg). Kept: of each pool the Russian forms
# whose phonetic code (phonetic.go) differs from the Ukrainian form's, since Homeward joins the
# others by that code alone (lossless for matching); the noisy legacy pool is left out.
# The source's primary form is sometimes a literal rendering (Олийнык for Олійник, Черний for
# Чорний): all its forms are kept, so the usual one (Олейник, Черный) is among them.
#
# The MIT License (MIT). Copyright (c) 2018 Dmitry Chaplinsky.
# Permission is hereby granted, free of charge, to any person obtaining a copy of this software
# and associated documentation files (the "Software"), to deal in the Software without
# restriction, including without limitation the rights to use, copy, modify, merge, publish,
# distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
# Software is furnished to do so, subject to the following conditions: The above copyright
# notice and this permission notice shall be included in all copies or substantial portions of
# the Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
# IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A
# PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE
# LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
# OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER
# DEALINGS IN THE SOFTWARE.
`
