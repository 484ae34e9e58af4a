package campaign

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/ops"
)

// completeIfDone finishes the active campaigns (one, $1, or all when $1
// is null) that are done: public.complete_if_done (migration
// 20261207700100) decides for each, in one statement with one snapshot,
// and is a function so its plan is cached: sent as text it was planned
// at every call's end.
var completeIfDone = `
select count(*) filter (where public.complete_if_done(c.id, $2::timestamptz))
from campaigns c
where c.status in ` + ActiveSQL + ` and ($1::uuid is null or c.id = $1)`

// CompleteIfDone marks done campaigns COMPLETED (one campaign, or all when
// id is uuid.Nil) and returns how many it completed: those with no call
// live, no contact left to dial and no retry or callback pending
// (contacts on the do-not-call list are done), and no answered call's
// outcomes still to come.
func CompleteIfDone(ctx context.Context, q db.DBTX, id uuid.UUID, now time.Time) (int, error) {
	var arg *uuid.UUID
	if id != uuid.Nil {
		arg = &id
	}
	var n int
	if err := q.QueryRow(ctx, completeIfDone, arg, now).Scan(&n); err != nil {
		return 0, fmt.Errorf("complete campaigns: %w", err)
	}
	return n, nil
}

// completeLater completes campaign id if it is done (CompleteIfDone),
// with what follows in tx (db.Later): news of a call's end does not wait
// for the answer.
func completeLater(ctx context.Context, tx db.DBTX, id uuid.UUID, now time.Time) error {
	return db.Later(ctx, tx, "complete campaign", `select public.complete_if_done($1::uuid, $2::timestamptz)`, id, now)
}

// MarkRunning moves a dialing campaign to RUNNING once a call is in
// progress (a paused one will resume to RUNNING). News of a call in
// progress does it as it is recorded (callstate.Apply).
func MarkRunning(ctx context.Context, q db.DBTX, id uuid.UUID) error {
	if _, err := q.Exec(ctx, `select public.mark_campaign_running($1)`, id); err != nil {
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
		where id = $1 and status not in `+FinalSQL+``, id, reason, now)
	if err != nil {
		return fmt.Errorf("fail campaign: %w", err)
	}
	return nil
}

// EnforceSpendLimit pauses a live campaign whose recorded cost reached its
// hard spend limit, with the reason shown to operators. It reports whether
// the campaign is (now) paused for that reason.
func EnforceSpendLimit(ctx context.Context, q db.DBTX, id uuid.UUID) (bool, error) {
	tag, err := q.Exec(ctx, `
		update campaigns c set paused_from = c.status, status = 'PAUSED',
		  status_reason = format('spend limit reached: $%s of $%s', s.spent, c.spend_limit_usd)
		from (select coalesce(sum(cost), 0)::numeric(12, 2) as spent from calls where campaign_id = $1) s
		where c.id = $1 and c.spend_limit_usd is not null and c.status in `+ActiveSQL+`
		  and s.spent >= c.spend_limit_usd`, id)
	if err != nil {
		return false, fmt.Errorf("check spend limit: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// PauseForVapi pauses a live campaign because Vapi refuses to place calls
// for the account (credits, billing, the assistant…), with why shown to
// operators, and raises an alert for admins. Resume continues the list.
// A campaign already paused or finished is left alone, so many refusals
// arriving together pause and alert once. So is one resumed since the
// refused call was claimed (callID; uuid.Nil for a refusal at POST
// /call): news of an old refusal arriving late (a lost report fetched by
// reconciliation) must not undo the operator's Resume. The event log's
// ids order the claim and the resume.
func PauseForVapi(ctx context.Context, q db.DBTX, id, callID uuid.UUID, why string, now time.Time) error {
	var call *uuid.UUID
	if callID != uuid.Nil {
		call = &callID
	}
	tag, err := q.Exec(ctx, `
		update campaigns set paused_from = status, status = 'PAUSED', status_reason = $2
		where id = $1 and status in `+ActiveSQL+`
		  and ($3::uuid is null or not exists (
		    select 1 from call_events r where r.campaign_id = $1 and r.type = 'campaign.resume'
		      and r.id > coalesce((select max(c.id) from call_events c where c.call_id = $3 and c.type = 'call.claimed'),
		                          9223372036854775807)))`, id, why, call)
	if err != nil {
		return fmt.Errorf("pause campaign: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return nil
	}
	return ops.RaiseAlert(ctx, q, "vapi-account", id, why, now)
}

// SuppressOptOut puts the number of a call's contact on the do-not-call
// list when its campaign asks for it (autoDncOnOptOut): the contact is
// never dialed again, by this campaign or any other.
func SuppressOptOut(ctx context.Context, q db.DBTX, callID uuid.UUID, now time.Time) error {
	_, err := q.Exec(ctx, `
		with k as (
		  select k.id, k.phone from calls l
		  join contacts k on k.id = l.contact_id
		  join campaigns c on c.id = l.campaign_id
		  where l.id = $1 and c.auto_dnc_on_opt_out),
		listed as (
		  insert into dnc (phone, source, reason, created_at)
		  select phone, 'opt-out', 'asked not to be called during a call', $2 from k
		  on conflict (phone) do nothing)
		update contacts set suppressed_at = $2, next_attempt_at = null from k where contacts.id = k.id`, callID, now)
	if err != nil {
		return fmt.Errorf("record opt-out: %w", err)
	}
	return nil
}
