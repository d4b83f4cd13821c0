package pdf

import (
	"strings"
	"unicode/utf8"
)

// clean makes s safe to hand to fpdf. fpdf v0.12.0 indexes a 65,536-entry
// table by rune and panics on runes past the Basic Multilingual Plane (emoji),
// so those become U+FFFD, as do bytes that are not UTF-8. Control characters other than newlines would print
// as boxes and are dropped; tabs become spaces; CR LF, CR and the Unicode line
// separators become LF, or a space when oneLine is set.
func clean(s string, oneLine bool) string {
	if isClean(s, oneLine) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	nl := '\n'
	if oneLine {
		nl = ' '
	}
	for i, r := range s {
		switch {
		case r == '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				continue
			}
			b.WriteRune(nl)
		case r == '\n', r == '\u0085', r == '\u2028', r == '\u2029':
			b.WriteRune(nl)
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20, r >= 0x7f && r < 0xa0:
		case r > 0xffff:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isClean(s string, oneLine bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		switch {
		case r == '\n':
			if oneLine {
				return false
			}
		case r < 0x20, r >= 0x7f && r < 0xa0, r > 0xffff, r == '\u2028', r == '\u2029':
			return false
		}
	}
	return true
}

// wrap breaks s into lines no wider than w as measured by width. Lines break
// at spaces and newlines; a word wider than a line breaks between characters.
// Spaces at a break are dropped. It returns at least one line, so that an
// empty cell still has the height of one.
//
// fpdf's SplitText is not used: it counts zero-width characters such as the
// combining acute accent as 65,535 units wide and breaks a line at each.
func wrap(s string, w float64, width func(string) float64) []string {
	s = strings.TrimRight(s, "\n")
	var lines []string
	space := width(" ")
	for par := range strings.SplitSeq(s, "\n") {
		start, end := -1, -1 // the current line is par[start:end]
		lineW := 0.0
		gaps := 0 // spaces since the end of the line's last word
		for i := 0; i < len(par); {
			if par[i] == ' ' {
				gaps++
				i++
				continue
			}
			j := strings.IndexByte(par[i:], ' ')
			if j < 0 {
				j = len(par)
			} else {
				j += i
			}
			word := par[i:j]
			ww := width(word)
			switch {
			case start >= 0 && lineW+float64(gaps)*space+ww <= w:
				lineW += float64(gaps)*space + ww
				end = j
			case ww <= w:
				if start >= 0 {
					lines = append(lines, par[start:end])
				}
				start, end, lineW = i, j, ww
			default:
				if start >= 0 {
					lines = append(lines, par[start:end])
				}
				pieces := breakWord(word, w, width)
				lines = append(lines, pieces[:len(pieces)-1]...)
				last := pieces[len(pieces)-1]
				start, end, lineW = j-len(last), j, width(last)
			}
			gaps = 0
			i = j
		}
		if start >= 0 {
			lines = append(lines, par[start:end])
		} else {
			lines = append(lines, "")
		}
	}
	return lines
}

// breakWord splits a word wider than w into pieces that fit, each at least
// one character long.
func breakWord(word string, w float64, width func(string) float64) []string {
	var pieces []string
	start, pw := 0, 0.0
	for i, r := range word {
		rw := width(string(r))
		if i > start && pw+rw > w {
			pieces = append(pieces, word[start:i])
			start, pw = i, 0
		}
		pw += rw
	}
	return append(pieces, word[start:])
}

// truncate shortens a one-line s with an ellipsis until it is no wider than w.
// fpdf applies no kerning, so a string is as wide as its runes added up.
func truncate(s string, w float64, width func(string) float64) string {
	if width(s) <= w {
		return s
	}
	const ellipsis = "…"
	avail := w - width(ellipsis)
	used := 0.0
	for i, r := range s {
		used += width(string(r))
		if used > avail {
			return strings.TrimRight(s[:i], " ") + ellipsis
		}
	}
	return s
}
