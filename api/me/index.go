// Package me is the Vercel function at /api/me: who is signed in.
package me

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	"github.com/autolynx/autolynx/lib/httpapi"
)

// Me serves /api/me and the paths vercel.json rewrites to it: the
// routes of httpapi.MeRoutes.
func Me(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, httpapi.MeRoutes)
}
