package names

import (
	"bufio"
	"bytes"
	_ "embed"
	"slices"
	"strings"
	"sync"
)

// given.tsv: given names, their Ukrainian, Russian and foreign full forms
// and diminutives, hand-curated (see its header).
//
//go:embed data/given.tsv
var givenTSV []byte

// ua2ru.tsv: Ukrainian→Russian forms of given names, patronymics and
// surnames, compacted from dchaplinsky/names-translator (MIT); see its
// header and TestGenerateUA2RU.
//
//go:embed data/ua2ru.tsv
var ua2ruTSV []byte

// tables are the equivalence classes of name parts, keyed by phonetic code
// so that a Latin spelling finds the class of its Cyrillic original.
type tables struct {
	given   map[string]uint32   // full given names → class
	dim     map[string][]uint32 // diminutives → classes of the full names
	other   map[string]uint32   // patronymics and surnames → class
	names   []string            // given-name class → canonical Ukrainian form
	russian map[uint32][]string // given-name class → Russian full forms (lower case)
	forms   map[uint32]*givenForms

	// dimExact is dim keyed by the diminutive's normal spelling: a listed
	// diminutive that is also a name of its own (Даня, Олесь) is still
	// known for what it is, while a name that only sounds like one (Алла
	// like Аля) is not.
	dimExact map[string][]uint32

	// byCode joins given, dim and other for one lookup per code in the
	// hot path of Keys.
	byCode map[string]codeClasses

	// givenCodes lists, per given-name class, the codes of its full forms
	// in both languages (Катерина, Екатерина), so that a misspelt form
	// is a typo of the name whichever form it misspells.
	givenCodes [][]string
}

// givenForms are the forms of one given name as data/given.tsv writes them.
type givenForms struct {
	full, dims []string
}

type codeClasses struct {
	given uint32
	other uint32
	dims  []uint32
}

var loadTables = sync.OnceValue(buildTables)

// unionFind joins phonetic codes into classes.
type unionFind struct{ parent map[string]string }

func (u *unionFind) find(s string) string {
	p, ok := u.parent[s]
	if !ok {
		u.parent[s] = s
		return s
	}
	if p == s {
		return s
	}
	r := u.find(p)
	u.parent[s] = r
	return r
}

func (u *unionFind) union(a, b string) {
	ra, rb := u.find(a), u.find(b)
	if ra != rb {
		u.parent[rb] = ra
	}
}

// codesOf returns the phonetic codes of one written form: one for
// Cyrillic, one per distinct reading for Latin.
func codesOf(form string) []string {
	n := Normalize(form)
	if n == "" {
		return nil
	}
	var buf [numReadings][]byte
	cs := appendCodes(buf[:0], nil, n)
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}

// tableCodes is the code of a form in a table: Latin forms there are
// written the English way, so only that reading is taken (the other
// readings of Sachar or Maja would join unrelated names); the input's
// readings are all tried against it.
func tableCodes(form string) []string {
	n := Normalize(form)
	if n == "" {
		return nil
	}
	return []string{string(phoneticCode(nil, n, readEnglish))}
}

// appendCodes appends to dst the distinct codes of a normalised part,
// using scratch for their bytes.
func appendCodes(dst [][]byte, scratch []byte, part string) [][]byte {
	readings := 1
	if hasLatin(part) {
		readings = numReadings
	}
	for r := 0; r < readings; r++ {
		if r > 0 && !readingMatters(part, r) {
			continue
		}
		start := len(scratch)
		scratch = phoneticCode(scratch, part, r)
		c := scratch[start:len(scratch):len(scratch)]
		dup := false
		for _, d := range dst {
			dup = dup || string(d) == string(c)
		}
		if dup {
			scratch = scratch[:start]
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

func buildTables() *tables {
	t := &tables{given: map[string]uint32{}, dim: map[string][]uint32{}, dimExact: map[string][]uint32{}, other: map[string]uint32{}, russian: map[uint32][]string{}, forms: map[uint32]*givenForms{}}
	gu := &unionFind{parent: map[string]string{}}
	ou := &unionFind{parent: map[string]string{}}
	type dimEntry struct{ code, full, spelling string }
	var dims []dimEntry
	canonical := map[string]string{} // code of a curated canonical form → its spelling
	russianOf := map[string][]string{}
	formsOf := map[string]*givenForms{}
	join := func(u *unionFind, forms []string) {
		var first string
		for _, f := range forms {
			for _, c := range tableCodes(f) {
				if first == "" {
					first = c
					u.find(c)
					continue
				}
				u.union(first, c)
			}
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(givenTSV))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		col := strings.Split(line, "\t")
		if len(col) < 6 {
			continue
		}
		var full []string
		for _, c := range col[1:4] {
			if c != "-" {
				full = append(full, strings.Fields(c)...)
			}
		}
		if len(full) == 0 {
			continue
		}
		join(gu, full)
		head := tableCodes(full[0])
		if len(head) == 0 {
			continue
		}
		if _, ok := canonical[head[0]]; !ok {
			canonical[head[0]] = full[0]
		}
		gf := formsOf[head[0]]
		if gf == nil {
			gf = &givenForms{}
			formsOf[head[0]] = gf
		}
		gf.full = appendNew(gf.full, full...)
		for _, c := range col[4:6] {
			if c != "-" {
				gf.dims = appendNew(gf.dims, strings.Fields(c)...)
			}
		}
		if col[2] != "-" {
			for _, r := range strings.Fields(col[2]) {
				russianOf[head[0]] = append(russianOf[head[0]], Normalize(r))
			}
		}
		for _, c := range col[4:6] {
			if c == "-" {
				continue
			}
			for _, d := range strings.Fields(c) {
				for _, dc := range tableCodes(d) {
					dims = append(dims, dimEntry{dc, head[0], Normalize(d)})
				}
			}
		}
	}
	sc = bufio.NewScanner(bytes.NewReader(ua2ruTSV))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		col := strings.Split(line, "\t")
		if len(col) < 3 {
			continue
		}
		forms := append([]string{col[1]}, strings.Fields(col[2])...)
		if col[0] == "first" {
			join(gu, forms)
		} else {
			join(ou, forms)
		}
	}
	ids := map[string]uint32{}
	id := func(root string) uint32 {
		if v, ok := ids[root]; ok {
			return v
		}
		v := uint32(len(t.names))
		ids[root] = v
		t.names = append(t.names, "")
		return v
	}
	t.names = append(t.names, "") // class 0 is "none"
	for c := range gu.parent {
		t.given[c] = id(gu.find(c))
	}
	for c, name := range canonical {
		g := t.given[c]
		if t.names[g] == "" {
			t.names[g] = name
		}
		if t.forms[g] == nil {
			t.forms[g] = &givenForms{}
		}
		t.forms[g].full = appendNew(t.forms[g].full, formsOf[c].full...)
		t.forms[g].dims = appendNew(t.forms[g].dims, formsOf[c].dims...)
		for _, r := range russianOf[c] {
			if !slices.Contains(t.russian[g], r) {
				t.russian[g] = append(t.russian[g], r)
			}
		}
	}
	for _, d := range dims {
		g := t.given[d.full]
		if g == 0 {
			continue
		}
		if !containsID(t.dim[d.code], g) {
			t.dim[d.code] = append(t.dim[d.code], g)
		}
		if !containsID(t.dimExact[d.spelling], g) {
			t.dimExact[d.spelling] = append(t.dimExact[d.spelling], g)
		}
	}
	base := uint32(len(t.names))
	oids := map[string]uint32{}
	for c := range ou.parent {
		r := ou.find(c)
		v, ok := oids[r]
		if !ok {
			v = base + uint32(len(oids))
			oids[r] = v
		}
		t.other[c] = v
	}
	t.givenCodes = make([][]string, len(t.names))
	for c, g := range t.given {
		t.givenCodes[g] = append(t.givenCodes[g], c)
	}
	for _, cs := range t.givenCodes {
		slices.Sort(cs)
	}
	t.byCode = make(map[string]codeClasses, len(t.given)+len(t.dim)+len(t.other))
	for c, g := range t.given {
		e := t.byCode[c]
		e.given = g
		t.byCode[c] = e
	}
	for c, d := range t.dim {
		e := t.byCode[c]
		e.dims = d
		t.byCode[c] = e
	}
	for c, o := range t.other {
		e := t.byCode[c]
		e.other = o
		t.byCode[c] = e
	}
	return t
}

func appendNew(dst []string, s ...string) []string {
	for _, x := range s {
		if !slices.Contains(dst, x) {
			dst = append(dst, x)
		}
	}
	return dst
}

// GivenNameForms returns what the curated table of given names knows of
// a given name (one word): its full forms in Ukrainian, Russian and other
// languages, and its diminutives. For a diminutive (Женя) it returns the
// forms of every name it may stand for (Євген, Євгенія). Both are nil
// for a name the table does not know.
func GivenNameForms(name string) (full, diminutives []string) {
	t := loadTables()
	var buf [1]string
	words := splitParts(Normalize(name), buf[:0])
	if len(words) != 1 {
		return nil, nil
	}
	var cbuf [numReadings][]byte
	var classes []uint32
	for _, c := range appendCodes(cbuf[:0], nil, truncatePart(words[0])) {
		e := t.byCode[string(c)]
		if e.given != 0 && t.forms[e.given] != nil && !containsID(classes, e.given) {
			classes = append(classes, e.given)
		}
		for _, d := range e.dims {
			if t.forms[d] != nil && !containsID(classes, d) {
				classes = append(classes, d)
			}
		}
	}
	for _, g := range classes {
		full = appendNew(full, t.forms[g].full...)
		diminutives = appendNew(diminutives, t.forms[g].dims...)
	}
	return full, diminutives
}

func containsID(s []uint32, v uint32) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
