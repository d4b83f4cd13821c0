package main

import (
	"strings"
	"testing"
)

func TestJudgeFailsOnlyOnCalledVulnerabilitiesOfRequiredModules(t *testing.T) {
	cases := []struct {
		name         string
		in           string
		fail, stdlib []string
	}{
		{"nothing", `{"config":{"protocol_version":"v1.0.0"}}`, nil, nil},
		{"stdlib called", `{"finding":{"osv":"GO-1","fixed_version":"v1.26.9","trace":[{"module":"stdlib","package":"html/template","function":"Execute"}]}}`, nil, []string{"GO-1"}},
		{"module imported, not called", `{"finding":{"osv":"GO-2","trace":[{"module":"example.com/m","version":"v1.0.0","package":"example.com/m/p"}]}}`, nil, nil},
		{"module called", `{"finding":{"osv":"GO-3","trace":[{"module":"example.com/m","version":"v1.0.0","package":"example.com/m/p","function":"F"}]}}
{"finding":{"osv":"GO-3","trace":[{"module":"example.com/m","version":"v1.0.0","package":"example.com/m/p","function":"G"}]}}`, []string{"GO-3"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := judge(strings.NewReader(c.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(ids(v.Fail), ","); got != strings.Join(c.fail, ",") {
				t.Errorf("fail = %q, want %q", got, c.fail)
			}
			if got := strings.Join(ids(v.Stdlib), ","); got != strings.Join(c.stdlib, ",") {
				t.Errorf("stdlib = %q, want %q", got, c.stdlib)
			}
		})
	}
	if _, err := judge(strings.NewReader(`{"finding":`)); err == nil {
		t.Error("a truncated stream was read without an error")
	}
}
