// Package me serves GET /api/me: who is signed in.
package me

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/httpapi"
	"github.com/autolynx/autolynx/lib/ratelimit"
)

// Routes are the me function's routes (api/me/index.go).
var Routes = []httpapi.Route{
	{Method: "GET", Path: "/api/me", Function: "me", Access: httpapi.Operator, Bucket: ratelimit.General, Body: httpapi.JSONBody, Handle: me},
}

// me answers GET /api/me.
func me(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	p := httpapi.Caller(r)
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"id": p.ID, "email": p.Email, "role": p.Role})
	return nil
}
