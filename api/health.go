// Package api holds AutoLynx's Vercel functions: each file is one function
// whose handler only passes the request to lib.
package api

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	"github.com/autolynx/autolynx/lib/httpapi"
)

// Health serves GET /api/health.
func Health(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, "health", httpapi.Health)
}
