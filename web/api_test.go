package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/homeward-project/homeward/web"
)

type apiErr struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

func TestAPIErrorsHaveOneShapeAndTheTablesStatus(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.newCase("worker-a", "Vira", "Apienko")
		tok := e.token("worker-a")
		analyst := e.token("analyst-a")
		cl := e.client()
		tests := []struct {
			name   string
			method string
			path   string
			body   string
			token  string
			status int
			code   string
			field  string
		}{
			{"no token", "GET", "/api/v1/cases", "", "", 401, "unauthorized", ""},
			{"unknown token", "GET", "/api/v1/cases", "", "nonsense", 401, "unauthorized", ""},
			{"unknown case", "GET", "/api/v1/cases/999999", "", tok, 404, "not_found", ""},
			{"not a number", "GET", "/api/v1/cases/abc", "", tok, 404, "not_found", ""},
			{"malformed JSON", "POST", "/api/v1/cases", "{", tok, 400, "invalid", ""},
			{"malformed date", "POST", "/api/v1/cases", `{"given_name":"A","last_seen_date":"yesterday"}`, tok, 400, "invalid", ""},
			{"no name", "POST", "/api/v1/cases", `{"sex":"f"}`, tok, 422, "invalid", "given_name"},
			{"stale version", "PUT", fmt.Sprintf("/api/v1/cases/%d", c.ID), `{"given_name":"Vira","version":99}`, tok, 409, "conflict", ""},
			{"missing version", "PUT", fmt.Sprintf("/api/v1/cases/%d", c.ID), `{"given_name":"Vira"}`, tok, 422, "invalid", "version"},
			{"analyst reads records", "GET", "/api/v1/cases", "", analyst, 403, "forbidden", ""},
			{"caseworker lists users", "GET", "/api/v1/users", "", tok, 403, "forbidden", ""},
			{"unknown endpoint", "GET", "/api/v1/nothing", "", tok, 404, "not_found", ""},
			{"bad limit", "GET", "/api/v1/cases?limit=x", "", tok, 400, "invalid", "limit"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var hdr []string
				if tt.token != "" {
					hdr = []string{"Authorization", "Bearer " + tt.token}
				}
				r := cl.send(tt.method, tt.path, "application/json", strings.NewReader(tt.body), hdr...)
				if r.status != tt.status {
					t.Errorf("status %d, want %d: %s", r.status, tt.status, r.body)
				}
				if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("Content-Type %q", ct)
				}
				var body apiErr
				if err := json.Unmarshal([]byte(r.body), &body); err != nil {
					t.Fatalf("body is not JSON: %v: %s", err, r.body)
				}
				if body.Error.Code != tt.code || body.Error.Message == "" || body.Error.Field != tt.field {
					t.Errorf("error %+v, want code %q field %q and a message", body.Error, tt.code, tt.field)
				}
			})
		}
	})
}

func TestAPICreatesReadsAndUpdatesACase(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		tok := e.token("worker-a")
		cl := e.client()
		auth := []string{"Authorization", "Bearer " + tok}
		r := cl.send("POST", "/api/v1/cases", "application/json", strings.NewReader(
			`{"given_name":"Alina","family_name":"Jsonenko","birth_date":{"year":2016,"precision":"year"},"last_seen_date":"2022-03-01"}`), auth...)
		if r.status != http.StatusCreated {
			t.Fatalf("create: status %d: %s", r.status, r.body)
		}
		var created struct {
			ID        int64  `json:"id"`
			Reference string `json:"reference"`
			Version   int    `json:"version"`
		}
		json.Unmarshal([]byte(r.body), &created)
		if created.ID == 0 || !strings.HasPrefix(created.Reference, "HW-") {
			t.Fatalf("created %+v", created)
		}
		r = cl.send("PUT", fmt.Sprintf("/api/v1/cases/%d", created.ID), "application/json", strings.NewReader(
			fmt.Sprintf(`{"given_name":"Alina","family_name":"Jsonenko","stage":"tracing","version":%d}`, created.Version)), auth...)
		if r.status != http.StatusOK {
			t.Fatalf("update: status %d: %s", r.status, r.body)
		}
		// The stage moves only through a transition: an update leaves it.
		r = cl.send("GET", "/api/v1/cases?q=jsonenko", "", nil, auth...)
		var list struct {
			Items []struct {
				Stage string `json:"stage"`
			} `json:"items"`
			Total int `json:"total"`
		}
		json.Unmarshal([]byte(r.body), &list)
		if r.status != 200 || list.Total != 1 || list.Items[0].Stage != "registered" {
			t.Errorf("search: status %d, %+v", r.status, list)
		}
		r = cl.send("GET", fmt.Sprintf("/api/v1/cases/%d/events", created.ID), "", nil, auth...)
		var evs struct {
			Items []struct {
				Action string `json:"action"`
			} `json:"items"`
		}
		json.Unmarshal([]byte(r.body), &evs)
		actions := map[string]bool{}
		for _, ev := range evs.Items {
			actions[ev.Action] = true
		}
		if !actions["create"] || !actions["update"] {
			t.Errorf("events %+v lack the create and the update", evs.Items)
		}
		r = cl.send("GET", "/api/v1/cases/export?format=csv&q=jsonenko", "", nil, auth...)
		if r.status != 200 || !strings.Contains(r.body, "Jsonenko") {
			t.Errorf("export: status %d, body %q", r.status, r.body)
		}
	})
}

func TestOpenAPIDocumentDescribesEveryAPIRoute(t *testing.T) {
	e := newEnv(t, "sqlite")
	r := e.client().get("/api/v1/openapi.json")
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(r.body), &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q, want 3.1.0", doc.OpenAPI)
	}
	routes := apiRoutes()
	if len(routes) < 10 {
		t.Fatalf("only %d API routes found", len(routes))
	}
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt, " ")
		p := strings.TrimPrefix(path, "/api/v1")
		ops, ok := doc.Paths[p]
		if !ok {
			t.Errorf("route %s: path %s not in the document", rt, p)
			continue
		}
		if _, ok := ops[strings.ToLower(method)]; !ok {
			t.Errorf("route %s: no %s operation in the document", rt, method)
		}
	}
	registered := map[string]bool{}
	for _, rt := range routes {
		registered[rt] = true
	}
	for p, ops := range doc.Paths {
		for m := range ops {
			if rt := strings.ToUpper(m) + " /api/v1" + p; !registered[rt] {
				t.Errorf("the document describes %s, which is not served", rt)
			}
		}
	}
}

// apiRoutes lists "METHOD /api/v1/..." patterns of a server.
func apiRoutes() []string {
	var out []string
	for _, p := range web.NewServer(web.Config{}).Patterns() {
		if strings.Contains(p, " /api/v1/") {
			out = append(out, p)
		}
	}
	return out
}

func TestAPIAdministratorCreatesAUserWithAGeneratedPassword(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		tok := e.token("admin-a")
		cl := e.client()
		r := cl.send("POST", "/api/v1/users", "application/json", strings.NewReader(`{"login":"api-made","display_name":"Api Made","role":"liaison"}`), "Authorization", "Bearer "+tok)
		var created struct {
			ID       int64  `json:"id"`
			OrgID    int64  `json:"org_id"`
			Password string `json:"password"`
		}
		json.Unmarshal([]byte(r.body), &created)
		if r.status != http.StatusCreated || created.Password == "" || created.OrgID != e.orgA.ID {
			t.Fatalf("create user: status %d: %s", r.status, r.body)
		}
		if _, err := e.usvc.Authenticate(e.sys, "api-made", created.Password, "127.0.0.1"); err != nil {
			t.Errorf("the returned password does not work: %v", err)
		}
		r = cl.send("GET", fmt.Sprintf("/api/v1/users/%d", created.ID), "", nil, "Authorization", "Bearer "+tok)
		if r.status != http.StatusOK || strings.Contains(r.body, "password") {
			t.Errorf("read user: status %d, body %s", r.status, r.body)
		}
	})
}
