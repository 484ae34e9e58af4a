package api

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
)

// Config serves the routes of httpapi.Routes whose Function is "config"
// (/api/config and the paths vercel.json rewrites to it).
func Config(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, "config")
}
