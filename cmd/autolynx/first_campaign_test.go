package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
)

// firstCampaignBound is the promise to a newcomer: with the built-in
// simulator and every default, a 20-contact campaign reaches COMPLETED
// within two minutes of Start, redials included.
const firstCampaignBound = 2 * time.Minute

// TestFirstCampaignCompletes runs the runner as a fresh clone does (cron
// on, defaults), creates an assistant and a 20-contact campaign through
// the API, starts it and measures the time to COMPLETED.
func TestFirstCampaignCompletes(t *testing.T) {
	t.Setenv("AUTOLYNX_CRON", "")
	t.Setenv("AUTOLYNX_REDIAL_SCALE", "")
	t.Setenv("AUTOLYNX_SIM_SCALE", "")
	t.Setenv("DEFAULT_CRON_CADENCE", "")
	base, port := startServe(t)
	c := client{t: t, base: base, token: adminToken(t, port)}
	var a struct{ ID string }
	c.do("POST", "/api/assistants", "application/json", strings.NewReader(`{"name":"Receptionist","config":{"firstMessage":"Hi {{name}}","systemPrompt":"Be brief."}}`), &a)
	var csv strings.Builder
	csv.WriteString("name,business_name,phone\n")
	for i := range 20 {
		fmt.Fprintf(&csv, "Person %d,Business %d,+1415555%04d\n", i, i, 100+i)
	}
	ct, body := apitest.Multipart(map[string]string{"name": "First campaign", "assistantId": a.ID}, csv.String())
	var created struct{ CampaignID string }
	c.do("POST", "/api/campaigns", ct, body, &created)
	start := time.Now()
	c.do("POST", "/api/campaigns/"+created.CampaignID+"/start", "", nil, nil)
	var s struct {
		Status  string
		Metrics struct {
			TotalContacts, CompletedCalls int
			ByEndedReason                 map[string]int
		}
	}
	for time.Since(start) < firstCampaignBound {
		c.do("GET", "/api/campaigns/"+created.CampaignID, "", nil, &s)
		if s.Status == "COMPLETED" {
			break
		}
		time.Sleep(time.Second) // the dashboard polls as often; the rate limit allows it
	}
	took := time.Since(start)
	if s.Status != "COMPLETED" {
		t.Fatalf("campaign is %s after %v (bound %v): %+v", s.Status, took.Round(time.Second), firstCampaignBound, s.Metrics)
	}
	var page struct {
		Contacts []struct{ Call *struct{ Attempt int } }
	}
	c.do("GET", "/api/campaigns/"+created.CampaignID+"/contacts?limit=500", "", nil, &page)
	calls, redialed := 0, 0
	for _, k := range page.Contacts {
		if k.Call != nil {
			calls += k.Call.Attempt
			if k.Call.Attempt > 1 {
				redialed++
			}
		}
	}
	if len(page.Contacts) != 20 || redialed == 0 {
		t.Errorf("%d contacts, %d redialed: want 20 contacts and some redials", len(page.Contacts), redialed)
	}
	t.Logf("20 contacts, %d calls (%d contacts redialed): COMPLETED %.1f s after Start", calls, redialed, took.Seconds())
}

// client calls the runner's API as the signed-in admin.
type client struct {
	t     *testing.T
	base  string
	token string
}

// do sends a request and decodes a 2xx answer into out, failing otherwise.
func (c client) do(method, path, contentType string, body io.Reader, out any) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		c.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}
