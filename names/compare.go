package names

import (
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// Scores of each reason. They rank the reasons by how sure a caseworker
// can be that the two spellings are one name; the linkage engine learns
// its own weights from the reason, so only their order matters much.
const (
	scoreIdentical       = 1.0
	scoreNormalised      = 0.99
	scoreTransliteration = 0.97
	scoreEquivalent      = 0.95
	scoreDiminutive      = 0.92
	scorePhonetic        = 0.9
	scoreGenderForm      = 0.88
	scoreRuleEquivalent  = 0.86
	scoreTypo1           = 0.8
	scoreTypo2           = 0.7
	scoreTypo2Short      = 0.66

	scoreDistinctDiminutive = 0.75
	scoreDistinctGenderForm = 0.6
)

// Name is a name prepared for many comparisons: its normal form, parts,
// phonetic codes, classes and transliterations computed once. A Name is
// immutable and safe for concurrent use.
type Name struct {
	raw    string
	norm   string
	script Script
	parts  []part
	keys   []uint64

	// The Latin spellings of Cyrillic parts cost more than the rest of
	// Prepare together and only Latin–Cyrillic comparisons need them, so
	// they are computed on first use.
	transOnce sync.Once
}

// part is one word of a name (names split at spaces and hyphens).
type part struct {
	norm   string
	code   string // phonetic code (first reading)
	alts   string // codes of the other readings of a Latin part, each followed by '|'
	script Script
	hash   uint64
	given  uint32   // class of a full given name, 0 if unknown
	dims   []uint32 // classes this part is a diminutive of
	other  uint32   // class of a patronymic or surname with a Russian form
	trans  []translit
}

// translit is one Latin spelling of a Cyrillic part, by its first system.
type translit struct {
	hash uint64
	sys  uint8
}

// maxParts and maxPartLen bound the work on pathological input: no name
// has more parts, and the rest of a longer part is not compared.
const (
	maxParts   = 8
	maxPartLen = 64
)

// Prepare computes the forms of s used by CompareNames and Keys.
func Prepare(s string) *Name {
	t := loadTables()
	n := &Name{raw: s, norm: Normalize(s)}
	n.script = detectNormalized(n.norm, s)
	var buf [8]string
	words := splitParts(n.norm, buf[:0])
	if len(words) > maxParts {
		words = words[:maxParts]
	}
	n.parts = make([]part, len(words))
	var code []byte
	for i, w := range words {
		p := &n.parts[i]
		w = truncatePart(w)
		p.norm = w
		p.script = detectNormalized(w, w)
		if n.script == ScriptRussian && p.script == ScriptCyrillic && strings.ContainsAny(s, "ёЁ") {
			p.script = ScriptRussian
		}
		p.hash = hashString(0, w)
		var cbuf [numReadings][]byte
		codes := appendCodes(cbuf[:0], code[:0], w)
		p.code = string(codes[0])
		var alts []byte
		for _, c := range codes[1:] {
			alts = append(append(alts, c...), '|')
		}
		p.alts = string(alts)
		for _, c := range codes {
			e := t.byCode[string(c)]
			if p.given == 0 {
				p.given = e.given
			}
			if p.dims == nil {
				p.dims = e.dims
			}
			if p.other == 0 {
				p.other = e.other
			}
		}
	}
	n.keys = n.appendKeys(nil)
	return n
}

// transliterations returns the Cyrillic parts' Latin spellings by every
// system of their language, computing them once.
func (n *Name) transliterations() []part {
	n.transOnce.Do(func() {
		systems := Systems()
		for i := range n.parts {
			p := &n.parts[i]
			if !isCyrillicScript(p.script) {
				continue
			}
			for si, sys := range systems {
				if !sys.For(p.script) {
					continue
				}
				h := hashString(0, Normalize(sys.Transliterate(p.norm)))
				dup := false
				for _, x := range p.trans {
					dup = dup || x.hash == h
				}
				if !dup {
					p.trans = append(p.trans, translit{h, uint8(si)})
				}
			}
		}
	})
	return n.parts
}

// truncatePart cuts a part to at most maxPartLen bytes, at a rune boundary.
func truncatePart(w string) string {
	if len(w) <= maxPartLen {
		return w
	}
	i := maxPartLen
	for i > 0 && !utf8.RuneStart(w[i]) {
		i--
	}
	return w[:i]
}

func isCyrillicScript(s Script) bool {
	return s == ScriptUkrainian || s == ScriptRussian || s == ScriptCyrillic
}

// String returns the name as given to Prepare.
func (n *Name) String() string {
	if n == nil {
		return ""
	}
	return n.raw
}

// Normalized returns the normal form of the name (see Normalize).
func (n *Name) Normalized() string { return n.norm }

// Script returns the detected script of the name.
func (n *Name) Script() Script { return n.script }

// Keys returns the blocking keys of the name. The slice is shared: do not
// modify it.
func (n *Name) Keys() []uint64 {
	if n == nil {
		return nil
	}
	return n.keys
}

// Key tags keep the kinds of keys apart.
const (
	keySkeleton = 's'
	keyGiven    = 'g'
	keyOther    = 'o'
)

func (n *Name) appendKeys(dst []uint64) []uint64 {
	var sk [64]byte
	for i := range n.parts {
		p := &n.parts[i]
		dst = addKey(dst, hashBytes(keySkeleton, skeleton(sk[:0], []byte(p.code))))
		for alts := p.alts; alts != ""; {
			i := strings.IndexByte(alts, '|')
			dst = addKey(dst, hashBytes(keySkeleton, skeleton(sk[:0], []byte(alts[:i]))))
			alts = alts[i+1:]
		}
		if p.given != 0 {
			dst = addKey(dst, hashID(keyGiven, p.given))
		}
		for _, d := range p.dims {
			dst = addKey(dst, hashID(keyGiven, d))
		}
		if p.other != 0 {
			dst = addKey(dst, hashID(keyOther, p.other))
		}
	}
	return dst
}

// keyPrefix tags prefix keys; the length is hashed with them.
const keyPrefix = 'p'

// PrefixKeys appends to dst blocking keys made of the first length letters
// of each part's phonetic code, in every reading of the part, the first
// letter folded as Keys folds it (a vowel or й is one letter, з and ц are
// с). Spellings that differ only after those letters — a typo late in a
// surname, "Deis" for "Денис" — share a key that Keys would not give them.
// Keys are deduplicated; dst's own entries are kept as they are.
func (n *Name) PrefixKeys(dst []uint64, length int) []uint64 {
	if n == nil || length <= 0 {
		return dst
	}
	start := len(dst)
	add := func(code string) {
		if code == "" {
			return
		}
		k := prefixKey(code, length)
		for _, x := range dst[start:] {
			if x == k {
				return
			}
		}
		dst = append(dst, k)
	}
	for i := range n.parts {
		p := &n.parts[i]
		add(p.code)
		for alts := p.alts; alts != ""; {
			j := strings.IndexByte(alts, '|')
			add(alts[:j])
			alts = alts[j+1:]
		}
	}
	return dst
}

// prefixKey is the key of the first length letters of one non-empty
// phonetic code. SearchKeys and QueryKeys build on it, so their keys are
// PrefixKeys' keys and cannot drift from them.
func prefixKey(code string, length int) uint64 {
	var buf [16]byte
	b := buf[:0]
	c := code[0]
	if isVowelClass(c) || c == 'j' {
		c = 'a'
	} else {
		c = mergeClass(c)
	}
	b = append(b, c, byte(length))
	for i := 1; i < len(code) && i < length && len(b) < len(buf); i++ {
		b = append(b, code[i])
	}
	return hashBytes(keyPrefix, b)
}

func addKey(dst []uint64, k uint64) []uint64 {
	for _, x := range dst {
		if x == k {
			return dst
		}
	}
	return append(dst, k)
}

// Keys returns a small set of blocking keys for a name: every spelling of
// one name in this package's sense (transliterations, Russian forms,
// diminutives, gender forms) shares at least one key with the others.
func Keys(name string) []uint64 {
	return AppendKeys(nil, name)
}

var keyScratch = sync.Pool{New: func() any { return new(keyBuf) }}

type keyBuf struct {
	norm  []byte
	code  []byte
	sk    []byte
	codes [][]byte
}

// AppendKeys appends the blocking keys of name to dst. It allocates
// nothing when dst has room (its scratch space is pooled).
func AppendKeys(dst []uint64, name string) []uint64 {
	t := loadTables()
	kb := keyScratch.Get().(*keyBuf)
	defer keyScratch.Put(kb)
	var n string
	if isASCIILower(name) {
		n = name
	} else {
		kb.norm = appendNormalized(kb.norm[:0], name)
		n = unsafeString(kb.norm)
	}
	start := len(dst)
	add := func(k uint64) {
		for _, x := range dst[start:] {
			if x == k {
				return
			}
		}
		dst = append(dst, k)
	}
	i, parts := 0, 0
	for i < len(n) {
		j := i
		for j < len(n) && n[j] != ' ' && n[j] != '-' {
			j++
		}
		if j > i && parts < maxParts {
			parts++
			w := truncatePart(n[i:j])
			kb.codes = appendCodes(kb.codes[:0], kb.code[:0], w)
			for _, c := range kb.codes {
				kb.sk = skeleton(kb.sk[:0], c)
				add(hashBytes(keySkeleton, kb.sk))
				e := t.byCode[string(c)]
				if e.given != 0 {
					add(hashID(keyGiven, e.given))
				}
				for _, d := range e.dims {
					add(hashID(keyGiven, d))
				}
				if e.other != 0 {
					add(hashID(keyOther, e.other))
				}
			}
			if len(kb.codes) > 0 && cap(kb.codes[0]) > cap(kb.code) {
				kb.code = kb.codes[0][:0]
			}
		}
		i = j + 1
	}
	return dst
}

// Compare compares two names and says why they are alike. Scores by
// reason: identical 1, same after normalisation 0.99, transliteration by a
// named system 0.97, Ukrainian/Russian equivalent 0.95 (0.86 when only the
// regular і/е, -ов/-ев correspondence joins them), diminutive 0.92,
// phonetically close 0.9, gender form 0.88, typo 0.8 at distance 1 and 0.7
// at 2, different at most 0.6. When both are given names of their own (Алла
// and Аліна, Іван and Іванна) a diminutive scores 0.75 and a gender form
// 0.6. Multi-part names are compared part by part in any order; the
// reason is the weakest part's, the score the parts' mean, times 0.92 when
// one name has more parts.
//
// It is CompareNames on prepared names, kept in a small memo; use Prepare
// when one name is compared with many.
func Compare(a, b string) Similarity {
	if a == b {
		if strings.TrimSpace(a) == "" {
			return Similarity{}
		}
		return Similarity{Score: scoreIdentical, Reason: Identical}
	}
	return CompareNames(cachedPrepare(a), cachedPrepare(b))
}

// CompareNames compares two prepared names: the similarity of their parts
// (matched in any order, as lists put surnames first or last), with the
// reason of the weakest matched part.
func CompareNames(a, b *Name) Similarity {
	if a == nil || b == nil || len(a.parts) == 0 || len(b.parts) == 0 {
		return Similarity{}
	}
	if a.raw == b.raw {
		return Similarity{Score: scoreIdentical, Reason: Identical}
	}
	if a.norm == b.norm {
		return Similarity{Score: scoreNormalised, Reason: Normalised}
	}
	ap, bp := a.parts, b.parts
	if a.script == ScriptLatin && b.script != ScriptLatin {
		bp = b.transliterations()
	} else if b.script == ScriptLatin && a.script != ScriptLatin {
		ap = a.transliterations()
	} else if a.script == ScriptMixed || b.script == ScriptMixed {
		ap, bp = a.transliterations(), b.transliterations()
	}
	if len(ap) == 1 && len(bp) == 1 {
		return comparePart(&ap[0], &bp[0])
	}
	if len(ap) > len(bp) {
		ap, bp = bp, ap
	}
	best := assignParts(ap, bp)
	if len(ap) == len(bp) {
		// Greedy matching depends on which side leads: try both, so
		// that Compare is symmetric.
		if other := assignParts(bp, ap); other.Score > best.Score ||
			other.Score == best.Score && lessSimilarity(other, best) {
			best = other
		}
	}
	return best
}

func lessSimilarity(a, b Similarity) bool {
	if a.Reason != b.Reason {
		return a.Reason < b.Reason
	}
	if a.System != b.System {
		return a.System < b.System
	}
	return a.Distance < b.Distance
}

// assignParts matches each part of small with the most similar unmatched
// part of large, in order.
func assignParts(small, large []part) Similarity {
	var used uint64 // bit set of matched parts of large (names have few parts)
	total := 0.0
	worst := Similarity{Score: 2}
	for i := range small {
		best, bestJ := Similarity{Score: -1}, -1
		for j := range large {
			if j < 64 && used&(1<<uint(j)) != 0 {
				continue
			}
			s := comparePart(&small[i], &large[j])
			if s.Score > best.Score {
				best, bestJ = s, j
			}
		}
		if bestJ < 0 {
			break
		}
		if bestJ < 64 {
			used |= 1 << uint(bestJ)
		}
		total += best.Score
		if best.Score < worst.Score {
			worst = best
		}
	}
	worst.Score = total / float64(len(small))
	if worst.Reason == Identical {
		// Every part alike, but not the whole: order, hyphens or spaces.
		worst.Reason, worst.Score = Normalised, scoreNormalised
	}
	if len(small) != len(large) {
		// A part missing on one side (a second given name, one half of a
		// double surname) weakens but does not break the match.
		worst.Score *= 0.92
	}
	return worst
}

func comparePart(a, b *part) Similarity {
	if a.hash == b.hash && a.norm == b.norm {
		return Similarity{Score: scoreIdentical, Reason: Identical}
	}
	if a.script == ScriptLatin && isCyrillicScript(b.script) {
		if s, ok := b.transliteratedAs(a.hash); ok {
			return Similarity{Score: scoreTransliteration, Reason: Transliteration, System: s}
		}
	} else if b.script == ScriptLatin && isCyrillicScript(a.script) {
		if s, ok := a.transliteratedAs(b.hash); ok {
			return Similarity{Score: scoreTransliteration, Reason: Transliteration, System: s}
		}
	}
	sameCode := a.code == b.code || (a.alts != "" || b.alts != "") && anyCodes(a, b, func(x, y string) bool { return x == y })
	if sameCode {
		if isCyrillicScript(a.script) && isCyrillicScript(b.script) && a.script != b.script {
			return Similarity{Score: scoreEquivalent, Reason: Equivalent}
		}
		return Similarity{Score: scorePhonetic, Reason: Phonetic}
	}
	if a.given != 0 && a.given == b.given || a.other != 0 && a.other == b.other {
		return Similarity{Score: scoreEquivalent, Reason: Equivalent}
	}
	// Two different given names of their own (Алла and Аліна, whose Аля
	// sounds like Алла; Іван and Іванна) keep their reason but fall below
	// the scores of true spellings.
	distinct := a.given != b.given && curated(a.given) && curated(b.given)
	if dimOf(a, b) || dimOf(b, a) || sharesDim(a, b) {
		if distinct && !listedDiminutive(a, b) && !listedDiminutive(b, a) {
			return Similarity{Score: scoreDistinctDiminutive, Reason: Diminutive}
		}
		return Similarity{Score: scoreDiminutive, Reason: Diminutive}
	}
	if anyCodes(a, b, equalFoldSZ) {
		// German writes з as s: Besgubyj, Slatogurskaja.
		return Similarity{Score: scorePhonetic, Reason: Phonetic}
	}
	if !distinct && anyCodes(a, b, equalFoldIE) {
		// Ukrainian і is Russian е where both come from ѣ (Білецька,
		// Белецкая; Глібова, Глебова), and Ukrainian -ов is -ев after a
		// soft consonant in Russian (Кирпичов, Кирпичев).
		if isCyrillicScript(a.script) && isCyrillicScript(b.script) && a.script != b.script {
			return Similarity{Score: scoreRuleEquivalent, Reason: Equivalent}
		}
		return Similarity{Score: scoreRuleEquivalent, Reason: Phonetic}
	}
	if genderPair(a.code, b.code) || genderPair(b.code, a.code) ||
		patronymicPair(a.code, b.code) || patronymicPair(b.code, a.code) {
		if distinct {
			return Similarity{Score: scoreDistinctGenderForm, Reason: GenderForm}
		}
		return Similarity{Score: scoreGenderForm, Reason: GenderForm}
	}
	known := (a.given != 0 || len(a.dims) > 0) && (b.given != 0 || len(b.dims) > 0)
	jw := JaroWinkler(a.code, b.code)
	if known {
		// Two different known given names (Олена, Олеся) are different
		// names however close their letters are.
		return Similarity{Score: 0.4 * jw, Reason: Different}
	}
	d := distance(a.code, b.code)
	if a.alts != "" || b.alts != "" {
		anyCodes(a, b, func(x, y string) bool { d = min(d, distance(x, y)); return false })
	}
	if d > 1 {
		// A misspelt Russian form of a Ukrainian name (Екаерина,
		// Катерина): one slip from a form of the name is a typo of it.
		d = min(d, classDistance(a, b), classDistance(b, a))
	}
	short := min(len(a.code), len(b.code))
	switch {
	case d == 1 && short >= 4:
		return Similarity{Score: max(scoreTypo1, 0.6*jw), Reason: Typo, Distance: 1}
	case d == 2 && short >= 7:
		return Similarity{Score: max(scoreTypo2, 0.6*jw), Reason: Typo, Distance: 2}
	case d == 2 && short >= 5 && jw >= 0.85:
		// Two slips in a short name (Segei for Sergei, Сергій): a weaker
		// typo, still more than a different name.
		return Similarity{Score: scoreTypo2Short, Reason: Typo, Distance: 2}
	}
	return Similarity{Score: 0.6 * jw, Reason: Different}
}

// classDistance is the edit distance from a's code to the nearest code of
// the full forms of b's given name, when a is no known name and b is one
// (more than maxDistance otherwise).
func classDistance(a, b *part) int {
	if a.given != 0 || len(a.dims) > 0 || b.given == 0 {
		return maxDistance + 1
	}
	d := maxDistance + 1
	codes := loadTables().givenCodes
	if int(b.given) >= len(codes) {
		return d
	}
	for _, c := range codes[b.given] {
		if c != b.code && len(c)-len(a.code) <= 1 && len(a.code)-len(c) <= 1 {
			d = min(d, distance(a.code, c))
		}
	}
	return d
}

// equalFoldSZ reports whether two codes are equal when з is read as с.
func equalFoldSZ(x, y string) bool {
	if len(x) != len(y) {
		return false
	}
	for i := 0; i < len(x); i++ {
		a, b := x[i], y[i]
		if a == 'z' {
			a = 's'
		}
		if b == 'z' {
			b = 's'
		}
		if a != b {
			return false
		}
	}
	return true
}

// equalFoldIE reports whether two codes are equal when е is read as і
// (or и), з as с, and the -ов-/-ів- of surnames and patronymics as -ев-
// (Кирпичов, Кирпичев; Азадівна, Азадовна; -ійович, -иевич).
func equalFoldIE(x, y string) bool {
	if len(x) != len(y) {
		return false
	}
	for i := 0; i < len(x); i++ {
		a, b := x[i], y[i]
		if a == b {
			continue
		}
		a, b = foldIE(a), foldIE(b)
		if a == b {
			continue
		}
		if (a == 'o' && b == 'i' || a == 'i' && b == 'o') && i > 0 && vSuffix(x[i+1:]) {
			continue
		}
		return false
	}
	return true
}

func foldIE(c byte) byte {
	switch c {
	case 'e':
		return 'i'
	case 'z':
		return 's'
	}
	return c
}

// vSuffix reports whether rest is what follows the vowel of -ов, -ова,
// -овна, -ович (in code: v, va, vna, vix, vixa).
func vSuffix(rest string) bool {
	switch rest {
	case "v", "va", "vna", "vix", "vixa":
		return true
	}
	return false
}

// anyCodes calls f on pairs of codes of a and b until it returns true.
func anyCodes(a, b *part, f func(x, y string) bool) bool {
	ax := a.alts
	for x := a.code; ; {
		for bx, y := b.alts, b.code; ; {
			if f(x, y) {
				return true
			}
			if bx == "" {
				break
			}
			i := strings.IndexByte(bx, '|')
			y, bx = bx[:i], bx[i+1:]
		}
		if ax == "" {
			return false
		}
		i := strings.IndexByte(ax, '|')
		x, ax = ax[:i], ax[i+1:]
	}
}

func (p *part) transliteratedAs(h uint64) (string, bool) {
	for _, t := range p.trans {
		if t.hash == h {
			return Systems()[t.sys].Name, true
		}
	}
	return "", false
}

// curated reports whether a given-name class is one of data/given.tsv.
func curated(class uint32) bool {
	t := loadTables()
	return class != 0 && int(class) < len(t.names) && t.names[class] != ""
}

// listedDiminutive reports whether a is written exactly as a diminutive
// listed for b's name.
func listedDiminutive(a, b *part) bool {
	return containsID(loadTables().dimExact[a.norm], b.given)
}

func dimOf(a, b *part) bool {
	return b.given != 0 && containsID(a.dims, b.given)
}

func sharesDim(a, b *part) bool {
	for _, x := range a.dims {
		if containsID(b.dims, x) {
			return true
		}
	}
	return false
}

// patronymicPair reports whether f is the feminine form of the
// patronymic m, in phonetic code: Олександрович and Олександрівна or
// Александровна, Миколайович and Миколаївна (the children of one father).
func patronymicPair(m, f string) bool {
	for _, ms := range [...]string{"ovix", "evix", "ix"} {
		if !strings.HasSuffix(m, ms) || len(m) < len(ms)+3 {
			continue
		}
		stem := m[:len(m)-len(ms)]
		for _, fs := range [...]string{"ivna", "ovna", "evna", "ixna"} {
			if strings.HasSuffix(f, fs) && f[:len(f)-len(fs)] == stem {
				return true
			}
		}
	}
	return false
}

// genderPair reports whether f is the feminine form of the surname or
// given name m, in phonetic code: -ський/-ська/-ская (ski/ska), -ий/-а,
// -ой/-ая, -ов/-ова, -ін/-іна, Олександр/Олександра.
func genderPair(m, f string) bool {
	if len(f) < 4 || f[len(f)-1] != 'a' {
		return false
	}
	stem := f[:len(f)-1]
	if isVowelClass(stem[len(stem)-1]) {
		return false
	}
	if m == stem {
		return true
	}
	return len(m) == len(stem)+1 && m[:len(stem)] == stem && (m[len(stem)] == 'i') ||
		len(m) == len(stem)+2 && m[:len(stem)] == stem && m[len(stem):] == "oi"
}

// unsafeString views b as a string without copying; the caller must not
// change b while the string is in use.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
