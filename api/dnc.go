package api

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	"github.com/autolynx/autolynx/lib/httpapi"
)

// DNC serves /api/dnc and /api/dnc/{phone} (rewritten to ?phone=), the
// do-not-call list.
func DNC(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, "dnc", httpapi.DNC)
}
