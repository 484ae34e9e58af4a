package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/autolynx/autolynx/lib/db"
)

type healthAnswer struct {
	Status     string   `json:"status"`
	Database   string   `json:"database"`
	Migrations string   `json:"migrations,omitempty"`
	Pending    []string `json:"pendingMigrations,omitempty"`
	Version    string   `json:"version"`
}

// Health answers GET /api/health: 200 when Postgres answers and the schema
// is current, 503 otherwise. Public: it reveals no data.
func Health(d *Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			MethodNotAllowed(w, r, http.MethodGet)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
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
		status := http.StatusOK
		if ans.Status != "ok" {
			status = http.StatusServiceUnavailable
		}
		WriteJSON(w, status, ans)
	})
}
