// Package dnc is the Vercel function at /api/dnc: the do-not-call list.
package dnc

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	routes "github.com/autolynx/autolynx/lib/httpapi/dnc"
)

// DNC serves /api/dnc and the paths vercel.json rewrites to it: the
// routes of lib/httpapi/dnc.
func DNC(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, routes.Routes)
}
