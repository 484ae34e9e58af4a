package ops_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/lib/ops"
)

// A Coalescer loses no count however many requests add at once, and a
// lone count is written before Add returns.
func TestCoalescerWritesEveryCount(t *testing.T) {
	t.Parallel()
	pool := dbtest.Pool(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 10, 0, 30, 0, time.UTC)
	var c ops.Coalescer
	if err := c.Add(ctx, pool, ops.WebhookAccepted, now); err != nil {
		t.Fatal(err)
	}
	if n := count(t, pool, `select coalesce(sum(count), 0) from ops_counters where name = $1`, ops.WebhookAccepted); n != 1 {
		t.Fatalf("lone count: %d written, want 1", n)
	}
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 25 {
				if err := c.Add(ctx, pool, ops.WebhookAccepted, now); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if n := count(t, pool, `select coalesce(sum(count), 0) from ops_counters where name = $1`, ops.WebhookAccepted); n != 401 {
		t.Fatalf("after 400 concurrent counts: %d written, want 401", n)
	}
}
