// Package scheduler holds the scheduler tick function.
package scheduler

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	"github.com/autolynx/autolynx/lib/httpapi"
)

// Tick serves GET|POST /api/scheduler/tick, the cron's entry point.
func Tick(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, "tick", httpapi.Tick)
}
