// Package admin is the Vercel function at /api/admin: the admin function: users, settings and operations.
package admin

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	adminroutes "github.com/autolynx/autolynx/lib/httpapi/admin"
)

// Admin serves /api/admin and the paths vercel.json rewrites to it: the
// routes of adminroutes.Routes.
func Admin(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, adminroutes.Routes)
}
