// Package config is the Vercel function at /api/config: what the dashboard needs before sign-in.
package config

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	"github.com/autolynx/autolynx/lib/httpapi"
)

// Config serves /api/config and the paths vercel.json rewrites to it: the
// routes of httpapi.ConfigRoutes.
func Config(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, httpapi.ConfigRoutes)
}
