package api

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	"github.com/autolynx/autolynx/lib/httpapi"
)

// Assistants serves /api/assistants and /api/assistants/{id} (rewritten to ?id=).
func Assistants(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, "assistants", httpapi.Assistants)
}
