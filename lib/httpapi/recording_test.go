package httpapi_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
	"github.com/autolynx/autolynx/lib/campaign"
)

// fetch sends a GET without following redirects.
func fetch(t *testing.T, url, token, accept string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// A3: a recording plays through our endpoint, which asks Vapi each time
// for a short-lived storage URL: a redirect for links, {"url"} for the
// dashboard's player, never cached or stored; the export's link opens
// without signing in for a week and not after.
func TestA3RecordingsPlayThroughOurEndpoint(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Mix: vapisim.Mix{Answered: 1}}})
	asst := e.CreateAssistant("Rec")
	c := e.CreateCampaign(map[string]string{"name": "Rec", "assistantId": asst, "maxAttempts": "1"}, apitest.Contacts(2))
	e.Control(c.CampaignID, "start")
	e.Eventually(30*time.Second, c.CampaignID, func() bool {
		var n int
		_ = e.DB.QueryRow(ctx, `select count(*) from calls where campaign_id = $1 and recording_url is not null`, c.CampaignID).Scan(&n)
		return n == 2 && e.Summary(c.CampaignID).Status == campaign.Completed
	})
	var page contactPage
	if st := e.JSON("GET", "/api/campaigns/"+c.CampaignID+"/contacts", e.Operator, nil, &page); st != 200 || len(page.Contacts) != 2 {
		t.Fatalf("contacts: %d", st)
	}
	call := page.Contacts[0].Call
	path := "/api/campaigns/" + c.CampaignID + "/calls/" + call.ID.String() + "/recording"
	if call.RecordingURL == nil || *call.RecordingURL != path {
		t.Fatalf("recordingUrl = %v, want %s", call.RecordingURL, path)
	}
	storage := e.Sim.URL() + "/storage/"

	if resp, _ := fetch(t, e.Server.URL+path, "", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without a token: %d, want 401", resp.StatusCode)
	}
	resp, _ := fetch(t, e.Server.URL+path, e.Operator, "")
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, storage) || !strings.Contains(loc, "/mono.wav?") || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("signed in: %d %v", resp.StatusCode, resp.Header)
	}
	if file, body := fetch(t, loc, "", ""); file.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), "RIFF") {
		t.Errorf("the redirect target: %d", file.StatusCode)
	}
	var player struct{ URL string }
	resp, body := fetch(t, e.Server.URL+path+"?channel=stereo", e.Operator, "application/json")
	if err := json.Unmarshal(body, &player); err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" ||
		!strings.HasPrefix(player.URL, storage) || !strings.Contains(player.URL, "/stereo.wav?") {
		t.Errorf("JSON for the player: %d %s", resp.StatusCode, body)
	}
	if resp, _ := fetch(t, e.Server.URL+path+"?channel=left", e.Operator, ""); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown channel: %d", resp.StatusCode)
	}
	if resp, _ := fetch(t, e.Server.URL+"/api/campaigns/"+c.CampaignID+"/calls/"+apitest.NewID()+"/recording", e.Operator, ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown call: %d", resp.StatusCode)
	}
	var stored int
	_ = e.DB.QueryRow(ctx, `select count(*) from calls where recording_url like '%sig=%'`).Scan(&stored)
	if stored != 0 {
		t.Errorf("%d presigned URLs stored", stored)
	}

	exp := e.Do("GET", "/api/campaigns/"+c.CampaignID+"/export.csv", e.Operator, "", nil)
	recs, err := csv.NewReader(exp.Body).ReadAll()
	exp.Body.Close()
	if err != nil || len(recs) != 3 {
		t.Fatalf("export: %v %d", err, len(recs))
	}
	link := recs[1][6]
	if !strings.HasPrefix(link, e.Server.URL+path+"?expires=") {
		t.Fatalf("exported recording_url = %q", link)
	}
	if resp, _ := fetch(t, link, "", ""); resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), storage) {
		t.Errorf("exported link without signing in: %d", resp.StatusCode)
	}
	other := page.Contacts[1].Call.ID.String()
	for _, bad := range []string{strings.Replace(link, "sig=", "sig=0", 1), strings.Replace(link, call.ID.String(), other, 1)} {
		if resp, _ := fetch(t, bad, "", ""); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("tampered link %s: %d, want 401", bad, resp.StatusCode)
		}
	}
	// A link works a week, its expiry rounded up to the next hour.
	e.Clock.Advance(7*24*time.Hour + time.Hour + time.Minute)
	if resp, _ := fetch(t, link, "", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("link a week and an hour old: %d, want 401", resp.StatusCode)
	}
}
