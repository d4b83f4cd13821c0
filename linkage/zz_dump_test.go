package linkage

import (
	"os"
	"testing"
)

func TestZZDump(t *testing.T) {
	m := PersonModel()
	f, _ := os.Create("/tmp/person.json")
	m.Write(f)
	f.Close()
}
