package matching

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/homeward-project/homeward/linkage"
)

// The default model is the built-in person model trained once on the
// synthetic corpus of linkage/synth (never on real records) and saved, so
// that an organisation with too little data of its own to train on still
// gets sensible m and u values. Its Name says how it was made; regenerate it
// with: go test ./matching -run TestWriteDefaultModel -update-model
const (
	defaultModelFile    = "default_model.json"
	defaultModelSeed    = 20260101
	defaultModelReports = 5000
	defaultModelLocated = 50000
	defaultModelName    = "Homeward person model, default: trained once on the synthetic corpus of linkage/synth " +
		"(seed 20260101, 5,000 reports, 50,000 located records) by TestWriteDefaultModel in matching; no real records"
)

//go:embed default_model.json
var defaultModelJSON []byte

// DefaultModel returns a fresh copy of the embedded default model.
func DefaultModel() (*linkage.Model, error) {
	m, err := linkage.ReadModel(bytes.NewReader(defaultModelJSON))
	if err != nil {
		return nil, fmt.Errorf("read the embedded default model: %w", err)
	}
	return m, nil
}

// Fingerprint identifies a model by its comparisons, levels, m and u and
// blocking rules, not by its prior: the prior is re-estimated as the
// organisation's lists grow, and a changed prior is no different model.
func Fingerprint(m *linkage.Model) string {
	c := m.Clone()
	c.Prior = 0
	b, err := json.Marshal(c)
	if err != nil {
		// A model that Validate accepted always marshals.
		panic(fmt.Sprintf("matching: marshal model: %v", err))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}
