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

func TestCountUpsertsPerMinute(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	for _, at := range []time.Time{t0, t0.Add(10 * time.Second), t0.Add(time.Minute)} {
		if err := ops.Count(ctx, pool, ops.WebhookRefused, 2, at); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, pool, `select count(*) from ops_counters where name = $1`, ops.WebhookRefused); n != 2 {
		t.Fatalf("%d rows, want one per minute (2)", n)
	}
	if n := count(t, pool, `select count from ops_counters where name = $1 and bucket_start = $2`,
		ops.WebhookRefused, t0.Truncate(time.Minute)); n != 4 {
		t.Fatalf("first minute counts %d, want 4", n)
	}
}

// Transport counts each answer class; Flush writes them once and says
// what they mean for Vapi's reachability.
func TestTransportTalliesVapiAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	codes := map[string]int{"/ok": 200, "/limited": 429, "/broken": 503, "/refused": 401}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(codes[r.URL.Path])
	}))
	defer srv.Close()
	tally := &ops.Tally{}
	hc := &http.Client{Transport: &ops.Transport{Tally: tally}}
	get := func(url string) {
		if resp, err := hc.Get(url); err == nil {
			resp.Body.Close()
		}
	}
	for _, p := range []string{"/limited", "/broken", "/broken", "/refused"} {
		get(srv.URL + p)
	}
	reach, err := tally.Flush(ctx, pool, t0)
	if err != nil || reach != ops.VapiFailing {
		t.Fatalf("flush = %q, %v; want failing", reach, err)
	}
	get(srv.URL + "/ok")
	if reach, _ := tally.Flush(ctx, pool, t0); reach != ops.VapiOK {
		t.Fatalf("after a 2xx: %q, want ok", reach)
	}
	if reach, _ := tally.Flush(ctx, pool, t0); reach != "" {
		t.Fatalf("no requests: %q, want empty", reach)
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	get(closed.URL)
	if reach, _ := tally.Flush(ctx, pool, t0.Add(time.Minute)); reach != ops.VapiDown {
		t.Fatalf("connection refused: %q, want unreachable", reach)
	}
	r, err := ops.BuildReport(ctx, pool, t0.Add(2*time.Minute), "hour")
	if err != nil {
		t.Fatal(err)
	}
	want := ops.VapiCounts{Requests: 6, RateLimited: 1, ServerErrors: 2, Unreachable: 1}
	if r.Vapi != want {
		t.Fatalf("vapi counts = %+v, want %+v", r.Vapi, want)
	}
}

func TestReportWindowsAndSpend(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	now := t0
	if err := ops.Count(ctx, pool, ops.WebhookRefused, 3, now.Add(-2*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Each seeded call has two reports in the event log, at its end.
	seedCampaign(t, pool, 3, "ENDED", now.Add(-30*time.Minute), 0.5)
	seedCampaign(t, pool, 2, "TIMEOUT", now.Add(-5*time.Hour), 1)
	seedCampaign(t, pool, 4, "ENDED", now.AddDate(0, -1, 0), 10) // last month
	seedWebhooks(t, pool, 5, true, now.Add(-10*time.Minute))
	seedWebhooks(t, pool, 7, true, now.Add(-3*time.Hour))
	seedWebhooks(t, pool, 1, false, now.Add(-time.Minute))
	hour, err := ops.BuildReport(ctx, pool, now, "hour")
	if err != nil {
		t.Fatal(err)
	}
	if hour.Webhooks != (ops.WebhookCounts{Accepted: 2*3 + 5 + 1, Unmatched: 1}) || hour.Calls.Completed != 3 || hour.Calls.TimedOut != 0 {
		t.Fatalf("hour = %+v", hour)
	}
	day, err := ops.BuildReport(ctx, pool, now, "day")
	if err != nil {
		t.Fatal(err)
	}
	if day.Webhooks != (ops.WebhookCounts{Accepted: 2*(3+2) + 5 + 7 + 1, Unmatched: 1}) || day.Calls.TimedOut != 2 {
		t.Fatalf("day = %+v", day)
	}
	if day.Spend.Today != 3.5 || day.Spend.Month != 3.5 || len(day.Spend.Campaigns) != 2 {
		t.Fatalf("spend = %+v, want 3.5 today and this month over 2 campaigns", day.Spend)
	}
	if _, err := ops.BuildReport(ctx, pool, now, "week"); err == nil {
		t.Fatal("window week accepted")
	}
}

// Deps built without a tally (tests, tools) count nothing and never panic.
func TestNilTallyCountsNothing(t *testing.T) {
	t.Parallel()
	var tally *ops.Tally
	tally.Add(ops.VapiRequests, 1)
	if reach, err := tally.Flush(context.Background(), nil, t0); reach != "" || err != nil {
		t.Fatalf("nil tally flush = %q, %v", reach, err)
	}
}
