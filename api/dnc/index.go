// Package dnc is the Vercel function at /api/dnc: the do-not-call list.
package dnc

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	dncroutes "github.com/autolynx/autolynx/lib/httpapi/dnc"
)

// DNC serves /api/dnc and the paths vercel.json rewrites to it: the
// routes of dncroutes.Routes.
func DNC(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, dncroutes.Routes)
}
