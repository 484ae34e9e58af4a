package api

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
)

// Campaigns serves the routes of httpapi.Routes whose Function is "campaigns"
// (/api/campaigns and the paths vercel.json rewrites to it).
func Campaigns(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, "campaigns")
}
