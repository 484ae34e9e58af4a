package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/autolynx/autolynx/dev/dbtest"
)

// The checks a webhook's statements no longer re-read from their text
// (migration 20261207800300, domains instead of table CHECKs), or read
// from a shorter one (20261207800500, the status as one array constant),
// still refuse what they refused: an unknown status or disposition, an
// attempt below 1, an event from nowhere.
func TestColumnsRefuseValuesOutsideTheirLists(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	var callID string
	if err := pool.QueryRow(ctx, `
		with a as (insert into assistants (provider_assistant_id, name) values ('checks', 'Checks') returning id),
		c as (insert into campaigns (name, assistant_id, phone_number_id) select 'checks', id, 'p' from a returning id),
		k as (insert into contacts (campaign_id, name, business_name, phone, position)
		      select id, 'N', 'B', '+12125550100', 1 from c returning id, campaign_id)
		insert into calls (campaign_id, contact_id, status, phone_number_id)
		select campaign_id, id, 'QUEUED', 'p' from k returning id::text`).Scan(&callID); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`update calls set status = 'LOST' where id = $1`,
		`update calls set disposition = 'hung-up' where id = $1`,
		`update calls set attempt = 0 where id = $1`,
		`insert into call_events (call_id, source, type) values ($1, 'nowhere', 'x')`,
	} {
		_, err := pool.Exec(ctx, stmt, callID)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "23514" {
			t.Errorf("%s: %v, want a check violation", stmt, err)
		}
	}
	if _, err := pool.Exec(ctx, `update calls set disposition = 'voicemail', attempt = 2 where id = $1`, callID); err != nil {
		t.Errorf("a listed disposition and attempt 2: %v", err)
	}
}
