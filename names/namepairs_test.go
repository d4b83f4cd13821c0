package names

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"unicode"
)

// The name-pair benchmark. True pairs: a Ukrainian name and its other
// spellings — Russian forms, Latin forms by the passport and foreign
// systems (of the Ukrainian and of the Russian form), diminutives, gender
// forms of surnames, capitals and look-alike letters. False pairs: each
// name against the most similar-looking different name of the same kind
// (and their Latin forms). Names: the given names of data/given.tsv and
// samples of 3,153 surnames and 757 patronymics of names-translator
// (testdata/surnames.tsv, testdata/patronymics.tsv). Out of sample, pairs
// of its legacy pool, which no table embeds (testdata/legacy_sample.tsv).
//
// Run: go test ./names -run TestNamePairBenchmark -v

type namePair struct {
	a, b string
	kind string // what makes a true pair true, or "false:…"
}

var benchUKSystems = []string{"ua_2010", "ua_1996", "ua_2007", "icao_9303_uk", "bgn_pcgn_1965", "en_uk", "de_uk", "pl_uk", "fr_uk"}
var benchRUSystems = []string{"icao_doc_9303", "mvd_782", "mvd_310", "bgn_pcgn", "gost_779_alt", "wikipedia", "de_ru", "mvd_310_fr"}

func title(s string) string {
	rs := []rune(s)
	for i, r := range rs {
		if i == 0 || rs[i-1] == '-' || rs[i-1] == ' ' {
			rs[i] = unicode.ToUpper(r)
		}
	}
	return string(rs)
}

type benchName struct {
	uk   string
	ru   []string
	lat  []string
	dims []string
	kind string // "given" or "surname"
}

func loadBenchNames(t testing.TB) []benchName {
	var out []benchName
	sc := bufio.NewScanner(bytes.NewReader(givenTSV))
	seen := map[string]bool{}
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		col := strings.Split(line, "\t")
		uk := strings.Fields(col[1])
		if seen[uk[0]] {
			continue
		}
		seen[uk[0]] = true
		n := benchName{uk: uk[0], kind: "given"}
		n.ru = append(n.ru, strings.Fields(col[2])...)
		n.ru = append(n.ru, uk[1:]...)
		n.lat = strings.Fields(col[3])
		n.dims = append(strings.Fields(col[4]), strings.Fields(col[5])...)
		out = append(out, n)
	}
	for _, file := range [][2]string{{"testdata/surnames.tsv", "surname"}, {"testdata/patronymics.tsv", "patronymic"}} {
		data, err := os.ReadFile(file[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if line == "" || line[0] == '#' {
				continue
			}
			col := strings.Split(line, "\t")
			n := benchName{uk: title(col[0]), kind: file[1]}
			for _, r := range strings.Fields(col[1]) {
				if !strings.EqualFold(r, col[0]) {
					n.ru = append(n.ru, r)
				}
			}
			out = append(out, n)
		}
	}
	return out
}

// feminine gives the feminine form of a Ukrainian masculine surname, or "".
func feminine(s string) string {
	for _, e := range [][2]string{{"ський", "ська"}, {"цький", "цька"}, {"зький", "зька"}, {"ий", "а"}, {"ов", "ова"}, {"ев", "ева"}, {"єв", "єва"}, {"ін", "іна"}, {"ин", "ина"}} {
		if strings.HasSuffix(s, e[0]) && len([]rune(s)) > 4 {
			return strings.TrimSuffix(s, e[0]) + e[1]
		}
	}
	return ""
}

func buildNamePairs(t testing.TB) []namePair {
	names := loadBenchNames(t)
	var pairs []namePair
	tr := func(sys, s string) string {
		out, ok := Transliterate(s, sys)
		if !ok {
			t.Fatalf("no system %s", sys)
		}
		return out
	}
	for _, n := range names {
		add := func(b, kind string) {
			if b != "" && b != n.uk {
				pairs = append(pairs, namePair{n.uk, b, kind})
			}
		}
		add(strings.ToUpper(n.uk), "capitals")
		add(strings.ReplaceAll(strings.ReplaceAll(n.uk, "о", "o"), "а", "a"), "look-alike letters")
		for _, sys := range benchUKSystems {
			add(tr(sys, n.uk), "uk latin "+sys)
		}
		for _, ru := range n.ru {
			add(ru, "russian form")
			for _, sys := range benchRUSystems {
				add(tr(sys, ru), "ru latin "+sys)
			}
		}
		for _, l := range n.lat {
			add(l, "foreign form")
		}
		for _, d := range n.dims {
			add(d, "diminutive")
		}
		if n.kind == "surname" {
			if f := feminine(n.uk); f != "" {
				add(f, "gender form")
				add(tr("ua_2010", f), "gender form latin")
			}
		}
	}
	// False pairs: each name and its nearest different name of the same
	// kind, as written and in Latin letters.
	// Two names are the same name when they share a written form or one is
	// the other's feminine form.
	forms := make(map[string]map[string]bool, len(names))
	formsOf := func(a benchName) map[string]bool {
		if f, ok := forms[a.uk]; ok {
			return f
		}
		f := map[string]bool{strings.ToLower(a.uk): true}
		for _, x := range append(append(append([]string{}, a.ru...), a.lat...), a.dims...) {
			f[strings.ToLower(x)] = true
		}
		forms[a.uk] = f
		return f
	}
	fem := map[string]string{}
	for _, n := range names {
		fem[n.uk] = feminine(n.uk)
	}
	same := func(a, b benchName) bool {
		fa, fb := formsOf(a), formsOf(b)
		if len(fb) < len(fa) {
			fa, fb = fb, fa
		}
		for f := range fa {
			if fb[f] {
				return true
			}
		}
		return fem[a.uk] == b.uk || fem[b.uk] == a.uk || fem[a.uk] != "" && fem[a.uk] == fem[b.uk]
	}
	byKind := map[string][]benchName{}
	for _, n := range names {
		byKind[n.kind] = append(byKind[n.kind], n)
	}
	for kind, group := range byKind {
		if kind == "patronymic" {
			// The patronymic pool spells one patronymic many ways under
			// different keys (Валерьєвич, Валеріївич), so a nearest other
			// key is no reliable negative: patronymics give true pairs only.
			continue
		}
		lower := make([]string, len(group))
		byFirst := map[rune][]int{}
		for i, n := range group {
			lower[i] = strings.ToLower(n.uk)
			r := []rune(lower[i])[0]
			byFirst[r] = append(byFirst[r], i)
		}
		for i, a := range group {
			best, bestJ := -1.0, -1
			// Names of similar shape begin alike: look among those.
			for _, j := range byFirst[[]rune(lower[i])[0]] {
				b := group[j]
				if i == j || same(a, b) {
					continue
				}
				if s := JaroWinkler(lower[i], lower[j]); s > best {
					best, bestJ = s, j
				}
			}
			if bestJ < 0 {
				continue
			}
			b := group[bestJ]
			pairs = append(pairs,
				namePair{a.uk, b.uk, "false: nearest name"},
				namePair{a.uk, tr("ua_2010", b.uk), "false: nearest name in KMU 2010"},
				namePair{tr("en_uk", a.uk), tr("icao_9303_uk", b.uk), "false: nearest name, both Latin"})
			if len(b.ru) > 0 {
				pairs = append(pairs, namePair{a.uk, b.ru[0], "false: nearest name's Russian form"})
			}
		}
	}
	return pairs
}

type benchFigures struct {
	truePairs, falsePairs int
	threshold             float64
	recall, falseRate     float64
	keyRecall             float64
	falseKeyShare         float64
	keysPerName           float64
	missed                []string
	falsePassed           []string
	legacyPairs           int
	legacyRecall          float64
	legacyKeyRecall       float64
	legacyMissed          []string
}

func runNamePairBenchmark(t testing.TB) benchFigures {
	pairs := buildNamePairs(t)
	cache := map[string]*Name{}
	prep := func(s string) *Name {
		if n, ok := cache[s]; ok {
			return n
		}
		n := Prepare(s)
		cache[s] = n
		return n
	}
	var trueScores, falseScores []float64
	var f benchFigures
	keyHits, falseKeyHits := 0, 0
	type scored struct {
		p namePair
		s Similarity
	}
	var trues []scored
	for _, p := range pairs {
		a, b := prep(p.a), prep(p.b)
		s := CompareNames(a, b)
		shares := sharesKey(a.Keys(), b.Keys())
		if strings.HasPrefix(p.kind, "false") {
			falseScores = append(falseScores, s.Score)
			if s.Score > 0.8 && len(f.falsePassed) < 400 {
				f.falsePassed = append(f.falsePassed, fmt.Sprintf("false pair scores %.3f (%s): %s / %s (%s)", s.Score, s.Explain(), p.a, p.b, p.kind))
			}
			if shares {
				falseKeyHits++
			}
			continue
		}
		trueScores = append(trueScores, s.Score)
		trues = append(trues, scored{p, s})
		if shares {
			keyHits++
		} else if len(f.missed) < 30 {
			f.missed = append(f.missed, fmt.Sprintf("no shared key: %s / %s (%s)", p.a, p.b, p.kind))
		}
	}
	sort.Float64s(falseScores)
	// The threshold: the lowest score that at most 1% of false pairs reach.
	allowed := len(falseScores) / 100
	f.threshold = falseScores[len(falseScores)-1-allowed] + 1e-9
	passFalse := 0
	for _, s := range falseScores {
		if s >= f.threshold {
			passFalse++
		}
	}
	pass := 0
	for _, ts := range trues {
		if ts.s.Score >= f.threshold {
			pass++
		} else if len(f.missed) < 60 {
			f.missed = append(f.missed, fmt.Sprintf("below threshold: %s / %s (%s): %.3f %v", ts.p.a, ts.p.b, ts.p.kind, ts.s.Score, ts.s.Reason))
		}
	}
	f.truePairs, f.falsePairs = len(trueScores), len(falseScores)
	f.recall = float64(pass) / float64(len(trueScores))
	f.falseRate = float64(passFalse) / float64(len(falseScores))
	f.keyRecall = float64(keyHits) / float64(len(trueScores))
	f.falseKeyShare = float64(falseKeyHits) / float64(len(falseScores))
	// Out of sample: pairs of the legacy pool, which no table embeds.
	data, err := os.ReadFile("testdata/legacy_sample.tsv")
	if err != nil {
		t.Fatal(err)
	}
	lpass, lkeys := 0, 0
	for _, line := range strings.Split(string(data), "\n") {
		a, b, ok := strings.Cut(line, "\t")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		f.legacyPairs++
		x, y := Prepare(a), Prepare(b)
		s := CompareNames(x, y)
		if s.Score >= f.threshold {
			lpass++
		} else if len(f.legacyMissed) < 20 {
			f.legacyMissed = append(f.legacyMissed, fmt.Sprintf("legacy pair below threshold: %s / %s: %.3f %s", a, b, s.Score, s.Explain()))
		}
		if sharesKey(x.Keys(), y.Keys()) {
			lkeys++
		}
	}
	f.legacyRecall = float64(lpass) / float64(f.legacyPairs)
	f.legacyKeyRecall = float64(lkeys) / float64(f.legacyPairs)
	keys := 0
	for _, n := range cache {
		keys += len(n.Keys())
	}
	f.keysPerName = float64(keys) / float64(len(cache))
	return f
}

func sharesKey(a, b []uint64) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

func TestNamePairBenchmark(t *testing.T) {
	if testing.Short() {
		t.Skip("name-pair benchmark skipped in -short mode")
	}
	f := runNamePairBenchmark(t)
	t.Logf("true pairs %d, false pairs %d", f.truePairs, f.falsePairs)
	t.Logf("threshold %.4f: recall %.4f at false-pair rate %.4f", f.threshold, f.recall, f.falseRate)
	t.Logf("key recall %.4f (false pairs sharing a key %.4f), keys per name %.2f", f.keyRecall, f.falseKeyShare, f.keysPerName)
	t.Logf("out of sample (%d legacy uk→ru pairs, not embedded): recall %.4f at that threshold, key recall %.4f", f.legacyPairs, f.legacyRecall, f.legacyKeyRecall)
	if testing.Verbose() {
		for _, m := range f.legacyMissed {
			t.Log(m)
		}
		for _, m := range f.missed {
			t.Log(m)
		}
		for _, m := range f.falsePassed {
			t.Log(m)
		}
	}
	if f.recall < 0.97 {
		t.Errorf("recall %.4f at ≤1%% false pairs, want ≥ 0.97", f.recall)
	}
	if f.falseRate > 0.01 {
		t.Errorf("false-pair rate %.4f, want ≤ 0.01", f.falseRate)
	}
	if f.keyRecall < 0.99 {
		t.Errorf("key recall %.4f, want ≥ 0.99", f.keyRecall)
	}
}
