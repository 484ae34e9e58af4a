package api

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
)

// Admin serves the routes of httpapi.Routes whose Function is "admin"
// (/api/admin and the paths vercel.json rewrites to it).
func Admin(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, "admin")
}
