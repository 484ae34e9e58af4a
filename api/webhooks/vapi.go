// Package webhooks holds the webhook receiver functions.
package webhooks

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	"github.com/autolynx/autolynx/lib/httpapi"
)

// Vapi serves POST /api/webhooks/vapi, Vapi's server messages.
func Vapi(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, "webhook", httpapi.VapiWebhook)
}
