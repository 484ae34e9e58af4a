package httpapi_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/devserver"
	"github.com/autolynx/autolynx/lib/httpapi"
)

// A function handed its own path routes by the public path its rewrite
// kept in ?path=, and only to its own routes; unknown paths are 404 and
// unknown methods 405 with Allow, in the error envelope.
func TestFunctionRoutesByTheTable(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	serve := func(fn, method, target string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, target, nil)
		req.Header.Set("Authorization", "Bearer "+e.Admin)
		rec := httptest.NewRecorder()
		httpapi.Function(e.Deps, devserver.Functions[fn].Routes).ServeHTTP(rec, req)
		return rec
	}
	code := func(rec *httptest.ResponseRecorder) string {
		var env struct {
			Error struct{ Code string } `json:"error"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &env)
		return env.Error.Code
	}
	id := apitest.NewID()
	cases := []struct {
		fn, method, target string
		status             int
		code, allow        string
	}{
		{"api/campaigns/index.go", "GET", "/api/campaigns", 200, "", ""},
		{"api/campaigns/index.go", "GET", "/api/campaigns?path=/api/campaigns/" + id + "/summary", 404, "NOT_FOUND", ""},
		{"api/campaigns/index.go", "GET", "/api/campaigns/" + id + "/summary", 404, "NOT_FOUND", ""},
		{"api/campaigns/index.go", "GET", "/api/campaigns?path=/api/me", 200, "", ""},
		{"api/me/index.go", "GET", "/api/me?path=/api/me/../campaigns", 404, "NOT_FOUND", ""},
		{"api/campaigns/index.go", "DELETE", "/api/campaigns", 405, "METHOD_NOT_ALLOWED", "GET, HEAD, POST"},
		{"api/campaigns/index.go", "PUT", "/api/campaigns?path=/api/campaigns/" + id + "/summary", 405, "METHOD_NOT_ALLOWED", "GET, HEAD, POST"},
		{"api/campaigns/index.go", "GET", "/api/campaigns/" + id + "/no/such/thing", 404, "NOT_FOUND", ""},
		{"api/admin/index.go", "GET", "/api/admin/nothing", 404, "NOT_FOUND", ""},
		// A function's routes outside its own path are reached through the
		// rewrite too, and only they.
		{"api/dnc/index.go", "GET", "/api/dnc?path=/api/numbers/%2B14155550100/calls", 200, "", ""},
		{"api/dnc/index.go", "GET", "/api/dnc?path=/api/numbers/%2B14155550100", 404, "NOT_FOUND", ""},
		{"api/dnc/index.go", "GET", "/api/dnc?path=/api/campaigns", 200, "", ""},
	}
	for _, c := range cases {
		rec := serve(c.fn, c.method, c.target)
		if rec.Code != c.status || code(rec) != c.code {
			t.Errorf("%s %s: %d %q, want %d %q (%s)", c.method, c.target, rec.Code, code(rec), c.status, c.code, rec.Body)
		}
		if got := rec.Header().Values("Allow"); c.allow != "" && len(got) == 0 {
			t.Errorf("%s %s: no Allow header", c.method, c.target)
		} else if c.allow != "" && strings.Join(got, ", ") != c.allow {
			t.Errorf("%s %s: Allow %v, want %s", c.method, c.target, got, c.allow)
		}
	}
}
