// Package dnc serves /api/dnc, the do-not-call list: every user may read
// and add numbers (suppressing is always safe); removing one is for
// admins. It also serves a number's history across campaigns
// (/api/numbers/{phone}/calls). Numbers are parsed with phone-number
// metadata, which only this function and campaigns link.
package dnc

import (
	"mime"
	"net/http"

	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/dnc"
	"github.com/autolynx/autolynx/lib/httpapi"
	"github.com/autolynx/autolynx/lib/httpapi/jsonbody"
	"github.com/autolynx/autolynx/lib/phone"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/ratelimit"
	"github.com/autolynx/autolynx/lib/settings"
)

// Routes are the do-not-call function's routes (api/dnc/index.go).
var Routes = []httpapi.Route{
	{Method: "GET", Path: "/api/dnc", Function: "dnc", Access: httpapi.Operator, Bucket: ratelimit.General, Body: httpapi.JSONBody, Handle: listDNC},
	{Method: "POST", Path: "/api/dnc", Function: "dnc", Access: httpapi.Operator, Bucket: ratelimit.Upload, Body: httpapi.UploadBody, Handle: addDNC},
	{Method: "DELETE", Path: "/api/dnc/{phone}", Function: "dnc", Access: httpapi.Admin, Bucket: ratelimit.General, Body: httpapi.JSONBody, Handle: removeDNC},
	{Method: "GET", Path: "/api/numbers/{phone}/calls", Function: "dnc", Access: httpapi.Operator, Bucket: ratelimit.General, Body: httpapi.JSONBody, Handle: numberCalls},
}

// numberCalls answers one page of every call to a number across
// campaigns, newest first, with where it stands against the frequency
// cap. The number is read as an import reads it (E.164 in the path, its
// "+" as %2B).
func numberCalls(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	defaults, err := settings.Get(r.Context(), d.DB, d.Config)
	if err != nil {
		return err
	}
	e164, err := phone.Normalize(r.PathValue("phone"), defaults.DefaultRegion)
	if err != nil {
		return problem.New(problem.Invalid, "phone must be a phone number, E.164 (+14155550100) with the + as %2B", "field", "phone")
	}
	q := r.URL.Query()
	page, limit := 1, 50
	if err := httpapi.PositiveInt(q.Get("page"), "page", 1<<20, &page); err != nil {
		return err
	}
	if err := httpapi.PositiveInt(q.Get("limit"), "limit", 200, &limit); err != nil {
		return err
	}
	h, err := campaign.History(r.Context(), d.DB, e164, page, limit, d.Now())
	return httpapi.Reply(w, r, h, err)
}

func listDNC(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	limit := 100
	if err := httpapi.PositiveInt(r.URL.Query().Get("limit"), "limit", 1000, &limit); err != nil {
		return err
	}
	entries, total, err := dnc.List(r.Context(), d.DB, r.URL.Query().Get("search"), limit)
	return httpapi.Reply(w, r, map[string]any{"entries": entries, "total": total}, err)
}

func addDNC(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	defaults, err := settings.Get(r.Context(), d.DB, d.Config)
	if err != nil {
		return err
	}
	numbers, reason, err := dncNumbers(r)
	if err != nil {
		return err
	}
	rep, err := dnc.Add(r.Context(), d.DB, numbers, reason, httpapi.Caller(r).ID, defaults.DefaultRegion)
	return httpapi.Created(w, rep, err)
}

func removeDNC(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	defaults, err := settings.Get(r.Context(), d.DB, d.Config)
	if err != nil {
		return err
	}
	return httpapi.NoContent(w, dnc.Remove(r.Context(), d.DB, r.PathValue("phone"), defaults.DefaultRegion))
}

// dncNumbers reads {"phone"} / {"phones": […]} JSON, or a CSV upload.
func dncNumbers(r *http.Request) ([]string, string, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		up, err := httpapi.ReadUpload(r, true, true)
		if err != nil {
			return nil, "", err
		}
		numbers, err := dnc.ReadNumbers(up.File)
		return numbers, up.Fields["reason"], err
	}
	var body struct {
		Phone  string   `json:"phone" validate:"max=40"`
		Phones []string `json:"phones" validate:"max=10000,dive,max=40"`
		Reason string   `json:"reason" validate:"max=500"`
	}
	if err := jsonbody.Decode(r, &body); err != nil {
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
