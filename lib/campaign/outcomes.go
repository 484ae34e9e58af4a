package campaign

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/outcome"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/settings"
)

// outcomeContext is what reading a call's outcomes needs: the campaign's
// definitions, the contact's zones, the calling window inside the legal
// bound, when the call started (or, unanswered, was claimed) and how many
// callbacks the contact had (not counting those Vapi refused for the
// account, which never reached the person). A call whose outcomes are recorded already
// gives no row, so a repeated report changes nothing; so does a call
// nobody answered: Vapi extracts structured outputs from a voicemail
// greeting's or a call screener's transcript too, and a rule must not
// give a result (or a callback) from those.
var outcomeContext = `
select c.outcome_fields::text, c.outcome_rules::text,
  case when cardinality(k.timezones) = 0 then array[c.fallback_timezone] else k.timezones end,
  to_char(greatest(c.window_start, ` + settings.LegalStartSQL + `), 'HH24:MI'),
  to_char(least(c.window_end, ` + settings.LegalEndSQL + `), 'HH24:MI'),
  c.window_days::int[], coalesce(l.started_at, l.dial_requested_at, l.created_at),
  (select count(*) from calls r where r.contact_id = l.contact_id and r.callback and not r.refused)
from calls l join campaigns c on c.id = l.campaign_id join contacts k on k.id = l.contact_id
where l.id = $1 and l.outcomes is null and l.disposition = 'answered' and c.outcome_fields <> '[]'::jsonb`

// outcomeCall is what outcomeContext reads about one call.
type outcomeCall struct {
	plan      outcome.Plan
	zones     []string
	window    Window
	started   time.Time
	callbacks int
}

// readOutcomeCall reads a call's outcome context; ok is false when its
// campaign asks for no outcomes or they are recorded already.
func readOutcomeCall(ctx context.Context, tx db.DBTX, callID uuid.UUID) (c outcomeCall, ok bool, err error) {
	var fields, rules string
	w := &c.window
	err = tx.QueryRow(ctx, outcomeContext, callID).Scan(&fields, &rules, &c.zones, &w.Start, &w.End, &w.Days, &c.started, &c.callbacks)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("read outcome fields: %w", err)
	}
	c.plan, err = outcome.Decode(fields, rules)
	return c, err == nil, err
}

// callback is when the callback the values ask for is placed (nil: none),
// and whether one was asked for but the contact had its
// outcome.MaxCallbacks already.
func (c outcomeCall) callback(vals outcome.Values, now time.Time) (at *time.Time, limited bool) {
	t, ok := c.plan.CallbackAt(vals, c.started, now, c.window, c.zones)
	if !ok {
		return nil, false
	}
	if c.callbacks >= outcome.MaxCallbacks {
		return nil, true
	}
	return &t, false
}

// recordOutcomes stores a call's values ($2), gives its contact the
// rules' result ($3; a result someone set by hand stays), schedules the
// callback ($4) when the call is the contact's latest, and for the
// opt-out result lists the number as do-not-call and stops the contact's
// calls. The event log keeps which fields came and which were dropped
// ($5), never the values. One statement.
const recordOutcomes = `
with l as (
  update calls set outcomes = $2::jsonb where id = $1 and outcomes is null
  returning id, campaign_id, contact_id
),
k as (
  update contacts k set
    result        = case when k.result_source = 'manual' or $3::text is null then k.result else $3 end,
    result_source = case when k.result_source = 'manual' or $3::text is null then k.result_source else 'rule' end,
    result_set_by = case when k.result_source = 'manual' or $3::text is null then k.result_set_by end,
    result_set_at = case when k.result_source = 'manual' or $3::text is null then k.result_set_at else $6 end,
    suppressed_at = case when $3 = '` + outcome.OptOut + `' then coalesce(k.suppressed_at, $6) else k.suppressed_at end,
    next_attempt_at = case when $3 = '` + outcome.OptOut + `' then null else k.next_attempt_at end,
    callback_at = case when $3 = '` + outcome.OptOut + `' then null
                       when $4::timestamptz is not null and k.last_call_id = l.id and k.suppressed_at is null then $4
                       else k.callback_at end
  from l where k.id = l.contact_id
  returning k.phone
),
listed as (
  insert into dnc (phone, source, reason, created_at)
  select phone, 'opt-out', 'result opt-out by the campaign''s outcome rules', $6 from k where $3 = '` + outcome.OptOut + `'
  on conflict (phone) do nothing
)
insert into call_events (call_id, campaign_id, source, type, payload, received_at)
select id, campaign_id, $7, 'call.outcome', $5::jsonb, $6 from l`

// RecordOutcomes reads the outcome fields of the campaign from a call's
// end-of-call analysis (o.StructuredData) and records them with what
// follows: the contact's result by the campaign's rules, a callback the
// person asked for, an opt-out. A value that does not fit its field's
// type is left out and named (by field) in the event log. It reports
// whether it recorded anything (the first report with the campaign's
// fields, of an answered call).
func RecordOutcomes(ctx context.Context, tx db.DBTX, callID uuid.UUID, o callstate.Observation, now time.Time) (bool, error) {
	c, ok, err := readOutcomeCall(ctx, tx, callID)
	if !ok {
		return false, err
	}
	loc := time.UTC
	if l := (ZoneCache{}).Locations(c.zones); len(l) > 0 {
		loc = l[0]
	}
	vals, dropped := readValues(c.plan, o, loc)
	var result *string
	if r, ok := c.plan.Decide(vals); ok {
		result = &r
	}
	callback, limited := c.callback(vals, now)
	got := make([]string, 0, len(vals))
	for _, f := range c.plan.Fields {
		if _, ok := vals[f.Name]; ok {
			got = append(got, f.Name)
		}
	}
	if dropped == nil {
		dropped = []string{}
	}
	values, _ := json.Marshal(vals)
	event, _ := json.Marshal(map[string]any{"fields": got, "dropped": dropped, "result": result, "callbackAt": callback,
		"callbackLimited": limited})
	source := "webhook"
	if o.Fetched {
		source = "reconcile"
	}
	if _, err := tx.Exec(ctx, recordOutcomes, callID, string(values), result, callback, string(event), now, source); err != nil {
		return false, fmt.Errorf("record outcomes: %w", err)
	}
	return true, nil
}

// readValues reads the values of the campaign's fields from a call's
// analysis, texts cleaned of what Postgres refuses (a NUL in a note must
// not cost the whole end-of-call report).
func readValues(plan outcome.Plan, o callstate.Observation, loc *time.Location) (outcome.Values, []string) {
	vals, dropped := plan.Read(o.StructuredData, loc)
	if len(o.OtherStructuredData) > 0 && !outcome.Answered(o.StructuredData) {
		// Without our own output, values the deprecated analysis
		// carries count.
		more, alsoDropped := plan.Read(o.OtherStructuredData, loc)
		for k, v := range more {
			if _, has := vals[k]; !has {
				vals[k] = v
			}
		}
		dropped = append(dropped, alsoDropped...)
	}
	for k, v := range vals {
		if s, ok := v.(string); ok {
			vals[k] = callstate.CleanText(s)
		}
	}
	return vals, dropped
}

// setResult sets a contact's result by hand ($3; null clears it) and logs
// who and when, with the result it replaces, in the event log. The
// opt-out result lists the number as do-not-call, as its rule would.
const setResult = `
with old as (
  select k.id, k.result, k.phone, k.last_call_id from contacts k where k.id = $2 and k.campaign_id = $1 for update
),
k as (
  update contacts k set result = $3, result_source = case when $3::text is null then null else 'manual' end,
    result_set_by = $4, result_set_at = $5,
    suppressed_at = case when $3 = '` + outcome.OptOut + `' then coalesce(k.suppressed_at, $5) else k.suppressed_at end,
    next_attempt_at = case when $3 = '` + outcome.OptOut + `' then null else k.next_attempt_at end,
    callback_at = case when $3 = '` + outcome.OptOut + `' then null else k.callback_at end
  from old where k.id = old.id
  returning k.id
),
listed as (
  insert into dnc (phone, source, reason, created_by, created_at)
  select phone, 'opt-out', 'result set to opt-out by hand', $4, $5 from old where $3 = '` + outcome.OptOut + `'
  on conflict (phone) do nothing
),
logged as (
  insert into call_events (call_id, campaign_id, source, type, payload, received_at)
  select old.last_call_id, $1, 'api', 'contact.result',
    jsonb_build_object('contactId', old.id, 'result', $3::text, 'previous', old.result, 'by', $4::text, 'byEmail', $6::text), $5
  from old
)
select count(*) from k`

// SetResult is an operator's correction of a contact's result (nil
// clears it): it replaces what the rules gave, and later outcomes no
// longer change it.
func SetResult(ctx context.Context, pool db.Beginner, campaignID, contactID uuid.UUID, result *string, by uuid.UUID, byEmail string, now time.Time) error {
	return db.InTx(ctx, pool, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, setResult, campaignID, contactID, result, by, now, byEmail).Scan(&n); err != nil {
			return fmt.Errorf("set result: %w", err)
		}
		if n == 0 {
			return problem.New(problem.NotFound, "contact not found")
		}
		// An opt-out by hand may leave nothing to wait for.
		_, err := CompleteIfDone(ctx, tx, campaignID, now)
		return err
	})
}
