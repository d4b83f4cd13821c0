package linkage

import (
	"math"
	"strings"

	"github.com/homeward-project/homeward/names"
)

// comparator is a compiled comparison: levels as codes, weights as a table,
// columns as indexes.
type comparator struct {
	c        *Comparison
	col      int // index into the model's fields
	swapCol  int // -1 without a swap field
	when     []uint8
	thr      []float64
	reasons  []uint16 // bit set of names.Reason per level
	weights  []float64
	m        []float64
	tfLevel  []bool
	tfScale  []float64 // per level: what the value frequency is multiplied by to give u
	tf       []float32 // value id → relative frequency of its normalised form
	tfVals   *values   // the table tf is indexed by
	tfMinU   float64
	maxW     float64 // the most a pair can gain from this comparison
	maxPlain float64 // the same over levels without term-frequency adjustment
	cost     int
	usesName bool
}

const (
	cMissing uint8 = iota
	cExact
	cNormalised
	cReason
	cScore
	cJaroWinkler
	cLevenshtein
	cSwapped
	cLocalPart
	cDayOffset
	cDayMonthSwapped
	cSameMonth
	cMonthOffset
	cSameYear
	cYearOffset
	cAgeWindow
	cYearOffsetSameDay
	cMonthOffsetSameDay
	cSameSettlement
	cSameRaion
	cSameOblast
	cSameOblastNoSettlement
	cAbsDiff
	cRelDiff
	cElse
)

var whenCode = map[string]uint8{
	WhenMissing: cMissing, WhenExact: cExact, WhenNormalised: cNormalised, WhenReason: cReason,
	WhenScore: cScore, WhenJaroWinkler: cJaroWinkler, WhenLevenshtein: cLevenshtein,
	WhenSwapped: cSwapped, WhenLocalPart: cLocalPart, WhenDayOffset: cDayOffset,
	WhenDayMonthSwapped: cDayMonthSwapped, WhenSameMonth: cSameMonth, WhenMonthOffset: cMonthOffset,
	WhenSameYear: cSameYear, WhenYearOffset: cYearOffset, WhenAgeWindow: cAgeWindow,
	WhenYearOffsetSameDay: cYearOffsetSameDay, WhenMonthOffsetSameDay: cMonthOffsetSameDay,
	WhenSameSettlement: cSameSettlement, WhenSameRaion: cSameRaion, WhenSameOblast: cSameOblast,
	WhenSameOblastNoSettlement: cSameOblastNoSettlement,
	WhenAbsDiff:                cAbsDiff, WhenRelDiff: cRelDiff, WhenElse: cElse,
}

var reasonCode = map[string]names.Reason{
	"identical": names.Identical, "normalised": names.Normalised, "transliteration": names.Transliteration,
	"equivalent": names.Equivalent, "diminutive": names.Diminutive, "gender_form": names.GenderForm,
	"phonetic": names.Phonetic, "typo": names.Typo,
}

func compileComparison(c *Comparison, fields []string) *comparator {
	k := &comparator{c: c, col: indexOf(fields, c.Field), swapCol: -1, tfMinU: c.TFMinimumU}
	if c.SwapField != "" {
		k.swapCol = indexOf(fields, c.SwapField)
	}
	if k.tfMinU == 0 {
		k.tfMinU = 1e-4
	}
	for _, l := range c.Levels {
		k.when = append(k.when, whenCode[l.When])
		k.thr = append(k.thr, l.Threshold)
		var mask uint16
		for _, r := range l.Reasons {
			mask |= 1 << reasonCode[r]
		}
		k.reasons = append(k.reasons, mask)
		k.tfLevel = append(k.tfLevel, l.TFAdjust || l.TFRelative)
	}
	switch c.Kind {
	case KindName, KindPlace:
		k.cost, k.usesName = 3, true
	case KindString:
		k.cost = 2
	default:
		k.cost = 1
	}
	k.setWeights()
	return k
}

// setWeights refreshes the weight table from the comparison's m and u.
func (k *comparator) setWeights() {
	k.weights = k.weights[:0]
	k.m = k.m[:0]
	k.tfScale = k.tfScale[:0]
	k.maxW, k.maxPlain = 0, 0
	u0 := k.tfPriorU()
	for i := range k.c.Levels {
		l := &k.c.Levels[i]
		w := l.Weight()
		m := l.M
		if l.Conditional && m > 0 && l.U > 0 {
			m = 1
			w = math.Log2(1 / l.U)
		}
		k.weights = append(k.weights, w)
		k.m = append(k.m, m)
		scale := 1.0
		if l.TFRelative && l.U > 0 && u0 > 0 {
			scale = l.U / u0
		}
		k.tfScale = append(k.tfScale, scale)
		if !k.tfLevel[i] {
			k.maxPlain = max(k.maxPlain, w)
		}
		if k.tfLevel[i] && m > 0 {
			w = max(w, math.Log2(m/(k.tfMinU*scale)))
		}
		k.maxW = max(k.maxW, w)
	}
}

// maxFor is the most a pair whose left value is a can gain from this
// comparison. A term-frequency weight uses the larger of the two values'
// frequencies, so a's frequency bounds it: a common name cannot weigh like
// a rare one, whatever it meets.
func (k *comparator) maxFor(a ref) float64 {
	if a.blank() {
		return max(0, k.weights[len(k.weights)-1])
	}
	if k.tf == nil {
		return k.maxW
	}
	w := k.maxPlain
	u := max(k.freq(a), k.tfMinU)
	for i, tf := range k.tfLevel {
		if tf && k.m[i] > 0 {
			w = max(w, math.Log2(k.m[i]/(u*k.tfScale[i])))
		} else if tf {
			w = max(w, k.weights[i])
		}
	}
	return w
}

func indexOf(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return -1
}

// side is one value of one record for a comparison: the table it lives in
// and its id there.
type ref struct {
	t  *values
	id uint32
}

func (r ref) blank() bool { return r.id == 0 }

func (r ref) same(o ref) bool {
	if r.t == o.t {
		return r.id == o.id
	}
	return r.t.strs[r.id] == o.t.strs[o.id]
}

// simCache remembers name similarities between value ids of the shared
// table, because the same pairs of names recur across millions of pairs. It
// is direct-mapped: bounded, allocation-free, and a miss only costs a
// comparison.
type simCache struct {
	slots  []simSlot
	places map[uint64]uint8 // place level by value pair (one place comparison per model)
}

type simSlot struct {
	key uint64 // a.id<<32 | b.id, +1 so that the zero slot is empty
	sim sim
}

type sim struct {
	score  float32
	reason names.Reason
}

const simSlots = 1 << 20

func newSimCache() *simCache { return &simCache{slots: make([]simSlot, simSlots)} }

func (s *simCache) compare(a, b ref) sim {
	if s == nil || a.t != b.t {
		r := names.CompareNames(a.t.names[a.id], b.t.names[b.id])
		return sim{float32(r.Score), r.Reason}
	}
	key := (uint64(a.id)<<32 | uint64(b.id)) + 1
	slot := &s.slots[mix(key)&(simSlots-1)]
	if slot.key == key {
		return slot.sim
	}
	r := names.CompareNames(a.t.names[a.id], b.t.names[b.id])
	v := sim{float32(r.Score), r.Reason}
	slot.key, slot.sim = key, v
	return v
}

// level returns the index of the first level whose condition holds for
// values a and b (sa, sb: the swap field's values).
func (k *comparator) level(a, b, sa, sb ref, cache *simCache) int {
	if a.blank() || b.blank() || (k.c.Kind == KindDate && (unknownAge(a) || unknownAge(b))) {
		if k.when[0] == cMissing {
			return 0
		}
		return len(k.when) - 1
	}
	var (
		s       sim
		haveSim bool
		jwv     = -1.0
	)
	for i, w := range k.when {
		switch w {
		case cMissing:
			continue
		case cElse:
			return i
		}
		switch k.c.Kind {
		case KindName:
			if w == cSwapped {
				if k.swapped(a, b, sa, sb, k.thr[i], cache) {
					return i
				}
				continue
			}
			if w == cExact {
				if a.same(b) {
					return i
				}
				continue
			}
			if !haveSim {
				s, haveSim = cache.compare(a, b), true
			}
			switch w {
			case cNormalised:
				if s.reason == names.Identical || s.reason == names.Normalised {
					return i
				}
			case cReason:
				if k.reasons[i]&(1<<s.reason) != 0 {
					return i
				}
			case cScore:
				if float64(s.score) >= k.thr[i] {
					return i
				}
			case cJaroWinkler:
				if jwv < 0 {
					jwv = jaroWinkler(a.t.norms[a.id], b.t.norms[b.id])
				}
				if jwv >= k.thr[i] {
					return i
				}
			case cLevenshtein:
				if levenshtein(a.t.norms[a.id], b.t.norms[b.id], int(k.thr[i])) <= int(k.thr[i]) {
					return i
				}
			}
		case KindString, KindExact:
			if w == cSwapped {
				if !sa.blank() && !sb.blank() &&
					a.t.norms[a.id] == sb.t.norms[sb.id] && sa.t.norms[sa.id] == b.t.norms[b.id] {
					return i
				}
				continue
			}
			na, nb := a.t.norms[a.id], b.t.norms[b.id]
			switch w {
			case cExact:
				if a.same(b) {
					return i
				}
			case cNormalised:
				if na == nb {
					return i
				}
			case cLevenshtein:
				if levenshtein(na, nb, int(k.thr[i])) <= int(k.thr[i]) {
					return i
				}
			case cJaroWinkler:
				if jwv < 0 {
					jwv = jaroWinkler(na, nb)
				}
				if jwv >= k.thr[i] {
					return i
				}
			case cLocalPart:
				la, _, oka := strings.Cut(na, "@")
				lb, _, okb := strings.Cut(nb, "@")
				if oka && okb && la == lb {
					return i
				}
			}
		case KindDate:
			if k.dateLevel(w, k.thr[i], a, b) {
				return i
			}
		case KindSex:
			x, y := a.t.sexes[a.id], b.t.sexes[b.id]
			if x != sexUnknown && x == y {
				return i
			}
		case KindNumeric:
			if k.numLevel(w, k.thr[i], a, b) {
				return i
			}
		case KindPlace:
			return k.placeLevelCached(a, b, cache)
		}
	}
	return len(k.when) - 1
}

func (k *comparator) swapped(a, b, sa, sb ref, thr float64, cache *simCache) bool {
	if a.blank() || b.blank() || sa.blank() || sb.blank() {
		return false
	}
	if thr == 0 {
		thr = 0.9
	}
	x := cache.compare(a, sb)
	if float64(x.score) < thr {
		return false
	}
	y := cache.compare(sa, b)
	return float64(y.score) >= thr
}

// unknownAge reports whether a date value is an estimated age whose
// reference date is unknown: it says nothing, like a blank.
func unknownAge(r ref) bool {
	d := r.t.dates[r.id]
	return d.age && !d.knownAge()
}

func (k *comparator) dateLevel(w uint8, thr float64, a, b ref) bool {
	x, y := a.t.dates[a.id], b.t.dates[b.id]
	if x.age || y.age {
		return w == cAgeWindow && ageAgrees(x, y, thr)
	}
	switch w {
	case cExact:
		if x.prec != precNone && y.prec != precNone {
			// "2008" and "2008" agree only on the year: the levels for a
			// year given alone say so, and weigh it as such.
			return x.prec == precDay && y.prec == precDay && x.y == y.y && x.m == y.m && x.d == y.d
		}
		return a.same(b)
	case cLevenshtein:
		return x.digits != "" && y.digits != "" && levenshtein(x.digits, y.digits, int(thr)) <= int(thr)
	}
	// A date whose day or month is out of range ("2020-07-89", a mistyped
	// digit) still says its year, and its month when that is valid.
	x, y = blockingDate(x), blockingDate(y)
	if x.prec == precNone || y.prec == precNone {
		return false
	}
	full := x.prec == precDay && y.prec == precDay
	months := x.prec >= precMonth && y.prec >= precMonth
	switch w {
	case cDayOffset:
		if !full {
			return false
		}
		d := x.days() - y.days()
		return d <= int(thr) && -d <= int(thr)
	case cDayMonthSwapped:
		return full && x.y == y.y && x.m == y.d && x.d == y.m && x.m != x.d
	case cSameMonth:
		return months && x.y == y.y && x.m == y.m
	case cMonthOffset:
		if !months {
			return false
		}
		d := x.months() - y.months()
		return d <= int(thr) && -d <= int(thr)
	case cYearOffsetSameDay:
		d := int(x.y) - int(y.y)
		return full && x.m == y.m && x.d == y.d && d != 0 && d <= int(thr) && -d <= int(thr)
	case cMonthOffsetSameDay:
		d := x.months() - y.months()
		return full && x.d == y.d && d != 0 && d <= int(thr) && -d <= int(thr)
	case cSameYear:
		return x.y == y.y
	case cYearOffset:
		d := int(x.y) - int(y.y)
		return d <= int(thr) && -d <= int(thr)
	case cAgeWindow:
		if x.prec != precYear && y.prec != precYear {
			return false
		}
		d := int(x.y) - int(y.y)
		return d <= int(thr) && -d <= int(thr)
	}
	return false
}

// ageAgrees reports whether an estimated age and another date (or age)
// agree within slack years: the birth days they allow, widened by slack
// years, meet.
func ageAgrees(x, y dateVal, slack float64) bool {
	if !x.age {
		x, y = y, x
	}
	lo, hi, ok := y.dayRange()
	if !ok {
		return false
	}
	s := int32(math.Round(slack * 365.25))
	return lo <= x.hi+s && x.lo-s <= hi
}

// dayRange is the days a date allows: one for a full date, a month's or a
// year's for a partial one, an age's window.
func (d dateVal) dayRange() (lo, hi int32, ok bool) {
	switch {
	case d.knownAge():
		return d.lo, d.hi, true
	case d.prec == precDay:
		n := int32(d.days())
		return n, n, true
	case d.prec == precMonth:
		first := dateVal{y: d.y, m: d.m, d: 1}
		last := dateVal{y: d.y, m: d.m, d: int16(monthDays[d.m])}
		if d.m == 2 && !validDay(int(d.y), 2, 29) {
			last.d = 28
		}
		return int32(first.days()), int32(last.days()), true
	case d.prec == precYear:
		return int32(dateVal{y: d.y, m: 1, d: 1}.days()), int32(dateVal{y: d.y, m: 12, d: 31}.days()), true
	}
	return 0, 0, false
}

func (k *comparator) numLevel(w uint8, thr float64, a, b ref) bool {
	if !a.t.numOK[a.id] || !b.t.numOK[b.id] {
		return w == cExact && a.same(b)
	}
	x, y := a.t.nums[a.id], b.t.nums[b.id]
	switch w {
	case cExact:
		return x == y
	case cAbsDiff:
		return math.Abs(x-y) <= thr
	case cRelDiff:
		m := max(math.Abs(x), math.Abs(y))
		return m == 0 || math.Abs(x-y)/m <= thr
	}
	return false
}

// placeLevelCached finds the place level once per pair of values: there
// are few distinct birthplaces and each comparison costs name comparisons.
func (k *comparator) placeLevelCached(a, b ref, cache *simCache) int {
	key := uint64(a.id)<<32 | uint64(b.id)
	if cache != nil && a.t == b.t {
		if cache.places == nil {
			cache.places = map[uint64]uint8{}
		}
		if lv, ok := cache.places[key]; ok {
			return int(lv)
		}
	}
	lv := len(k.when) - 1
	for i, w := range k.when {
		if w == cMissing {
			continue
		}
		if w == cElse || k.placeLevel(w, a, b) {
			lv = i
			break
		}
	}
	if cache != nil && a.t == b.t {
		if len(cache.places) > 1<<20 {
			clear(cache.places)
		}
		cache.places[key] = uint8(lv)
	}
	return lv
}

func (k *comparator) placeLevel(w uint8, a, b ref) bool {
	x, y := &a.t.places[a.id], &b.t.places[b.id]
	switch w {
	case cExact:
		return a.same(b)
	case cNormalised:
		return a.t.norms[a.id] == b.t.norms[b.id]
	case cSameSettlement:
		if x.settlement == nil || y.settlement == nil {
			return false
		}
		if x.oblast != 0 && y.oblast != 0 && x.oblast != y.oblast {
			return false
		}
		return namesAgree(x.settlement, y.settlement)
	case cSameRaion:
		if x.raion == nil || y.raion == nil {
			return false
		}
		if x.oblast != 0 && y.oblast != 0 && x.oblast != y.oblast {
			return false
		}
		return namesAgree(x.raion, y.raion)
	case cSameOblast:
		return x.oblast != 0 && x.oblast == y.oblast
	case cSameOblastNoSettlement:
		return x.oblast != 0 && x.oblast == y.oblast && (x.settlement == nil || y.settlement == nil)
	}
	return false
}

func namesAgree(a, b *names.Name) bool {
	s := names.CompareNames(a, b)
	return s.Reason != names.Different || s.Score >= 0.92
}
