package linkage

import (
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/homeward-project/homeward/names"
)

// Dataset is a table of records as read: a header and rows of strings.
// Rows shorter than the header have blanks for the missing cells.
type Dataset struct {
	Header []string
	Rows   [][]string
}

// column returns the index of the named column (spaces around header names
// ignored), or -1.
func (d *Dataset) column(name string) int {
	for i, h := range d.Header {
		if strings.TrimSpace(h) == name {
			return i
		}
	}
	return -1
}

// values interns the distinct values of all compared fields, so that each is
// parsed, normalised and prepared once however many records hold it. ID 0 is
// the blank value.
type values struct {
	dict map[string]uint32
	strs []string
	// ageAsOf is the date estimated ages were stated at (precision none
	// when unknown).
	ageAsOf dateVal

	// Prepared forms, filled for the ids used by a field of the matching kind.
	norms  []string
	names  []*names.Name
	dates  []dateVal
	nums   []float64
	numOK  []bool
	places []placeVal
	sexes  []uint8
	done   map[string][]bool // kind → id prepared
}

func newValues() *values {
	return &values{dict: map[string]uint32{"": 0}, strs: []string{""}}
}

// intern returns the id of s (trimmed).
func (v *values) intern(s string) uint32 {
	s = strings.TrimSpace(s)
	if id, ok := v.dict[s]; ok {
		return id
	}
	id := uint32(len(v.strs))
	s = strings.Clone(s)
	v.dict[s] = id
	v.strs = append(v.strs, s)
	return id
}

// lookup returns the id of s without adding it.
func (v *values) lookup(s string) (uint32, bool) {
	id, ok := v.dict[strings.TrimSpace(s)]
	return id, ok
}

// prepare fills the prepared forms of kind for the given ids (nil: every
// id), each once.
func (v *values) prepare(kind string, ids []uint32) {
	n := len(v.strs)
	if ids == nil {
		ids = make([]uint32, 0, n)
		for id := 1; id < n; id++ {
			ids = append(ids, uint32(id))
		}
	}
	if v.done == nil {
		v.done = map[string][]bool{}
	}
	done := grow(v.done[kind], n)
	v.done[kind] = done
	switch kind {
	case KindName:
		v.names = grow(v.names, n)
		v.norms = grow(v.norms, n)
	case KindString, KindExact:
		v.norms = grow(v.norms, n)
	case KindDate:
		v.dates = grow(v.dates, n)
	case KindNumeric:
		v.nums = grow(v.nums, n)
		v.numOK = grow(v.numOK, n)
	case KindSex:
		v.sexes = grow(v.sexes, n)
	case KindPlace:
		v.places = grow(v.places, n)
		v.norms = grow(v.norms, n)
	}
	// Different ids touch different cells, so chunks can be prepared in
	// parallel: a million records hold a few hundred thousand names.
	parallel(len(ids), 4096, func(lo, hi int) { v.prepareRange(kind, ids[lo:hi], done) })
}

func (v *values) prepareRange(kind string, ids []uint32, done []bool) {
	for _, id := range ids {
		if id == 0 || done[id] {
			continue
		}
		done[id] = true
		s := v.strs[id]
		switch kind {
		case KindName:
			v.names[id] = names.Prepare(s)
			v.norms[id] = normalizeString(s)
		case KindString, KindExact:
			v.norms[id] = normalizeString(s)
		case KindDate:
			if n, at, ok := parseAge(s); ok {
				if at.prec != precDay {
					at = v.ageAsOf
				}
				v.dates[id] = ageWindow(n, at)
			} else {
				v.dates[id] = parseDate(s)
			}
		case KindNumeric:
			f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
			v.nums[id], v.numOK[id] = f, err == nil
		case KindSex:
			v.sexes[id] = parseSex(s)
		case KindPlace:
			v.places[id] = parsePlace(s)
			v.norms[id] = normalizeString(s)
		}
	}
}

func grow[T any](s []T, n int) []T {
	if len(s) >= n {
		return s
	}
	if cap(s) >= n {
		return s[:n]
	}
	out := make([]T, n, max(n, cap(s)*5/4))
	copy(out, s)
	return out
}

// normalizeString folds case, drops punctuation other than '@' and '.', and
// collapses spaces: the form string and exact comparisons agree on.
func normalizeString(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '@' || r == '.':
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
		}
	}
	return b.String()
}

// Sex codes.
const (
	sexUnknown uint8 = iota
	sexMale
	sexFemale
)

func parseSex(s string) uint8 {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "m", "male", "man", "boy", "м", "ч", "чол", "чоловіча", "чоловік", "мужской", "муж", "хлопчик", "мальчик", "1":
		return sexMale
	case "f", "female", "woman", "girl", "w", "ж", "жін", "жіноча", "жен", "женский", "дівчинка", "девочка", "2":
		return sexFemale
	}
	return sexUnknown
}

// Date precisions.
const (
	precNone uint8 = iota
	precYear
	precMonth
	precDay
)

// dateVal is a parsed date as precisely as it is known, plus its digits for
// typo comparisons of dates that do not parse (FEBRL has them).
type dateVal struct {
	y, m, d int16
	prec    uint8
	digits  string
	// age marks an estimated age ("~7"): precision none, and, when the
	// date it was stated at is known, the days a birth could fall on
	// (lo to hi) and their years. hi is 0 when that date is unknown.
	age            bool
	lo, hi         int32
	loYear, hiYear int16
}

// knownAge reports whether d is an estimated age with a known window.
func (d dateVal) knownAge() bool { return d.age && d.hi != 0 }

// parseAge reads "~7", "≈ 7", "7 years", "7 років", "7 лет" and the like;
// ok is false when s is not an age. An age may carry the date it was stated
// at ("~7@2025-05-01", as the server writes ages of its records); at is
// then that date, else its precision is none.
func parseAge(s string) (n int, at dateVal, ok bool) {
	s = strings.TrimSpace(s)
	if a, d, found := strings.Cut(s, "@"); found {
		at = parseDate(d)
		if at.prec != precDay {
			return 0, dateVal{}, false
		}
		s = strings.TrimSpace(a)
	}
	approx := false
	for _, p := range []string{"~", "≈"} {
		if t, found := strings.CutPrefix(s, p); found {
			s, approx = strings.TrimSpace(t), true
		}
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i > 2 {
		return 0, dateVal{}, false
	}
	n, _ = strconv.Atoi(s[:i])
	unit := strings.ToLower(strings.TrimSpace(s[i:]))
	switch unit {
	case "":
		ok = approx
	case "y", "yr", "yrs", "year", "years", "р", "р.", "рік", "роки", "років", "г", "г.", "год", "года", "лет":
		ok = true
	}
	return n, at, ok && n <= 30
}

// ageWindow is an estimated age of n years as of the date at: born after
// the same day n+1 years before, and on or before the same day n years
// before.
func ageWindow(n int, at dateVal) dateVal {
	v := dateVal{age: true}
	if at.prec != precDay {
		return v
	}
	hi := dateVal{y: at.y - int16(n), m: at.m, d: at.d, prec: precDay}
	lo := dateVal{y: at.y - int16(n) - 1, m: at.m, d: at.d, prec: precDay}
	if at.m == 2 && at.d == 29 {
		hi.d, lo.d = 28, 28
	}
	v.lo, v.hi = int32(lo.days()+1), int32(hi.days())
	v.loYear, v.hiYear = lo.y, hi.y
	if at.m == 12 && at.d == 31 {
		v.loYear = hi.y
	}
	return v
}

// days is the day number of a full date (days since 1 March of year 0).
func (d dateVal) days() int {
	y, m := int(d.y), int(d.m)
	if m <= 2 {
		y--
		m += 12
	}
	return 365*y + y/4 - y/100 + y/400 + (153*(m-3)+2)/5 + int(d.d) - 1
}

func (d dateVal) months() int { return int(d.y)*12 + int(d.m) - 1 }

var monthDays = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

func validDay(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 || d > monthDays[m] {
		return false
	}
	if m == 2 && d == 29 {
		return y%4 == 0 && (y%100 != 0 || y%400 == 0)
	}
	return true
}

// parseDate reads YYYY-MM-DD, YYYYMMDD, DD.MM.YYYY, DD/MM/YYYY, YYYY-MM,
// MM.YYYY and YYYY. What does not parse keeps its digits only.
func parseDate(s string) dateVal {
	s = strings.TrimSpace(s)
	var digits strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			digits.WriteByte(s[i])
		}
	}
	v := dateVal{digits: digits.String()}
	if s == "" {
		return v
	}
	var parts []string
	if strings.ContainsAny(s, "-./ ") {
		parts = strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '.' || r == '/' || r == ' ' })
	} else if len(s) == 8 {
		parts = []string{s[:4], s[4:6], s[6:]}
	} else {
		parts = []string{s}
	}
	if len(parts) == 0 || len(parts) > 3 {
		return v
	}
	nums := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return v
		}
		nums[i] = n
	}
	// Day-first forms put the year last.
	if len(parts) >= 2 && len(parts[len(parts)-1]) == 4 && len(parts[0]) <= 2 {
		for i, j := 0, len(nums)-1; i < j; i, j = i+1, j-1 {
			nums[i], nums[j] = nums[j], nums[i]
			parts[i], parts[j] = parts[j], parts[i]
		}
	}
	// Digits in year-month-day order, so that a mistyped digit is one edit
	// whichever way round either date was written.
	var ordered strings.Builder
	for i, p := range parts {
		if i > 0 && len(p) == 1 {
			ordered.WriteByte('0')
		}
		ordered.WriteString(p)
	}
	v.digits = ordered.String()
	y := nums[0]
	if y < 1800 || y > 2200 {
		return v
	}
	v.y, v.prec = int16(y), precYear
	if len(nums) >= 2 {
		if nums[1] < 1 || nums[1] > 12 {
			return dateVal{digits: v.digits}
		}
		v.m, v.prec = int16(nums[1]), precMonth
	}
	if len(nums) >= 3 {
		if !validDay(y, nums[1], nums[2]) {
			return dateVal{digits: v.digits}
		}
		v.d, v.prec = int16(nums[2]), precDay
	}
	return v
}

// parallel calls fn on chunks of [0, n) of at least minChunk, on every
// core.
func parallel(n, minChunk int, fn func(lo, hi int)) {
	workers := runtime.GOMAXPROCS(0)
	if n <= minChunk || workers == 1 {
		fn(0, n)
		return
	}
	chunk := max(minChunk, (n+workers*4-1)/(workers*4))
	var wg sync.WaitGroup
	next := make(chan int, (n+chunk-1)/chunk)
	for lo := 0; lo < n; lo += chunk {
		next <- lo
	}
	close(next)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := range next {
				fn(lo, min(lo+chunk, n))
			}
		}()
	}
	wg.Wait()
}
