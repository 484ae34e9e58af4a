// Package assistants is the Vercel function at /api/assistants: the assistant directory.
package assistants

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	routes "github.com/autolynx/autolynx/lib/httpapi/assistants"
)

// Assistants serves /api/assistants and the paths vercel.json rewrites to it: the
// routes of lib/httpapi/assistants.
func Assistants(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, routes.Routes)
}
