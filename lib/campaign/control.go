package campaign

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

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
	Start: `update campaigns set status = 'QUEUED', status_reason = null, scheduled_at = null
		where id = $1 and status in ('CREATED', 'SCHEDULED') returning id, status`,
	// Pausing a scheduled campaign holds its launch; Resume restores the
	// schedule (a time passed meanwhile launches at the next tick).
	Pause: `update campaigns set paused_from = status, status = 'PAUSED'
		where id = $1 and (status in ` + ActiveSQL + ` or status = 'SCHEDULED') returning id, status`,
	Resume: `update campaigns set status = coalesce(paused_from, 'QUEUED'), paused_from = null, status_reason = null
		where id = $1 and status = 'PAUSED' returning id, status`,
	Stop: `update campaigns set status = 'STOPPED', paused_from = null
		where id = $1 and status not in ` + FinalSQL + ` returning id, status`,
}

// schedule is Start with a time: a campaign not started yet (or already
// scheduled, to change the time) waits as SCHEDULED until $4.
const schedule = `update campaigns set status = 'SCHEDULED', status_reason = null, scheduled_at = $4
		where id = $1 and status in ('CREATED', 'SCHEDULED') returning id, status`

// withEvent makes a transition and its event-log row one statement, so
// neither can exist without the other.
func withEvent(update string) string {
	return `with t as (` + update + `),
	e as (insert into call_events (campaign_id, source, type, status, payload)
	      select id, 'api', $2, status, jsonb_build_object('by', $3::text) from t)
	select status from t`
}

// Lock order, everywhere a campaign is changed:
//
//  1. a chunk import's own lock (db.ImportLock), imports only;
//  2. the campaign row (for no key update);
//  3. the account lock (db.AccountLock), which the scheduler's claims take.
//
// A claim takes only the account lock (its inserts take key-share locks on
// the campaign row, which never wait for 2). A transition takes 2 then 3:
// while it waits for its row it holds nothing any other campaign needs,
// and once it holds the account lock it finishes at once. An import holds
// 2 only for its last statement, so a pause or stop never waits for a
// chunk to be parsed.
const (
	lockCampaignRow = `select 1 from campaigns where id = $1 for no key update`
	// controlLockTimeout bounds every lock wait of a transition: past it
	// the client is told to retry rather than left hanging.
	controlLockTimeout = `set local lock_timeout = '2s'`
)

// busy is the answer to a transition that could not get its locks in time.
func busy(action Action) error {
	return problem.New(problem.Unavailable, fmt.Sprintf("the campaign is busy, retry the %s in a moment", action),
		"retryable", true, "retryAfterSeconds", 1)
}

// lockNotAvailable reports Postgres's lock_timeout error.
func lockNotAvailable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "55P03"
}

// ParseAction validates an action name from a URL.
func ParseAction(s string) (Action, bool) {
	a := Action(s)
	_, ok := transitions[a]
	return a, ok
}

// Control applies action to campaign id and returns the new status. An
// action the current status does not allow is a Conflict carrying the
// current status; locks not granted within the lock timeout are an
// Unavailable the client may retry. Taking the account lock means a claim
// in progress finishes first and every later claim sees the new status.
func Control(ctx context.Context, pool db.Beginner, id uuid.UUID, action Action, by uuid.UUID) (Status, error) {
	sql, ok := transitions[action]
	if !ok {
		return "", problem.Newf(problem.NotFound, "unknown action %q", action)
	}
	return transition(ctx, pool, id, action, sql, by)
}

// Scheduling bounds: a launch at least a minute ahead (an earlier one is a
// plain Start) and at most 90 days.
const (
	MinScheduleAhead = time.Minute
	MaxScheduleAhead = 90 * 24 * time.Hour
)

// Schedule is Start at a time: the campaign is SCHEDULED until at, when
// the tick makes it QUEUED (LaunchScheduled). Pause holds it, Resume
// restores the schedule, Stop ends it, Start launches it at once.
func Schedule(ctx context.Context, pool db.Beginner, id uuid.UUID, at, now time.Time, by uuid.UUID) (Status, error) {
	if at.Before(now.Add(MinScheduleAhead)) || at.After(now.Add(MaxScheduleAhead)) {
		return "", problem.New(problem.Invalid, "at must be from a minute to 90 days ahead", "field", "at")
	}
	return transition(ctx, pool, id, Start, schedule, by, at.UTC())
}

// transition runs one guarded UPDATE (sql, with $1 the campaign, then
// args from $4) under the campaign's locks.
func transition(ctx context.Context, pool db.Beginner, id uuid.UUID, action Action, sql string, by uuid.UUID, args ...any) (Status, error) {
	var st Status
	err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, controlLockTimeout); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, lockCampaignRow, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, db.XactLock, db.AccountLock); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, withEvent(sql), append([]any{id, "campaign." + string(action), by.String()}, args...)...).Scan(&st)
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		cur, err := CurrentStatus(ctx, tx, id)
		if err != nil {
			return err
		}
		return problem.New(problem.Conflict, fmt.Sprintf("cannot %s a campaign that is %s", action, cur), "status", cur)
	})
	var pe *problem.Error
	switch {
	case errors.As(err, &pe):
		return "", pe
	case lockNotAvailable(err):
		return "", busy(action)
	case err != nil:
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
		where id = $1 and status not in `+FinalSQL+``, id, limit)
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
