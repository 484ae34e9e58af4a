package httpapi

import (
	"mime"
	"net/http"

	"github.com/autolynx/autolynx/lib/dnc"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/ratelimit"
	"github.com/autolynx/autolynx/lib/settings"
)

// DNC serves /api/dnc and /api/dnc/{phone}: every user may read and add
// numbers (suppressing is always safe); removing one is for admins.
func DNC(d *Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		need := anyUser
		if r.Method == http.MethodDelete {
			need = adminOnly
		} else if r.Method == http.MethodPost {
			need.bucket = ratelimit.Upload
		}
		caller, err := d.authorize(r, need)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		defaults, err := settings.Get(r.Context(), d.DB, d.Config)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		switch r.Method {
		case http.MethodGet:
			limit := 100
			if err := positiveInt(r.URL.Query().Get("limit"), "limit", 1000, &limit); err != nil {
				WriteError(w, r, err)
				return
			}
			entries, total, err := dnc.List(r.Context(), d.DB, r.URL.Query().Get("search"), limit)
			respond(w, r, map[string]any{"entries": entries, "total": total}, err)
		case http.MethodPost:
			numbers, reason, err := dncNumbers(w, r)
			if err != nil {
				WriteError(w, r, err)
				return
			}
			rep, err := dnc.Add(r.Context(), d.DB, numbers, reason, caller.ID, defaults.DefaultRegion)
			created(w, r, rep, err)
		case http.MethodDelete:
			if err := dnc.Remove(r.Context(), d.DB, r.URL.Query().Get("phone"), defaults.DefaultRegion); err != nil {
				WriteError(w, r, err)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		default:
			MethodNotAllowed(w, r, http.MethodGet, http.MethodPost, http.MethodDelete)
		}
	})
}

// dncNumbers reads {"phone"} / {"phones": […]} JSON, or a CSV upload.
func dncNumbers(w http.ResponseWriter, r *http.Request) ([]string, string, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		up, err := readUpload(r, true, true)
		if err != nil {
			return nil, "", err
		}
		numbers, err := dnc.ReadNumbers(up.csv)
		return numbers, up.fields["reason"], err
	}
	var body struct {
		Phone  string   `json:"phone" validate:"max=40"`
		Phones []string `json:"phones" validate:"max=10000,dive,max=40"`
		Reason string   `json:"reason" validate:"max=500"`
	}
	if err := DecodeJSON(w, r, &body); err != nil {
		return nil, "", err
	}
	if body.Phone != "" {
		body.Phones = append(body.Phones, body.Phone)
	}
	if len(body.Phones) == 0 {
		return nil, "", problem.New(problem.Invalid, "phone or phones is required", "field", "phone")
	}
	return body.Phones, body.Reason, nil
}
