package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// defaultRedialScale plays redial delays a day per minute against the
// simulator: the default four-hour delay waits ten seconds, so a first
// campaign completes, redials included, while its operator watches.
// Campaigns keep their real delay; only the wait is shortened.
const defaultRedialScale = 1.0 / 1440

// redialScale is AUTOLYNX_REDIAL_SCALE (1 keeps real delays) or the
// default.
func redialScale() float64 {
	var s float64
	if _, err := fmt.Sscanf(os.Getenv("AUTOLYNX_REDIAL_SCALE"), "%g", &s); err == nil && s > 0 && s <= 1 {
		return s
	}
	return defaultRedialScale
}

// shortenRedials moves each pending redial to scale × the campaign's delay
// after its last call ended. It only ever brings a wait forward, so
// running it again changes nothing, and a redial already due is left to
// the scheduler.
const shortenRedials = `
update contacts k
set next_attempt_at = coalesce(l.ended_at, l.last_event_at) + make_interval(secs => c.retry_delay_minutes * 60 * $1::float8)
from calls l join campaigns c on c.id = l.campaign_id
where l.id = k.last_call_id
  and k.next_attempt_at > now()
  and k.next_attempt_at > coalesce(l.ended_at, l.last_event_at) + make_interval(secs => c.retry_delay_minutes * 60 * $1::float8)`

// playRedials shortens redial waits every second until ctx ends. Only the
// local runner with its simulator does this: no real person is called.
func playRedials(ctx context.Context, pool *pgxpool.Pool, scale float64, log *slog.Logger) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := pool.Exec(ctx, shortenRedials, scale); err != nil && ctx.Err() == nil {
			log.Warn("shorten redial waits", "err", err.Error())
		}
	}
}
