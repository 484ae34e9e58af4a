package apitest

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/importer"
	"github.com/autolynx/autolynx/lib/scheduler"
)

// CreateAssistant creates a directory assistant (at the simulator) and
// returns its directory id.
func (e *Env) CreateAssistant(name string) string {
	e.t.Helper()
	var a struct{ ID string }
	body := map[string]any{"name": name, "config": map[string]any{"firstMessage": "Hi {{name}}", "systemPrompt": "Be brief."}}
	if st := e.JSON(http.MethodPost, "/api/assistants", e.Admin, body, &a); st != http.StatusCreated {
		e.t.Fatalf("apitest: create assistant: status %d", st)
	}
	return a.ID
}

// Created is the answer to creating a campaign.
type Created struct {
	CampaignID   string          `json:"campaignId"`
	ImportReport importer.Report `json:"importReport"`
}

// CreateCampaign posts the create form with csv as the Operator and
// fails the test unless it answers 201.
func (e *Env) CreateCampaign(fields map[string]string, csv string) Created {
	e.t.Helper()
	return e.CreateCampaignAs(e.t, e.Operator, fields, csv)
}

// CreateCampaignAs is CreateCampaign as the holder of token, failing t
// (a subtest's, say) unless it answers 201.
func (e *Env) CreateCampaignAs(t testing.TB, token string, fields map[string]string, csv string) Created {
	t.Helper()
	ct, body := Multipart(fields, csv)
	r := e.Send(t, http.MethodPost, "/api/campaigns", token, ct, body)
	if r.Status != http.StatusCreated {
		t.Fatalf("apitest: create campaign: %d %s", r.Status, r.Body)
	}
	var c Created
	if err := json.Unmarshal(r.Body, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// Control posts a start/pause/resume/stop and returns the status code.
func (e *Env) Control(id, action string) int {
	e.t.Helper()
	return e.JSON(http.MethodPost, "/api/campaigns/"+id+"/"+action, e.Operator, nil, nil)
}

// Tick runs the scheduler through its HTTP route with the cron secret.
func (e *Env) Tick(campaignID string) scheduler.Summary {
	e.t.Helper()
	path := "/api/scheduler/tick"
	if campaignID != "" {
		path += "?campaignId=" + campaignID
	}
	var s scheduler.Summary
	if st := e.JSON(http.MethodPost, path, CronSecret, nil, &s); st != http.StatusOK {
		e.t.Fatalf("apitest: tick: status %d", st)
	}
	return s
}

// Summary reads a campaign's detail.
func (e *Env) Summary(id string) campaign.Summary {
	e.t.Helper()
	var s campaign.Summary
	if st := e.JSON(http.MethodGet, "/api/campaigns/"+id, e.Operator, nil, &s); st != http.StatusOK {
		e.t.Fatalf("apitest: summary: status %d", st)
	}
	return s
}

// Eventually ticks (every 50 ms, like a fast cron) until done says so or
// the limit passes; it fails the test on timeout. The loop is bounded.
func (e *Env) Eventually(limit time.Duration, campaignID string, done func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if done() {
			return
		}
		e.Tick(campaignID)
		time.Sleep(50 * time.Millisecond)
	}
	if !done() {
		e.t.Fatalf("apitest: condition not reached within %s", limit)
	}
}
