package httpapi

import (
	"net/http"

	"github.com/autolynx/autolynx/lib/settings"
)

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
