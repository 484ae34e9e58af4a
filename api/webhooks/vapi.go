// Package webhooks holds the webhook receiver functions.
package webhooks

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
)

// Vapi serves the routes of httpapi.Routes whose Function is "webhooks/vapi"
// (/api/webhooks/vapi and the paths vercel.json rewrites to it).
func Vapi(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, "webhooks/vapi")
}
