package api

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
)

// Me serves the routes of httpapi.Routes whose Function is "me"
// (/api/me and the paths vercel.json rewrites to it).
func Me(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, "me")
}
