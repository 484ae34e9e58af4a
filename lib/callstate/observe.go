package callstate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Observation is what one piece of news says about a call. Empty fields
// say nothing and never erase what is known.
type Observation struct {
	ProviderCallID string
	// CallID is our id, from assistantOverrides.metadata; uuid.Nil if absent.
	CallID            uuid.UUID
	Status            string
	EndedReason       string
	Cost              *float64
	Costs             json.RawMessage
	RecordingURL      string
	Transcript        json.RawMessage
	Summary           string
	SuccessEvaluation string
	StructuredData    json.RawMessage
	StartedAt         *time.Time
	EndedAt           *time.Time
	DurationSeconds   *float64
}

// Result says what Apply did.
type Result struct {
	Found      bool
	CallID     uuid.UUID
	CampaignID uuid.UUID
	Previous   string
	Current    string
	// Mismatch: our id and Vapi's name different calls (or our call
	// already has another Vapi id); nothing was changed.
	Mismatch bool
}

// Changed reports whether the status moved.
func (r Result) Changed() bool { return r.Previous != r.Current }

const lockCall = `
select id, campaign_id, status, coalesce(provider_call_id, ''), coalesce(ended_reason, '') from calls
where (provider_call_id = $1 and $1 <> '') or id = $2
order by (provider_call_id is not distinct from $1) desc
limit 1
for update`

// update writes the observation: the status only when Allowed said so
// ($2), data fields only where the news has a value. The ended reason of
// our own TIMEOUT verdict yields to the provider's.
const update = `
update calls set
  status = coalesce($2, status),
  provider_call_id = coalesce(provider_call_id, nullif($3, '')),
  ended_reason = case when nullif($4, '') is null then ended_reason
                      when ended_reason is null or status = 'TIMEOUT' or $2 is not null then $4
                      else ended_reason end,
  disposition = case when nullif($5, '') is null then disposition
                     when disposition is null or status = 'TIMEOUT' or $2 is not null then $5
                     else disposition end,
  cost = coalesce($6, cost),
  costs = coalesce($7::jsonb, costs),
  recording_url = coalesce(nullif($8, ''), recording_url),
  transcript = coalesce($9::jsonb, transcript),
  summary = coalesce(nullif($10, ''), summary),
  success_evaluation = coalesce(nullif($11, ''), success_evaluation),
  structured_data = coalesce($12::jsonb, structured_data),
  started_at = coalesce(started_at, $13),
  ended_at = coalesce($14, ended_at),
  duration_seconds = coalesce($15, duration_seconds,
                              extract(epoch from (coalesce($14, ended_at) - coalesce(started_at, $13)))),
  last_event_at = $16,
  updated_at = $16
where id = $1
returning coalesce(ended_reason, '')`

// Apply records o on its call inside tx (which the caller commits together
// with its event-log row). A call we do not know is reported with
// Found false and changes nothing. So does news whose ids disagree: our
// id (from metadata) is believed only if the call has no Vapi id yet or
// the same one, and a call found by its Vapi id must not be named
// otherwise by our id.
func Apply(ctx context.Context, tx pgx.Tx, o Observation, now time.Time) (Result, error) {
	var r Result
	if !PlainID(o.ProviderCallID) {
		return r, nil
	}
	var provider, before string
	err := tx.QueryRow(ctx, lockCall, o.ProviderCallID, o.CallID).Scan(&r.CallID, &r.CampaignID, &r.Previous, &provider, &before)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("find call: %w", err)
	}
	if o.ProviderCallID != "" && provider != "" && provider != o.ProviderCallID ||
		o.CallID != uuid.Nil && o.CallID != r.CallID {
		return Result{Mismatch: true}, nil
	}
	r.Found, r.Current = true, r.Previous
	var next *string
	if Allowed(r.Previous, o.Status) {
		next, r.Current = &o.Status, o.Status
	}
	disposition := Disposition(o.EndedReason)
	var reason string
	err = tx.QueryRow(ctx, update, r.CallID, next, o.ProviderCallID, text(o.EndedReason), disposition,
		o.Cost, jsonArg(o.Costs), text(o.RecordingURL), jsonArg(o.Transcript), text(o.Summary),
		text(o.SuccessEvaluation), jsonArg(o.StructuredData), o.StartedAt, o.EndedAt, o.DurationSeconds, now).Scan(&reason)
	if err != nil {
		return r, fmt.Errorf("update call: %w", err)
	}
	// Decide the redial once final, and again when the outcome's reason
	// arrives after the status (a report following a bare "ended"); a
	// repeat of known news (a duplicate report, a completion from GET
	// /call) must not push a scheduled redial back.
	if Terminal(r.Current) && (r.Changed() || reason != before) {
		return r, ScheduleRetry(ctx, tx, r.CallID, Classify(reason), now)
	}
	return r, nil
}

// jsonArg passes JSON as text (the simple protocol sends []byte as bytea),
// cleaned of what jsonb refuses.
func jsonArg(b json.RawMessage) *string {
	b = cleanJSON(b)
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	s := string(b)
	return &s
}

// text cleans s of what Postgres text refuses: one odd character in a
// transcript must not keep a call from ending.
func text(s string) string { return CleanText(s) }
