package ops_test

import (
	"context"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/lib/ops"
)

func TestHeartbeatGoesStaleAfterThreeCadences(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	check := func(at time.Time) ops.Status {
		t.Helper()
		s, err := ops.Liveness(ctx, pool, at, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := check(t0); s.Cron.Status != "never" || s.Vapi.Status != ops.VapiUnknown || s.Webhooks.Status != "idle" {
		t.Fatalf("before any tick: %+v", s)
	}
	if err := ops.Beat(ctx, pool, t0, ops.VapiOK); err != nil {
		t.Fatal(err)
	}
	if s := check(t0.Add(3 * time.Minute)); s.Cron.Status != "ok" || s.Cron.StaleAfterSeconds != 180 {
		t.Fatalf("3 cadences after a tick: %+v, want ok", s.Cron)
	}
	if s := check(t0.Add(3*time.Minute + time.Second)); s.Cron.Status != "stale" || !s.Cron.LastTickAt.Equal(t0) {
		t.Fatalf("just over 3 cadences: %+v, want stale", s.Cron)
	}
	// A tick without Vapi requests keeps what the last one saw.
	if err := ops.Beat(ctx, pool, t0.Add(4*time.Minute), ""); err != nil {
		t.Fatal(err)
	}
	s := check(t0.Add(4 * time.Minute))
	if s.Cron.Status != "ok" || s.Vapi.Status != ops.VapiOK || !s.Vapi.CheckedAt.Equal(t0) {
		t.Fatalf("after a quiet tick: %+v", s)
	}
	if err := ops.Beat(ctx, pool, t0.Add(5*time.Minute), ops.VapiDown); err != nil {
		t.Fatal(err)
	}
	if s := check(t0.Add(5 * time.Minute)); s.Vapi.Status != ops.VapiDown {
		t.Fatalf("vapi = %+v, want unreachable", s.Vapi)
	}
}

func TestWebhooksStaleWhileCallsWaitForNews(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	id := seedCampaign(t, pool, 2, "QUEUED", t0, 0)
	// Queued calls; the seed's webhooks arrived at t0.
	if _, err := pool.Exec(ctx, `update calls set last_event_at = $2, ended_at = null where campaign_id = $1`, id, t0); err != nil {
		t.Fatal(err)
	}
	check := func(at time.Time) ops.Webhooks {
		t.Helper()
		s, err := ops.Liveness(ctx, pool, at, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return s.Webhooks
	}
	if w := check(t0.Add(time.Minute)); w.Status != "ok" || w.LiveCalls != 2 || w.WaitingCalls != 0 {
		t.Fatalf("calls just queued: %+v", w)
	}
	if w := check(t0.Add(4 * time.Minute)); w.Status != "stale" || w.WaitingCalls != 2 || !w.LastAcceptedAt.Equal(t0) {
		t.Fatalf("no webhook for 4 cadences: %+v, want stale", w)
	}
	seedWebhooks(t, pool, 1, true, t0.Add(3*time.Minute))
	if w := check(t0.Add(4 * time.Minute)); w.Status != "ok" || !w.LastAcceptedAt.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("a webhook a minute ago: %+v, want ok", w)
	}
}
