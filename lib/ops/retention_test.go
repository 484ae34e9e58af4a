package ops_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/ops"
)

// retainAll calls ApplyRetention until it changes nothing (bounded),
// returning how many rows each call changed.
func retainAll(t *testing.T, ctx context.Context, pool *pgxpool.Pool, now time.Time) []int {
	t.Helper()
	var passes []int
	for range 20 {
		n, err := ops.ApplyRetention(ctx, pool, now)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return passes
		}
		passes = append(passes, n)
	}
	t.Fatal("retention never finished")
	return nil
}

func TestRetentionPurgesInBoundedBatches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	old := finished(t, pool, 300, t0.AddDate(0, 0, -40))
	recent := finished(t, pool, 5, t0.AddDate(0, 0, -10))
	running := seedCampaign(t, pool, 5, "ENDED", t0.AddDate(0, 0, -90), 0.1)

	if n, err := ops.ApplyRetention(ctx, pool, t0); err != nil || n != 0 {
		t.Fatalf("without a policy retention changed %d rows (%v)", n, err)
	}
	setPolicy(t, pool, "retention_transcript_days", "30")
	setPolicy(t, pool, "retention_pii_days", "60")
	// 300 calls + 600 events of the old campaign, 500 rows at a time.
	passes := retainAll(t, ctx, pool, t0)
	if len(passes) != 2 || passes[0] != ops.RetentionBatch || passes[1] != 400 {
		t.Fatalf("passes = %v, want [500 400]", passes)
	}
	if n := count(t, pool, `select count(*) from calls where campaign_id = $1 and (transcript is not null or recording_url is not null or summary is not null)`, old); n != 0 {
		t.Fatalf("%d calls of the old campaign keep transcripts", n)
	}
	if n := count(t, pool, `select count(*) from calls where campaign_id = $1 and cost = 0.1 and status = 'ENDED' and disposition = 'answered'`, old); n != 300 {
		t.Fatalf("aggregates lost: %d calls keep cost and outcome, want 300", n)
	}
	if n := count(t, pool, `select count(*) from call_events where campaign_id = $1 and payload::text like '%Person%'`, old); n != 0 {
		t.Fatalf("%d events of the old campaign still hold a name or transcript", n)
	}
	if n := count(t, pool, `select count(*) from call_events where campaign_id = $1
		and payload #>> '{message,type}' = 'end-of-call-report' and payload #>> '{message,call,assistantOverrides,metadata,autolynxCallId}' = call_id::text`, old); n != 600 {
		t.Fatalf("%d redacted events keep type and call id, want 600", n)
	}
	for _, id := range []any{recent, running} {
		if n := count(t, pool, `select count(*) from calls where campaign_id = $1 and transcript is null`, id); n != 0 {
			t.Fatalf("campaign %v lost transcripts too early", id)
		}
	}
	if n := count(t, pool, `select count(*) from contacts where name like 'Person%'`); n != 310 {
		t.Fatalf("contacts redacted before the PII horizon: %d named, want 310", n)
	}

	// Outcome values: texts (an email, notes) are personal, yes/no and
	// one-of values are not.
	if _, err := pool.Exec(ctx, `update campaigns set outcome_fields = '[{"name":"tier","type":"enum","options":["hot"]}]' where id = $1`, old); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `update calls set outcomes = '{"interested":true,"email":"p@example.com","tier":"hot"}' where campaign_id = $1`, old); err != nil {
		t.Fatal(err)
	}
	// 30 days later the old campaign passes the PII horizon.
	later := t0.AddDate(0, 0, 30)
	passes = retainAll(t, ctx, pool, later)
	if len(passes) == 0 || passes[0] > ops.RetentionBatch {
		t.Fatalf("PII passes = %v", passes)
	}
	if n := count(t, pool, `select count(*) from contacts where campaign_id = $1 and name = '' and business_name = ''
		and variables = '{}' and phone ~ '^\+999[0-9]{11}$'`, old); n != 300 {
		t.Fatalf("%d contacts redacted, want 300", n)
	}
	if n := count(t, pool, `select count(*) from calls where campaign_id = $1 and structured_data is not null`, old); n != 0 {
		t.Fatalf("%d calls keep structured data", n)
	}
	if n := count(t, pool, `select count(*) from calls where campaign_id = $1 and outcomes = '{"interested":true,"tier":"hot"}'`, old); n != 300 {
		t.Fatalf("%d calls keep their outcomes without the texts, want 300", n)
	}
	if n := count(t, pool, `select count(*) from campaigns where pii_redacted_at is not null`); n != 1 {
		t.Fatalf("%d campaigns marked redacted, want 1", n)
	}
	if n := count(t, pool, `select count(*) from contacts where campaign_id = $1 and name like 'Person%'`, recent); n != 5 {
		t.Fatal("the recent campaign's contacts were redacted")
	}
}

// call_events stays append-only: only a retention transaction may rewrite
// a payload, and nothing may delete or change anything else.
func TestEventLogAppendOnlyOutsideRetention(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	seedCampaign(t, pool, 1, "ENDED", t0, 0)
	inTx := func(retention bool, sql string) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			if retention {
				if _, err := tx.Exec(ctx, `select set_config('autolynx.retention', 'on', true)`); err != nil {
					return err
				}
			}
			_, err := tx.Exec(ctx, sql)
			return err
		})
	}
	refused := []struct {
		retention bool
		sql       string
	}{
		{false, `update call_events set payload = '{}'`},
		{false, `delete from call_events`},
		{true, `delete from call_events`},
		{true, `update call_events set type = 'forged', payload = '{}'`},
		{true, `update call_events set received_at = now()`},
	}
	for _, c := range refused {
		if err := inTx(c.retention, c.sql); err == nil {
			t.Errorf("%q (retention %v) allowed", c.sql, c.retention)
		}
	}
	if err := inTx(true, `update call_events set payload = '{"redacted": true}'`); err != nil {
		t.Fatalf("retention payload rewrite refused: %v", err)
	}
	// The setting is transaction-local: the next transaction is guarded.
	err := inTx(false, `update call_events set payload = '{}'`)
	if err == nil || errors.Is(err, context.Canceled) {
		t.Fatalf("update after a retention transaction: %v", err)
	}
}

// Test calls hold a typed number and a transcript: they go with the
// transcripts of their campaign, and only of a campaign past the horizon.
func TestRetentionDropsTestCalls(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	old := finished(t, pool, 1, t0.AddDate(0, 0, -40))
	recent := finished(t, pool, 1, t0.AddDate(0, 0, -10))
	for _, id := range []any{old, old, recent} {
		if _, err := pool.Exec(ctx, `insert into test_calls (campaign_id, phone, status, transcript)
			values ($1, '+14155550999', 'ENDED', '{"text": "User: Hello"}')`, id); err != nil {
			t.Fatal(err)
		}
	}
	setPolicy(t, pool, "retention_transcript_days", "30")
	retainAll(t, ctx, pool, t0)
	if n := count(t, pool, `select count(*) from test_calls where campaign_id = $1`, old); n != 0 {
		t.Errorf("%d test calls of the old campaign kept", n)
	}
	if n := count(t, pool, `select count(*) from test_calls where campaign_id = $1`, recent); n != 1 {
		t.Errorf("%d test calls of the recent campaign kept, want 1", n)
	}
}
