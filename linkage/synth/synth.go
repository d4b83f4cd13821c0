// Package synth generates a synthetic corpus for testing and benchmarking the
// linkage engine: Ukrainian children reported missing by their families, and
// located records from the other side with the distortions real lists carry
// (Russian forms of names, Latin spellings by several systems, diminutives,
// replaced surnames, altered or missing birth dates, rewritten birthplaces,
// typos, split siblings), plus look-alike non-matches, with the ground truth.
//
// Every person in it is invented. It must never be fed real records, and its
// output must never be mistaken for real data: identifiers start with
// "SYN-".
package synth

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Header is the columns of both files: the built-in person model's fields,
// plus the family a record belongs to as its source knows it (for sibling
// evidence; not ground truth: located families are the source's grouping).
var Header = []string{"id", "given_name", "family_name", "patronymic", "sex", "birth_date", "birth_place", "family"}

// Config sizes the corpus.
type Config struct {
	Reports int // reports of missing children
	Located int // located records, matches and others
	// MatchShare is the share of reported families whose children appear
	// among the located records (default 0.6); each such child appears with
	// probability 0.9, so siblings are sometimes split.
	MatchShare float64
	Seed       uint64
}

// Corpus is the generated data.
type Corpus struct {
	Reports [][]string
	Located [][]string
	// Truth pairs report ids with located ids of the same child.
	Truth [][2]string
}

// child is a person of the synthetic population.
type child struct {
	male   bool
	given  *givenName
	root   int // surname root
	suffix int
	father int
	year   int
	month  int
	day    int
	place  int
	family int
}

type gen struct {
	rng      *rand.Rand
	boyCum   []int
	girlCum  []int
	rootYery []bool
	nextLoc  int
	nextFam  int
	surnames *surnamePool
	places   *settlements
}

func cumulative(ws []int) []int {
	out := make([]int, len(ws))
	s := 0
	for i, w := range ws {
		s += w
		out[i] = s
	}
	return out
}

func (g *gen) pickWeighted(cum []int) int {
	x := g.rng.IntN(cum[len(cum)-1])
	lo, hi := 0, len(cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

// Generate builds a corpus. It is deterministic for a configuration.
func Generate(cfg Config) *Corpus {
	if cfg.MatchShare <= 0 {
		cfg.MatchShare = 0.6
	}
	g := &gen{rng: rand.New(rand.NewPCG(cfg.Seed, 0xc0ffee))}
	var bw, gw []int
	for _, n := range boys {
		bw = append(bw, n.weight)
	}
	for _, n := range girls {
		gw = append(gw, n.weight)
	}
	g.boyCum, g.girlCum = cumulative(bw), cumulative(gw)
	g.surnames = newSurnamePool(g)
	g.places = thePlaces()
	for range g.surnames.roots {
		g.rootYery = append(g.rootYery, g.chance(0.3))
	}
	c := &Corpus{}
	// Reported families first.
	for len(c.Reports) < cfg.Reports {
		fam := g.family()
		matched := g.chance(cfg.MatchShare)
		for _, ch := range fam {
			if len(c.Reports) >= cfg.Reports {
				break
			}
			rid := fmt.Sprintf("SYN-R%07d", len(c.Reports)+1)
			c.Reports = append(c.Reports, g.report(rid, ch))
			if matched && g.chance(0.9) && len(c.Located) < cfg.Located {
				lid := g.locID()
				c.Located = append(c.Located, g.located(lid, ch))
				c.Truth = append(c.Truth, [2]string{rid, lid})
			}
			// A look-alike: a namesake of the same age from elsewhere, or an
			// unreported sibling of the same family.
			if g.chance(0.15) && len(c.Located) < cfg.Located {
				c.Located = append(c.Located, g.located(g.locID(), g.lookAlike(ch)))
			}
		}
	}
	// Everyone else the other side lists.
	for len(c.Located) < cfg.Located {
		for _, ch := range g.family() {
			if len(c.Located) >= cfg.Located {
				break
			}
			c.Located = append(c.Located, g.located(g.locID(), ch))
		}
	}
	// Shuffle the located list so order says nothing; ids were drawn in
	// creation order, so renumber after shuffling to hide that too.
	g.rng.Shuffle(len(c.Located), func(i, j int) { c.Located[i], c.Located[j] = c.Located[j], c.Located[i] })
	rename := make(map[string]string, len(c.Truth))
	for i, row := range c.Located {
		id := fmt.Sprintf("SYN-L%07d", i+1)
		rename[row[0]] = id
		row[0] = id
	}
	for i := range c.Truth {
		c.Truth[i][1] = rename[c.Truth[i][1]]
	}
	return c
}

func (g *gen) locID() string {
	g.nextLoc++
	return "tmp" + strconv.Itoa(g.nextLoc)
}

// family draws one to four children sharing surname, father and birthplace.
func (g *gen) family() []*child {
	g.nextFam++
	n := 1
	switch x := g.rng.Float64(); {
	case x < 0.25:
		n = 2
	case x < 0.32:
		n = 3
	case x < 0.34:
		n = 4
	}
	root, suf := g.surnames.pick(g)
	father := g.rng.IntN(len(fathers))
	pl := g.pickWeighted(g.places.cum)
	var out []*child
	for i := 0; i < n; i++ {
		ch := &child{root: root, suffix: suf, father: father, place: pl, family: g.nextFam}
		if i > 0 && g.chance(0.08) {
			// Twins.
			prev := out[i-1]
			ch.year, ch.month, ch.day = prev.year, prev.month, prev.day
		} else {
			ch.year = 2006 + g.rng.IntN(18)
			ch.month = 1 + g.rng.IntN(12)
			ch.day = 1 + g.rng.IntN(daysIn(ch.year, ch.month))
		}
		g.name(ch, out)
		out = append(out, ch)
	}
	return out
}

func (g *gen) name(ch *child, siblings []*child) {
	for {
		ch.male = g.chance(0.51)
		if ch.male {
			ch.given = &boys[g.pickWeighted(g.boyCum)]
		} else {
			ch.given = &girls[g.pickWeighted(g.girlCum)]
		}
		clash := false
		for _, s := range siblings {
			if s.given == ch.given {
				clash = true
			}
		}
		if !clash {
			return
		}
	}
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// lookAlike is a different child who resembles ch: a sibling nobody
// reported, or a namesake born the same year.
func (g *gen) lookAlike(ch *child) *child {
	o := *ch
	g.nextFam++
	if g.chance(0.5) {
		g.name(&o, []*child{ch})
		o.year = ch.year + g.rng.IntN(5) - 2
		if o.year == ch.year {
			o.year++
		}
		o.month = 1 + g.rng.IntN(12)
		o.day = 1 + g.rng.IntN(daysIn(o.year, o.month))
		return &o
	}
	o.family = g.nextFam
	o.father = g.rng.IntN(len(fathers))
	o.place = g.pickWeighted(g.places.cum)
	o.month = 1 + g.rng.IntN(12)
	o.day = 1 + g.rng.IntN(daysIn(o.year, o.month))
	return &o
}

func (g *gen) surnameUK(ch *child) string {
	s := surnameSuffixes[ch.suffix]
	if ch.male {
		return g.surnames.roots[ch.root] + s.ukM
	}
	return g.surnames.roots[ch.root] + s.ukF
}

func (g *gen) surnameRU(ch *child) string {
	s := surnameSuffixes[ch.suffix]
	r := russianForm(g.surnames.roots[ch.root], g.rootYery[ch.root])
	if ch.male {
		return r + s.ruM
	}
	return r + s.ruF
}

func sexCode(male bool) string {
	if male {
		return "m"
	}
	return "f"
}

// report renders a child as a family reports it: Ukrainian forms, mostly
// complete.
func (g *gen) report(id string, ch *child) []string {
	given := ch.given.uk
	if g.chance(0.04) && len(ch.given.dimUK) > 0 {
		given = ch.given.dimUK[g.rng.IntN(len(ch.given.dimUK))]
	}
	f := fathers[ch.father]
	patr := f.ukM
	if !ch.male {
		patr = f.ukF
	}
	if g.chance(0.15) {
		patr = ""
	}
	sex := sexCode(ch.male)
	if g.chance(0.05) {
		sex = ""
	}
	date := fmt.Sprintf("%02d.%02d.%04d", ch.day, ch.month, ch.year)
	switch x := g.rng.Float64(); {
	case x < 0.03:
		date = strconv.Itoa(ch.year)
	case x < 0.05:
		date = ""
	}
	pl := &g.places.list[ch.place]
	var place string
	switch x := g.rng.Float64(); {
	case x < 0.5:
		place = fmt.Sprintf("%s %s, %s", pl.ukKind, pl.uk, oblastNames[pl.oblast].ukShort)
	case x < 0.7:
		place = fmt.Sprintf("%s %s, %s р-н, %s", pl.ukKind, pl.uk, pl.raionUK, oblastNames[pl.oblast].ukShort)
	case x < 0.88:
		place = pl.uk
	}
	return []string{id, given, g.surnameUK(ch), patr, sex, date, place, "F" + strconv.Itoa(ch.family)}
}

// located renders a child as the other side's lists record it.
func (g *gen) located(id string, ch *child) []string {
	f := fathers[ch.father]
	var given, family, patr string
	form := g.rng.Float64()
	switch {
	case form < 0.55: // Russian Cyrillic
		given, family = ch.given.ru, g.surnameRU(ch)
		patr = f.ruM
		if !ch.male {
			patr = f.ruF
		}
		if g.chance(0.1) && len(ch.given.dimRU) > 0 {
			given = ch.given.dimRU[g.rng.IntN(len(ch.given.dimRU))]
		}
	case form < 0.8: // Ukrainian Cyrillic
		given, family = ch.given.uk, g.surnameUK(ch)
		patr = f.ukM
		if !ch.male {
			patr = f.ukF
		}
		if g.chance(0.08) && len(ch.given.dimUK) > 0 {
			given = ch.given.dimUK[g.rng.IntN(len(ch.given.dimUK))]
		}
	default: // Latin, from either language
		sys := []*system{&kmu2010, &ukLegacy, &icaoRU, &bgnRU}[g.rng.IntN(4)]
		if sys == &kmu2010 || sys == &ukLegacy {
			given, family = sys.translit(ch.given.uk), sys.translit(g.surnameUK(ch))
			patr = ""
		} else {
			given, family = sys.translit(ch.given.ru), sys.translit(g.surnameRU(ch))
			patr = ""
		}
	}
	if g.chance(0.3) {
		patr = ""
	}
	if g.chance(0.08) {
		// Adopted or registered under another surname.
		o := *ch
		o.root, o.suffix = g.surnames.pick(g)
		family = g.surnameRU(&o)
	}
	if g.chance(0.06) {
		given = g.typo(given)
	}
	if g.chance(0.06) {
		family = g.typo(family)
	}
	if g.chance(0.02) {
		given, family = family, given
	}
	if g.chance(0.02) {
		given = strings.ToUpper(given)
		family = strings.ToUpper(family)
	}
	sex := sexCode(ch.male)
	if g.chance(0.1) {
		sex = ""
	}
	y, m, d := ch.year, ch.month, ch.day
	date := ""
	switch x := g.rng.Float64(); {
	case x < 0.68:
		date = fmtDate(g, y, m, d)
	case x < 0.73:
		d += 1 - 2*g.rng.IntN(2)
		if d < 1 || d > daysIn(y, m) {
			d = ch.day
		}
		date = fmtDate(g, y, m, d)
	case x < 0.77:
		if d <= 12 {
			m, d = d, m
		}
		date = fmtDate(g, y, m, d)
	case x < 0.82:
		date = fmtDate(g, y+1-2*g.rng.IntN(2), m, min(d, 28))
	case x < 0.86:
		m += 1 - 2*g.rng.IntN(2)
		if m < 1 || m > 12 {
			m = ch.month
		}
		date = fmtDate(g, y, m, min(d, 28))
	case x < 0.90:
		date = strconv.Itoa(y)
	case x < 0.94:
		date = ""
	default:
		// A typed digit wrong.
		s := []byte(fmt.Sprintf("%04d%02d%02d", y, m, d))
		i := 2 + g.rng.IntN(6)
		s[i] = byte('0' + g.rng.IntN(10))
		date = fmt.Sprintf("%s-%s-%s", s[:4], s[4:6], s[6:])
	}
	pl := &g.places.list[ch.place]
	ob := oblastNames[pl.oblast]
	place := ""
	switch x := g.rng.Float64(); {
	case x < 0.25:
	case x < 0.55:
		place = fmt.Sprintf("%s %s, %s", pl.ruKind, pl.ru, ob.ruShort)
	case x < 0.7:
		place = pl.ru
	case x < 0.8:
		place = ob.ru
	case x < 0.9:
		place = fmt.Sprintf("%s, %s", pl.lat, ob.lat)
	case x < 0.95:
		place = fmt.Sprintf("%s %s, %s р-н, %s", pl.ukKind, pl.uk, pl.raionUK, ob.ukShort)
	default:
		o := g.places.list[g.pickWeighted(g.places.cum)]
		place = o.ru
	}
	// The other side groups children its own way: an opaque number.
	return []string{id, given, family, patr, sex, date, place, fmt.Sprintf("G%08x", uint32(ch.family)*2654435761)}
}

func fmtDate(g *gen, y, m, d int) string {
	if g.chance(0.5) {
		return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
	}
	return fmt.Sprintf("%02d.%02d.%04d", d, m, y)
}

// typo makes one keyboard-style error: a letter dropped, doubled, replaced
// by a neighbour in the word, or two letters exchanged.
func (g *gen) typo(s string) string {
	r := []rune(s)
	if len(r) < 3 {
		return s
	}
	i := 1 + g.rng.IntN(len(r)-2)
	switch g.rng.IntN(4) {
	case 0:
		r = append(r[:i], r[i+1:]...)
	case 1:
		r = append(r[:i+1], r[i:]...)
	case 2:
		r[i] = r[g.rng.IntN(len(r))]
	default:
		r[i], r[i+1] = r[i+1], r[i]
	}
	return string(r)
}
