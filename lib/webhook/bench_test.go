package webhook_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autolynx/autolynx/lib/apitest"
	"github.com/autolynx/autolynx/lib/httpapi"
)

// ingestFixture makes one campaign with a queued call per contact and
// returns the webhook handler with each call's messages, picked by keep
// from messages(), laid out call after call.
func ingestFixture(b *testing.B, calls int, keep ...int) (http.Handler, [][]byte) {
	e := apitest.New(b, apitest.Options{})
	asst := e.CreateAssistant("bench")
	c := e.CreateCampaign(map[string]string{"name": "bench", "assistantId": asst}, apitest.Contacts(calls))
	_, err := e.DB.Exec(context.Background(), `
		with ins as (
		  insert into calls (campaign_id, contact_id, status, phone_number_id, provider_call_id)
		  select campaign_id, id, 'QUEUED', 'p', 'prov-' || position from contacts where campaign_id = $1
		  returning id, contact_id)
		update contacts k set last_call_id = ins.id, attempts = 1 from ins where k.id = ins.contact_id`, c.CampaignID)
	if err != nil {
		b.Fatal(err)
	}
	rows, err := e.DB.Query(context.Background(), `select provider_call_id, id::text from calls where campaign_id = $1`, c.CampaignID)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var bodies [][]byte
	for rows.Next() {
		var p, id string
		if err := rows.Scan(&p, &id); err != nil {
			b.Fatal(err)
		}
		all := messages(p, id)
		for _, k := range keep {
			bodies = append(bodies, all[k])
		}
	}
	return httpapi.VapiWebhook(e.Deps), bodies
}

// ingest sends b.N webhooks through h from senders goroutines, each taking
// the next body in turn, and reports throughput and latency percentiles.
func ingest(b *testing.B, h http.Handler, bodies [][]byte, senders int) {
	lats := make([][]time.Duration, senders)
	var next atomic.Int64
	var failed atomic.Value
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				req := httptest.NewRequest(http.MethodPost, "/api/webhooks/vapi", bytes.NewReader(bodies[i%len(bodies)]))
				req.Header.Set("X-Vapi-Secret", apitest.WebhookSecret)
				rec := httptest.NewRecorder()
				t0 := time.Now()
				h.ServeHTTP(rec, req)
				lats[s] = append(lats[s], time.Since(t0))
				if rec.Code != http.StatusOK {
					failed.Store(rec.Body.String())
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if f := failed.Load(); f != nil {
		b.Fatalf("webhook refused: %s", f)
	}
	lat := slices.Concat(lats...)
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "webhooks/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkWebhookIngest measures webhooks through the real handler
// (authentication, decoding, the call update, the event log, campaign
// checks) into Postgres, one at a time, cycling the queued, ringing and
// in-progress updates of 1,000 calls.
func BenchmarkWebhookIngest(b *testing.B) {
	h, bodies := ingestFixture(b, 1000, 0, 1, 2)
	ingest(b, h, bodies, 1)
}

// BenchmarkWebhookIngestConcurrent is the same path under 8 concurrent
// senders, as when many calls of one campaign end at once: every call's
// whole life (four status updates and its end-of-call report) over 2,000
// calls of one campaign, so ends and their campaign checks overlap.
func BenchmarkWebhookIngestConcurrent(b *testing.B) {
	h, bodies := ingestFixture(b, 2000, 0, 1, 2, 4, 5)
	ingest(b, h, bodies, 8)
}
