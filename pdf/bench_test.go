package pdf

import (
	"bytes"
	"testing"
)

// BenchmarkTable5000 renders a landscape return list of 5,000 children in
// eight columns and reports the size of the PDF.
func BenchmarkTable5000(b *testing.B) {
	d := returnList(5000)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := Write(&buf, d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "pdf-bytes")
}
