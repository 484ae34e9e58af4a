package campaign

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/db"
)

// launchScheduled makes every SCHEDULED campaign whose time came QUEUED,
// logging the launch. One guarded UPDATE: a campaign paused or stopped
// meanwhile is no longer SCHEDULED and stays as it is.
const launchScheduled = `
with due as (
  update campaigns set status = 'QUEUED'
  where status = 'SCHEDULED' and scheduled_at <= $2 and ($1::uuid is null or id = $1)
  returning id, status, scheduled_at
)
insert into call_events (campaign_id, source, type, status, payload, received_at)
select id, 'tick', 'campaign.launched', status, jsonb_build_object('scheduledAt', scheduled_at), $2 from due`

// LaunchScheduled queues the scheduled campaigns due at now (one, or all
// when id is uuid.Nil) and returns how many; the tick calls it before it
// lists the campaigns to dial, so they dial in the same tick.
func LaunchScheduled(ctx context.Context, q db.DBTX, id uuid.UUID, now time.Time) (int, error) {
	return sweep(ctx, q, launchScheduled, "launch scheduled campaigns", id, now)
}

// sweep runs a statement over one campaign ($1, null when id is
// uuid.Nil: all of them) at now ($2) and returns how many rows it
// changed.
func sweep(ctx context.Context, q db.DBTX, sql, what string, id uuid.UUID, now time.Time) (int, error) {
	var arg *uuid.UUID
	if id != uuid.Nil {
		arg = &id
	}
	tag, err := q.Exec(ctx, sql, arg, now)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return int(tag.RowsAffected()), nil
}
