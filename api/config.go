package api

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	"github.com/autolynx/autolynx/lib/httpapi"
)

// Config serves GET /api/config, what the browser needs to sign in.
func Config(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, "config", httpapi.PublicConfig)
}
