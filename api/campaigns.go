package api

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	"github.com/autolynx/autolynx/lib/httpapi"
)

// Campaigns serves /api/campaigns and /api/campaigns/{id}/{action} (rewritten to ?id=&action=).
func Campaigns(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, "campaigns", httpapi.Campaigns)
}
