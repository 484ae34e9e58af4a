// Package admin serves /api/admin: users, settings, operations and the
// outbox's destinations, for admins only (but the outcomes CSV, read by
// its token). It alone links the Supabase invite client.
package admin

import (
	"net/http"
	"strings"

	"github.com/autolynx/autolynx/lib/httpapi"
	"github.com/autolynx/autolynx/lib/httpapi/config"
	"github.com/autolynx/autolynx/lib/httpapi/jsonbody"
	"github.com/autolynx/autolynx/lib/invite"
	"github.com/autolynx/autolynx/lib/ratelimit"
	"github.com/autolynx/autolynx/lib/settings"
	"github.com/autolynx/autolynx/lib/user"
)

// Routes are the admin function's routes (api/admin/index.go).
var Routes = append([]httpapi.Route{
	route("GET", "/api/admin/users", listUsers),
	route("POST", "/api/admin/users", inviteUser),
	route("PATCH", "/api/admin/users/{id}", patchUser),
	route("DELETE", "/api/admin/users/{id}", revokeUser),
	route("GET", "/api/admin/config", getSettings),
	route("PATCH", "/api/admin/config", patchSettings),
	route("GET", "/api/admin/operations", operationsPage),
	route("PATCH", "/api/admin/operations", patchPolicy),
	route("PATCH", "/api/admin/operations/{id}", campaignAlert),
}, destinationRoutes...)

// route is an admin route: admins only, general rate limit, JSON body.
func route(method, path string, h httpapi.Handler) httpapi.Route {
	return httpapi.Route{Method: method, Path: path, Function: "admin", Access: httpapi.Admin,
		Bucket: ratelimit.General, Body: httpapi.JSONBody, Handle: h}
}

func listUsers(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	list, err := user.List(r.Context(), d.DB)
	return httpapi.Reply(w, r, map[string]any{"users": list}, err)
}

func patchUser(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "user")
	if err != nil {
		return err
	}
	var body struct {
		Role        *user.Role `json:"role" validate:"omitnil,oneof=admin operator"`
		Allowlisted *bool      `json:"allowlisted"`
	}
	if err := jsonbody.Decode(r, &body); err != nil {
		return err
	}
	p, err := user.Update(r.Context(), d.DB, httpapi.Caller(r).ID, id, user.Change{Role: body.Role, Allowlisted: body.Allowlisted})
	return httpapi.Reply(w, r, p, err)
}

// revokeUser takes a user off the allowlist; the row stays for history.
func revokeUser(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "user")
	if err != nil {
		return err
	}
	revoked := false
	_, err = user.Update(r.Context(), d.DB, httpapi.Caller(r).ID, id, user.Change{Allowlisted: &revoked})
	return httpapi.NoContent(w, err)
}

func inviteUser(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Email string    `json:"email" validate:"required,email,max=254"`
		Role  user.Role `json:"role" validate:"omitempty,oneof=admin operator"`
	}
	if err := jsonbody.Decode(r, &body); err != nil {
		return err
	}
	body.Email = strings.TrimSpace(strings.ToLower(body.Email))
	if body.Role == "" {
		body.Role = user.Operator
	}
	id, err := inviter(d).Invite(r.Context(), body.Email)
	if err != nil {
		return err
	}
	p, err := user.Add(r.Context(), d.DB, id, body.Email, body.Role)
	return httpapi.Created(w, p, err)
}

func getSettings(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	s, err := settings.Get(r.Context(), d.DB, d.Config)
	return httpapi.Reply(w, r, s, err)
}

func patchSettings(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	var p settings.Patch
	if err := jsonbody.Decode(r, &p); err != nil {
		return err
	}
	s, err := settings.Update(r.Context(), d.DB, d.Config, p)
	config.Forget(d)
	return httpapi.Reply(w, r, s, err)
}

// inviter is the deps' inviter, or by default Supabase Auth's admin API.
func inviter(d *httpapi.Deps) user.Inviter {
	if d.Inviter != nil {
		return d.Inviter
	}
	return invite.Supabase{URL: d.Config.SupabaseURL, ServiceRoleKey: d.Config.SupabaseServiceRoleKey}
}
