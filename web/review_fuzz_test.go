package web

import (
	"net/url"
	"testing"
)

// FuzzParseReviewFilter feeds the review queue's query string, which comes
// from outside, to its parser: it must never panic, and a threshold it
// accepts must be a probability.
func FuzzParseReviewFilter(f *testing.F) {
	for _, s := range []string{"min=0.5", "min=0,7&org=2&status=proposed&offset=20", "min=NaN", "min=-1", "status=bogus", "offset=-3", "min=1e400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		rf, err := parseReviewFilter(q)
		if err != nil {
			return
		}
		if !(rf.min >= 0 && rf.min <= 1) {
			t.Errorf("accepted threshold %v from %q", rf.min, raw)
		}
		if rf.Offset < 0 {
			t.Errorf("accepted offset %d from %q", rf.Offset, raw)
		}
	})
}
