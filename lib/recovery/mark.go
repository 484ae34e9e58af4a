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
		ev := callstate.Event{Source: "api", Type: callstate.EventMarked}
		campaignID, ok, err := callstate.End(ctx, tx, id, callstate.FromLive, status, reason, ev, now)
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
	rows, err := q.Query(ctx, `select id from campaigns where status in `+campaign.ActiveSQL+` order by created_at`)
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
