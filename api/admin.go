package api

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	"github.com/autolynx/autolynx/lib/httpapi"
)

// Admin serves /api/admin/{resource}[/{id}] (rewritten to ?resource=&id=), admins only.
func Admin(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, "admin", httpapi.Admin)
}
