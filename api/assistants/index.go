// Package assistants is the Vercel function at /api/assistants: the assistant directory.
package assistants

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	"github.com/autolynx/autolynx/lib/httpapi"
)

// Assistants serves /api/assistants and the paths vercel.json rewrites to it: the
// routes of httpapi.AssistantsRoutes.
func Assistants(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, httpapi.AssistantsRoutes)
}
