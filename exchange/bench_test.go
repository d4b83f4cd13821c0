package exchange

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// syntheticList is a return list of n entries of made-up names and places,
// about 500 bytes each.
func syntheticList(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"entries":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"ref":"L1-%05d","family_name":"Bilyi%d","given_name":"Oleksandr","other_spellings":["Aleksandr Belyy","Alexander Bily","Олександр Білий"],`+
			`"sex":"m","birth_date":"2014-%02d-%02d","birthplace":"Kherson oblast, village %d","last_seen_place":"Oleshky","last_seen_date":"2022-%02d-%02d",`+
			`"circumstances":"separated during evacuation; taken to a facility, then moved; relatives searching since spring","representative":{"relation":"grandmother","basis":"guardianship order %d"},"siblings":["L1-%05d"]}`,
			i, i, i%12+1, i%28+1, i%500, i%12+1, i%28+1, i, (i+1)%n)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

func BenchmarkSealOpen5000(b *testing.B) {
	fx := newFixture(b)
	files := []File{{Name: "list.json", Data: syntheticList(5000)}}
	trust := fx.trust()
	b.SetBytes(int64(len(files[0].Data)))
	b.ReportAllocs()
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if _, _, err := Seal(&buf, fx.origin, fx.manifest(), fx.mediator.Public(), files); err != nil {
			b.Fatal(err)
		}
		if _, err := Open(bytes.NewReader(buf.Bytes()), fx.mediator, trust, fx.now, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len()), "bundle-bytes")
}
