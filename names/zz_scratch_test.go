package names

import "testing"

func TestZZScratch(t *testing.T) {
	for _, p := range [][2]string{{"Соломія", "Solomiya"}, {"Очеретська", "Ocheretska"}, {"Мілана", "Міана"}, {"Segei", "Сергій"}} {
		a, b := Prepare(p[0]), Prepare(p[1])
		s := CompareNames(a, b)
		t.Logf("%s %s: %+v codes %q %q alts %q %q keys %x %x", p[0], p[1], s, a.parts[0].code, b.parts[0].code, a.parts[0].alts, b.parts[0].alts, a.Keys(), b.Keys())
	}
}
