package api

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
)

// DNC serves the routes of httpapi.Routes whose Function is "dnc"
// (/api/dnc and the paths vercel.json rewrites to it).
func DNC(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, "dnc")
}
