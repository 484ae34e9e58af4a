// Package config is the Vercel function at /api/config: what the dashboard needs before sign-in.
package config

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	routes "github.com/autolynx/autolynx/lib/httpapi/config"
)

// Config serves /api/config and the paths vercel.json rewrites to it: the
// routes of lib/httpapi/config.
func Config(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, routes.Routes)
}
