// Package health serves GET /api/health.
package health

import (
	"context"
	"net/http"
	"time"

	"github.com/autolynx/autolynx/lib/auth"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/httpapi"
	"github.com/autolynx/autolynx/lib/ops"
	"github.com/autolynx/autolynx/lib/ratelimit"
	"github.com/autolynx/autolynx/lib/settings"
	"github.com/autolynx/autolynx/lib/user"
)

// Routes are the health function's routes (api/health/index.go).
var Routes = []httpapi.Route{
	{Method: "GET", Path: "/api/health", Function: "health", Access: httpapi.Public, Body: httpapi.JSONBody, Handle: health},
}

// healthTTL is how long a probe's verdict is reused, so anonymous checks
// cost no round trip each.
const healthTTL = 5 * time.Second

// probeCache is this instance's last probe.
type probeCache struct{ httpapi.Cached[healthAnswer] }

type healthAnswer struct {
	Status     string   `json:"status"`
	Database   string   `json:"database"`
	Migrations string   `json:"migrations,omitempty"`
	Pending    []string `json:"pendingMigrations,omitempty"`
	Version    string   `json:"version"`
	// Liveness, shown to admins and the cron secret only.
	Cron     *ops.Cron     `json:"cron,omitempty"`
	Webhooks *ops.Webhooks `json:"webhooks,omitempty"`
	Vapi     *ops.Vapi     `json:"vapi,omitempty"`
}

// health answers GET /api/health: 200 when Postgres answers and the schema
// is current, 503 otherwise. Public: it reveals no data, and its probe is
// reused for healthTTL, so anonymous checks cost no round trip each. An
// admin's token or the cron secret also gets the names of pending
// migrations, the cron heartbeat, webhook freshness and Vapi's
// reachability; a stale cron still answers 200 ("cron":
// {"status":"stale"}) so load balancers do not take a working API out of
// rotation for it: monitors alert on cron.status.
func health(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	ans, _ := httpapi.Memo[probeCache](d).Get(d.Now(), healthTTL, func() (healthAnswer, error) { return probe(ctx, d), nil })
	status := http.StatusOK
	if ans.Status != "ok" {
		status = http.StatusServiceUnavailable
	}
	if !privileged(d, r) {
		ans.Pending = nil
	} else if ans.Database == "ok" {
		if s := liveness(ctx, d, r); s != nil {
			ans.Cron, ans.Webhooks, ans.Vapi = &s.Cron, &s.Webhooks, &s.Vapi
		}
	}
	httpapi.WriteJSON(w, status, ans)
	return nil
}

// probe checks that Postgres answers and the schema is current.
func probe(ctx context.Context, d *httpapi.Deps) healthAnswer {
	ans := healthAnswer{Status: "ok", Database: "ok", Migrations: "current", Version: d.Config.Version}
	pending, err := db.PendingMigrations(ctx, d.DB)
	switch {
	case err != nil && d.DB.Ping(ctx) != nil:
		ans = healthAnswer{Status: "degraded", Database: "unreachable", Version: d.Config.Version}
	case err != nil:
		ans.Status, ans.Migrations = "degraded", "unknown"
	case len(pending) > 0:
		ans.Status, ans.Migrations, ans.Pending = "degraded", "pending", pending
	}
	return ans
}

// privileged reports whether the caller may see liveness: the cron
// secret, or an admin's token. Anyone else gets the public answer, not an
// error.
func privileged(d *httpapi.Deps, r *http.Request) bool {
	if _, ok := auth.BearerToken(r); !ok {
		return false
	}
	if d.CronAuthorized(r) {
		return true
	}
	_, err := d.Authorize(r, user.Admin, ratelimit.General)
	return err == nil
}

// liveness judges cron, webhooks and Vapi against the configured cadence;
// nil (omitted) when it cannot be read.
func liveness(ctx context.Context, d *httpapi.Deps, r *http.Request) *ops.Status {
	cfg, err := settings.Get(ctx, d.DB, d.Config)
	if err != nil {
		httpapi.Log(r).Warn("health: read settings", "err", err.Error())
		return nil
	}
	s, err := ops.Liveness(ctx, d.DB, d.Now(), time.Duration(cfg.DefaultCronCadence)*time.Second)
	if err != nil {
		httpapi.Log(r).Warn("health: check liveness", "err", err.Error())
		return nil
	}
	return &s
}
