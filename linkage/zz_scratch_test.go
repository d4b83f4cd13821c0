package linkage

import (
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/homeward-project/homeward/linkage/synth"
)

func TestZZRules(t *testing.T) {
	nl := 20000
	if s := os.Getenv("ZZ_LOCATED"); s != "" {
		nl, _ = strconv.Atoi(s)
	}
	for _, seed := range []uint64{7, 8, 9} {
		c := synth.Generate(synth.Config{Reports: 2000, Located: nl, Seed: seed})
		left := &Dataset{Header: synth.Header, Rows: c.Reports}
		right := &Dataset{Header: synth.Header, Rows: c.Located}
		lk, err := NewLinker(PersonModel(), left, right)
		if err != nil {
			t.Fatal(err)
		}
		lrow, rrow := map[string]int{}, map[string]int{}
		for i, r := range left.Rows {
			lrow[r[0]] = i
		}
		for i, r := range right.Rows {
			rrow[r[0]] = i
		}
		only := make([]int, len(lk.rules))
		any := make([]int, len(lk.rules))
		missed := 0
		for _, p := range c.Truth {
			m := lk.rulesOf(lrow[p[0]], rrow[p[1]])
			if m == 0 {
				missed++
				if os.Getenv("ZZ_SHOW") != "" {
					fmt.Printf("MISSED %v | %v\n", left.Rows[lrow[p[0]]][1:7], right.Rows[rrow[p[1]]][1:7])
				}
			}
			for ri := range lk.rules {
				if m&(1<<ri) != 0 {
					any[ri]++
					if m == 1<<ri {
						only[ri]++
					}
				}
			}
		}
		_, total := lk.Completeness(&Truth{})
		fmt.Printf("seed %d: %d true, %d missed, %d candidates\n", seed, len(c.Truth), missed, total)
		for ri, r := range lk.rules {
			fmt.Printf("  %-70s any %5d only %4d\n", r.name, any[ri], only[ri])
		}
	}
}

func TestZZFake(t *testing.T) {
	d := readDataset(t, "testdata/fake_1000.csv")
	truth := ClusterTruth(d.Column("unique_id"), d.Column("cluster"))
	c := d.column("cluster")
	for i := range d.Rows {
		d.Rows[i][c] = ""
	}
	m := readModel(t, "fake_1000.json")
	if f := os.Getenv("ZZ_MODEL"); f != "" {
		fh, _ := os.Open(f)
		m, _ = ReadModel(fh)
	}
	if os.Getenv("ZZ_KEEPALL") == "" {
		m.Blocking = m.Blocking[:len(m.Blocking)-1]
	}
	lk, err := NewLinker(m, d, nil)
	if err != nil {
		t.Fatal(err)
	}
	pc, total := lk.Completeness(truth)
	fmt.Printf("fake: completeness %.4f candidates %d\n", pc, total)
	row := map[string]int{}
	for i, r := range d.Rows {
		row[r[0]] = i
	}
	for p := range truth.Pairs {
		l, r := row[p.Left], row[p.Right]
		if l > r {
			l, r = r, l
		}
		if lk.rulesOf(l, r) == 0 {
			fmt.Printf("MISSED %v | %v\n", d.Rows[l][:6], d.Rows[r][:6])
		}
	}
}
