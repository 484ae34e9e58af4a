// Package tick serves /api/scheduler/tick, the cron's entry point, and
// builds the scheduler that start also nudges.
package tick

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/httpapi"
	"github.com/autolynx/autolynx/lib/httpapi/jsonbody"
	"github.com/autolynx/autolynx/lib/outbox"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/scheduler"
)

// Routes are the tick function's routes (api/scheduler/tick.go).
var Routes = []httpapi.Route{
	{Method: "GET", Path: "/api/scheduler/tick", Function: "scheduler/tick", Access: httpapi.CronSecret, Body: httpapi.JSONBody, Handle: tick},
	{Method: "POST", Path: "/api/scheduler/tick", Function: "scheduler/tick", Access: httpapi.CronSecret, Body: httpapi.JSONBody, Handle: tick},
}

// tick answers GET|POST /api/scheduler/tick for Vercel Cron (GET with
// CRON_SECRET) and scripts (POST with CRON_SHARED_SECRET); the route's
// adapter checks the secret before anything touches the database.
func tick(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	only, err := tickCampaign(r)
	if err != nil {
		return err
	}
	s := Scheduler(d)
	s.Log = httpapi.Log(r) // the pass's lines carry the request's id
	sum, err := s.Cron(r.Context(), only, d.VapiTally, d.Config.AlertWebhookURL)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, sum)
	return nil
}

// tickCampaign reads the optional campaignId from the query or a JSON body.
func tickCampaign(r *http.Request) (uuid.UUID, error) {
	v := r.URL.Query().Get("campaignId")
	if v == "" && r.Method == http.MethodPost && r.ContentLength != 0 {
		var body struct {
			CampaignID string `json:"campaignId"`
		}
		if err := jsonbody.Decode(r, &body); err != nil {
			return uuid.Nil, err
		}
		v = body.CampaignID
	}
	if v == "" {
		return uuid.Nil, nil
	}
	id, err := uuid.Parse(v)
	if err != nil {
		return uuid.Nil, problem.New(problem.Invalid, "campaignId must be a UUID", "field", "campaignId")
	}
	return id, nil
}

// Scheduler builds the tick runner from the deps.
func Scheduler(d *httpapi.Deps) *scheduler.Scheduler {
	return &scheduler.Scheduler{
		DB: d.DB, Vapi: d.Vapi, Now: d.Now, Log: d.Log,
		WebhookURL:            d.Config.PublicURL + "/api/webhooks/vapi",
		WebhookSecret:         d.Config.WebhookSecret,
		WebhookSecretPrevious: d.Config.WebhookSecretPrevious,
		CredentialID:          d.Config.VapiServerCredentialID,
		URLs:                  callstate.URLPolicy{LoopbackHTTP: d.Config.Local},
		Outbox:                outbox.NewDispatcher(d.DB, outbox.URLPolicy{Local: d.Config.Local}, d.Now, d.Log),
	}
}
