package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/ops"
	"github.com/autolynx/autolynx/lib/vapi"
)

type suspect struct {
	ID            uuid.UUID
	CampaignID    uuid.UUID
	ProviderID    *string
	PhoneNumberID string
	RequestedAt   time.Time
	CreatedAt     time.Time
}

// The sweeps below ask for live calls as live, which calls_live_idx
// names, and then for their status (which no index names, so news of a
// live call is a HOT update).
const ambiguousCalls = `
select id, campaign_id, provider_call_id, phone_number_id, dial_requested_at, created_at from calls
where live and status = 'PENDING' and dial_requested_at < $1 and ($2::uuid is null or campaign_id = $2)
order by dial_requested_at limit $3`

var silentCalls = `
select id, campaign_id, provider_call_id, phone_number_id, coalesce(dial_requested_at, created_at), created_at from calls
where live and status in ` + callstate.LaunchedSQL + ` and last_event_at < $1
  and ($2::uuid is null or campaign_id = $2)
order by last_event_at limit $3`

// lacking is what a final call still misses ReportAfter after its end: its
// cost, which only the end-of-call report carries, or, for a call someone
// or a machine answered, any artifact (no transcript and no recording; a
// call nobody answered has none to wait for). Both the sweep and the
// partial index calls_incomplete_idx use it, word for word.
const lacking = `(cost is null or (transcript is null and recording_url is null and disposition in ('answered', 'voicemail')))`

// incompleteCalls are final calls lacking their report's news ReportAfter
// after their end. A status-update "ended" carries no endedAt, so the end
// is when we heard of it: finished_at, a generated column (migration
// 20261207700050), null while the call is live.
var incompleteCalls = `
select id, campaign_id, provider_call_id, phone_number_id, coalesce(dial_requested_at, created_at), created_at from calls
where ` + lacking + ` and completed_from_vapi_at is null and provider_call_id is not null
  and reconcile_failures < $5
  and finished_at < $1::timestamptz and finished_at > $1::timestamptz - $4::interval
  and ($2::uuid is null or campaign_id = $2)
order by finished_at limit $3`

// reconcile settles attempts whose creation was ambiguous, calls that
// went silent and calls whose report was lost, asking Vapi; Vapi's
// answer wins.
func (s *Scheduler) reconcile(ctx context.Context, only uuid.UUID, sum *Summary) error {
	now := s.Now()
	pending, err := s.suspects(ctx, ambiguousCalls, now.Add(-AmbiguousAfter), only)
	if err != nil {
		return err
	}
	for _, p := range pending {
		if ctx.Err() != nil {
			return nil
		}
		if s.settleAmbiguous(ctx, p) {
			sum.Reconciled++
		}
	}
	silent, err := s.suspects(ctx, silentCalls, now.Add(-SilentAfter), only)
	if err != nil {
		return err
	}
	for _, c := range silent {
		if ctx.Err() != nil {
			return nil
		}
		switch s.settleSilent(ctx, c) {
		case reconciled:
			sum.Reconciled++
		case timedOut:
			sum.TimedOut++
		}
	}
	incomplete, err := s.suspects(ctx, incompleteCalls, now.Add(-ReportAfter), only, MaxReportAge, MaxReconcileTries)
	if err != nil {
		return err
	}
	for _, c := range incomplete {
		if ctx.Err() != nil {
			return nil
		}
		if s.complete(ctx, c) {
			sum.Reconciled++
		}
	}
	return nil
}

func (s *Scheduler) suspects(ctx context.Context, sql string, before time.Time, only uuid.UUID, extra ...any) ([]suspect, error) {
	rows, err := s.DB.Query(ctx, sql, append([]any{before, nilIfZero(only), maxReconcile}, extra...)...)
	if err != nil {
		return nil, fmt.Errorf("find calls to reconcile: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (suspect, error) {
		var c suspect
		return c, r.Scan(&c.ID, &c.CampaignID, &c.ProviderID, &c.PhoneNumberID, &c.RequestedAt, &c.CreatedAt)
	})
	if err != nil {
		return nil, fmt.Errorf("find calls to reconcile: %w", err)
	}
	return out, nil
}

// settleAmbiguous looks for our call id in Vapi's calls created around
// the request: found, the call is adopted; surely absent, the claim is
// released so the contact is dialed later. On a lookup error nothing
// changes and a later tick tries again.
// ambiguousPages bounds the lookup of one ambiguous attempt: 10,000 calls
// on one line within its few minutes.
const ambiguousPages = 10

func (s *Scheduler) settleAmbiguous(ctx context.Context, p suspect) bool {
	// The whole window, however busy the line (security review L13): a
	// call missed on a cut page would be released, then dialed again.
	calls, err := s.Vapi.ListWindow(ctx, vapi.ListCallsParams{
		PhoneNumberID: p.PhoneNumberID,
		CreatedAtGt:   p.RequestedAt.Add(-time.Minute),
		CreatedAtLt:   p.RequestedAt.Add(AmbiguousAfter + 5*time.Minute),
	}, ambiguousPages)
	if err != nil {
		s.Log.Warn("reconcile ambiguous call: list calls", "call", p.ID, "err", err.Error())
		return false
	}
	for i := range calls {
		if callstate.OurCallID(&calls[i]) == p.ID {
			if err := s.adopt(ctx, p, &calls[i]); err != nil {
				s.Log.Error("adopt call", "call", p.ID, "err", err)
				return false
			}
			return true
		}
	}
	if err := releaseClaim(ctx, s.DB, p.ID, "not found at Vapi after an ambiguous creation", s.Now()); err != nil {
		s.Log.Error("release claim", "call", p.ID, "err", err)
		return false
	}
	return true
}

// adopt records a call Vapi created for an attempt whose answer was lost.
func (s *Scheduler) adopt(ctx context.Context, p suspect, call *vapi.Call) error {
	obs := callstate.FromCall(call)
	if obs.Status == "" {
		obs.Status = callstate.Queued
	}
	if err := s.applyVapi(ctx, obs, call, "call.adopted"); err != nil {
		return err
	}
	return campaign.MarkStarted(ctx, s.DB, p.CampaignID, s.Now())
}

// settled is what looking into a suspect call did to it.
type settled int

const (
	unsettled  settled = iota // nothing yet: it is looked at again later
	reconciled                // Vapi's answer ended it
	timedOut                  // it was given up as timed out
)

// settleSilent asks Vapi about a call without news for SilentAfter.
func (s *Scheduler) settleSilent(ctx context.Context, c suspect) settled {
	if c.ProviderID == nil {
		return unsettled
	}
	call, err := s.Vapi.GetCall(ctx, *c.ProviderID)
	switch {
	case vapi.IsNotFound(err):
		return s.timeout(ctx, c, "timeout: Vapi does not know the call")
	case err != nil:
		return s.failed(ctx, c, fmt.Errorf("get call: %w", err))
	}
	obs := callstate.FromCall(call)
	switch {
	case callstate.Terminal(obs.Status):
		if err := s.applyVapi(ctx, obs, call, "call.reconciled"); err != nil {
			return s.failed(ctx, c, err)
		}
		return reconciled
	case callstate.Live(obs.Status) && s.Now().Sub(c.CreatedAt) < callstate.MaxCallAge:
		// Vapi says it is still on: a long call. Keep its slot and look
		// again after another silent period.
		if err := s.applyVapi(ctx, obs, call, "call.still-live"); err != nil {
			return s.failed(ctx, c, err)
		}
		return unsettled
	}
	return s.timeout(ctx, c, "timeout: no news for "+SilentAfter.String())
}

// markCompleted marks a call complete unless it still lacks something,
// in which case it says what.
const markCompleted = `
with u as (
  update calls set completed_from_vapi_at = $2, reconcile_failures = 0, reconcile_error = null
  where id = $1 and (not ` + lacking + ` or $3) returning id
)
select case when exists (select from u) then ''
  when cost is null then 'no cost' else 'no transcript or recording' end
from calls where id = $1`

// complete fills in a final call whose end-of-call report was lost from
// Vapi's call object. Vapi may still be pricing or processing the call:
// until its answer carries what was missing, the call is fetched again
// on later ticks, each fetch counting as a failed try, so it is given up
// on (with an alert) after MaxReconcileTries.
func (s *Scheduler) complete(ctx context.Context, c suspect) bool {
	call, err := s.Vapi.GetCall(ctx, *c.ProviderID)
	// A call Vapi does not know (one we timed out for that reason) has
	// nothing to complete it from: it is marked, not fetched again.
	known := !vapi.IsNotFound(err)
	if known && err == nil {
		err = s.applyVapi(ctx, callstate.FromCall(call), call, "call.completed")
	}
	if known && err != nil {
		s.failed(ctx, c, err)
		return false
	}
	var missing string
	if err := s.DB.QueryRow(ctx, markCompleted, c.ID, s.Now(), !known).Scan(&missing); err != nil {
		s.Log.Error("mark call completed", "call", c.ID, "err", err)
		return false
	}
	if missing != "" {
		s.failed(ctx, c, fmt.Errorf("the call Vapi gave back has %s yet", missing))
		return false
	}
	return known
}

// failed counts one failed reconciliation of c and leaves it alone until
// its next turn (its last event is bumped, so it does not head the queue).
// After MaxReconcileTries in a row it is given up on: a live call is timed
// out with the error, a final one is no longer completed (incompleteCalls
// skips it), and admins get one alert.
func (s *Scheduler) failed(ctx context.Context, c suspect, cause error) settled {
	s.Log.Warn("reconcile call", "call", c.ID, "err", cause.Error())
	now := s.Now()
	msg := callstate.CleanText(cause.Error())
	var tries int
	err := s.DB.QueryRow(ctx, `
		update calls set reconcile_failures = reconcile_failures + 1, reconcile_error = $2, last_event_at = $3
		where id = $1 returning reconcile_failures`, c.ID, msg, now).Scan(&tries)
	if err != nil {
		s.Log.Error("count reconcile failure", "call", c.ID, "err", err)
		return unsettled
	}
	if tries != MaxReconcileTries {
		return unsettled
	}
	detail := fmt.Sprintf("reconciling call %s failed %d times (last: %s); it is given up on and holds no slot", c.ID, tries, msg)
	if err := ops.RaiseAlert(ctx, s.DB, "reconcile-failed", c.CampaignID, detail, now); err != nil {
		s.Log.Error("alert", "call", c.ID, "err", err)
	}
	return s.timeout(ctx, c, fmt.Sprintf("timeout: reconcile failed %d times: %s", tries, msg))
}

// applyVapi applies Vapi's view of a call and logs it, in one transaction.
func (s *Scheduler) applyVapi(ctx context.Context, obs callstate.Observation, call *vapi.Call, typ string) error {
	now := s.Now()
	if dropped := obs.Validate(s.URLs); len(dropped) > 0 {
		s.Log.Warn("vapi call values out of range: ignored", "type", typ, "fields", dropped)
	}
	if mistyped := callstate.Mistyped(call.Dropped); len(mistyped) > 0 {
		// Field names only: the call object is in the event log.
		s.Log.Warn("vapi call values of the wrong type: ignored", "type", typ, "fields", mistyped)
	}
	payload, _ := json.Marshal(call)
	ev := callstate.Event{Source: "reconcile", Type: typ, Payload: callstate.Redact(payload, s.WebhookSecret, s.WebhookSecretPrevious)}
	return db.InTx(ctx, s.DB, func(tx pgx.Tx) error {
		res, err := callstate.Record(ctx, tx, obs, ev, now)
		if err != nil {
			return err
		}
		return campaign.FollowCall(ctx, tx, res, obs, now)
	})
}

// timeout frees the slot of a call nobody can tell us about, and decides
// its contact's redial in the same transaction.
func (s *Scheduler) timeout(ctx context.Context, c suspect, reason string) settled {
	now := s.Now()
	result := unsettled
	err := db.InTx(ctx, s.DB, func(tx pgx.Tx) error {
		ev := callstate.Event{Source: "tick", Type: callstate.EventTimeout}
		_, ended, err := callstate.End(ctx, tx, c.ID, callstate.FromLaunched, callstate.Timeout, reason, ev, now)
		if err != nil || !ended {
			return err
		}
		result = timedOut
		return callstate.ScheduleRetry(ctx, tx, c.ID, callstate.TimedOut, now)
	})
	if err != nil {
		s.Log.Error("time out call", "call", c.ID, "err", err)
		return unsettled
	}
	return result
}
