package homeward

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Bounds on what one record may hold. Every path that creates or changes a
// record (the API, the forms, an import) reaches Validate, so that a
// 900,000-character name is refused with the field named instead of being
// stored, indexed, matched and exported.
const (
	// MaxTextLength bounds free text: places, institutions, marks, notes.
	MaxTextLength = 10000
	// MaxContactLength bounds a family member's contact details.
	MaxContactLength = 1000
	// MaxListLength bounds the other names and family members of a record.
	MaxListLength = 100
	// MaxExcerpt is how many characters of a value a problem quotes: enough
	// to recognise the cell, never the whole of a hostile one.
	MaxExcerpt = 200
)

// Excerpt returns s cut to MaxExcerpt characters, with an ellipsis when
// something was cut, for quoting a value in a message or a report.
func Excerpt(s string) string {
	if len(s) <= MaxExcerpt {
		return s
	}
	n := 0
	for i := range s {
		if n == MaxExcerpt {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// longerThan reports whether s has more than limit characters, without
// counting further than needed.
func longerThan(s string, limit int) bool {
	return len(s) > limit && utf8.RuneCountInString(s) > limit
}

// checkLength refuses v when it has more than limit characters, naming the
// field in the error and its message.
func checkLength(field, v string, limit int) error {
	if longerThan(v, limit) {
		return FieldErrorf(EINVALID, field, "The %s is longer than %d characters.", fieldWords(field), limit)
	}
	return nil
}

// checkCount refuses a list of more than MaxListLength entries.
func checkCount(field string, n int) error {
	if n > MaxListLength {
		return FieldErrorf(EINVALID, field, "More than %d %s.", MaxListLength, fieldWords(field))
	}
	return nil
}

// fieldWords writes a field's path for a sentence: "given_name" becomes
// "given name"; indexes stay as the path has them.
func fieldWords(field string) string {
	return strings.ReplaceAll(field, "_", " ")
}

// lengths checks several fields against their bounds in order.
type lengths []struct {
	field string
	v     string
	limit int
}

func (ls lengths) check() error {
	for _, l := range ls {
		if err := checkLength(l.field, l.v, l.limit); err != nil {
			return err
		}
	}
	return nil
}

// indexed names the i-th element of a list field, as the JSON paths in
// errors do: other_names[0].
func indexed(field string, i int, sub string) string {
	s := fmt.Sprintf("%s[%d]", field, i)
	if sub != "" {
		s += "." + sub
	}
	return s
}
