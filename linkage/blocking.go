package linkage

import (
	"math/bits"
	"slices"
	"unicode/utf8"
)

// compiledRule is a blocking rule with its parts resolved to columns.
type compiledRule struct {
	name      string
	parts     []BlockPart
	cols      [][]int // per part, the fields whose keys it takes
	unordered bool
	train     bool
	// missingAgrees: a part's blank value agrees with any, so the rule's
	// keys depend on the side (see ruleKeys).
	missingAgrees bool
}

// keyList holds every record's blocking keys for one rule, in compressed rows.
type keyList struct {
	off  []uint32 // record i's keys are keys[off[i]:off[i+1]]
	keys []uint64
}

func (k *keyList) of(i int) []uint64 { return k.keys[k.off[i]:k.off[i+1]] }

// blockIndex finds the records holding a key. Each entry packs a key's
// high bits and a record number into one word, sorted: 8 bytes an entry
// instead of 12, and a lookup scans one array. Two keys that share their
// high bits (44 or more of them for a million records) only add a
// candidate that is scored and dropped.
type blockIndex struct {
	entries []uint64
	recBits uint
	// starts[h] is the first entry whose top bucketBits bits are h: a
	// lookup searches one bucket, not the whole (cache-missing) array.
	starts []uint32
}

const bucketBits = 16

func (b *blockIndex) recMask() uint64 { return 1<<b.recBits - 1 }

// lookup returns the entries of key; each entry's record is e&recMask().
func (b *blockIndex) lookup(key uint64) []uint64 {
	mask := b.recMask()
	hi := key &^ mask
	h := key >> (64 - bucketBits)
	lo, end := b.starts[h], b.starts[h+1]
	i, _ := slices.BinarySearch(b.entries[lo:end], hi)
	i += int(lo)
	j := i
	for j < len(b.entries) && b.entries[j]&^mask == hi {
		j++
	}
	return b.entries[i:j]
}

func buildIndex(kl *keyList, n int) *blockIndex {
	b := &blockIndex{recBits: uint(bits.Len(uint(n)))}
	mask := b.recMask()
	// Keys are hashes, spread evenly over the buckets: one counting pass
	// by bucket, then a sort of each (small) bucket, is a full sort. The
	// bucket is in the key's high bits, which the record number leaves
	// alone, so both passes read the keys in place rather than a packed
	// copy: at a million records that copy is tens of megabytes of
	// garbage a rule, and peak memory is what limits the scale.
	b.starts = make([]uint32, 1<<bucketBits+1)
	for _, k := range kl.keys {
		b.starts[k>>(64-bucketBits)+1]++
	}
	for h := 1; h < len(b.starts); h++ {
		b.starts[h] += b.starts[h-1]
	}
	b.entries = make([]uint64, len(kl.keys))
	next := slices.Clone(b.starts[:1<<bucketBits])
	for i := 0; i < n; i++ {
		for _, k := range kl.of(i) {
			h := k >> (64 - bucketBits)
			b.entries[next[h]] = k&^mask | uint64(i)
			next[h]++
		}
	}
	for h := 0; h < 1<<bucketBits; h++ {
		if lo, hi := b.starts[h], b.starts[h+1]; hi-lo > 1 {
			slices.Sort(b.entries[lo:hi])
		}
	}
	return b
}

func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

func hashString(s string) uint64 {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// partKeys appends the keys of one value for one block part; a blank or
// unparseable value has none, so it blocks with nothing.
func partKeys(dst []uint64, p BlockPart, v *values, id uint32) []uint64 {
	if p.Key == BlockAll {
		return append(dst, 1)
	}
	if id == 0 {
		return dst
	}
	switch p.Key {
	case BlockValue:
		return append(dst, hashString(v.norms[id]))
	case BlockPrefix:
		s := v.norms[id]
		n, i := 0, 0
		for i < len(s) && n < p.Length {
			_, sz := utf8.DecodeRuneInString(s[i:])
			i += sz
			n++
		}
		return append(dst, hashString(s[:i]))
	case BlockNameKeys:
		return append(dst, v.names[id].Keys()...)
	case BlockNamePrefix:
		return v.names[id].PrefixKeys(dst, p.Length)
	case BlockOblast:
		if o := v.places[id].oblast; o != 0 {
			return append(dst, uint64(o))
		}
		return dst
	case BlockSettlement:
		if s := v.places[id].settlement; s != nil {
			return append(dst, s.Keys()...)
		}
		return dst
	}
	d := blockingDate(v.dates[id])
	switch p.Key {
	case BlockDay:
		if day := blockingDay(v.dates[id]); day != 0 {
			return append(dst, uint64(day))
		}
	case BlockYear:
		if d.prec >= precYear {
			return append(dst, uint64(d.y))
		}
		if d.knownAge() {
			// The years the window spans (two, unless it ends on 31
			// December).
			for y := d.loYear; y <= d.hiYear; y++ {
				dst = append(dst, uint64(y))
			}
		}
	case BlockMonth:
		if d.prec >= precMonth {
			return append(dst, uint64(d.m))
		}
	case BlockYearMonth:
		if d.prec >= precMonth {
			return append(dst, uint64(d.y)<<8|uint64(d.m))
		}
	case BlockMonthDay:
		if d.prec == precDay {
			a, b := d.m, d.d
			if b < a {
				a, b = b, a
			}
			return append(dst, uint64(a)<<8|uint64(b))
		}
	case BlockDate:
		if d.prec == precDay {
			return append(dst, uint64(d.y)<<16|uint64(d.m)<<8|uint64(d.d))
		}
	}
	return dst
}

// blockingDate is d, or, for a date that does not parse because its month
// or day is out of range ("2018-08-59", a mistyped digit), the year and month
// that do: such a date still blocks by them.
func blockingDate(d dateVal) dateVal {
	if d.prec != precNone || len(d.digits) != 8 {
		return d
	}
	y, m := 0, 0
	for _, c := range d.digits[:4] {
		y = y*10 + int(c-'0')
	}
	m = int(d.digits[4]-'0')*10 + int(d.digits[5]-'0')
	if y < 1800 || y > 2200 {
		return d
	}
	d.y, d.prec = int16(y), precYear
	if m >= 1 && m <= 12 {
		d.m, d.prec = int16(m), precMonth
	}
	return d
}

// blockingDay is the day of the month of d, also when its month is out of
// range ("2010-41-13"); 0 when unknown.
func blockingDay(d dateVal) int {
	if d.prec == precDay {
		return int(d.d)
	}
	if d.prec != precNone || len(d.digits) != 8 {
		return 0
	}
	day := int(d.digits[6]-'0')*10 + int(d.digits[7]-'0')
	if day < 1 || day > 31 {
		return 0
	}
	return day
}

// keyRole is which side of a lookup a record's keys serve.
type keyRole uint8

const (
	roleBoth    keyRole = iota // deduplication: query and indexed at once
	roleQuery                  // the left side, or an index query
	roleIndexed                // the right side, or an index's records
)

// Tags of MissingAgrees parts: no value's key is either (a part key is a
// hash, a date or an oblast number; these are neither small nor likely).
const (
	tagAny   uint64 = 0x5bd1e9955bd1e995
	tagBlank uint64 = 0x2545f4914f6cdd1d
)

// ruleKeys appends the keys of a record under a rule: the cross product of
// its parts' keys, each combination hashed with the rule's number.
//
// A part whose blank value agrees with any (MissingAgrees) adds tags, so
// that a query's keys meet an indexed record's exactly when the values are
// equal or either is blank: every indexed record carries tagAny (a blank
// query meets it), a blank indexed record also tagBlank (any query with a
// value meets it).
func ruleKeys(dst []uint64, ri int, r *compiledRule, v *values, ids func(col int) uint32, scratch [][]uint64, role keyRole) []uint64 {
	for pi, p := range r.parts {
		scratch[pi] = scratch[pi][:0]
		for _, c := range r.cols[pi] {
			scratch[pi] = partKeys(scratch[pi], p, v, ids(c))
		}
		if p.MissingAgrees {
			blank := len(scratch[pi]) == 0
			switch role {
			case roleQuery:
				if blank {
					scratch[pi] = append(scratch[pi], tagAny)
				} else {
					scratch[pi] = append(scratch[pi], tagBlank)
				}
			case roleIndexed:
				scratch[pi] = append(scratch[pi], tagAny)
				if blank {
					scratch[pi] = append(scratch[pi], tagBlank)
				}
			default:
				if blank {
					scratch[pi] = append(scratch[pi], tagAny)
				}
			}
		}
		if len(scratch[pi]) == 0 {
			return dst
		}
	}
	start := len(dst)
	seed := mix(uint64(ri) + 0x9e3779b97f4a7c15)
	if r.unordered {
		// A sum does not depend on the order of its terms.
		dst = append(dst, 0)
	} else {
		dst = append(dst, seed)
	}
	for pi := range r.parts {
		n := len(dst)
		if len(scratch[pi]) == 1 {
			// One key (a date, a year, an oblast): combine in place.
			k := scratch[pi][0]
			for i := start; i < n; i++ {
				if r.unordered {
					dst[i] += mix(k)
				} else {
					dst[i] = mix(dst[i] ^ mix(k+uint64(pi)))
				}
			}
			continue
		}
		for i := start; i < n; i++ {
			for _, k := range scratch[pi] {
				if r.unordered {
					dst = append(dst, dst[i]+mix(k))
				} else {
					dst = append(dst, mix(dst[i]^mix(k+uint64(pi))))
				}
			}
		}
		dst = slices.Delete(dst, start, n)
	}
	if r.unordered {
		for i := start; i < len(dst); i++ {
			dst[i] = mix(dst[i] ^ seed)
		}
	}
	if len(dst)-start == 1 {
		return dst
	}
	// Several name keys can combine to the same key; keep each once.
	slices.Sort(dst[start:])
	tail := slices.Compact(dst[start:])
	return dst[:start+len(tail)]
}
