// Package me is the Vercel function at /api/me: who is signed in.
package me

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/app"
	routes "github.com/autolynx/autolynx/lib/httpapi/me"
)

// Me serves /api/me and the paths vercel.json rewrites to it: the
// routes of lib/httpapi/me.
func Me(w http.ResponseWriter, r *http.Request) {
	app.Serve(w, r, routes.Routes)
}
