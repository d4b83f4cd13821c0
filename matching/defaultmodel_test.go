package matching

import (
	"bytes"
	"context"
	"flag"
	"os"
	"testing"

	"github.com/homeward-project/homeward/linkage"
	"github.com/homeward-project/homeward/linkage/synth"
)

var updateModel = flag.Bool("update-model", false, "train the default model on the synthetic corpus and rewrite "+defaultModelFile)

// TestWriteDefaultModel regenerates the embedded default model when run with
// -update-model: go test ./matching -run TestWriteDefaultModel -update-model.
// Without the flag it only checks that the embedded model loads.
func TestWriteDefaultModel(t *testing.T) {
	if !*updateModel {
		m, err := DefaultModel()
		if err != nil {
			t.Fatal(err)
		}
		if !m.Trained {
			t.Fatal("the embedded default model is not trained")
		}
		return
	}
	c := synth.Generate(synth.Config{Reports: defaultModelReports, Located: defaultModelLocated, Seed: defaultModelSeed})
	left := &linkage.Dataset{Header: synth.Header, Rows: c.Reports}
	right := &linkage.Dataset{Header: synth.Header, Rows: c.Located}
	lk, err := linkage.NewLinker(linkage.PersonModel(), left, right)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lk.Train(context.Background()); err != nil {
		t.Fatal(err)
	}
	m := lk.Model()
	m.Name = defaultModelName
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(defaultModelFile, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
