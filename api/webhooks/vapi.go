// Package webhooks holds the webhook receiver functions.
package webhooks

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	routes "github.com/autolynx/autolynx/lib/httpapi/webhooks"
)

// Vapi serves /api/webhooks/vapi and the paths vercel.json rewrites to it: the
// routes of lib/httpapi/webhooks.
func Vapi(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, routes.Routes)
}
