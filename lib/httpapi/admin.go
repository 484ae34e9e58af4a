package httpapi

import (
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/settings"
	"github.com/autolynx/autolynx/lib/user"
)

// Admin serves /api/admin/users[/{id}] and /api/admin/config, admins only.
func Admin(d *Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller, err := d.authorize(r, adminOnly)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		q := r.URL.Query()
		switch q.Get("resource") {
		case "users":
			d.adminUsers(w, r, caller, q.Get("id"))
		case "config":
			d.adminConfig(w, r)
		case "operations":
			d.adminOperations(w, r, q.Get("id"))
		default:
			WriteError(w, r, problem.New(problem.NotFound, "no such admin resource"))
		}
	})
}

func (d *Deps) adminUsers(w http.ResponseWriter, r *http.Request, caller *user.Profile, idText string) {
	ctx := r.Context()
	if idText == "" {
		switch r.Method {
		case http.MethodGet:
			list, err := user.List(ctx, d.DB)
			respond(w, r, map[string]any{"users": list}, err)
		case http.MethodPost:
			d.invite(w, r)
		default:
			MethodNotAllowed(w, r, http.MethodGet, http.MethodPost)
		}
		return
	}
	id, err := uuid.Parse(idText)
	if err != nil {
		WriteError(w, r, problem.New(problem.NotFound, "user not found"))
		return
	}
	switch r.Method {
	case http.MethodPatch:
		var body struct {
			Role        *user.Role `json:"role" validate:"omitnil,oneof=admin operator"`
			Allowlisted *bool      `json:"allowlisted"`
		}
		if err := DecodeJSON(w, r, &body); err != nil {
			WriteError(w, r, err)
			return
		}
		p, err := user.Update(ctx, d.DB, caller.ID, id, user.Change{Role: body.Role, Allowlisted: body.Allowlisted})
		respond(w, r, p, err)
	case http.MethodDelete:
		revoked := false
		if _, err := user.Update(ctx, d.DB, caller.ID, id, user.Change{Allowlisted: &revoked}); err != nil {
			WriteError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		MethodNotAllowed(w, r, http.MethodPatch, http.MethodDelete)
	}
}

func (d *Deps) invite(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email string    `json:"email" validate:"required,email,max=254"`
		Role  user.Role `json:"role" validate:"omitempty,oneof=admin operator"`
	}
	if err := DecodeJSON(w, r, &body); err != nil {
		WriteError(w, r, err)
		return
	}
	body.Email = strings.TrimSpace(strings.ToLower(body.Email))
	if body.Role == "" {
		body.Role = user.Operator
	}
	id, err := d.Inviter.Invite(r.Context(), body.Email)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	p, err := user.Add(r.Context(), d.DB, id, body.Email, body.Role)
	created(w, r, p, err)
}

func (d *Deps) adminConfig(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		s, err := settings.Get(r.Context(), d.DB, d.Config)
		respond(w, r, s, err)
	case http.MethodPatch:
		var p settings.Patch
		if err := DecodeJSON(w, r, &p); err != nil {
			WriteError(w, r, err)
			return
		}
		s, err := settings.Update(r.Context(), d.DB, d.Config, p)
		d.publicSetting.forget()
		respond(w, r, s, err)
	default:
		MethodNotAllowed(w, r, http.MethodGet, http.MethodPatch)
	}
}

// PublicConfig serves GET /api/config: what the browser needs to sign in
// and to prefill forms. The anon key is public by design; no secret is
// ever here. Anyone may ask, so the settings are reused for
// publicSettingsTTL rather than read per request.
func PublicConfig(d *Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			MethodNotAllowed(w, r, http.MethodGet)
			return
		}
		s, err := d.publicSetting.get(d.Now(), publicSettingsTTL, func() (settings.Settings, error) {
			return settings.Get(r.Context(), d.DB, d.Config)
		})
		if err != nil {
			WriteError(w, r, err)
			return
		}
		WriteJSON(w, http.StatusOK, map[string]any{
			"callingDefaults": map[string]any{
				"windowStart": s.DefaultWindowStart, "windowEnd": s.DefaultWindowEnd, "days": s.DefaultCallingDays,
				"legalWindowStart": s.LegalWindowStart, "legalWindowEnd": s.LegalWindowEnd,
			},
			"supabaseUrl":     d.Config.SupabaseURL,
			"supabaseAnonKey": d.Config.SupabaseAnonKey,
			"localSignIn":     d.Config.Local,
			"realtime":        !d.Config.Local && d.Config.SupabaseAnonKey != "",
			"version":         d.Config.Version,
		})
	})
}
