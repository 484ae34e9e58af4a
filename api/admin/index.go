// Package admin is the Vercel function at /api/admin: the admin function: users, settings and operations.
package admin

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	routes "github.com/autolynx/autolynx/lib/httpapi/admin"
)

// Admin serves /api/admin and the paths vercel.json rewrites to it: the
// routes of lib/httpapi/admin.
func Admin(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, routes.Routes)
}
