package ops_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/lib/ops"
)

// slack is an incoming-webhook receiver that counts posts and can fail.
type slack struct {
	*httptest.Server
	posts   atomic.Int32
	failing atomic.Bool
	mu      sync.Mutex
	texts   []string
}

func newSlack(t *testing.T) *slack {
	s := &slack{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.posts.Add(1)
		if s.failing.Load() {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		var body struct{ Text string }
		_ = json.NewDecoder(r.Body).Decode(&body)
		s.mu.Lock()
		s.texts = append(s.texts, body.Text)
		s.mu.Unlock()
	}))
	t.Cleanup(s.Close)
	return s
}

// Many ticks checking at once record the crossing once and post it once;
// later checks post nothing more.
func TestSpendAlertPostsOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	hook := newSlack(t)
	setPolicy(t, pool, "spend_alert_usd", "5")
	seedCampaign(t, pool, 4, "ENDED", t0.Add(-time.Hour), 1.5) // $6 this month
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() { errs <- ops.CheckSpend(ctx, pool, t0, hook.Client(), hook.URL) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		if err := ops.CheckSpend(ctx, pool, t0.Add(time.Duration(i)*time.Hour), hook.Client(), hook.URL); err != nil {
			t.Fatal(err)
		}
	}
	if n := hook.posts.Load(); n != 1 {
		t.Fatalf("%d posts, want 1", n)
	}
	if !strings.Contains(hook.texts[0], "$6.00 spent in 2026-11") || !strings.Contains(hook.texts[0], "$5.00") {
		t.Fatalf("text = %q", hook.texts[0])
	}
	alerts, err := ops.RecentAlerts(ctx, pool, 10)
	if err != nil || len(alerts) != 1 || alerts[0].Kind != "account-month" || alerts[0].DeliveredAt == nil {
		t.Fatalf("alerts = %+v, %v", alerts, err)
	}
}

// A failed post is retried after the lease and, once delivered, never
// again; a raised threshold is a new crossing.
func TestSpendAlertRetriesUntilDelivered(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	hook := newSlack(t)
	id := seedCampaign(t, pool, 3, "ENDED", t0.Add(-time.Hour), 2) // $6
	if err := ops.SetCampaignAlert(ctx, pool, id, ptr(4.0)); err != nil {
		t.Fatal(err)
	}
	hook.failing.Store(true)
	if err := ops.CheckSpend(ctx, pool, t0, hook.Client(), hook.URL); err == nil {
		t.Fatal("a failed post is not reported")
	}
	// Within the lease nobody retries.
	if err := ops.CheckSpend(ctx, pool, t0.Add(30*time.Second), hook.Client(), hook.URL); err != nil {
		t.Fatal(err)
	}
	hook.failing.Store(false)
	for i := range 3 {
		if err := ops.CheckSpend(ctx, pool, t0.Add(time.Duration(i+2)*time.Minute), hook.Client(), hook.URL); err != nil {
			t.Fatal(err)
		}
	}
	if n := hook.posts.Load(); n != 2 || len(hook.texts) != 1 {
		t.Fatalf("%d posts (%d delivered), want 1 failure then 1 delivery", n, len(hook.texts))
	}
	if !strings.Contains(hook.texts[0], `campaign "Camp `) || !strings.Contains(hook.texts[0], "$6.00") {
		t.Fatalf("text = %q", hook.texts[0])
	}
	if err := ops.SetCampaignAlert(ctx, pool, id, ptr(5.0)); err != nil {
		t.Fatal(err)
	}
	if err := ops.CheckSpend(ctx, pool, t0.Add(time.Hour), hook.Client(), hook.URL); err != nil {
		t.Fatal(err)
	}
	if n := hook.posts.Load(); n != 3 {
		t.Fatalf("%d posts after raising the threshold, want 3", n)
	}
}

// Without ALERT_WEBHOOK_URL crossings are recorded for the operations
// page and nothing is posted; below the threshold nothing is recorded.
func TestSpendAlertRecordsWithoutURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	seedCampaign(t, pool, 2, "ENDED", t0.Add(-time.Hour), 1)
	setPolicy(t, pool, "spend_alert_daily_usd", "3")
	if err := ops.CheckSpend(ctx, pool, t0, nil, ""); err != nil {
		t.Fatal(err)
	}
	if n := count(t, pool, `select count(*) from alerts`); n != 0 {
		t.Fatalf("%d alerts below the threshold", n)
	}
	setPolicy(t, pool, "spend_alert_daily_usd", "2")
	if err := ops.CheckSpend(ctx, pool, t0, nil, ""); err != nil {
		t.Fatal(err)
	}
	if n := count(t, pool, `select count(*) from alerts where kind = 'account-day' and period = '2026-11-18' and delivered_at is null`); n != 1 {
		t.Fatalf("%d daily alerts, want 1 undelivered", n)
	}
}

func ptr[T any](v T) *T { return &v }

// The alert URL is a secret (Slack's carries the token): a failed post
// names neither it in the error nor in the alert's last_error.
func TestSpendAlertErrorsHideTheURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	url := closed.URL + "/services/T000/B000/SECRETTOKEN"
	seedCampaign(t, pool, 1, "ENDED", t0.Add(-time.Hour), 1)
	setPolicy(t, pool, "spend_alert_usd", "1")
	err := ops.CheckSpend(ctx, pool, t0, nil, url)
	if err == nil || strings.Contains(err.Error(), "SECRETTOKEN") {
		t.Fatalf("error = %v", err)
	}
	if n := count(t, pool, `select count(*) from alerts where last_error like '%SECRETTOKEN%' or last_error is null`); n != 0 {
		t.Fatal("last_error holds the URL (or nothing)")
	}
}
