package webhook_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/lib/httpapi"
	webhookroutes "github.com/autolynx/autolynx/lib/httpapi/webhooks"
)

// ingestFixture makes one campaign with a queued call per contact and
// returns the webhook handler, each sender's messages and the counts of
// the statements and round trips its pool runs. Sender s hears calls s, s+senders, … one
// after the other, each call's messages (picked by keep from messages())
// in order: as Vapi sends them, a call's news seconds apart and never two
// of one call at once, while the senders' calls are live together. (Had
// two senders shared a call, the benchmark would measure one waiting for
// the other's lock on its row, which pgbench's ceiling, updating random
// rows, does not do either.)
func ingestFixture(b testing.TB, calls, senders int, keep ...int) (http.Handler, [][][]byte, *dbtest.Trips) {
	e := apitest.New(b, apitest.Options{})
	counter := &dbtest.Trips{}
	cfg := e.DB.Config()
	cfg.ConnConfig.Tracer = counter
	traced, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(traced.Close)
	e.Deps.DB = traced
	asst := e.CreateAssistant("bench")
	// Rows, not Contacts: Contacts has 10,000 numbers, and a longer run
	// needs more calls than that.
	c := e.CreateCampaign(map[string]string{"name": "bench", "assistantId": asst}, apitest.CSVHeader+apitest.Rows(0, calls))
	made, err := e.DB.Exec(context.Background(), `
		with ins as (
		  insert into calls (campaign_id, contact_id, status, phone_number_id, provider_call_id)
		  select campaign_id, id, 'QUEUED', 'p', 'prov-' || position from contacts where campaign_id = $1
		  returning id, contact_id)
		update contacts k set last_call_id = ins.id, attempts = 1 from ins where k.id = ins.contact_id`, c.CampaignID)
	if err != nil {
		b.Fatal(err)
	}
	if made.RowsAffected() != int64(calls) {
		b.Fatalf("%d calls made, want %d", made.RowsAffected(), calls)
	}
	rows, err := e.DB.Query(context.Background(), `select provider_call_id, id::text from calls where campaign_id = $1`, c.CampaignID)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var lives [][][]byte
	for rows.Next() {
		var p, id string
		if err := rows.Scan(&p, &id); err != nil {
			b.Fatal(err)
		}
		all := messages(p, id)
		var life [][]byte
		for _, k := range keep {
			life = append(life, all[k])
		}
		lives = append(lives, life)
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	bodies := make([][][]byte, senders)
	for i, life := range lives {
		bodies[i%senders] = append(bodies[i%senders], life...)
	}
	return httpapi.Function(e.Deps, webhookroutes.Routes), bodies, counter
}

// lives is how many calls a benchmark of b.N webhooks, perCall to a
// call, gives its senders so that none sends a message twice (a repeat
// changes nothing, so costs less than news), with room for senders
// taking uneven shares; never fewer than 2,000.
func lives(b *testing.B, perCall int) int { return max(2000, 2*b.N/perCall) }

// ingest sends b.N webhooks through h, sender s taking the next of its
// own bodies[s] (never one twice), and reports throughput and latency
// percentiles.
func ingest(b *testing.B, h http.Handler, bodies [][][]byte, counter *dbtest.Trips) {
	senders := len(bodies)
	lats := make([][]time.Duration, senders)
	var next atomic.Int64
	var failed atomic.Value
	b.ReportAllocs()
	b.ResetTimer()
	counter.Reset()
	start := time.Now()
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for j := 0; ; j++ {
				if int(next.Add(1)) > b.N {
					return
				}
				if j == len(bodies[s]) {
					failed.Store(fmt.Sprintf("sender %d sent all its %d messages: give it more calls", s, j))
					return
				}
				body := bodies[s][j]
				req := httptest.NewRequest(http.MethodPost, "/api/webhooks/vapi", bytes.NewReader(body))
				req.Header.Set("X-Vapi-Secret", apitest.WebhookSecret)
				rec := httptest.NewRecorder()
				t0 := time.Now()
				h.ServeHTTP(rec, req)
				lats[s] = append(lats[s], time.Since(t0))
				if rec.Code != http.StatusOK {
					failed.Store("webhook refused: " + rec.Body.String())
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if f := failed.Load(); f != nil {
		b.Fatal(f)
	}
	lat := slices.Concat(lats...)
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "webhooks/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(counter.Statements.Load())/float64(len(lat)), "statements/webhook")
	b.ReportMetric(float64(counter.RoundTrips.Load())/float64(len(lat)), "round-trips/webhook")
}

// BenchmarkWebhookIngest measures webhooks through the real handler
// (authentication, decoding, the call update, the event log, campaign
// checks) into Postgres, one at a time: the queued, ringing and
// in-progress updates of 2,000 calls or more (lives).
func BenchmarkWebhookIngest(b *testing.B) {
	h, bodies, n := ingestFixture(b, lives(b, 3), 1, 0, 1, 2)
	ingest(b, h, bodies, n)
}

// BenchmarkWebhookIngestConcurrent is the same path under 8 concurrent
// senders, as when many calls of one campaign end at once: every call's
// whole life (four status updates and its end-of-call report) over 2,000
// calls of one campaign or more (lives), eight calls live at a time (each sender on its
// own calls, as Vapi sends one call's news in order), so ends and their
// campaign checks overlap.
func BenchmarkWebhookIngestConcurrent(b *testing.B) {
	h, bodies, n := ingestFixture(b, lives(b, 5), 8, 0, 1, 2, 4, 5)
	ingest(b, h, bodies, n)
}
