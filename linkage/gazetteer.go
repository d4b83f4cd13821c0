package linkage

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"strings"
	"sync"

	"github.com/homeward-project/homeward/names"
)

// katotthSettlements lists Ukraine's settlements with their category, oblast
// and raion, derived from the official codifier KATOTTH (see the file's
// head). It lets a birthplace given as a bare settlement name ("Мангуш",
// "Manhush") be placed in its raion and oblast.
//
//go:embed katotth_settlements.tsv.gz
var katotthSettlements []byte

type settlement struct {
	name   *names.Name
	city   bool
	oblast int8
	raion  string
}

type gazetteer struct {
	entries []settlement
	byKey   map[uint64][]int32
}

var (
	gazOnce sync.Once
	gaz     *gazetteer
)

// theGazetteer loads the table on first use; it is read-only afterwards.
func theGazetteer() *gazetteer {
	gazOnce.Do(func() {
		g := &gazetteer{byKey: map[uint64][]int32{}}
		zr, err := gzip.NewReader(bytes.NewReader(katotthSettlements))
		if err != nil {
			gaz = g
			return
		}
		sc := bufio.NewScanner(zr)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "#") {
				continue
			}
			f := strings.Split(line, "\t")
			if len(f) != 4 {
				continue
			}
			n := names.Prepare(f[0])
			g.entries = append(g.entries, settlement{name: n, city: f[1] == "M", oblast: findOblast(strings.ToLower(f[2])), raion: f[3]})
			for _, k := range n.Keys() {
				g.byKey[k] = append(g.byKey[k], int32(len(g.entries)-1))
			}
		}
		gaz = g
	})
	return gaz
}

// resolve fills a place's missing oblast and raion from the settlement's
// entry in the codifier, when that entry is unambiguous: the only one of the
// name in the oblast given, or the only city of the name when the text calls
// it a city or says nothing.
func (g *gazetteer) resolve(p *placeVal, village bool) {
	if p.settlement == nil {
		return
	}
	seen := map[int32]bool{}
	var cands []int32
	for _, k := range p.settlement.Keys() {
		for _, i := range g.byKey[k] {
			if seen[i] {
				continue
			}
			seen[i] = true
			e := &g.entries[i]
			if p.oblast != 0 && e.oblast != p.oblast {
				continue
			}
			if namesAgree(p.settlement, e.name) {
				cands = append(cands, i)
			}
		}
	}
	if len(cands) == 0 {
		return
	}
	if len(cands) > 1 && !village {
		var cities []int32
		for _, i := range cands {
			if g.entries[i].city {
				cities = append(cities, i)
			}
		}
		if len(cities) == 1 {
			cands = cities
		}
	}
	first := &g.entries[cands[0]]
	sameOblast, sameRaion := true, true
	for _, i := range cands[1:] {
		e := &g.entries[i]
		sameOblast = sameOblast && e.oblast == first.oblast
		sameRaion = sameRaion && e.oblast == first.oblast && e.raion == first.raion
	}
	if sameOblast && p.oblast == 0 {
		p.oblast = first.oblast
	}
	if sameRaion && p.raion == nil && first.raion != "" {
		p.raion = names.Prepare(first.raion)
	}
}
