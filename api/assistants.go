package api

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
)

// Assistants serves the routes of httpapi.Routes whose Function is "assistants"
// (/api/assistants and the paths vercel.json rewrites to it).
func Assistants(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, "assistants")
}
