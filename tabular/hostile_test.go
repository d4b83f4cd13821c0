package tabular

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/homeward-project/homeward"
	"github.com/homeward-project/homeward/internal/hostile"
)

// allocated returns the bytes fn allocates: a bound on its peak memory,
// with no timing in it.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// reportSize is what a reply quoting every problem would carry.
func reportSize(errs []RowError) int {
	n := 0
	for _, e := range errs {
		n += len(e.Column) + len(e.Field) + len(e.Value) + len(e.Message)
	}
	return n
}

// readAndConvert reads a file and converts it as an import does.
func readAndConvert(name string, data []byte) (int, []RowError, error) {
	s, err := Read(name, bytes.NewReader(data))
	if err != nil {
		return 0, nil, err
	}
	m, _ := AutoMap(homeward.EntityCase, s.Headers)
	cs, errs := ConvertCases(s, m)
	return len(cs), errs, nil
}

func TestSharedStringBombIsReadInBoundedMemoryAndReportedByRow(t *testing.T) {
	data, err := hostile.SharedStringBomb(200<<20, 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > 512<<10 {
		t.Fatalf("the hostile file is %d bytes; it should be about 200 KB", len(data))
	}
	var cases int
	var errs []RowError
	alloc := allocated(func() { cases, errs, err = readAndConvert("bomb.xlsx", data) })
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if alloc > 64<<20 {
		t.Errorf("reading a %d KB file with a 200 MB shared string allocated %d MB; want under 64 MB", len(data)>>10, alloc>>20)
	}
	if cases != 0 || len(errs) != 20 {
		t.Fatalf("got %d cases and %d problems; want none and one per row", cases, len(errs))
	}
	for i, e := range errs {
		if e.Row != i+2 || e.Field != FieldGivenName || !strings.HasPrefix(e.Message, "Too long") {
			t.Errorf("problem %d = row %d field %q %q; want row %d, given_name, too long", i, e.Row, e.Field, e.Message, i+2)
		}
		if n := utf8.RuneCountInString(e.Value); n > homeward.MaxExcerpt+1 {
			t.Errorf("row %d quotes %d characters of the cell; want at most %d", e.Row, n, homeward.MaxExcerpt+1)
		}
	}
}

// TestHostileFilesStayBounded drives the reader and converter with files
// made to exhaust memory and checks what they allocate and what a report
// of their problems would hold.
func TestHostileFilesStayBounded(t *testing.T) {
	shared, err := hostile.SharedStringBomb(64<<20, 200)
	if err != nil {
		t.Fatal(err)
	}
	inline, err := hostile.InlineStringBomb(1<<20, 60)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		data []byte
		// fixed is what any file costs; perByte the allocation allowed
		// per byte of the file itself (reading copies it a few times).
		fixed, perByte uint64
	}{
		{"shared.xlsx", shared, 32 << 20, 8},
		{"inline.xlsx", inline, 32 << 20, 8},
		{"long.csv", hostile.LongCSV(1<<20, 40), 32 << 20, 8},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var errs []RowError
			var err error
			alloc := allocated(func() { _, errs, err = readAndConvert(tt.name, tt.data) })
			if err != nil && homeward.ErrorCode(err) != homeward.EINVALID {
				t.Fatalf("Read: %v", err)
			}
			if limit := tt.fixed + tt.perByte*uint64(len(tt.data)); alloc > limit {
				t.Errorf("allocated %d MB for a %d KB file; want at most %d MB", alloc>>20, len(tt.data)>>10, limit>>20)
			}
			if n := reportSize(errs); n > len(errs)*1024 {
				t.Errorf("the report of %d problems holds %d bytes; want at most 1 KB a problem", len(errs), n)
			}
		})
	}
}

// FuzzReportStaysBounded checks that whatever a file holds, no problem
// quotes more than an excerpt of a cell.
func FuzzReportStaysBounded(f *testing.F) {
	f.Add("Given name,Sex,Birth date\n", "x", 300, 3)
	f.Add("Прізвище;Стать;Дата народження\n", "=1+1", 40000, 2)
	f.Fuzz(func(t *testing.T, header, cell string, n, rows int) {
		n, rows = max(0, min(n, 1<<16)), max(0, min(rows, 8))
		var b strings.Builder
		b.WriteString(header)
		for range rows {
			v := strings.Repeat(cell, n/max(1, len(cell)))
			fmt.Fprintf(&b, "%s,%s,%s\n", v, v, v)
		}
		_, errs, err := readAndConvert("fuzz.csv", []byte(b.String()))
		if err != nil {
			return
		}
		for _, e := range errs {
			if utf8.RuneCountInString(e.Value) > homeward.MaxExcerpt+1 || len(e.Message) > 1024 {
				t.Fatalf("row %d quotes %d characters in a message of %d bytes", e.Row, utf8.RuneCountInString(e.Value), len(e.Message))
			}
		}
	})
}

// TestAFileForExcelizeWithAHugeStringIsRefused makes the reader fall back
// to excelize, which would hold the 200 MB string whole: the file is
// refused before excelize opens it.
func TestAFileForExcelizeWithAHugeStringIsRefused(t *testing.T) {
	data, err := hostile.SharedStringBombForExcelize(200<<20, 20)
	if err != nil {
		t.Fatal(err)
	}
	alloc := allocated(func() { _, _, err = readAndConvert("bomb.xlsx", data) })
	if homeward.ErrorCode(err) != homeward.EINVALID || !strings.Contains(homeward.ErrorMessage(err), "longer than a spreadsheet cell") {
		t.Errorf("Read: %v; want the file refused for a text longer than a cell", err)
	}
	if alloc > 64<<20 {
		t.Errorf("refusing the file allocated %d MB; want under 64 MB", alloc>>20)
	}
}

// FuzzHostileWorkbookStaysBounded builds workbooks of long shared or inline
// strings from the fuzzer's sizes and checks that reading and converting
// them allocates a bounded amount whatever the text expands to.
func FuzzHostileWorkbookStaysBounded(f *testing.F) {
	f.Add(uint32(1<<20), uint8(20), false)
	f.Add(uint32(200_000), uint8(3), true)
	f.Add(uint32(131_070), uint8(1), false)
	f.Fuzz(func(t *testing.T, size uint32, rows uint8, inline bool) {
		n, r := int(size%(8<<20)), int(rows%64)
		var data []byte
		var err error
		if inline {
			data, err = hostile.InlineStringBomb(n, r)
		} else {
			data, err = hostile.SharedStringBomb(n, r)
		}
		if err != nil {
			t.Fatal(err)
		}
		var errs []RowError
		alloc := allocated(func() { _, errs, err = readAndConvert("fuzz.xlsx", data) })
		if err != nil && homeward.ErrorCode(err) != homeward.EINVALID {
			t.Fatalf("Read: %v", err)
		}
		if limit := uint64(16<<20) + uint64(r)*2*maxCellBytes + 8*uint64(len(data)); alloc > limit {
			t.Errorf("%d rows of %d bytes: allocated %d KB; want at most %d KB", r, n, alloc>>10, limit>>10)
		}
		if got := reportSize(errs); got > len(errs)*1024 {
			t.Errorf("the report of %d problems holds %d bytes", len(errs), got)
		}
	})
}
