// Package campaigns is the Vercel function at /api/campaigns: create, read, control and export campaigns.
package campaigns

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	campaignroutes "github.com/autolynx/autolynx/lib/httpapi/campaigns"
)

// Campaigns serves /api/campaigns and the paths vercel.json rewrites to it: the
// routes of campaignroutes.Routes.
func Campaigns(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, campaignroutes.Routes)
}
