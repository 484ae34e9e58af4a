package ratelimit_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/lib/ratelimit"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// clock is a settable time source.
type clock struct{ ns atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

type bundle struct {
	pool  *pgxpool.Pool
	clock *clock
	lim   *ratelimit.Limiter
}

// setup starts the clock 15 s into a window.
func setup(t *testing.T) *bundle {
	t.Helper()
	c := &clock{}
	c.ns.Store(time.Date(2026, 11, 25, 12, 0, 15, 0, time.UTC).UnixNano())
	pool := dbtest.Pool(t)
	return &bundle{pool: pool, clock: c, lim: ratelimit.New(pool, c.Now)}
}

func (b *bundle) allow(t *testing.T, user uuid.UUID, bucket ratelimit.Bucket) ratelimit.Decision {
	t.Helper()
	d, err := b.lim.Allow(context.Background(), user, bucket)
	if err != nil {
		t.Fatalf("Allow: %v", err)
	}
	return d
}

func (b *bundle) rows(t *testing.T) int {
	t.Helper()
	var n int
	if err := b.pool.QueryRow(context.Background(), `select count(*) from rate_limits`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAllowsLimitThenRefusesUntilWindowEnds(t *testing.T) {
	t.Parallel()
	b := setup(t)
	user := uuid.New()
	for i := range 100 {
		d := b.allow(t, user, ratelimit.General)
		if !d.Allowed || d.Remaining != 99-i || d.RetryAfter != 0 {
			t.Fatalf("request %d: %+v", i+1, d)
		}
	}
	if d := b.allow(t, user, ratelimit.General); d.Allowed || d.RetryAfter != 45*time.Second || d.Remaining != 0 {
		t.Fatalf("request 101: %+v, want refused for 45s", d)
	}
	b.clock.Advance(44 * time.Second)
	if d := b.allow(t, user, ratelimit.General); d.Allowed || d.RetryAfter != time.Second {
		t.Fatalf("at 59s: %+v, want refused for 1s", d)
	}
	b.clock.Advance(time.Second)
	if d := b.allow(t, user, ratelimit.General); !d.Allowed || d.Remaining != 99 {
		t.Fatalf("next window: %+v, want allowed with 99 left", d)
	}
	if n := b.rows(t); n != 2 {
		t.Fatalf("%d rows, want this window and the one before", n)
	}
	b.clock.Advance(time.Minute)
	b.allow(t, user, ratelimit.General)
	if n := b.rows(t); n != 2 {
		t.Fatalf("%d rows, want older windows deleted", n)
	}
}

func TestBucketsAndUsersAreIndependent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada, bob := uuid.New(), uuid.New()
	for bucket, limit := range map[ratelimit.Bucket]int{ratelimit.Upload: 10, ratelimit.Export: 5} {
		for range limit {
			if d := b.allow(t, ada, bucket); !d.Allowed {
				t.Fatalf("%s: refused within limit", bucket)
			}
		}
		if d := b.allow(t, ada, bucket); d.Allowed {
			t.Fatalf("%s: allowed over limit %d", bucket, limit)
		}
	}
	if d := b.allow(t, ada, ratelimit.General); !d.Allowed || d.Remaining != 99 {
		t.Fatalf("general after uploads: %+v", d)
	}
	if d := b.allow(t, bob, ratelimit.Export); !d.Allowed || d.Remaining != 4 {
		t.Fatalf("another user: %+v", d)
	}
}

func TestUnknownBucket(t *testing.T) {
	t.Parallel()
	b := setup(t)
	if _, err := b.lim.Allow(context.Background(), uuid.New(), "admin"); !errors.Is(err, ratelimit.ErrUnknownBucket) {
		t.Fatalf("Allow = %v, want ErrUnknownBucket", err)
	}
}

// Instances race on one row; the upsert must hand out each count once.
func TestConcurrentRequestsNeverExceedLimit(t *testing.T) {
	t.Parallel()
	b := setup(t)
	lim := b.lim.WithLimits(ratelimit.Limits{General: 50, Upload: 1, Export: 1})
	user := uuid.New()
	var allowed atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			for range 5 {
				d, err := lim.Allow(context.Background(), user, ratelimit.General)
				if err != nil {
					errs <- err
					return
				}
				if d.Allowed {
					allowed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := allowed.Load(); n != 50 {
		t.Fatalf("allowed %d of 100, want exactly 50", n)
	}
}

// L6: two instances whose clocks straddle a minute boundary do not reset
// each other's counts: opening a window keeps the one before it.
func TestLowL6SkewedInstancesKeepCounts(t *testing.T) {
	t.Parallel()
	b := setup(t)
	behind := &clock{}
	behind.ns.Store(time.Date(2026, 11, 25, 12, 0, 59, 500_000_000, time.UTC).UnixNano())
	ahead := &clock{}
	ahead.ns.Store(time.Date(2026, 11, 25, 12, 1, 0, 200_000_000, time.UTC).UnixNano())
	slow, fast := ratelimit.New(b.pool, behind.Now), ratelimit.New(b.pool, ahead.Now)
	ada := uuid.New()
	allow := func(l *ratelimit.Limiter) ratelimit.Decision {
		d, err := l.Allow(context.Background(), ada, ratelimit.Upload)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for range 5 {
		allow(slow)
	}
	allow(fast) // opens the next window
	if d := allow(slow); d.Remaining != ratelimit.DefaultLimits.Upload-6 {
		t.Errorf("the slow instance's sixth request leaves %d, want %d: its window was reset", d.Remaining, ratelimit.DefaultLimits.Upload-6)
	}
}
