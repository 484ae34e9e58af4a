package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/dev/apitest"
)

// quick sends an unauthenticated request that must answer within 2 s.
func quick(e *apitest.Env, method, path string, header http.Header) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, e.Server.URL+path, strings.NewReader(`{"message":{"type":"status-update"}}`))
	if err != nil {
		return 0, err
	}
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// lockTables takes an exclusive lock on tables until the test ends: any
// request that touches them waits.
func lockTables(t *testing.T, e *apitest.Env, tables string) pgx.Tx {
	t.Helper()
	tx, err := e.DB.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback(context.Background()) })
	if _, err := tx.Exec(t.Context(), `lock table `+tables+` in access exclusive mode`); err != nil {
		t.Fatal(err)
	}
	return tx
}

// Anonymous health checks and config reads are answered from a
// per-instance cache, and refused webhooks are counted in memory: while
// the tables they would touch are locked, 200 of each still answer at once.
// The refusals reach the counters in one write a minute later.
func TestM6UnauthenticatedRequestsAreCheap(t *testing.T) {
	e := apitest.New(t, apitest.Options{})
	for _, path := range []string{"/api/health", "/api/config"} { // warm the caches
		if st, err := quick(e, http.MethodGet, path, nil); err != nil || st != http.StatusOK {
			t.Fatalf("GET %s: %d %v", path, st, err)
		}
	}
	lock := lockTables(t, e, "supabase_migrations.schema_migrations, system_config, ops_counters")
	wrong := http.Header{"X-Vapi-Secret": {"not-the-secret"}, "Content-Type": {"application/json"}}
	for i := range 200 {
		for _, r := range []struct {
			method, path string
			header       http.Header
			want         int
		}{
			{http.MethodGet, "/api/health", nil, http.StatusOK},
			{http.MethodGet, "/api/config", nil, http.StatusOK},
			{http.MethodPost, "/api/webhooks/vapi", wrong, http.StatusUnauthorized},
		} {
			if st, err := quick(e, r.method, r.path, r.header); err != nil || st != r.want {
				t.Fatalf("request %d, %s %s: %d %v (want %d without touching the database)", i, r.method, r.path, st, err, r.want)
			}
		}
	}
	if err := lock.Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	refused := func() int {
		var n int
		if err := e.DB.QueryRow(t.Context(), `select coalesce(sum(count), 0) from ops_counters where name = 'webhook.refused'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := refused(); n != 0 {
		t.Errorf("%d refusals written within the first minute", n)
	}
	e.Clock.Advance(time.Minute)
	for range 3 {
		if st, err := quick(e, http.MethodPost, "/api/webhooks/vapi", wrong); err != nil || st != http.StatusUnauthorized {
			t.Fatalf("refused webhook: %d %v", st, err)
		}
	}
	if n := refused(); n != 201 {
		t.Errorf("after a minute, %d refusals counted, want 201 (flushed once; the next two wait for the next minute)", n)
	}
}

// L9: the public health answer says migrations are pending, not which.
func TestLowL9PublicHealthNamesNoMigration(t *testing.T) {
	e := apitest.New(t, apitest.Options{})
	if _, err := e.DB.Exec(t.Context(), `delete from supabase_migrations.schema_migrations where version = (select max(version) from supabase_migrations.schema_migrations)`); err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if st := e.JSON("GET", "/api/health", "", nil, &h); st != http.StatusServiceUnavailable || h["migrations"] != "pending" || h["pendingMigrations"] != nil {
		t.Errorf("public health = %d %v", st, h)
	}
	if st := e.JSON("GET", "/api/health", apitest.CronSecret, nil, &h); st != http.StatusServiceUnavailable || h["pendingMigrations"] == nil {
		t.Errorf("health for the cron secret = %d %v, want the pending names", st, h)
	}
}

// L7: AUTOLYNX_ADMIN_EMAILS only bootstraps an account with no admin yet.
// Afterwards a token carrying one of those emails (anyone who signs up
// first with that address, where sign-ups are open) is not made admin;
// admins invite whoever else should be.
func TestLowL7BootstrapClosesOnceAnAdminExists(t *testing.T) {
	e := apitest.New(t, apitest.Options{})
	var me struct{ Role string }
	if st := e.JSON(http.MethodGet, "/api/me", e.Admin, nil, &me); st != http.StatusOK || me.Role != "admin" {
		t.Fatalf("the first admin's bootstrap: %d %v", st, me)
	}
	e.Deps.Config.AdminEmails = append(e.Deps.Config.AdminEmails, "late@example.com")
	if st := e.JSON(http.MethodGet, "/api/me", e.Token("late@example.com"), nil, nil); st != http.StatusForbidden {
		t.Errorf("a bootstrap email after an admin exists: %d, want 403", st)
	}
}
