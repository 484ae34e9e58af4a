// Package api holds AutoLynx's Vercel functions: each file is one function
// whose handler only passes the request to lib.
package api

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
)

// Health serves the routes of httpapi.Routes whose Function is "health"
// (/api/health and the paths vercel.json rewrites to it).
func Health(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, "health")
}
