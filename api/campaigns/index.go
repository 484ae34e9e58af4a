// Package campaigns is the Vercel function at /api/campaigns: create, read, control and export campaigns.
package campaigns

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	routes "github.com/autolynx/autolynx/lib/httpapi/campaigns"
)

// Campaigns serves /api/campaigns and the paths vercel.json rewrites to it: the
// routes of lib/httpapi/campaigns.
func Campaigns(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, routes.Routes)
}
