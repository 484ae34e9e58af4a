package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/db"
)

// Window is the length of a counting window.
const Window = time.Minute

// Bucket names a group of routes sharing one limit.
type Bucket string

// The buckets of the API's rate limits.
const (
	General Bucket = "general" // every authenticated route
	Upload  Bucket = "upload"  // campaign create and contact append
	Export  Bucket = "export"  // CSV exports
)

// ErrUnknownBucket is returned for a bucket Limits has no limit for.
var ErrUnknownBucket = errors.New("unknown rate limit bucket")

// Limits are the requests allowed per user and Window in each bucket.
type Limits struct {
	General, Upload, Export int
}

// DefaultLimits are the API's published limits.
var DefaultLimits = Limits{General: 100, Upload: 10, Export: 5}

func (l Limits) of(b Bucket) (int, bool) {
	switch b {
	case General:
		return l.General, true
	case Upload:
		return l.Upload, true
	case Export:
		return l.Export, true
	}
	return 0, false
}

// Decision is the verdict on one request.
type Decision struct {
	Allowed    bool
	RetryAfter time.Duration // until the window ends; zero when allowed
	Remaining  int           // requests left in the window
}

// Limiter counts requests in Postgres so every instance sees the same counts.
type Limiter struct {
	db     db.DBTX
	now    func() time.Time
	limits Limits
}

// New returns a Limiter with DefaultLimits counting in the rate_limits table
// through dbtx; now is the clock (nil means time.Now).
func New(dbtx db.DBTX, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{db: dbtx, now: now, limits: DefaultLimits}
}

// WithLimits returns a copy of l enforcing limits instead.
func (l *Limiter) WithLimits(limits Limits) *Limiter {
	c := *l
	c.limits = limits
	return &c
}

const countRequest = `
insert into public.rate_limits (user_id, bucket, window_start, count)
values ($1, $2, $3, 1)
on conflict (user_id, bucket, window_start)
do update set count = public.rate_limits.count + 1
returning count`

// deleteEarlierWindows runs when a user opens a new window, so each user
// and bucket keeps at most two rows without a sweeper. The window just
// before is kept: an instance whose clock is a little behind still counts
// into it rather than starting it afresh.
const deleteEarlierWindows = `
delete from public.rate_limits
where user_id = $1 and bucket = $2 and window_start < $3::timestamptz - interval '1 minute'`

// Allow counts one request of userID in bucket and says whether it may
// proceed. Requests over the limit are counted too. On error the caller
// chooses to fail open or closed.
func (l *Limiter) Allow(ctx context.Context, userID uuid.UUID, bucket Bucket) (Decision, error) {
	limit, ok := l.limits.of(bucket)
	if !ok {
		return Decision{}, fmt.Errorf("allow request: %w: %q", ErrUnknownBucket, bucket)
	}
	now := l.now()
	start := now.Truncate(Window)
	var count int
	if err := l.db.QueryRow(ctx, countRequest, userID, string(bucket), start).Scan(&count); err != nil {
		return Decision{}, fmt.Errorf("count request: %w", err)
	}
	if count == 1 {
		if _, err := l.db.Exec(ctx, deleteEarlierWindows, userID, string(bucket), start); err != nil {
			return Decision{}, fmt.Errorf("delete old rate windows: %w", err)
		}
	}
	if count > limit {
		return Decision{RetryAfter: start.Add(Window).Sub(now)}, nil
	}
	return Decision{Allowed: true, Remaining: limit - count}, nil
}
