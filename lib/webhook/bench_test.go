package webhook_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/autolynx/autolynx/lib/apitest"
	"github.com/autolynx/autolynx/lib/httpapi"
)

// BenchmarkWebhookIngest measures webhooks through the real handler
// (authentication, decoding, the call update, the event log, campaign
// checks) into Postgres, cycling status-update and end-of-call-report
// messages over 1,000 calls.
func BenchmarkWebhookIngest(b *testing.B) {
	e := apitest.New(b, apitest.Options{})
	asst := e.CreateAssistant("bench")
	c := e.CreateCampaign(map[string]string{"name": "bench", "assistantId": asst}, apitest.Contacts(1000))
	_, err := e.DB.Exec(context.Background(), `
		with ins as (
		  insert into calls (campaign_id, contact_id, status, phone_number_id, provider_call_id)
		  select campaign_id, id, 'QUEUED', 'p', 'prov-' || position from contacts where campaign_id = $1
		  returning id, contact_id)
		update contacts k set last_call_id = ins.id, attempts = 1 from ins where k.id = ins.contact_id`, c.CampaignID)
	if err != nil {
		b.Fatal(err)
	}
	var ids []string
	rows, _ := e.DB.Query(context.Background(), `select provider_call_id, id::text from calls where campaign_id = $1`, c.CampaignID)
	for rows.Next() {
		var p, id string
		_ = rows.Scan(&p, &id)
		ids = append(ids, p, id)
	}
	rows.Close()
	var bodies [][]byte
	for i := 0; i < len(ids); i += 2 {
		bodies = append(bodies, messages(ids[i], ids[i+1])[:3]...)
	}
	h := httpapi.VapiWebhook(e.Deps)
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		body := bodies[i%len(bodies)]
		req := httptest.NewRequest(http.MethodPost, "/api/webhooks/vapi", bytes.NewReader(body))
		req.Header.Set("X-Vapi-Secret", apitest.WebhookSecret)
		rec := httptest.NewRecorder()
		t0 := time.Now()
		h.ServeHTTP(rec, req)
		lat = append(lat, time.Since(t0))
		if rec.Code != 200 {
			b.Fatalf("webhook %d: %s", rec.Code, rec.Body)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "webhooks/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
