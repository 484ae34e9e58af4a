package ops

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/lib/campaign/status"
	"github.com/autolynx/autolynx/lib/db"
)

// Retention budgets: at most RetentionBatch rows change per call (one
// tick), over at most maxRetentionCampaigns campaigns.
const (
	RetentionBatch        = 500
	maxRetentionCampaigns = 20
	// CounterRetention is how long per-minute counters are kept.
	CounterRetention = 90 * 24 * time.Hour
)

// finishedBefore selects finished campaigns with nothing live whose end
// is before $1. A STOPPED campaign keeps completed_at empty: its end is
// the stop, found from the newest end of its event log.
var finishedBefore = `
select c.id from campaigns c
where c.status in ` + status.FinalSQL + ` and %s is null
  and coalesce(c.completed_at,
        (select e.received_at from call_events e where e.campaign_id = c.id and e.type = 'campaign.stop'
         order by e.id desc limit 1),
        c.created_at) < $1
  and not exists (select 1 from calls l where l.campaign_id = c.id and l.live)
order by c.created_at
limit $2`

// redactedPayload keeps of an event's payload only what replaying the
// call's state needs (type, status, reason, cost, times, our call id) and
// drops the rest: transcripts, recordings, customer, variables. A
// webhook's payload is Vapi's server message; a reconcile event's is
// Vapi's call object.
const redactedPayload = `
case when source = 'webhook' then jsonb_strip_nulls(jsonb_build_object('redacted', true,
  'message', jsonb_build_object(
    'type', payload #> '{message,type}', 'status', payload #> '{message,status}',
    'endedReason', payload #> '{message,endedReason}', 'cost', payload #> '{message,cost}',
    'costs', payload #> '{message,costs}', 'startedAt', payload #> '{message,startedAt}',
    'endedAt', payload #> '{message,endedAt}', 'durationSeconds', payload #> '{message,durationSeconds}',
    'call', jsonb_build_object('id', payload #> '{message,call,id}',
      'assistantOverrides', jsonb_build_object('metadata', jsonb_build_object(
        'autolynxCallId', payload #> '{message,call,assistantOverrides,metadata,autolynxCallId}'))))))
else jsonb_strip_nulls(jsonb_build_object('redacted', true,
  'id', payload -> 'id', 'status', payload -> 'status', 'endedReason', payload -> 'endedReason',
  'cost', payload -> 'cost', 'costs', payload -> 'costs', 'createdAt', payload -> 'createdAt',
  'startedAt', payload -> 'startedAt', 'endedAt', payload -> 'endedAt', 'phoneNumberId', payload -> 'phoneNumberId',
  'assistantOverrides', jsonb_build_object('metadata', jsonb_build_object(
    'autolynxCallId', payload #> '{assistantOverrides,metadata,autolynxCallId}'))))
end`

// Each stage changes at most $2 rows of campaign $1.
var (
	purgeCalls = `
update calls set transcript = null, recording_url = null, summary = null, updated_at = $3
where id in (select id from calls where campaign_id = $1
             and (transcript is not null or recording_url is not null or summary is not null) limit $2)`
	redactEvents = `
update call_events set payload = ` + redactedPayload + `
where id in (select id from call_events where campaign_id = $1 and source in ('webhook', 'reconcile')
             and not payload ? 'redacted' order by id limit $2)`
	redactContacts = `
update contacts set name = '', business_name = '', variables = '{}', timezones = '{}', phone = ` + RedactedPhone + `
where id in (select id from contacts where campaign_id = $1 and phone <> ` + RedactedPhone + ` limit $2)`
	// Test calls (lib/testcall) hold a typed number, a contact's
	// variables and a transcript: they go whole with the transcripts.
	dropTestCalls = `
delete from test_calls where id in (select id from test_calls where campaign_id = $1 limit $2)`
	// Outcome values keep what says nothing of a person (yes/no, numbers,
	// one-of options) for the charts; texts and date-times go.
	redactCallData = `
update calls l set structured_data = null, updated_at = $3,
  outcomes = (select jsonb_object_agg(e.key, e.value) from jsonb_each(l.outcomes) e
              where jsonb_typeof(e.value) in ('boolean', 'number')
                 or e.key in (select f ->> 'name' from campaigns c cross join jsonb_array_elements(c.outcome_fields) f
                              where c.id = l.campaign_id and f ->> 'type' = 'enum'))
where id in (select id from calls where campaign_id = $1 and structured_data is not null limit $2)`
	redactOrphans = `
update call_events set payload = ` + redactedPayload + `
where id in (select id from call_events where campaign_id is null and received_at < $1
             and source in ('webhook', 'reconcile') and not payload ? 'redacted' order by id limit $2)`
	dropCounters = `
delete from ops_counters where (bucket_start, name) in
  (select bucket_start, name from ops_counters where bucket_start < $1 limit $2)`
)

// RedactedPhone is the SQL a redacted contact's phone becomes: a number
// in the unassigned +999 country code, unique per campaign by position,
// so the row keeps satisfying the E.164 check and (campaign_id, phone).
const RedactedPhone = `'+999' || lpad(position::text, 11, '0')`

// stage is one step of a campaign's retention, done when a pass changes
// fewer rows than it was allowed to.
type stage struct {
	sql    string
	events bool // rewrites call_events: needs the retention exception
	stamps bool // sets updated_at = $3
}

var (
	transcriptStages = []stage{{sql: purgeCalls, stamps: true}, {sql: redactEvents, events: true}, {sql: dropTestCalls}}
	piiStages        = []stage{{sql: redactContacts}, {sql: redactCallData, stamps: true}}
)

// ApplyRetention applies the policy at now: for campaigns finished more
// than RetentionTranscriptDays ago, drops transcripts, recording URLs,
// summaries, test calls and every personal field of their event payloads; more than
// RetentionPIIDays ago, also replaces their contacts' names, business
// names, phones and variables and the calls' structured data and
// outcome texts. Aggregates
// (statuses, dispositions, costs, durations) stay. The transcript purge
// runs no later than the PII one. At most RetentionBatch rows change per
// call; the tick calls it every run until everything is done.
func ApplyRetention(ctx context.Context, pool *pgxpool.Pool, now time.Time) (int, error) {
	p, err := GetPolicy(ctx, pool)
	if err != nil {
		return 0, err
	}
	budget := RetentionBatch
	n, err := dropOldCounters(ctx, pool, now.Add(-CounterRetention), &budget)
	total := n
	if err != nil {
		return total, err
	}
	transcriptDays := earliest(p.RetentionTranscriptDays, p.RetentionPIIDays)
	if transcriptDays != nil {
		cutoff := now.AddDate(0, 0, -*transcriptDays)
		n, err = retire(ctx, pool, "transcripts_purged_at", transcriptStages, cutoff, now, &budget)
		total += n
		if err != nil {
			return total, err
		}
		n, err = redactOrphanEvents(ctx, pool, cutoff, &budget)
		total += n
		if err != nil {
			return total, err
		}
	}
	if p.RetentionPIIDays != nil {
		n, err = retire(ctx, pool, "pii_redacted_at", piiStages, now.AddDate(0, 0, -*p.RetentionPIIDays), now, &budget)
		total += n
	}
	return total, err
}

// retire runs stages over the campaigns finished before cutoff whose mark
// column is unset, setting it once every stage is done.
func retire(ctx context.Context, pool *pgxpool.Pool, mark string, stages []stage, cutoff, now time.Time, budget *int) (int, error) {
	if *budget <= 0 {
		return 0, nil
	}
	rows, err := pool.Query(ctx, fmt.Sprintf(finishedBefore, "c."+mark), cutoff, maxRetentionCampaigns)
	if err != nil {
		return 0, fmt.Errorf("find campaigns for retention: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return 0, fmt.Errorf("find campaigns for retention: %w", err)
	}
	total := 0
	for _, id := range ids {
		if *budget <= 0 || ctx.Err() != nil {
			break
		}
		n, err := retireCampaign(ctx, pool, id, mark, stages, now, budget)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// retireCampaign runs one campaign's stages in one transaction.
func retireCampaign(ctx context.Context, pool *pgxpool.Pool, id uuid.UUID, mark string, stages []stage, now time.Time, budget *int) (int, error) {
	total := 0
	err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
		total = 0
		left, done := *budget, true
		for _, s := range stages {
			n, err := runStage(ctx, tx, s, id, now, left)
			if err != nil {
				return fmt.Errorf("apply retention: %w", err)
			}
			// A stage that used all it was allowed may have more to do.
			done = done && n < left
			total, left = total+n, left-n
		}
		if !done {
			return nil
		}
		_, err := tx.Exec(ctx, `update campaigns set `+mark+` = $2 where id = $1`, id, now)
		return err
	})
	*budget -= total
	return total, err
}

func runStage(ctx context.Context, tx pgx.Tx, s stage, id uuid.UUID, now time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	if s.events {
		if err := allowEventRedaction(ctx, tx); err != nil {
			return 0, err
		}
	}
	args := []any{id, limit}
	if s.stamps {
		args = append(args, now)
	}
	tag, err := tx.Exec(ctx, s.sql, args...)
	return int(tag.RowsAffected()), err
}

// allowEventRedaction lifts call_events' append-only rule for payload
// rewrites until tx ends (see the operations migration's trigger).
func allowEventRedaction(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `select set_config('autolynx.retention', 'on', true)`); err != nil {
		return fmt.Errorf("allow event redaction: %w", err)
	}
	return nil
}

func redactOrphanEvents(ctx context.Context, pool *pgxpool.Pool, cutoff time.Time, budget *int) (int, error) {
	if *budget <= 0 {
		return 0, nil
	}
	n := 0
	err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
		if err := allowEventRedaction(ctx, tx); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, redactOrphans, cutoff, *budget)
		n = int(tag.RowsAffected())
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("redact unmatched events: %w", err)
	}
	*budget -= n
	return n, nil
}

func dropOldCounters(ctx context.Context, q db.DBTX, before time.Time, budget *int) (int, error) {
	tag, err := q.Exec(ctx, dropCounters, before, *budget)
	if err != nil {
		return 0, fmt.Errorf("delete old counters: %w", err)
	}
	*budget -= int(tag.RowsAffected())
	return int(tag.RowsAffected()), nil
}

// earliest is the shorter of two optional horizons.
func earliest(a, b *int) *int {
	switch {
	case a == nil:
		return b
	case b == nil || *a < *b:
		return a
	}
	return b
}
