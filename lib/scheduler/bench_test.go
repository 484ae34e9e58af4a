package scheduler_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
	"github.com/autolynx/autolynx/lib/scheduler"
	"github.com/autolynx/autolynx/lib/vapi"
)

// countingTracer counts statements sent to Postgres (each statement of a
// batch too) and round trips (a batch is one).
type countingTracer struct{ n, trips atomic.Int64 }

func (c *countingTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	c.trips.Add(1)
	return ctx
}

func (c *countingTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *countingTracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.trips.Add(1)
	return ctx
}

func (c *countingTracer) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {
	c.n.Add(1)
}

func (c *countingTracer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// benchWorld is 1,000 queued campaigns of 10 contacts each with the given
// cap, the account cap raised out of the way, and a scheduler whose pool
// counts its statements.
type benchWorld struct {
	e      *apitest.Env
	s      *scheduler.Scheduler
	tracer *countingTracer
}

func newBenchWorld(b *testing.B, sim vapisim.Config, campaignCap int) *benchWorld {
	e := apitest.New(b, apitest.Options{Sim: sim})
	e.Sim.PauseWebhooks()
	asst := e.CreateAssistant("bench")
	first := e.CreateCampaign(map[string]string{"name": "c0", "assistantId": asst, "cap": strconv.Itoa(campaignCap)}, apitest.Contacts(10))
	ctx := context.Background()
	_, err := e.DB.Exec(ctx, `
		with src as (select * from campaigns where id = $1),
		made as (
		  insert into campaigns (name, status, mode, cap, assistant_id, phone_number_id, phone_number_ids, total_contacts)
		  select 'c' || g, 'QUEUED', mode, cap, assistant_id, phone_number_id, phone_number_ids, 10 from src, generate_series(1, 999) g
		  returning id)
		insert into contacts (campaign_id, position, name, business_name, phone)
		select m.id, p, 'n', 'b', '+1' || (2000000000 + (row_number() over ()))::text
		from made m, generate_series(1, 10) p`, first.CampaignID)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = e.DB.Exec(ctx, `update campaigns set status = 'QUEUED' where id = $1`, first.CampaignID)
	_, _ = e.DB.Exec(ctx, `insert into system_config (key, value) values ('account_concurrency_cap', '1000000')
		on conflict (key) do update set value = excluded.value`)
	cfg, err := pgxpool.ParseConfig(e.DB.Config().ConnString())
	if err != nil {
		b.Fatal(err)
	}
	tracer := &countingTracer{}
	cfg.ConnConfig.Tracer = tracer
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	s := &scheduler.Scheduler{
		DB: pool, Vapi: vapi.New(vapi.Config{BaseURL: e.Sim.URL(), APIKey: e.Sim.APIKey()}),
		WebhookURL: e.Server.URL + "/api/webhooks/vapi", WebhookSecret: apitest.WebhookSecret,
		Now: e.Clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	return &benchWorld{e: e, s: s, tracer: tracer}
}

// BenchmarkTickLaunch runs ticks over 1,000 queued campaigns holding
// 10,000 contacts against the simulator (caps raised so launching, not the
// cap, is what is measured) and reports launches per second and database
// statements per launch.
func BenchmarkTickLaunch(b *testing.B) {
	w := newBenchWorld(b, vapisim.Config{Seed: 12, ConcurrencyLimit: 1 << 20, Scale: 10}, 10)
	ctx := context.Background()
	launched := 0
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		sum, err := w.s.Tick(ctx, [16]byte{})
		if err != nil {
			b.Fatal(err)
		}
		launched += sum.Launched
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if launched == 0 {
		b.Fatal("nothing launched")
	}
	b.ReportMetric(float64(launched)/elapsed.Seconds(), "launches/s")
	b.ReportMetric(float64(w.tracer.n.Load())/float64(launched), "statements/launch")
	b.ReportMetric(float64(w.tracer.trips.Load())/float64(launched), "roundtrips/launch")
	b.ReportMetric(float64(launched)/float64(b.N), "launches/tick")
}

// createLatency is how long the simulator takes to answer POST /call in
// BenchmarkTickAtScale, about what Vapi takes to set a call up.
const createLatency = 300 * time.Millisecond

// BenchmarkTickAtScale runs ticks over 1,000 active campaigns (cap 1, so
// each is served with one launch) against a simulator that answers each
// POST /call in 300 ms of real time. Between ticks the calls are ended in
// the database, so every tick finds all 1,000 campaigns with room.
func BenchmarkTickAtScale(b *testing.B) {
	w := newBenchWorld(b, vapisim.Config{Seed: 13, ConcurrencyLimit: 1 << 20, Scale: 10, CreateLatency: createLatency}, 1)
	ctx := context.Background()
	var launched, served int
	var elapsed time.Duration
	var statements, trips int64
	for b.Loop() {
		b.StopTimer()
		if _, err := w.e.DB.Exec(ctx, `update calls set status = 'ENDED', ended_at = now()
			where status in ('PENDING', 'QUEUED', 'RINGING', 'IN_PROGRESS')`); err != nil {
			b.Fatal(err)
		}
		before, tripsBefore := w.tracer.n.Load(), w.tracer.trips.Load()
		b.StartTimer()
		start := time.Now()
		sum, err := w.s.Tick(ctx, [16]byte{})
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		statements += w.tracer.n.Load() - before
		trips += w.tracer.trips.Load() - tripsBefore
		launched += sum.Launched
		for _, c := range sum.Campaigns {
			if c.Launched > 0 {
				served++
			}
		}
	}
	if launched == 0 {
		b.Fatal("nothing launched")
	}
	ticks := float64(b.N)
	b.ReportMetric(float64(served)/ticks, "campaigns/tick")
	b.ReportMetric(float64(launched)/ticks, "launches/tick")
	b.ReportMetric(elapsed.Seconds()/ticks, "s/tick")
	b.ReportMetric(float64(statements)/float64(launched), "statements/launch")
	b.ReportMetric(float64(trips)/float64(launched), "roundtrips/launch")
	// The ceiling: every dial overlapped, MaxParallelLaunches at a time,
	// nothing else taking time.
	ideal := time.Duration(launched) * createLatency / scheduler.MaxParallelLaunches
	b.ReportMetric(ideal.Seconds()/elapsed.Seconds(), "of-ideal")
}
