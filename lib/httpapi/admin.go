package httpapi

import (
	"net/http"
	"strings"

	"github.com/autolynx/autolynx/lib/invite"
	"github.com/autolynx/autolynx/lib/settings"
	"github.com/autolynx/autolynx/lib/user"
)

func (d *Deps) listUsers(w http.ResponseWriter, r *http.Request) error {
	list, err := user.List(r.Context(), d.DB)
	return reply(w, r, map[string]any{"users": list}, err)
}

func (d *Deps) patchUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "user")
	if err != nil {
		return err
	}
	var body struct {
		Role        *user.Role `json:"role" validate:"omitnil,oneof=admin operator"`
		Allowlisted *bool      `json:"allowlisted"`
	}
	if err := DecodeJSON(r, &body); err != nil {
		return err
	}
	p, err := user.Update(r.Context(), d.DB, caller(r).ID, id, user.Change{Role: body.Role, Allowlisted: body.Allowlisted})
	return reply(w, r, p, err)
}

// revokeUser takes a user off the allowlist; the row stays for history.
func (d *Deps) revokeUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "user")
	if err != nil {
		return err
	}
	revoked := false
	_, err = user.Update(r.Context(), d.DB, caller(r).ID, id, user.Change{Allowlisted: &revoked})
	return noContent(w, err)
}

func (d *Deps) invite(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Email string    `json:"email" validate:"required,email,max=254"`
		Role  user.Role `json:"role" validate:"omitempty,oneof=admin operator"`
	}
	if err := DecodeJSON(r, &body); err != nil {
		return err
	}
	body.Email = strings.TrimSpace(strings.ToLower(body.Email))
	if body.Role == "" {
		body.Role = user.Operator
	}
	id, err := d.inviter().Invite(r.Context(), body.Email)
	if err != nil {
		return err
	}
	p, err := user.Add(r.Context(), d.DB, id, body.Email, body.Role)
	return created(w, p, err)
}

func (d *Deps) getSettings(w http.ResponseWriter, r *http.Request) error {
	s, err := settings.Get(r.Context(), d.DB, d.Config)
	return reply(w, r, s, err)
}

func (d *Deps) patchSettings(w http.ResponseWriter, r *http.Request) error {
	var p settings.Patch
	if err := DecodeJSON(r, &p); err != nil {
		return err
	}
	s, err := settings.Update(r.Context(), d.DB, d.Config, p)
	d.publicSetting.forget()
	return reply(w, r, s, err)
}

// publicConfig answers GET /api/config: what the browser needs to sign in
// and to prefill forms. The anon key is public by design; no secret is
// ever here. Anyone may ask, so the settings are reused for
// publicSettingsTTL rather than read per request.
func (d *Deps) publicConfig(w http.ResponseWriter, r *http.Request) error {
	s, err := d.publicSetting.get(d.Now(), publicSettingsTTL, func() (settings.Settings, error) {
		return settings.Get(r.Context(), d.DB, d.Config)
	})
	if err != nil {
		return err
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
	return nil
}

// inviter is the deps' inviter, or by default Supabase Auth's admin API.
func (d *Deps) inviter() user.Inviter {
	if d.Inviter != nil {
		return d.Inviter
	}
	return invite.Supabase{URL: d.Config.SupabaseURL, ServiceRoleKey: d.Config.SupabaseServiceRoleKey}
}
