package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/devserver"
	"github.com/autolynx/autolynx/lib/auth"
	"github.com/autolynx/autolynx/lib/httpapi"
	"github.com/autolynx/autolynx/lib/ratelimit"
)

type route struct {
	method, path string
	admin        bool
}

// protectedRoutes is every route of every function that needs a signed-in
// user, with its wildcards filled.
func protectedRoutes() []route {
	id := apitest.NewID()
	fill := strings.NewReplacer("{id}", id, "{callId}", id, "{deliveryId}", id, "{eventId}", id, "{action}", "start", "{phone}", "%2B14155550100")
	var out []route
	for _, rt := range devserver.Routes() {
		switch rt.Access {
		case httpapi.Operator, httpapi.OperatorOrSignedLink, httpapi.Admin:
			out = append(out, route{rt.Method, fill.Replace(rt.Path), rt.Access == httpapi.Admin})
		}
	}
	return out
}

// Only these routes are reached without a user's token; a route marked
// public by mistake fails here.
func TestOnlyMachineAndPublicRoutesSkipSignIn(t *testing.T) {
	t.Parallel()
	want := map[string]httpapi.Access{
		"GET /api/health":                               httpapi.Public,
		"GET /api/config":                               httpapi.Public,
		"GET /api/scheduler/tick":                       httpapi.CronSecret,
		"POST /api/scheduler/tick":                      httpapi.CronSecret,
		"POST /api/webhooks/vapi":                       httpapi.WebhookSignature,
		"GET /api/admin/destinations/{id}/outcomes.csv": httpapi.FeedToken,
	}
	for _, rt := range devserver.Routes() {
		switch rt.Access {
		case httpapi.Operator, httpapi.OperatorOrSignedLink, httpapi.Admin:
			continue
		}
		if a, ok := want[rt.Pattern()]; !ok || a != rt.Access {
			t.Errorf("%s is reached without a user's token (%s)", rt.Pattern(), rt.Access)
		}
		delete(want, rt.Pattern())
	}
	for p := range want {
		t.Errorf("%s is missing", p)
	}
}

func TestProtectedRoutesRefuseStrangers(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	forged, _ := auth.NewLocalIssuer(apitest.SupabaseURL, []byte("another-secret-another-secret-0123456789")).
		Mint(auth.LocalUserID(apitest.AdminEmail), apitest.AdminEmail, time.Hour)
	wrongIssuer, _ := auth.NewLocalIssuer("http://elsewhere.test", []byte(apitest.JWTSecret)).
		Mint(auth.LocalUserID(apitest.AdminEmail), apitest.AdminEmail, time.Hour)
	expired := e.ExpiredToken(apitest.AdminEmail)
	stranger := e.Token("stranger@example.test")
	for _, r := range protectedRoutes() {
		for name, c := range map[string]struct {
			token string
			want  int
		}{
			"no token":        {"", http.StatusUnauthorized},
			"garbage":         {"not-a-jwt", http.StatusUnauthorized},
			"forged":          {forged, http.StatusUnauthorized},
			"wrong issuer":    {wrongIssuer, http.StatusUnauthorized},
			"expired":         {expired, http.StatusUnauthorized},
			"not allowlisted": {stranger, http.StatusForbidden},
		} {
			resp := e.Do(r.method, r.path, c.token, "application/json", strings.NewReader("{}"))
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Errorf("%s %s with %s: %d, want %d", r.method, r.path, name, resp.StatusCode, c.want)
			}
		}
		if r.admin {
			resp := e.Do(r.method, r.path, e.Operator, "application/json", strings.NewReader("{}"))
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s as operator: %d, want 403", r.method, r.path, resp.StatusCode)
			}
		}
	}
}

func TestMeAndRevocation(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	var me struct{ ID, Email, Role string }
	if st := e.JSON("GET", "/api/me", e.Operator, nil, &me); st != 200 || me.Role != "operator" || me.Email != apitest.OperatorEmail {
		t.Fatalf("me = %d %+v", st, me)
	}
	if st := e.JSON("DELETE", "/api/admin/users/"+me.ID, e.Admin, nil, nil); st != http.StatusNoContent {
		t.Fatalf("revoke: %d", st)
	}
	if st := e.JSON("GET", "/api/me", e.Operator, nil, nil); st != http.StatusForbidden {
		t.Fatalf("revoked operator: %d, want 403", st)
	}
}

func TestAdminCannotRemoveThemselfNorTheLastAdmin(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	var me struct{ ID string }
	e.JSON("GET", "/api/me", e.Admin, nil, &me)
	for _, body := range []map[string]any{{"role": "operator"}, {"allowlisted": false}} {
		if st := e.JSON("PATCH", "/api/admin/users/"+me.ID, e.Admin, body, nil); st != http.StatusConflict {
			t.Errorf("self-demotion %v: %d, want 409", body, st)
		}
	}
	// A second admin may demote the first, but not then be demoted itself.
	var other struct{ ID string }
	if st := e.JSON("POST", "/api/admin/users", e.Admin, map[string]any{"email": "second@example.test", "role": "admin"}, &other); st != http.StatusCreated {
		t.Fatalf("invite: %d", st)
	}
	second := e.Token("second@example.test")
	if st := e.JSON("PATCH", "/api/admin/users/"+me.ID, second, map[string]any{"role": "operator"}, nil); st != http.StatusOK {
		t.Fatalf("second admin demotes first: %d", st)
	}
	if st := e.JSON("PATCH", "/api/admin/users/"+other.ID, e.Admin, map[string]any{"role": "operator"}, nil); st != http.StatusForbidden {
		t.Fatalf("demoted admin still acts as admin: %d", st)
	}
	var users struct {
		Users []struct{ Email, Role string }
	}
	e.JSON("GET", "/api/admin/users", second, nil, &users)
	admins := 0
	for _, u := range users.Users {
		if u.Role == "admin" {
			admins++
		}
	}
	if admins != 1 {
		t.Fatalf("admins = %d, want exactly 1 left: %+v", admins, users.Users)
	}
}

func TestInvitedUserSignsIn(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	if st := e.JSON("POST", "/api/admin/users", e.Admin, map[string]any{"email": "New@Example.test", "role": "operator"}, nil); st != http.StatusCreated {
		t.Fatalf("invite: %d", st)
	}
	if st := e.JSON("GET", "/api/campaigns", e.Token("new@example.test"), nil, nil); st != http.StatusOK {
		t.Fatalf("invited user: %d", st)
	}
	if st := e.JSON("POST", "/api/admin/users", e.Admin, map[string]any{"email": "nope", "role": "operator"}, nil); st != http.StatusBadRequest {
		t.Fatalf("bad email: %d", st)
	}
}

func TestRateLimitedWithRetryAfter(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	e.Deps.Limiter = e.Deps.Limiter.WithLimits(ratelimit.Limits{General: 3, Upload: 1, Export: 1})
	for i := range 3 {
		if st := e.JSON("GET", "/api/campaigns", e.Operator, nil, nil); st != 200 {
			t.Fatalf("request %d: %d", i, st)
		}
	}
	resp := e.Do("GET", "/api/campaigns", e.Operator, "", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("4th request: %d Retry-After %q, want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Another user has a budget of their own.
	if st := e.JSON("GET", "/api/campaigns", e.Admin, nil, nil); st != 200 {
		t.Fatalf("admin: %d", st)
	}
}

// Uploads and exports have tighter budgets of their own (10 and 5 a
// minute in production; 1 here).
func TestUploadAndExportBudgets(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	asst := e.CreateAssistant("Budget")
	e.Deps.Limiter = e.Deps.Limiter.WithLimits(ratelimit.Limits{General: 100, Upload: 1, Export: 1})
	c := e.CreateCampaign(map[string]string{"name": "one", "assistantId": asst}, apitest.Contacts(1))
	ct, body := apitest.Multipart(map[string]string{"name": "two", "assistantId": asst}, apitest.Contacts(1))
	if resp := e.Do("POST", "/api/campaigns", e.Operator, ct, body); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("second upload in a minute: %d, want 429", resp.StatusCode)
	}
	for i, want := range []int{200, http.StatusTooManyRequests} {
		resp := e.Do("GET", "/api/campaigns/"+c.CampaignID+"/export.csv", e.Operator, "", nil)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("export %d: %d, want %d", i+1, resp.StatusCode, want)
		}
	}
	// Reads still have their general budget.
	if st := e.JSON("GET", "/api/campaigns/"+c.CampaignID, e.Operator, nil, nil); st != 200 {
		t.Errorf("read after the upload budget is spent: %d", st)
	}
}

func TestAdminConfig(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	var cfg map[string]any
	if st := e.JSON("GET", "/api/admin/config", e.Admin, nil, &cfg); st != 200 || cfg["accountConcurrencyCap"] != float64(10) {
		t.Fatalf("config = %d %v", st, cfg)
	}
	if st := e.JSON("PATCH", "/api/admin/config", e.Admin, map[string]any{"defaultConcurrencyCap": 3, "defaultRegion": "gb"}, &cfg); st != 200 {
		t.Fatalf("patch: %d", st)
	}
	if cfg["defaultConcurrencyCap"] != float64(3) || cfg["defaultRegion"] != "GB" || cfg["accountConcurrencyCap"] != float64(10) {
		t.Fatalf("after patch: %v", cfg)
	}
	for _, bad := range []map[string]any{{"defaultConcurrencyCap": 0}, {"defaultRegion": "Mars"}, {"unknown": 1}} {
		if st := e.JSON("PATCH", "/api/admin/config", e.Admin, bad, nil); st != http.StatusBadRequest {
			t.Errorf("patch %v: %d, want 400", bad, st)
		}
	}
}
