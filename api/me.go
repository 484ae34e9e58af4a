package api

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	"github.com/autolynx/autolynx/lib/httpapi"
)

// Me serves GET /api/me.
func Me(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, "me", httpapi.Me)
}
