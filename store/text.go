package store

import (
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/homeward-project/homeward"
)

// checkText refuses text PostgreSQL cannot store (NUL bytes, invalid UTF-8)
// as invalid input, so that both databases accept the same records and a bad
// spreadsheet cell is a validation error rather than an internal one. It
// walks every string field of v, also inside nested structs and lists.
func checkText(v any) error {
	if path, bad := badText(reflect.ValueOf(v)); bad {
		return homeward.FieldErrorf(homeward.EINVALID, path, "The text contains characters that cannot be stored (a NUL byte or invalid UTF-8).")
	}
	return nil
}

// badText reports whether v holds text that cannot be stored, and the
// field's path. The path (from the JSON names) is built only on the way
// back from a bad field: an import checks every field of every row, and
// reading struct tags for each would cost more than the check.
func badText(v reflect.Value) (path string, bad bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "", false
		}
		return badText(v.Elem())
	case reflect.String:
		s := v.String()
		return "", !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			sub, bad := badText(v.Field(i))
			if !bad {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				name = f.Name
			}
			if sub != "" {
				name += "." + sub
			}
			return name, true
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return "", false
		}
		for i := range v.Len() {
			if path, bad := badText(v.Index(i)); bad {
				return path, true
			}
		}
	}
	return "", false
}
