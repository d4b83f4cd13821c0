package linkage

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ReadCSV reads a table with a header row. Spaces around cells are trimmed,
// a byte-order mark is skipped, and rows may be ragged.
func ReadCSV(r io.Reader) (*Dataset, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: empty file, no header row", ErrInput)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	d := &Dataset{Header: trimAll(header)}
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInput, err)
		}
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
			continue
		}
		d.Rows = append(d.Rows, trimAll(row))
	}
	return d, nil
}

func trimAll(xs []string) []string {
	for i, x := range xs {
		xs[i] = strings.TrimSpace(x)
	}
	return xs
}

// Column returns the values of a named column, blank where a row is short,
// or nil when there is no such column.
func (d *Dataset) Column(name string) []string {
	c := d.column(name)
	if c < 0 {
		return nil
	}
	out := make([]string, len(d.Rows))
	for i, r := range d.Rows {
		if c < len(r) {
			out[i] = r[c]
		}
	}
	return out
}
