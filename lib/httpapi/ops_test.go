package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/ops"
)

type operationsBody struct {
	ops.Report
	Health ops.Status  `json:"health"`
	Alerts []ops.Alert `json:"alerts"`
	Policy ops.Policy  `json:"policy"`
}

// After a simulated campaign the operations page shows its launches,
// outcomes and spend against the thresholds admins set.
func TestOperationsPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apitest.New(t, apitest.Options{})
	asst := e.CreateAssistant("Ops")
	c := e.CreateCampaign(map[string]string{"name": "Ops", "assistantId": asst, "maxAttempts": "1"}, apitest.Contacts(4))
	e.Control(c.CampaignID, "start")
	// Completed, and every end-of-call report (which may trail the final
	// status update) in.
	e.Eventually(30*time.Second, c.CampaignID, func() bool {
		var reports int
		err := e.DB.QueryRow(ctx, `select count(distinct call_id) from call_events
			where campaign_id = $1 and type = 'end-of-call-report'`, c.CampaignID).Scan(&reports)
		return err == nil && reports == 4 && e.Summary(c.CampaignID).Status == campaign.Completed
	})
	if err := ops.Count(ctx, e.DB, ops.WebhookRefused, 2, e.Clock.Now()); err != nil {
		t.Fatal(err)
	}

	var p ops.Policy
	if st := e.JSON(http.MethodPatch, "/api/admin/operations", e.Admin,
		map[string]any{"spendAlertUsd": 0.01, "retentionPiiDays": 90}, &p); st != http.StatusOK || *p.SpendAlertUSD != 0.01 || *p.RetentionPIIDays != 90 {
		t.Fatalf("patch policy: %d %+v", st, p)
	}
	if st := e.JSON(http.MethodPatch, "/api/admin/operations", e.Admin, map[string]any{"retentionPiiDays": nil}, &p); st != http.StatusOK || p.RetentionPIIDays != nil {
		t.Fatalf("clear retention: %d %+v", st, p)
	}
	if st := e.JSON(http.MethodPatch, "/api/admin/operations", e.Admin, map[string]any{"retentionPiiDays": -1}, nil); st != http.StatusBadRequest {
		t.Fatalf("negative days: %d, want 400", st)
	}
	if st := e.JSON(http.MethodPatch, "/api/admin/operations/"+c.CampaignID, e.Admin, map[string]any{"spendAlertUsd": 0.02}, nil); st != http.StatusOK {
		t.Fatalf("campaign alert: %d", st)
	}
	if err := ops.CheckSpend(ctx, e.DB, e.Clock.Now(), nil, ""); err != nil {
		t.Fatal(err)
	}

	var page operationsBody
	if st := e.JSON(http.MethodGet, "/api/admin/operations?window=day", e.Admin, nil, &page); st != http.StatusOK {
		t.Fatalf("operations: %d", st)
	}
	if page.Window != "day" || page.Calls.Launched != 4 || page.Calls.Completed != 4 || page.Webhooks.Refused != 2 {
		t.Fatalf("volumes = %+v %+v %+v", page.Window, page.Calls, page.Webhooks)
	}
	if page.Spend.Month <= 0 || len(page.Spend.Campaigns) != 1 || *page.Spend.Campaigns[0].Threshold != 0.02 {
		t.Fatalf("spend = %+v", page.Spend)
	}
	if len(page.Alerts) != 2 || page.Health.Cron.Status != "never" || *page.Policy.SpendAlertUSD != 0.01 {
		t.Fatalf("alerts %+v, health %+v, policy %+v", page.Alerts, page.Health, page.Policy)
	}
	if st := e.JSON(http.MethodGet, "/api/admin/operations", e.Operator, nil, nil); st != http.StatusForbidden {
		t.Fatalf("operator: %d, want 403", st)
	}
	if st := e.JSON(http.MethodGet, "/api/admin/operations?window=week", e.Admin, nil, nil); st != http.StatusBadRequest {
		t.Fatalf("window=week: %d, want 400", st)
	}
}

// Cron ticks beat the heartbeat and flush Vapi's counters; webhooks are
// counted as they are accepted, refusals once a minute.
func TestTickAndWebhooksFeedOperations(t *testing.T) {
	t.Parallel()
	e := apitest.New(t, apitest.Options{})
	asst := e.CreateAssistant("Wired")
	c := e.CreateCampaign(map[string]string{"name": "Wired", "assistantId": asst, "maxAttempts": "1"}, apitest.Contacts(3))
	e.Control(c.CampaignID, "start")
	e.Eventually(30*time.Second, "", func() bool { return e.Summary(c.CampaignID).Status == campaign.Completed })
	e.Tick("")
	// Refusals are written once a minute (M6): the second, a minute after
	// the first, writes both.
	for range 2 {
		if st := e.JSON(http.MethodPost, "/api/webhooks/vapi", "", map[string]any{"message": map[string]any{"type": "status-update"}}, nil); st != http.StatusUnauthorized {
			t.Fatalf("unsigned webhook: %d", st)
		}
		e.Clock.Advance(time.Minute)
	}
	var page struct {
		ops.Report
		Health ops.Status `json:"health"`
	}
	if st := e.JSON(http.MethodGet, "/api/admin/operations?window=hour", e.Admin, nil, &page); st != http.StatusOK {
		t.Fatalf("operations: %d", st)
	}
	if page.Health.Cron.Status != "ok" || page.Health.Vapi.Status != ops.VapiOK {
		t.Fatalf("health = %+v", page.Health)
	}
	if page.Vapi.Requests < 3 || page.Webhooks.Accepted < 6 || page.Webhooks.Refused != 2 || page.Calls.Launched != 3 {
		t.Fatalf("vapi %+v webhooks %+v calls %+v", page.Vapi, page.Webhooks, page.Calls)
	}
}
