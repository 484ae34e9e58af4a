// Package scheduler holds the scheduler tick function.
package scheduler

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	"github.com/autolynx/autolynx/lib/httpapi"
)

// Tick serves /api/scheduler/tick and the paths vercel.json rewrites to it: the
// routes of httpapi.TickRoutes.
func Tick(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, httpapi.TickRoutes)
}
