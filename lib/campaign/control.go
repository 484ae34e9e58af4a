package campaign

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/amount"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/problem"
)

// Action is an operator's control request.
type Action string

// Control actions.
const (
	Start  Action = "start"
	Pause  Action = "pause"
	Resume Action = "resume"
	Stop   Action = "stop"
)

// transitions holds, per action, the guarded UPDATE that performs it. The
// WHERE clause is the state machine: a row that is not in an allowed state
// is not updated, whatever else runs concurrently.
var transitions = map[Action]string{
	Start: `update campaigns set status = 'QUEUED', status_reason = null
		where id = $1 and status = 'CREATED' and exists (select 1 from claim_lock) returning id, status`,
	Pause: `update campaigns set paused_from = status, status = 'PAUSED'
		where id = $1 and status in ('QUEUED', 'DIALING', 'RUNNING') and exists (select 1 from claim_lock) returning id, status`,
	Resume: `update campaigns set status = coalesce(paused_from, 'QUEUED'), paused_from = null, status_reason = null
		where id = $1 and status = 'PAUSED' and exists (select 1 from claim_lock) returning id, status`,
	Stop: `update campaigns set status = 'STOPPED', paused_from = null
		where id = $1 and status not in ('STOPPED', 'COMPLETED', 'FAILED') and exists (select 1 from claim_lock) returning id, status`,
}

// withEvent makes a transition and its event-log row one statement, so
// neither can exist without the other. The statement first takes the
// scheduler's account lock (7316010, lib/scheduler's accountLock): a claim
// in progress finishes first, and every later claim sees the new status.
func withEvent(update string) string {
	return `with claim_lock as (select pg_advisory_xact_lock(7316010)),
	t as (` + update + `),
	e as (insert into call_events (campaign_id, source, type, status, payload)
	      select id, 'api', $2, status, jsonb_build_object('by', $3::text) from t)
	select status from t`
}

// ParseAction validates an action name from a URL.
func ParseAction(s string) (Action, bool) {
	a := Action(s)
	_, ok := transitions[a]
	return a, ok
}

// Control applies action to campaign id and returns the new status. An
// action the current status does not allow is a Conflict carrying the
// current status.
func Control(ctx context.Context, q db.DBTX, id uuid.UUID, action Action, by uuid.UUID) (Status, error) {
	sql, ok := transitions[action]
	if !ok {
		return "", problem.Newf(problem.NotFound, "unknown action %q", action)
	}
	var st Status
	err := q.QueryRow(ctx, withEvent(sql), id, "campaign."+string(action), by.String()).Scan(&st)
	if errors.Is(err, pgx.ErrNoRows) {
		cur, err := CurrentStatus(ctx, q, id)
		if err != nil {
			return "", err
		}
		return "", problem.New(problem.Conflict,
			fmt.Sprintf("cannot %s a campaign that is %s", action, cur), "status", cur)
	}
	if err != nil {
		return "", fmt.Errorf("%s campaign: %w", action, err)
	}
	return st, nil
}

// CurrentStatus reads a campaign's status; NotFound if there is none.
func CurrentStatus(ctx context.Context, q db.DBTX, id uuid.UUID) (Status, error) {
	var st Status
	err := q.QueryRow(ctx, `select status from campaigns where id = $1`, id).Scan(&st)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", problem.New(problem.NotFound, "campaign not found")
	}
	if err != nil {
		return "", fmt.Errorf("read campaign status: %w", err)
	}
	return st, nil
}

// SetSpendLimit changes (or, with nil, removes) a campaign's hard spend
// limit, so an operator can raise it and resume a campaign it paused. A
// finished campaign keeps its limit.
func SetSpendLimit(ctx context.Context, q db.DBTX, id uuid.UUID, limit *float64) error {
	if limit != nil {
		if err := amount.USD("spendLimit", *limit); err != nil {
			return err
		}
	}
	tag, err := q.Exec(ctx, `update campaigns set spend_limit_usd = $2
		where id = $1 and status not in ('STOPPED', 'COMPLETED', 'FAILED')`, id, limit)
	if err != nil {
		return fmt.Errorf("set spend limit: %w", err)
	}
	if tag.RowsAffected() == 0 {
		st, err := CurrentStatus(ctx, q, id)
		if err != nil {
			return err
		}
		return problem.New(problem.Conflict, fmt.Sprintf("cannot change a campaign that is %s", st), "status", st)
	}
	return nil
}
