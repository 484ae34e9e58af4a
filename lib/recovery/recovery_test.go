package recovery_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/dev/apitest"
	"github.com/autolynx/autolynx/dev/vapisim"
	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/recovery"
)

func TestMain(m *testing.M) { apitest.Main(m) }

// outcome is every column a call's outcome consists of, as text.
const outcome = `
select id::text || '|' || status || '|' || coalesce(provider_call_id, '') || '|' || coalesce(ended_reason, '') || '|' ||
  coalesce(disposition, '') || '|' || coalesce(cost::text, '') || '|' || coalesce(costs::text, '') || '|' ||
  coalesce(recording_url, '') || '|' || coalesce(transcript::text, '') || '|' || coalesce(summary, '') || '|' ||
  coalesce(success_evaluation, '') || '|' || coalesce(structured_data::text, '') || '|' ||
  coalesce(started_at::text, '') || '|' || coalesce(ended_at::text, '') || '|' || coalesce(duration_seconds::text, '')
from calls where campaign_id = $1 order by id`

// wipe forgets every outcome, as if the calls table had been restored
// from a backup taken right after the calls were dialed.
const wipe = `
update calls set status = 'QUEUED', ended_reason = null, disposition = null, cost = null, costs = null,
  recording_url = null, transcript = null, summary = null, success_evaluation = null, structured_data = null,
  started_at = null, ended_at = null, duration_seconds = null
where campaign_id = $1`

func snapshot(t *testing.T, e *apitest.Env, id uuid.UUID) []string {
	t.Helper()
	rows, err := e.DB.Query(context.Background(), outcome, id)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// run creates a campaign of n contacts and ticks until it completes and
// every call's end-of-call report (which may trail the final status
// update) has arrived.
func run(t *testing.T, e *apitest.Env, n int) uuid.UUID {
	t.Helper()
	asst := e.CreateAssistant("Recovery")
	c := e.CreateCampaign(map[string]string{"name": "Recovery", "assistantId": asst, "cap": "4", "maxAttempts": "1"}, apitest.Contacts(n))
	if st := e.Control(c.CampaignID, "start"); st != 200 {
		t.Fatalf("start: %d", st)
	}
	e.Eventually(30*time.Second, c.CampaignID, func() bool {
		var reports int
		err := e.DB.QueryRow(context.Background(), `select count(distinct call_id) from call_events
			where campaign_id = $1 and type = 'end-of-call-report'`, c.CampaignID).Scan(&reports)
		return err == nil && reports == n && e.Summary(c.CampaignID).Status == campaign.Completed
	})
	return uuid.MustParse(c.CampaignID)
}

// The event log alone rebuilds every call exactly as the live run left it.
func TestRebuildFromEventsEqualsLiveRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apitest.New(t, apitest.Options{})
	id := run(t, e, 10)
	live := snapshot(t, e, id)
	if len(live) != 10 {
		t.Fatalf("%d calls, want 10", len(live))
	}
	res, err := recovery.Rebuild(ctx, e.DB, id, recovery.Options{URLs: localURLs, Now: e.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Diffs) != 0 || res.Calls != 10 || res.Events == 0 {
		t.Fatalf("rebuild of an intact campaign: %+v", res)
	}
	if _, err := e.DB.Exec(ctx, wipe, id); err != nil {
		t.Fatal(err)
	}
	res, err = recovery.Rebuild(ctx, e.DB, id, recovery.Options{URLs: localURLs, Now: e.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Diffs) != 10 || res.Repaired != 0 || !slices.Contains(res.Diffs[0].Fields, "cost") {
		t.Fatalf("dry run after wipe: %d diffs, %d repaired: %+v", len(res.Diffs), res.Repaired, res.Diffs)
	}
	if got := snapshot(t, e, id); slices.Equal(got, live) {
		t.Fatal("a dry run changed the calls")
	}
	res, err = recovery.Rebuild(ctx, e.DB, id, recovery.Options{URLs: localURLs, Repair: true, Now: e.Clock.Now})
	if err != nil || res.Repaired != 10 {
		t.Fatalf("repair: %+v, %v", res, err)
	}
	if got := snapshot(t, e, id); !slices.Equal(got, live) {
		t.Fatalf("rebuilt calls differ from the live run:\n got %q\nwant %q", got, live)
	}
	res, err = recovery.Rebuild(ctx, e.DB, id, recovery.Options{URLs: localURLs, Now: e.Clock.Now})
	if err != nil || len(res.Diffs) != 0 {
		t.Fatalf("after repair: %+v, %v", res, err)
	}
}

// With every webhook lost, Vapi's call list alone tells the outcomes.
func TestRebuildFromVapiWhenWebhooksWereLost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apitest.New(t, apitest.Options{Sim: vapisim.Config{Faults: vapisim.Faults{WebhookDrops: 1}}})
	asst := e.CreateAssistant("Lost")
	c := e.CreateCampaign(map[string]string{"name": "Lost", "assistantId": asst, "cap": "8", "maxAttempts": "1"}, apitest.Contacts(5))
	if st := e.Control(c.CampaignID, "start"); st != 200 {
		t.Fatalf("start: %d", st)
	}
	e.Tick(c.CampaignID)
	id := uuid.MustParse(c.CampaignID)
	ended := func() bool {
		n := 0
		for _, call := range e.Sim.Calls() {
			if call.Status == "ended" {
				n++
			}
		}
		return n == 5
	}
	for deadline := time.Now().Add(30 * time.Second); !ended() && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if !ended() {
		t.Fatal("simulated calls did not end")
	}
	res, err := recovery.Rebuild(ctx, e.DB, id, recovery.Options{URLs: localURLs, Vapi: e.Deps.Vapi, Repair: true, Now: e.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if res.VapiMatched != 5 || res.Repaired != 5 {
		t.Fatalf("rebuild from Vapi: %+v", res)
	}
	var live, priced int
	err = e.DB.QueryRow(ctx, `select count(*) filter (where status in ('QUEUED', 'RINGING', 'IN_PROGRESS')),
		count(*) filter (where cost is not null and ended_reason is not null) from calls where campaign_id = $1`, id).Scan(&live, &priced)
	if err != nil || live != 0 || priced != 5 {
		t.Fatalf("after repair from Vapi: %d live, %d with an outcome (%v)", live, priced, err)
	}
	if s := e.Summary(c.CampaignID); s.Status != campaign.Completed {
		t.Fatalf("campaign %s after the last call was repaired, want COMPLETED", s.Status)
	}
}

// The scratch copy never leaks: a rebuild leaves the event log and the
// other campaigns untouched, and refuses the transaction pooler.
func TestRebuildWritesNothingWithoutRepair(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := apitest.New(t, apitest.Options{})
	id := run(t, e, 3)
	var before, after int
	_ = e.DB.QueryRow(ctx, `select count(*) from call_events`).Scan(&before)
	if _, err := recovery.Rebuild(ctx, e.DB, id, recovery.Options{URLs: localURLs}); err != nil {
		t.Fatal(err)
	}
	_ = e.DB.QueryRow(ctx, `select count(*) from call_events`).Scan(&after)
	if before != after {
		t.Fatalf("call_events grew from %d to %d on a dry run", before, after)
	}
	if _, err := recovery.Rebuild(ctx, e.DB, uuid.New(), recovery.Options{URLs: localURLs}); err == nil {
		t.Fatal("unknown campaign accepted")
	}
}

// localURLs is the local runner's recording URL policy, which the test
// backend applies live (the simulator serves its storage on loopback).
var localURLs = callstate.URLPolicy{LoopbackHTTP: true}
