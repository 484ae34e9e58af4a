package scheduler

import (
	"context"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/ops"
)

// deliver sends the outbox's due events to the team's destinations,
// last in the full pass; a failure is logged like the upkeep's.
func (s *Scheduler) deliver(ctx context.Context, sum *Summary) {
	if s.Outbox == nil {
		return
	}
	d, err := s.Outbox.Deliver(ctx)
	if err != nil {
		s.Log.Error("outbox delivery", "err", err.Error())
	}
	if sum != nil {
		sum.Deliveries = &d
	}
}

// Cron runs one pass of the cron: a tick, of the campaign only when it is
// set (a nudge, as Start sends) or else of every campaign. The full pass
// is also the heartbeat and carries the upkeep (ops.AfterTick: Vapi
// counters, spend alerts, retention) and the outbox's deliveries; their
// failures are logged, not returned, so they never hide the tick's own
// answer.
func (s *Scheduler) Cron(ctx context.Context, only uuid.UUID, tally *ops.Tally, alertURL string) (*Summary, error) {
	sum, err := s.Tick(ctx, only)
	retained := 0
	if only == uuid.Nil {
		var uerr error
		retained, uerr = ops.AfterTick(ctx, s.DB, s.Now(), tally, nil, alertURL)
		if uerr != nil {
			s.Log.Error("tick upkeep", "err", uerr.Error())
		}
		s.deliver(ctx, sum)
	}
	if err != nil {
		return sum, err
	}
	s.Log.Info("tick", "launched", sum.Launched, "timedOut", sum.TimedOut,
		"reconciled", sum.Reconciled, "completed", sum.Completed, "rateLimited", sum.RateLimited,
		"retentionRows", retained)
	return sum, nil
}
