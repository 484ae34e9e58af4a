package callstate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/vapi"
)

// The event types of what AutoLynx itself does to a call (news from Vapi
// keeps Vapi's message type).
const (
	// EventLaunched: Vapi answered POST /call (Launched).
	EventLaunched = "call.launched"
	// EventTimeout: the tick gave up on a call nobody tells us about.
	EventTimeout = "call.timeout"
	// EventRejected: Vapi refused to call this contact.
	EventRejected = "call.rejected"
	// EventMarked: someone ended a stuck call by hand.
	EventMarked = "call.marked"
)

// From says which live calls an end may take: a refusal only a call Vapi
// has not taken yet, a timeout only one it has, a manual mark (and its
// replay) any live call. A call that moved on meanwhile (a webhook, an
// adopted ambiguous create) is left as it is.
type From int

const (
	FromPending  From = iota // PENDING: a dial Vapi refused
	FromLaunched             // QUEUED, RINGING, IN_PROGRESS: a call Vapi took
	FromLive                 // any live status
)

func (f From) statuses() []string {
	switch f {
	case FromPending:
		return live[:1]
	case FromLaunched:
		return live[1:]
	}
	return live
}

// endCall ends a call that is still in one of the statuses $8 and logs
// the event in the same statement. A reason or end time already known is
// kept.
var endCall = `
with u as (
  update calls set status = $2, ended_reason = coalesce(ended_reason, $3), disposition = $4,
    ended_at = coalesce(ended_at, $5), last_event_at = $5, updated_at = $5
  where id = $1 and status = any($8::text[])
  returning id, campaign_id
)
insert into call_events (call_id, campaign_id, source, type, status, payload, received_at)
select id, campaign_id, $6, $7, $2, jsonb_build_object('reason', $3::text), $5 from u
returning campaign_id`

// End is the one way AutoLynx itself ends a call (the tick's timeouts and
// refusals, a manual mark; replaying the log uses it too): a call still
// in a status of from moves to the final status for reason, with its
// disposition, and
// ev (its source and type) is logged with payload {"reason": reason},
// which is how a replay reads it back, so ev.Payload must be empty. ok is
// false when the call was in no status of from, or does not exist. What follows
// from the end (a redial, the campaign's completion) is the caller's, in
// the same transaction.
func End(ctx context.Context, q db.DBTX, callID uuid.UUID, from From, status, reason string, ev Event, now time.Time) (campaignID uuid.UUID, ok bool, err error) {
	if !Terminal(status) {
		return uuid.Nil, false, fmt.Errorf("end call: %q is not a final status", status)
	}
	if ev.Payload != nil {
		return uuid.Nil, false, errors.New("end call: the event's payload is the reason")
	}
	reason = text(reason)
	err = q.QueryRow(ctx, endCall, callID, status, reason, endDisposition(status, reason), now, ev.Source, text(ev.Type), from.statuses()).
		Scan(&campaignID)
	if errors.Is(err, pgx.ErrNoRows) {
		return uuid.Nil, false, nil
	}
	if err != nil {
		return uuid.Nil, false, fmt.Errorf("end call: %w", err)
	}
	return campaignID, true, nil
}

// endDisposition is the outcome class of a call ended with status for
// reason.
func endDisposition(status, reason string) string {
	switch status {
	case Failed:
		return "failed"
	case Canceled:
		return "canceled"
	case Timeout:
		return "timeout"
	}
	if d := Disposition(reason); d != "" {
		return d
	}
	return "unknown"
}

// launched stores Vapi's id and status for a call just created, and logs
// it. A webhook may have been faster and moved the call on already;
// Vapi's answer to POST /call is never newer than any webhook, so it
// only ever replaces PENDING.
var launched = `
with u as (
  update calls set provider_call_id = coalesce(provider_call_id, $2),
    status = case when status = '` + Pending + `' then $3 else status end,
    last_event_at = $4, updated_at = $4
  where id = $1 returning id, campaign_id
)
insert into call_events (call_id, campaign_id, provider_call_id, source, type, status, received_at)
select id, campaign_id, $2, 'tick', '` + EventLaunched + `', $3, $4 from u`

// Launched records call, Vapi's answer to POST /call for our call callID,
// in one statement (the launch is the tick's hot path). A status that
// says nothing of progress counts as QUEUED. A replay applies the logged
// event as an observation (Apply), which moves the call the same way.
func Launched(ctx context.Context, q db.DBTX, callID uuid.UUID, call *vapi.Call, now time.Time) error {
	status := FromVapi(call.Status, call.EndedReason)
	if status == "" {
		status = Queued
	}
	if _, err := q.Exec(ctx, launched, callID, call.ID, status, now); err != nil {
		return fmt.Errorf("store provider id: %w", err)
	}
	return nil
}
