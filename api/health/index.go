// Package health is the Vercel function at /api/health: health.
package health

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	"github.com/autolynx/autolynx/lib/httpapi"
)

// Health serves /api/health and the paths vercel.json rewrites to it: the
// routes of httpapi.HealthRoutes.
func Health(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, httpapi.HealthRoutes)
}
