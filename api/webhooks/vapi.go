// Package webhooks holds the webhook receiver functions.
package webhooks

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	"github.com/autolynx/autolynx/lib/httpapi"
)

// Vapi serves /api/webhooks/vapi and the paths vercel.json rewrites to it: the
// routes of httpapi.WebhookRoutes.
func Vapi(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, httpapi.WebhookRoutes)
}
