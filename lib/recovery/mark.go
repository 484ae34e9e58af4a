package recovery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/problem"
)

// EventMarked is the event type of a call ended by hand.
const EventMarked = "call.marked"

// mark ends a call that is not final yet, with an event of source and
// typ, in one statement. The tick's timeouts and refusals have the same
// shape, so replaying them uses it too.
const mark = `
with u as (
  update calls set status = $2, ended_reason = coalesce(ended_reason, $3), disposition = $4,
    ended_at = coalesce(ended_at, $5), last_event_at = $5, updated_at = $5
  where id = $1 and status in ('PENDING', 'QUEUED', 'RINGING', 'IN_PROGRESS')
  returning id, campaign_id
)
insert into call_events (call_id, campaign_id, source, type, status, payload, received_at)
select id, campaign_id, $6, $7, $2, jsonb_build_object('reason', $3::text), $5 from u
returning campaign_id`

// markCall applies mark; ok is false when the call was already final or
// does not exist.
func markCall(ctx context.Context, q db.DBTX, id uuid.UUID, status, reason, source, typ string, at time.Time) (campaignID uuid.UUID, ok bool, err error) {
	err = q.QueryRow(ctx, mark, id, status, reason, dispositionOf(status, reason), at, source, typ).Scan(&campaignID)
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, false, nil
	}
	if err != nil {
		return uuid.Nil, false, fmt.Errorf("mark call: %w", err)
	}
	return campaignID, true, nil
}

// dispositionOf is the outcome class of a call ended with status for
// reason.
func dispositionOf(status, reason string) string {
	switch status {
	case callstate.Failed:
		return "failed"
	case callstate.Canceled:
		return "canceled"
	case callstate.Timeout:
		return "timeout"
	}
	if d := callstate.Disposition(reason); d != "" {
		return d
	}
	return "unknown"
}

// MarkCall ends a stuck call by hand (status ENDED, FAILED, CANCELED or
// TIMEOUT), logged to call_events as source 'api', and completes its
// campaign if that was the last thing it waited for. A final call is a
// Conflict: its outcome is never rewritten.
func MarkCall(ctx context.Context, pool *pgxpool.Pool, id uuid.UUID, status, reason string, now time.Time) error {
	if !callstate.Terminal(status) {
		return problem.New(problem.Invalid, "status must be ENDED, FAILED, CANCELED or TIMEOUT", "field", "status")
	}
	if reason == "" {
		return problem.New(problem.Invalid, "a reason is required", "field", "reason")
	}
	return db.InTx(ctx, pool, func(tx pgx.Tx) error {
		campaignID, ok, err := markCall(ctx, tx, id, status, reason, "api", EventMarked, now)
		if err != nil {
			return err
		}
		if !ok {
			var current string
			err := tx.QueryRow(ctx, `select status from calls where id = $1`, id).Scan(&current)
			if errors.Is(err, pgx.ErrNoRows) {
				return problem.New(problem.NotFound, "call not found")
			}
			return problem.New(problem.Conflict, "call is already "+current, "status", current)
		}
		_, err = campaign.CompleteIfDone(ctx, tx, campaignID, now)
		return err
	})
}

// PauseAll pauses every campaign that is dialing (QUEUED, DIALING,
// RUNNING) and returns their ids. Calls in flight finish; nothing new is
// dialed until each is resumed.
func PauseAll(ctx context.Context, q *pgxpool.Pool) ([]uuid.UUID, error) {
	rows, err := q.Query(ctx, `select id from campaigns where status in ('QUEUED', 'DIALING', 'RUNNING') order by created_at`)
	if err != nil {
		return nil, fmt.Errorf("list active campaigns: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return nil, fmt.Errorf("list active campaigns: %w", err)
	}
	paused := make([]uuid.UUID, 0, len(ids))
	for _, id := range ids {
		_, err := campaign.Control(ctx, q, id, campaign.Pause, uuid.Nil)
		switch {
		case problem.KindOf(err) == problem.Conflict:
			// It finished or was paused meanwhile.
		case err != nil:
			return paused, err
		default:
			paused = append(paused, id)
		}
	}
	return paused, nil
}
