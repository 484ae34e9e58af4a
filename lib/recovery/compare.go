package recovery

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/campaign"
)

// differences lists, per call, the outcome columns whose live value differs
// from the rebuilt one (bookkeeping times such as updated_at are not
// outcomes).
const differences = `
select s.id, p.status, s.status, array_remove(array[
  case when s.status is distinct from p.status then 'status' end,
  case when s.provider_call_id is distinct from p.provider_call_id then 'provider_call_id' end,
  case when s.ended_reason is distinct from p.ended_reason then 'ended_reason' end,
  case when s.disposition is distinct from p.disposition then 'disposition' end,
  case when s.cost is distinct from p.cost then 'cost' end,
  case when s.costs is distinct from p.costs then 'costs' end,
  case when s.recording_url is distinct from p.recording_url then 'recording_url' end,
  case when s.transcript is distinct from p.transcript then 'transcript' end,
  case when s.summary is distinct from p.summary then 'summary' end,
  case when s.success_evaluation is distinct from p.success_evaluation then 'success_evaluation' end,
  case when s.structured_data is distinct from p.structured_data then 'structured_data' end,
  case when s.started_at is distinct from p.started_at then 'started_at' end,
  case when s.ended_at is distinct from p.ended_at then 'ended_at' end,
  case when s.duration_seconds is distinct from p.duration_seconds then 'duration_seconds' end
], null)
from pg_temp.calls s join public.calls p on p.id = s.id
order by s.created_at, s.id`

func compare(ctx context.Context, scratch *pgxpool.Pool, res *Result) error {
	rows, err := scratch.Query(ctx, differences)
	if err != nil {
		return fmt.Errorf("compare calls: %w", err)
	}
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Diff, error) {
		var d Diff
		return d, r.Scan(&d.CallID, &d.Current, &d.Rebuilt, &d.Fields)
	})
	if err != nil {
		return fmt.Errorf("compare calls: %w", err)
	}
	for _, d := range all {
		if len(d.Fields) > 0 {
			res.Diffs = append(res.Diffs, d)
		}
	}
	return nil
}

// rebuilt is a scratch row, every value as text so nothing is lost on the
// way back (numerics, jsonb).
type rebuilt struct {
	Status, ProviderCallID, EndedReason, Disposition, Cost, Costs, RecordingURL, Transcript,
	Summary, SuccessEvaluation, StructuredData *string
	StartedAt, EndedAt *time.Time
	Duration           *string
}

const readRebuilt = `
select status, provider_call_id, ended_reason, disposition, cost::text, costs::text, recording_url,
  transcript::text, summary, success_evaluation, structured_data::text, started_at, ended_at, duration_seconds::text
from pg_temp.calls where id = $1`

// repairCall fills the live row from the rebuilt one: a value the rebuild
// has replaces the live one, a value it lacks never erases anything, and
// the status moves only forward ($2).
const repairCall = `
with u as (
  update calls set
    status = case when $2 then $3 else status end,
    provider_call_id = coalesce(provider_call_id, $4),
    ended_reason = coalesce($5, ended_reason), disposition = coalesce($6, disposition),
    cost = coalesce($7::numeric, cost), costs = coalesce($8::jsonb, costs),
    recording_url = coalesce($9, recording_url), transcript = coalesce($10::jsonb, transcript),
    summary = coalesce($11, summary), success_evaluation = coalesce($12, success_evaluation),
    structured_data = coalesce($13::jsonb, structured_data),
    started_at = coalesce($14, started_at), ended_at = coalesce($15, ended_at),
    duration_seconds = coalesce($16::numeric, duration_seconds), updated_at = $17
  where id = $1 returning id, campaign_id, status
)
insert into call_events (call_id, campaign_id, source, type, status, payload, received_at)
select id, campaign_id, 'reconcile', 'call.repaired', status, jsonb_build_object('fields', $18::text[]), $17 from u`

// repair writes each differing call's rebuilt state through the main pool
// (the scratch session is read-only), then completes the campaign if the
// repair finished it.
func repair(ctx context.Context, pool *pgxpool.Pool, scratch *pgxpool.Pool, res *Result, now time.Time) error {
	for _, d := range res.Diffs {
		var r rebuilt
		err := scratch.QueryRow(ctx, readRebuilt, d.CallID).Scan(&r.Status, &r.ProviderCallID, &r.EndedReason,
			&r.Disposition, &r.Cost, &r.Costs, &r.RecordingURL, &r.Transcript, &r.Summary, &r.SuccessEvaluation,
			&r.StructuredData, &r.StartedAt, &r.EndedAt, &r.Duration)
		if err != nil {
			return fmt.Errorf("read rebuilt call: %w", err)
		}
		forward := callstate.Allowed(d.Current, d.Rebuilt)
		_, err = pool.Exec(ctx, repairCall, d.CallID, forward, r.Status, r.ProviderCallID, r.EndedReason, r.Disposition,
			r.Cost, r.Costs, r.RecordingURL, r.Transcript, r.Summary, r.SuccessEvaluation, r.StructuredData,
			r.StartedAt, r.EndedAt, r.Duration, now, d.Fields)
		if err != nil {
			return fmt.Errorf("repair call %s: %w", d.CallID, err)
		}
		res.Repaired++
	}
	if res.Repaired == 0 {
		return nil
	}
	_, err := campaign.CompleteIfDone(ctx, pool, res.CampaignID, now)
	return err
}
