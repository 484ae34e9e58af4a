package admin

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/autolynx/autolynx/lib/httpapi"
	"github.com/autolynx/autolynx/lib/httpapi/jsonbody"
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

// operationsPage answers GET /api/admin/operations?window=hour|day.
func operationsPage(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	ctx, now := r.Context(), d.Now()
	window := r.URL.Query().Get("window")
	if window == "" {
		window = "hour"
	}
	rep, err := ops.BuildReport(ctx, d.DB, now, window)
	if err != nil {
		return err
	}
	cfg, err := settings.Get(ctx, d.DB, d.Config)
	if err != nil {
		return err
	}
	ans := operationsAnswer{Report: rep}
	if ans.Health, err = ops.Liveness(ctx, d.DB, now, time.Duration(cfg.DefaultCronCadence)*time.Second); err != nil {
		return err
	}
	if ans.Alerts, err = ops.RecentAlerts(ctx, d.DB, recentAlerts); err != nil {
		return err
	}
	ans.Policy, err = ops.GetPolicy(ctx, d.DB)
	return httpapi.Reply(w, r, ans, err)
}

// patchPolicy answers PATCH /api/admin/operations: spendAlertUsd,
// spendAlertDailyUsd, retentionTranscriptDays, retentionPiiDays, each a
// number or null for off.
func patchPolicy(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	var changes map[string]json.RawMessage
	if err := jsonbody.Decode(r, &changes); err != nil {
		return err
	}
	p, err := ops.UpdatePolicy(r.Context(), d.DB, changes)
	return httpapi.Reply(w, r, p, err)
}

// campaignAlert answers PATCH /api/admin/operations/{id}
// {"spendAlertUsd": n|null}: a campaign's spend alert.
func campaignAlert(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	id, err := httpapi.PathID(r, "id", "campaign")
	if err != nil {
		return err
	}
	var body struct {
		SpendAlertUSD json.RawMessage `json:"spendAlertUsd"`
	}
	if err := jsonbody.Decode(r, &body); err != nil {
		return err
	}
	var usd *float64
	if len(body.SpendAlertUSD) == 0 || json.Unmarshal(body.SpendAlertUSD, &usd) != nil {
		return problem.New(problem.Invalid, "spendAlertUsd must be a number or null", "field", "spendAlertUsd")
	}
	err = ops.SetCampaignAlert(r.Context(), d.DB, id, usd)
	return httpapi.Reply(w, r, map[string]any{"campaignId": id, "spendAlertUsd": usd}, err)
}
