// Package scheduler holds the scheduler tick function.
package scheduler

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
)

// Tick serves the routes of httpapi.Routes whose Function is "scheduler/tick"
// (/api/scheduler/tick and the paths vercel.json rewrites to it).
func Tick(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, "scheduler/tick")
}
