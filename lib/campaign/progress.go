package campaign

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/db"
)

// completeIfDone finishes campaigns with no call live and no contact left
// to dial. One statement, one snapshot: a claim committing concurrently is
// seen either as an undialed contact or as a live call, never as neither.
const completeIfDone = `
update campaigns c set status = 'COMPLETED', completed_at = $2, paused_from = null
where c.status in ('QUEUED', 'DIALING', 'RUNNING')
  and ($1::uuid is null or c.id = $1)
  and not exists (select 1 from calls l where l.campaign_id = c.id
                  and l.status in ('PENDING', 'QUEUED', 'RINGING', 'IN_PROGRESS'))
  and not exists (select 1 from contacts k where k.campaign_id = c.id and k.last_call_id is null)
returning c.id`

// CompleteIfDone marks done campaigns COMPLETED (one campaign, or all when
// id is uuid.Nil) and returns how many it completed.
func CompleteIfDone(ctx context.Context, q db.DBTX, id uuid.UUID, now time.Time) (int, error) {
	var arg *uuid.UUID
	if id != uuid.Nil {
		arg = &id
	}
	tag, err := q.Exec(ctx, completeIfDone, arg, now)
	if err != nil {
		return 0, fmt.Errorf("complete campaigns: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// MarkRunning moves a dialing campaign to RUNNING once a call is in
// progress (a paused one will resume to RUNNING).
func MarkRunning(ctx context.Context, q db.DBTX, id uuid.UUID) error {
	_, err := q.Exec(ctx, `
		update campaigns set
		  status = case when status = 'DIALING' then 'RUNNING' else status end,
		  paused_from = case when paused_from = 'DIALING' then 'RUNNING' else paused_from end
		where id = $1 and (status = 'DIALING' or paused_from = 'DIALING')`, id)
	if err != nil {
		return fmt.Errorf("mark campaign running: %w", err)
	}
	return nil
}

// MarkStarted records the truthful start: the first call Vapi accepted.
// QUEUED becomes DIALING and started_at is set once.
func MarkStarted(ctx context.Context, q db.DBTX, id uuid.UUID, now time.Time) error {
	_, err := q.Exec(ctx, `
		update campaigns set
		  started_at = coalesce(started_at, $2),
		  status = case when status = 'QUEUED' then 'DIALING' else status end,
		  paused_from = case when paused_from = 'QUEUED' then 'DIALING' else paused_from end
		where id = $1`, id, now)
	if err != nil {
		return fmt.Errorf("mark campaign started: %w", err)
	}
	return nil
}

// Fail stops a campaign that cannot proceed, with the reason shown to
// operators.
func Fail(ctx context.Context, q db.DBTX, id uuid.UUID, reason string, now time.Time) error {
	_, err := q.Exec(ctx, `
		update campaigns set status = 'FAILED', status_reason = $2, completed_at = $3, paused_from = null
		where id = $1 and status not in ('STOPPED', 'COMPLETED', 'FAILED')`, id, reason, now)
	if err != nil {
		return fmt.Errorf("fail campaign: %w", err)
	}
	return nil
}
