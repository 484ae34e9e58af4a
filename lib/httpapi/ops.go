package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/ops"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/settings"
)

// recentAlerts is how many alerts the operations page lists.
const recentAlerts = 50

// operationsAnswer is the admins' operations page in one answer.
type operationsAnswer struct {
	*ops.Report
	Health ops.Status  `json:"health"`
	Alerts []ops.Alert `json:"alerts"`
	Policy ops.Policy  `json:"policy"`
}

// adminOperations serves /api/admin/operations (Admin has authorized an
// admin): GET ?window=hour|day is the operations page; PATCH sets the
// policy (spendAlertUsd, spendAlertDailyUsd, retentionTranscriptDays,
// retentionPiiDays: a number, or null for off); PATCH
// /api/admin/operations/{campaignId} {"spendAlertUsd": n|null} sets a
// campaign's spend alert.
func (d *Deps) adminOperations(w http.ResponseWriter, r *http.Request, idText string) {
	switch {
	case r.Method == http.MethodGet && idText == "":
		d.operationsPage(w, r)
	case r.Method == http.MethodPatch && idText == "":
		var changes map[string]json.RawMessage
		if err := DecodeJSON(w, r, &changes); err != nil {
			WriteError(w, r, err)
			return
		}
		p, err := ops.UpdatePolicy(r.Context(), d.DB, changes)
		respond(w, r, p, err)
	case r.Method == http.MethodPatch:
		d.campaignAlert(w, r, idText)
	default:
		MethodNotAllowed(w, r, http.MethodGet, http.MethodPatch)
	}
}

func (d *Deps) operationsPage(w http.ResponseWriter, r *http.Request) {
	ctx, now := r.Context(), d.Now()
	window := r.URL.Query().Get("window")
	if window == "" {
		window = "hour"
	}
	rep, err := ops.Build(ctx, d.DB, now, window)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	cfg, err := settings.Get(ctx, d.DB, d.Config)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	ans := operationsAnswer{Report: rep}
	if ans.Health, err = ops.Check(ctx, d.DB, now, time.Duration(cfg.DefaultCronCadence)*time.Second); err != nil {
		WriteError(w, r, err)
		return
	}
	if ans.Alerts, err = ops.RecentAlerts(ctx, d.DB, recentAlerts); err != nil {
		WriteError(w, r, err)
		return
	}
	ans.Policy, err = ops.GetPolicy(ctx, d.DB)
	respond(w, r, ans, err)
}

func (d *Deps) campaignAlert(w http.ResponseWriter, r *http.Request, idText string) {
	id, err := uuid.Parse(idText)
	if err != nil {
		WriteError(w, r, problem.New(problem.NotFound, "campaign not found"))
		return
	}
	var body struct {
		SpendAlertUSD json.RawMessage `json:"spendAlertUsd"`
	}
	if err := DecodeJSON(w, r, &body); err != nil {
		WriteError(w, r, err)
		return
	}
	var usd *float64
	if len(body.SpendAlertUSD) == 0 || json.Unmarshal(body.SpendAlertUSD, &usd) != nil {
		WriteError(w, r, problem.New(problem.Invalid, "spendAlertUsd must be a number or null", "field", "spendAlertUsd"))
		return
	}
	err = ops.SetCampaignAlert(r.Context(), d.DB, id, usd)
	respond(w, r, map[string]any{"campaignId": id, "spendAlertUsd": usd}, err)
}
