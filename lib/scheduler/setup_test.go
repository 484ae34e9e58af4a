package scheduler_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/dev/vapisim"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/importer"
	"github.com/autolynx/autolynx/lib/scheduler"
	"github.com/autolynx/autolynx/lib/vapi"
)

// fixture is a Scheduler on a fresh database and the Vapi simulator,
// without our HTTP stack: campaigns are made and controlled with
// lib/campaign and ticks call Scheduler.Tick. The simulator's server
// messages go to a sink, so nothing but the tick records a call's news;
// tests that need the webhook use apitest.
type fixture struct {
	ctx   context.Context
	pool  *pgxpool.Pool
	clock *apitest.Clock
	sim   *vapisim.Sim
	// sched is the Scheduler under test; a test may swap its Vapi client.
	sched *scheduler.Scheduler
	// assistant is a directory assistant known to the simulator.
	assistant uuid.UUID
}

// setup starts a fixture whose clock reads apitest.DefaultNow, inside
// the default calling window of every US zone.
func setup(t testing.TB, simCfg vapisim.Config) fixture {
	t.Helper()
	f := fixture{ctx: context.Background(), pool: dbtest.Pool(t), clock: apitest.NewClock(apitest.DefaultNow)}
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(sink.Close)
	if simCfg.Scale == 0 {
		simCfg.Scale = 0.002
	}
	simCfg.Now = f.clock.Now
	sim, err := vapisim.Start(simCfg)
	if err != nil {
		t.Fatalf("start simulator: %v", err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	f.sim = sim
	client := vapi.New(vapi.Config{BaseURL: sim.URL(), APIKey: sim.APIKey(),
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	f.sched = &scheduler.Scheduler{DB: f.pool, Vapi: client, WebhookURL: sink.URL,
		WebhookSecret: apitest.WebhookSecret, Now: f.clock.Now, Log: slog.New(slog.DiscardHandler)}
	a, err := client.CreateAssistant(f.ctx, json.RawMessage(`{"name":"Caller","firstMessage":"Hi"}`))
	if err != nil {
		t.Fatalf("create assistant: %v", err)
	}
	if err := f.pool.QueryRow(f.ctx, `insert into assistants (provider_assistant_id, name, active)
		values ($1, 'Caller', true) returning id`, a.ID).Scan(&f.assistant); err != nil {
		t.Fatalf("insert assistant: %v", err)
	}
	return f
}

// campaign makes a campaign of csv with the defaults of the create form
// (cap 8, DefaultRules) and fails the test on error.
func (f fixture) campaign(t testing.TB, csv string) uuid.UUID {
	t.Helper()
	n := importer.NewCampaign{Name: "Campaign", AssistantID: f.assistant, PhoneNumberID: "test-phone-number",
		Cap: 8, Mode: campaign.Continuous, Region: "US"}
	id, _, err := importer.Create(f.ctx, f.pool, n, strings.NewReader(csv))
	if err != nil {
		t.Fatalf("create campaign: %v", err)
	}
	return id
}

// control applies a start, pause, resume or stop.
func (f fixture) control(t testing.TB, id uuid.UUID, action campaign.Action) {
	t.Helper()
	if _, err := campaign.Control(f.ctx, f.pool, id, action, uuid.Nil); err != nil {
		t.Fatalf("%s: %v", action, err)
	}
}

// tick runs one tick for the campaign (uuid.Nil: all of them).
func (f fixture) tick(t testing.TB, id uuid.UUID) *scheduler.Summary {
	t.Helper()
	sum, err := f.sched.Tick(f.ctx, id)
	if err != nil {
		t.Fatalf("tick: %v", err)
	}
	return sum
}

// summary reads a campaign's detail at the fixture's clock.
func (f fixture) summary(t testing.TB, id uuid.UUID) *campaign.Summary {
	t.Helper()
	s, err := campaign.Get(f.ctx, f.pool, id, f.clock.Now())
	if err != nil {
		t.Fatalf("get campaign: %v", err)
	}
	return s
}
