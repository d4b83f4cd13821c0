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
	return walkText(reflect.ValueOf(v), "")
}

func walkText(v reflect.Value, field string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walkText(v.Elem(), field)
	case reflect.String:
		s := v.String()
		if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			return homeward.FieldErrorf(homeward.EINVALID, field, "The text contains characters that cannot be stored (a NUL byte or invalid UTF-8).")
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				name = f.Name
			}
			if field != "" {
				name = field + "." + name
			}
			if err := walkText(v.Field(i), name); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil
		}
		for i := range v.Len() {
			if err := walkText(v.Index(i), field); err != nil {
				return err
			}
		}
	}
	return nil
}
