// Command vulngate reads govulncheck's JSON output and fails when code of
// ours calls a vulnerable function of a module we require. Findings in the
// standard library are printed but do not fail: the toolchain is the one
// installed on the machine (go.mod must not move it), and its fixes arrive
// with the next Go release, not with a change of ours.
//
// It is a CI tool and must never be imported by code that ships.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
)

// finding is the part of a govulncheck finding the gate reads.
type finding struct {
	OSV          string  `json:"osv"`
	FixedVersion string  `json:"fixed_version"`
	Trace        []frame `json:"trace"`
}

type frame struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Package  string `json:"package"`
	Function string `json:"function"`
}

type message struct {
	Finding *finding `json:"finding"`
}

// verdict sorts the findings: called vulnerabilities of required modules
// fail; those of the standard library, and any not reached, are reported.
type verdict struct {
	Fail, Stdlib map[string]finding
}

func judge(r io.Reader) (verdict, error) {
	v := verdict{Fail: map[string]finding{}, Stdlib: map[string]finding{}}
	dec := json.NewDecoder(r)
	for {
		var m message
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return v, nil
		}
		if err != nil {
			return v, fmt.Errorf("read govulncheck output: %w", err)
		}
		f := m.Finding
		if f == nil || len(f.Trace) == 0 || f.Trace[0].Function == "" {
			continue // a module or package imported, no vulnerable code called
		}
		if f.Trace[0].Module == "stdlib" {
			v.Stdlib[f.OSV] = *f
		} else {
			v.Fail[f.OSV] = *f
		}
	}
}

func ids(m map[string]finding) []string {
	out := make([]string, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func main() {
	v, err := judge(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulngate:", err)
		os.Exit(2)
	}
	for _, id := range ids(v.Stdlib) {
		f := v.Stdlib[id]
		fmt.Printf("standard library (not failing): %s in %s, fixed in %s\n", id, f.Trace[0].Package, f.FixedVersion)
	}
	for _, id := range ids(v.Fail) {
		f := v.Fail[id]
		fmt.Printf("CALLED: %s in %s@%s (%s), fixed in %s\n", id, f.Trace[0].Module, f.Trace[0].Version, f.Trace[0].Function, f.FixedVersion)
	}
	if len(v.Fail) > 0 {
		os.Exit(1)
	}
	fmt.Printf("vulngate: no vulnerable function of a required module is called (%d in the standard library)\n", len(v.Stdlib))
}
