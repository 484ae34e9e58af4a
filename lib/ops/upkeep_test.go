package ops_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/lib/ops"
)

// One tick's upkeep records the heartbeat with Vapi's reachability, the
// Vapi counters, a spend crossing and a retention batch.
func TestAfterTick(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	hook := newSlack(t)
	vapi := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer vapi.Close()
	tally := &ops.Tally{}
	resp, err := (&http.Client{Transport: &ops.Transport{Tally: tally}}).Get(vapi.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := seedCampaign(t, pool, 3, "ENDED", t0.AddDate(0, 0, -2), 1)
	finish(t, pool, id, t0.AddDate(0, 0, -2))
	setPolicy(t, pool, "spend_alert_usd", "2")
	setPolicy(t, pool, "retention_transcript_days", "1")

	purged, err := ops.AfterTick(ctx, pool, t0, tally, hook.Client(), hook.URL)
	if err != nil {
		t.Fatal(err)
	}
	if purged != 9 || hook.posts.Load() != 1 {
		t.Fatalf("purged %d rows, %d alert posts; want 9 and 1", purged, hook.posts.Load())
	}
	s, err := ops.Liveness(ctx, pool, t0.Add(time.Minute), time.Minute)
	if err != nil || s.Cron.Status != "ok" || s.Vapi.Status != ops.VapiOK {
		t.Fatalf("status after upkeep: %+v, %v", s, err)
	}
	r, err := ops.BuildReport(ctx, pool, t0.Add(time.Minute), "hour")
	if err != nil || r.Vapi.Requests != 1 {
		t.Fatalf("report after upkeep: %+v, %v", r, err)
	}
}
