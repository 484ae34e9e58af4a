package ops_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/dev/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// t0 is a fixed instant the tests reason from (a Wednesday, mid-month).
var t0 = time.Date(2026, 11, 18, 15, 4, 5, 0, time.UTC)

// seedCampaign creates a campaign of n contacts, each with one call in
// status that ended at endedAt costing cost, with a transcript,
// recording, summary, structured data and two webhook events carrying
// the contact's phone and name.
func seedCampaign(t *testing.T, pool *pgxpool.Pool, n int, status string, endedAt time.Time, cost float64) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	id := uuid.New()
	_, err := pool.Exec(ctx, `
		insert into assistants (id, provider_assistant_id, name) values ($1, $1::text, 'A') on conflict do nothing;`, id)
	if err != nil {
		t.Fatal(err)
	}
	_, err = pool.Exec(ctx, `
		with c as (
		  insert into campaigns (id, name, assistant_id, phone_number_id, status, total_contacts, started_at)
		  values ($1, 'Camp '||left($1::text, 8), $1, 'pn', 'RUNNING', $2, $3) returning id
		), k as (
		  insert into contacts (campaign_id, position, name, business_name, phone, variables)
		  select $1, i, 'Person '||i, 'Biz '||i, '+1415555'||lpad(i::text, 4, '0'), '{"city":"Springfield"}'
		  from generate_series(1, $2) i returning id, position
		), l as (
		  insert into calls (campaign_id, contact_id, status, provider_call_id, phone_number_id, ended_reason, disposition,
		                     cost, transcript, recording_url, summary, structured_data, started_at, ended_at, dial_requested_at)
		  select $1, k.id, $4, 'vapi-'||left($1::text, 8)||'-'||k.position, 'pn', 'customer-ended-call', 'answered',
		         $5, '{"text":"hello Person"}', 'https://rec.example/'||k.position, 'talked', '{"email":"p@example.com"}',
		         $3, $3, $3
		  from k returning id, contact_id
		), u as (
		  update contacts x set last_call_id = l.id, attempts = 1 from l where x.id = l.contact_id
		)
		insert into call_events (call_id, campaign_id, provider_call_id, source, type, status, payload, received_at)
		select l.id, $1, null, 'webhook', 'end-of-call-report', $4,
		       jsonb_build_object('message', jsonb_build_object('type', 'end-of-call-report', 'endedReason', 'customer-ended-call',
		         'cost', $5::float8, 'artifact', jsonb_build_object('transcript', 'hello Person'),
		         'call', jsonb_build_object('id', 'x', 'customer', jsonb_build_object('number', '+14155550000', 'name', 'Person'),
		           'assistantOverrides', jsonb_build_object('metadata', jsonb_build_object('autolynxCallId', l.id::text),
		             'variableValues', jsonb_build_object('name', 'Person'))))), $3
		from l cross join generate_series(1, 2)`, id, n, endedAt, status, cost)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// finish marks a campaign COMPLETED at at.
func finish(t *testing.T, pool *pgxpool.Pool, id uuid.UUID, at time.Time) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), `update campaigns set status = 'COMPLETED', completed_at = $2 where id = $1`, id, at); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func setPolicy(t *testing.T, pool *pgxpool.Pool, key, value string) {
	t.Helper()
	_, err := pool.Exec(context.Background(), `insert into system_config (key, value) values ($1, $2::jsonb)
		on conflict (key) do update set value = excluded.value`, key, value)
	if err != nil {
		t.Fatal(err)
	}
}

// seedWebhooks logs n accepted webhooks received at at: about a call
// already seeded when matched, about none otherwise.
func seedWebhooks(t *testing.T, pool *pgxpool.Pool, n int, matched bool, at time.Time) {
	t.Helper()
	_, err := pool.Exec(context.Background(), `
		insert into call_events (call_id, campaign_id, source, type, payload, received_at)
		select l.id, l.campaign_id, 'webhook', 'status-update', '{}', $3
		from generate_series(1, $1) i left join (select id, campaign_id from calls limit 1) l on $2`, n, matched, at)
	if err != nil {
		t.Fatal(err)
	}
}

// finished seeds a campaign of n ended calls (cost 0.1) that completed at.
func finished(t *testing.T, pool *pgxpool.Pool, n int, at time.Time) uuid.UUID {
	t.Helper()
	id := seedCampaign(t, pool, n, "ENDED", at, 0.1)
	finish(t, pool, id, at)
	return id
}
