// Package config serves GET /api/config: what the browser needs to sign in
// and to prefill forms.
package config

import (
	"net/http"
	"time"

	"github.com/autolynx/autolynx/lib/httpapi"
	"github.com/autolynx/autolynx/lib/settings"
)

// Routes are the config function's routes (api/config/index.go).
var Routes = []httpapi.Route{
	{Method: "GET", Path: "/api/config", Function: "config", Access: httpapi.Public, Body: httpapi.JSONBody, Handle: publicConfig},
}

// publicSettingsTTL is how long this instance reuses the settings the
// sign-in page reads: anyone may ask, so not every request reads them.
// Deployed, an admin's change (made by the admin function, another
// instance) shows within this time; where one process serves both
// functions, as the local runner does, the change forgets the copy at
// once (Forget).
const publicSettingsTTL = 30 * time.Second

// settingsCache is this instance's copy of the settings.
type settingsCache struct {
	httpapi.Cached[settings.Settings]
}

// Forget drops this instance's copy of the settings, after an admin
// changed them here.
func Forget(d *httpapi.Deps) { httpapi.Memo[settingsCache](d).Forget() }

// publicConfig answers GET /api/config: what the browser needs to sign in
// and to prefill forms. The anon key is public by design; no secret is
// ever here. Anyone may ask, so the settings are reused for
// publicSettingsTTL rather than read per request.
func publicConfig(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	s, err := httpapi.Memo[settingsCache](d).Get(d.Now(), publicSettingsTTL, func() (settings.Settings, error) {
		return settings.Get(r.Context(), d.DB, d.Config)
	})
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{
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
