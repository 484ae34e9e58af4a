// Package scheduler holds the scheduler tick function.
package scheduler

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	routes "github.com/autolynx/autolynx/lib/httpapi/tick"
)

// Tick serves /api/scheduler/tick and the paths vercel.json rewrites to it: the
// routes of lib/httpapi/tick.
func Tick(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, routes.Routes)
}
