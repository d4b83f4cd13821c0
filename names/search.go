package names

import "unicode/utf8"

// A blind index of names: the store keeps, for every name it holds, a keyed
// hash of each of SearchKeys' keys and never the clear text; a word typed
// in the search box is turned into QueryKeys, hashed the same way, and the
// records that hold at least one of those tokens are the hits. So both
// functions must be pure and stable: a key that changes between releases
// orphans every record indexed under it, and the store must re-index.
//
// A record's keys are the blocking keys of each part (Keys: every spelling
// the engine equates shares one) and the prefix keys of each part's
// phonetic code for every length from searchPrefixMin to searchPrefixLen
// (PrefixKeys' keys). The phonetic code, not the letters, is cut, so that a prefix
// typed in either script finds the name in both: "Shevch" and «Шевч» are
// both wevx, the first four letters of Шевченко's code.

// searchPrefixLen is the longest prefix indexed, in letters of the
// phonetic code. Every length costs one key per part and reading, so it is
// kept near the length of a name's code: 6 for the median given name, 7
// for the median surname of testdata/surnames.tsv, 8 for Шевченко. A
// longer query word is cut to its first 8 code letters, and there a longer
// cut stops paying: of those 3153 surnames 27 share their first 7 letters
// with another, 20 their first 8, 16 their first 9. The full-word keys of
// the query still find its other spellings.
const searchPrefixLen = 8

// searchPrefixMin is the shortest prefix indexed. One or two code letters
// match a large part of any register, so they would cost two keys a word
// (a quarter of a record's tokens, a quarter of an import's index writes)
// for a search nobody can use; a query that short finds full names only.
const searchPrefixMin = 3

// SearchKeys appends to dst the keys to index for one stored name value (a
// given name, family name, patronymic or other name, of one or more
// words), and returns the extended slice. The keys are those of Keys and,
// for every part and every reading of it, the prefix keys of lengths 3 to
// 8 of its phonetic code (no longer than the code: a short name is not
// indexed as a prefix of lengths it does not have; a code shorter than 3
// gets the key of its own length). The appended keys are
// distinct; dst's own entries are kept as they are.
//
// A one-word Cyrillic name gives about 8 keys (Олександр 10, Шевченко 9,
// Іван 6; 8.1 on average over testdata/surnames.tsv); a Latin one up to
// three times as many (Shevchenko 24), since each reading of its letters
// (ch as ч, х or ш) has its own prefixes.
func SearchKeys(dst []uint64, name string) []uint64 {
	start := len(dst)
	dst = AppendKeys(dst, name)
	var wbuf [maxParts]string
	words := splitParts(Normalize(name), wbuf[:0])
	if len(words) > maxParts {
		words = words[:maxParts]
	}
	var cbuf [numReadings][]byte
	var scratch [4 * maxPartLen]byte
	for _, w := range words {
		for _, c := range appendCodes(cbuf[:0], scratch[:0], truncatePart(w)) {
			code := unsafeString(c)
			for l := min(searchPrefixMin, len(code)); l <= len(code) && l <= searchPrefixLen; l++ {
				dst = addKeyAfter(dst, start, prefixKey(code, l))
			}
		}
	}
	return dst
}

// QueryKeys returns the keys of one word typed in a search box: a full
// name or the beginning of one, in Ukrainian, Russian or Latin letters, in
// any case and with any apostrophe. A record indexed by SearchKeys matches
// the word if and only if it holds at least one of these keys. That makes
// it match:
//
//   - every spelling the engine equates with the word as a full name
//     (transliterations, Russian forms, diminutives, gender forms: the
//     word's Keys), so "Sasha" finds «Олександр» and "Aleksandr" finds it
//     too;
//   - every name part whose phonetic code starts with the word's code, cut
//     to searchPrefixLen letters, so "Злато" and "Zlato" find
//     «Златослава»; the first letter is folded as Keys folds it, so «Олекс»
//     also finds «Алекс…».
//
// The prefix keys are those of the word's own length only, never of its
// shorter prefixes: "Oleksandr" shares «Олексій»'s first five code letters
// but no key with it, since a record's prefix key tells its length.
//
// A word whose last letter may begin a longer spelling of one sound — a
// Latin c, s, z, k, g, p, t (ch, sz, zh, kh, ts…), an i, y or j before a
// vowel (ya, ia), «т» before «с», «і» or «й» before a vowel, which the code
// drops — also gets the prefix keys of those longer spellings, so that
// "Shevc" finds «Шевченко» and «Марі» finds «Марія». A word that is
// itself a known name or surname does not: it is taken as typed in full,
// and "Oleksii" must not find «Олександр» through "Oleksiia".
//
// A word of several parts (Анна-Марія) gets the keys of every part, so it
// matches a record holding any of them; to require all, query the parts
// one by one and intersect. A word with no letters gives no keys and
// matches nothing.
func QueryKeys(word string) []uint64 {
	keys := AppendKeys(nil, word)
	var wbuf [maxParts]string
	words := splitParts(Normalize(word), wbuf[:0])
	if len(words) > maxParts {
		words = words[:maxParts]
	}
	for _, w := range words {
		w = truncatePart(w)
		keys = appendQueryPrefix(keys, w)
		if knownName(w) {
			continue
		}
		for _, tail := range completions(w) {
			keys = appendQueryPrefix(keys, w+tail)
		}
	}
	return keys
}

// appendQueryPrefix adds the prefix key of every reading of part at the
// length of its code, cut to searchPrefixLen.
func appendQueryPrefix(dst []uint64, part string) []uint64 {
	var cbuf [numReadings][]byte
	for _, c := range appendCodes(cbuf[:0], nil, part) {
		if len(c) == 0 {
			continue
		}
		dst = addKeyAfter(dst, 0, prefixKey(unsafeString(c), min(len(c), searchPrefixLen)))
	}
	return dst
}

// knownName reports whether a part is, in some reading, a given name,
// diminutive, patronymic or surname of the tables.
func knownName(part string) bool {
	t := loadTables()
	var cbuf [numReadings][]byte
	for _, c := range appendCodes(cbuf[:0], nil, part) {
		e := t.byCode[string(c)]
		if e.given != 0 || e.other != 0 || len(e.dims) > 0 {
			return true
		}
	}
	return false
}

// completions returns the letters that, typed after part, would change the
// code of part's last letter rather than add to it (see phoneticCode and
// squeeze): the rest of a Latin digraph, or a vowel before which і, й or
// a Latin i or y is dropped or becomes a jot. One vowel of each class is
// enough, as the next letter's own class is in the key.
func completions(part string) []string {
	if part == "" {
		return nil
	}
	last, _ := utf8.DecodeLastRuneInString(part)
	switch last {
	case 'c':
		return []string{"h", "z", "k", "e", "i"} // ch cz ck, ce ci (ц)
	case 's':
		return []string{"h", "z"} // sh sch sz
	case 'z', 'k', 'g', 'p':
		return []string{"h"} // zh kh gh ph
	case 't':
		return []string{"h", "s", "z", "ch"} // th ts tz tch
	case 'q':
		return []string{"u"}
	case 'o':
		return []string{"u"} // French ou
	case 'i', 'y', 'j':
		return []string{"a", "e", "o", "u", "i"} // ya ia ja, ye ie…, yi ji
	case 'т':
		return []string{"с"} // тс is ц
	case 'і', 'и', 'й', 'ї', 'ы':
		return []string{"а", "е", "о", "у"}
	}
	return nil
}

// addKeyAfter appends k to dst unless dst[start:] holds it already.
func addKeyAfter(dst []uint64, start int, k uint64) []uint64 {
	for _, x := range dst[start:] {
		if x == k {
			return dst
		}
	}
	return append(dst, k)
}
