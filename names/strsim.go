package names

import "unicode/utf8"

// maxDistance is the largest edit distance a comparison tells apart: a
// name with more slips than that is a different name, so distance stops
// counting there (most pairs it sees are different names).
const maxDistance = 2

// distance is the optimal-string-alignment (Damerau–Levenshtein) distance
// of two phonetic codes, which are short ASCII strings, or maxDistance+1
// when it is larger.
func distance(a, b string) int {
	if a == b {
		return 0
	}
	if len(a)-len(b) > maxDistance || len(b)-len(a) > maxDistance {
		// Every edit changes the length by at most one.
		return maxDistance + 1
	}
	if len(a) == 0 {
		return len(b)
	}
	if len(b) == 0 {
		return len(a)
	}
	var s0, s1, s2 [40]int
	var prev2, prev, cur []int
	if len(b)+1 <= len(s0) {
		prev2, prev, cur = s0[:len(b)+1], s1[:len(b)+1], s2[:len(b)+1]
	} else {
		prev2, prev, cur = make([]int, len(b)+1), make([]int, len(b)+1), make([]int, len(b)+1)
	}
	for j := range prev {
		prev[j] = j
	}
	prevMin := 0
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > maxDistance {
			// A row's minimum never decreases further down (a
			// transposition reaches back one row, and that row is past
			// the cut too).
			if i > 1 && prevMin > maxDistance {
				return maxDistance + 1
			}
		}
		prevMin = rowMin
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], maxDistance+1)
}

// JaroWinkler returns the Jaro–Winkler similarity of two strings, counted
// in runes (so Cyrillic letters count once), with the usual prefix scale
// 0.1 over at most four runes. It is in [0,1]; two empty strings score 1.
func JaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	var ab, bb [48]rune
	ra, rb := toRunes(ab[:0], a), toRunes(bb[:0], b)
	if len(ra) == 0 || len(rb) == 0 {
		return 0
	}
	j := jaro(ra, rb)
	prefix := 0
	for prefix < 4 && prefix < len(ra) && prefix < len(rb) && ra[prefix] == rb[prefix] {
		prefix++
	}
	return j + float64(prefix)*0.1*(1-j)
}

func toRunes(dst []rune, s string) []rune {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		dst = append(dst, r)
		i += n
	}
	return dst
}

func jaro(a, b []rune) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	window := max(len(b)/2-1, 0)
	var fa, fb [48]bool
	var ma, mb []bool
	if len(a) <= len(fa) && len(b) <= len(fb) {
		ma, mb = fa[:len(a)], fb[:len(b)]
	} else {
		ma, mb = make([]bool, len(a)), make([]bool, len(b))
	}
	matches := 0
	for i, r := range a {
		lo, hi := max(0, i-window), min(len(b), i+window+1)
		for j := lo; j < hi; j++ {
			if !mb[j] && b[j] == r {
				ma[i], mb[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	trans, k := 0, 0
	for i := range a {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if a[i] != b[k] {
			trans++
		}
		k++
	}
	m := float64(matches)
	return (m/float64(len(a)) + m/float64(len(b)) + (m-float64(trans/2))/m) / 3
}

// FNV-1a, with a tag byte first so that keys of different kinds differ.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashString(tag byte, s string) uint64 {
	h := uint64(fnvOffset)
	h = (h ^ uint64(tag)) * fnvPrime
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}

func hashBytes(tag byte, s []byte) uint64 {
	h := uint64(fnvOffset)
	h = (h ^ uint64(tag)) * fnvPrime
	for _, c := range s {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return h
}

func hashID(tag byte, id uint32) uint64 {
	h := uint64(fnvOffset)
	h = (h ^ uint64(tag)) * fnvPrime
	for i := 0; i < 4; i++ {
		h = (h ^ uint64(byte(id>>(8*i)))) * fnvPrime
	}
	return h
}
