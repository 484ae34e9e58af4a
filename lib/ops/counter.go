package ops

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/autolynx/autolynx/lib/db"
)

// Counter names: refused webhooks are counted by the receiver (accepted
// ones are read from the event log), Vapi requests by Transport; the
// operations page reads them back by name.
const (
	WebhookRefused   = "webhook.refused" // bad or missing signature
	VapiRequests     = "vapi.requests"
	VapiRateLimited  = "vapi.429"
	VapiServerErrors = "vapi.5xx"
	VapiUnreachable  = "vapi.unreachable" // no HTTP answer at all
	VapiSucceeded    = "vapi.2xx"
)

const upsertCounter = `
insert into ops_counters (name, bucket_start, count, last_at)
select n, $2, c, $3 from unnest($1::text[], $4::bigint[]) as t(n, c)
on conflict (bucket_start, name) do update
set count = ops_counters.count + excluded.count, last_at = greatest(ops_counters.last_at, excluded.last_at)`

// Count adds n to counter name in now's minute: one upsert, cheap enough
// for every webhook. Call it outside long transactions: the minute's row
// is shared by every concurrent caller.
func Count(ctx context.Context, q db.DBTX, name string, n int, now time.Time) error {
	return countAll(ctx, q, map[string]int64{name: int64(n)}, now)
}

func countAll(ctx context.Context, q db.DBTX, counts map[string]int64, now time.Time) error {
	names := make([]string, 0, len(counts))
	values := make([]int64, 0, len(counts))
	for k, v := range counts {
		if v != 0 {
			names, values = append(names, k), append(values, v)
		}
	}
	if len(names) == 0 {
		return nil
	}
	now = now.UTC()
	if _, err := q.Exec(ctx, upsertCounter, names, now.Truncate(time.Minute), now, values); err != nil {
		return fmt.Errorf("count %v: %w", names, err)
	}
	return nil
}

// Tally accumulates counts in memory (Transport's, on the hot path of
// every Vapi request) until Flush writes them in one statement.
type Tally struct {
	mu     sync.Mutex
	counts map[string]int64
}

// Add counts n occurrences of name. A nil Tally counts nothing.
func (t *Tally) Add(name string, n int) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.counts == nil {
		t.counts = map[string]int64{}
	}
	t.counts[name] += int64(n)
}

// Flush writes and resets the counts and says what they tell of Vapi's
// reachability since the last flush ("" when no request was made). Counts
// that fail to write are kept for the next flush. A nil Tally has none.
func (t *Tally) Flush(ctx context.Context, q db.DBTX, now time.Time) (string, error) {
	if t == nil {
		return "", nil
	}
	t.mu.Lock()
	counts := t.counts
	t.counts = nil
	t.mu.Unlock()
	reach := reachability(counts)
	if err := countAll(ctx, q, counts, now); err != nil {
		for k, v := range counts {
			t.Add(k, int(v))
		}
		return reach, err
	}
	return reach, nil
}

// reachability: any 2xx means Vapi works; answers without a 2xx (5xx,
// 429, 401…) mean it is failing; no answer at all means unreachable.
func reachability(c map[string]int64) string {
	switch {
	case c[VapiRequests] == 0:
		return ""
	case c[VapiSucceeded] > 0:
		return VapiOK
	case c[VapiUnreachable] >= c[VapiRequests]:
		return VapiDown
	}
	return VapiFailing
}

// Batch is a Tally written at most once a minute, for counts of requests
// anyone can send (refused webhooks): counting them must not cost a
// database write each. The zero value is ready. Counts not yet written
// when the instance ends are lost; they are diagnostics.
type Batch struct {
	tally Tally
	mu    sync.Mutex
	since time.Time // of the oldest unwritten count; zero when none
}

// BatchEvery is how often a Batch writes at most.
const BatchEvery = time.Minute

// Add counts one name; once the oldest unwritten count is BatchEvery old,
// everything counted is written in one statement.
func (b *Batch) Add(ctx context.Context, q db.DBTX, name string, now time.Time) error {
	b.tally.Add(name, 1)
	b.mu.Lock()
	if b.since.IsZero() {
		b.since = now
	}
	due := now.Sub(b.since) >= BatchEvery
	if due {
		b.since = time.Time{}
	}
	b.mu.Unlock()
	if !due {
		return nil
	}
	_, err := b.tally.Flush(ctx, q, now)
	return err
}

// Transport counts every request sent to Vapi (each retry is a request)
// and its outcome into Tally. Wrap the Vapi client's HTTP transport with
// it: vapi.Config{HTTPClient: &http.Client{Transport: &ops.Transport{Tally: t}}}.
type Transport struct {
	// Base defaults to http.DefaultTransport.
	Base  http.RoundTripper
	Tally *Tally
}

// RoundTrip sends r and counts it.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(r)
	t.Tally.Add(VapiRequests, 1)
	switch {
	case err != nil:
		t.Tally.Add(VapiUnreachable, 1)
	case resp.StatusCode == http.StatusTooManyRequests:
		t.Tally.Add(VapiRateLimited, 1)
	case resp.StatusCode >= 500:
		t.Tally.Add(VapiServerErrors, 1)
	case resp.StatusCode/100 == 2:
		t.Tally.Add(VapiSucceeded, 1)
	}
	return resp, err
}
