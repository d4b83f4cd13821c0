package linkage

import "unicode/utf8"

// jaroWinkler is the Jaro-Winkler similarity (prefix scale 0.1, prefix up to
// four characters) on bytes for ASCII and on runes otherwise.
func jaroWinkler(a, b string) float64 {
	if a == b {
		if a == "" {
			return 0
		}
		return 1
	}
	if isASCII(a) && isASCII(b) {
		return jwBytes([]byte(a), []byte(b))
	}
	ra, rb := []rune(a), []rune(b)
	ia := make([]int32, len(ra))
	ib := make([]int32, len(rb))
	copy(ia, ra)
	copy(ib, rb)
	return jw(ia, ib)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func jwBytes(a, b []byte) float64 {
	ia := make([]int32, len(a))
	ib := make([]int32, len(b))
	for i, c := range a {
		ia[i] = int32(c)
	}
	for i, c := range b {
		ib[i] = int32(c)
	}
	return jw(ia, ib)
}

func jw(a, b []int32) float64 {
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	window := max(la, lb)/2 - 1
	if window < 0 {
		window = 0
	}
	var fa, fb [64]bool
	var ma, mb []bool
	if la <= 64 && lb <= 64 {
		ma, mb = fa[:la], fb[:lb]
	} else {
		ma, mb = make([]bool, la), make([]bool, lb)
	}
	matches := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb-1, i+window)
		for j := lo; j <= hi; j++ {
			if !mb[j] && a[i] == b[j] {
				ma[i], mb[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	t, k := 0, 0
	for i := 0; i < la; i++ {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if a[i] != b[k] {
			t++
		}
		k++
	}
	m := float64(matches)
	j := (m/float64(la) + m/float64(lb) + (m-float64(t)/2)/m) / 3
	if j <= 0.7 {
		return j
	}
	p := 0
	for p < 4 && p < la && p < lb && a[p] == b[p] {
		p++
	}
	return j + float64(p)*0.1*(1-j)
}

// levenshtein returns the edit distance between a and b, or limit+1 when it
// exceeds limit (so that most comparisons stop early).
func levenshtein(a, b string, limit int) int {
	if a == b {
		return 0
	}
	if len(a) == len(b) && limit <= 1 && isASCII(a) && isASCII(b) {
		// Of equal length, strings one edit apart differ in one place.
		diff := 0
		for i := 0; i < len(a); i++ {
			if a[i] != b[i] {
				diff++
			}
		}
		return min(diff, limit+1)
	}
	if isASCII(a) && isASCII(b) {
		// Bytes are letters; a short conversion stays on the stack, and
		// dates and codes are compared millions of times.
		return editDistance([]byte(a), []byte(b), limit)
	}
	return editDistance([]rune(a), []rune(b), limit)
}

// editDistance is levenshtein over letters of any kind, in rows on the
// stack for up to 32 letters.
func editDistance[E comparable](a, b []E, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	var prevA, curA [33]int
	prev, cur := prevA[:], curA[:]
	if len(b) >= len(prevA) {
		prev, cur = make([]int, len(b)+1), make([]int, len(b)+1)
	}
	prev, cur = prev[:len(b)+1], cur[:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit+1)
}
