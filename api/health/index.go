// Package health is the Vercel function at /api/health.
package health

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	routes "github.com/autolynx/autolynx/lib/httpapi/health"
)

// Health serves /api/health and the paths vercel.json rewrites to it: the
// routes of lib/httpapi/health.
func Health(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, routes.Routes)
}
