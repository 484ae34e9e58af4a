package httpapi

import (
	"mime"
	"net/http"

	"github.com/autolynx/autolynx/lib/dnc"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/settings"
)

// The do-not-call list: every user may read and add numbers (suppressing
// is always safe); removing one is for admins.

func (d *Deps) listDNC(w http.ResponseWriter, r *http.Request) error {
	limit := 100
	if err := positiveInt(r.URL.Query().Get("limit"), "limit", 1000, &limit); err != nil {
		return err
	}
	entries, total, err := dnc.List(r.Context(), d.DB, r.URL.Query().Get("search"), limit)
	return reply(w, r, map[string]any{"entries": entries, "total": total}, err)
}

func (d *Deps) addDNC(w http.ResponseWriter, r *http.Request) error {
	defaults, err := settings.Get(r.Context(), d.DB, d.Config)
	if err != nil {
		return err
	}
	numbers, reason, err := dncNumbers(r)
	if err != nil {
		return err
	}
	rep, err := dnc.Add(r.Context(), d.DB, numbers, reason, caller(r).ID, defaults.DefaultRegion)
	return created(w, rep, err)
}

func (d *Deps) removeDNC(w http.ResponseWriter, r *http.Request) error {
	defaults, err := settings.Get(r.Context(), d.DB, d.Config)
	if err != nil {
		return err
	}
	return noContent(w, dnc.Remove(r.Context(), d.DB, r.PathValue("phone"), defaults.DefaultRegion))
}

// dncNumbers reads {"phone"} / {"phones": […]} JSON, or a CSV upload.
func dncNumbers(r *http.Request) ([]string, string, error) {
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
	if err := DecodeJSON(r, &body); err != nil {
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
