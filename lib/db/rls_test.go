package db_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/lib/db"
)

// Security review L2: an allowlisted user reading assistants through
// PostgREST sees the directory as the dashboard does, deleted ones gone.
func TestLowL2DeletedAssistantsHidden(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	const allowed = "11111111-1111-1111-1111-111111111111"
	_, err := pool.Exec(ctx, `
		insert into user_profiles (id, email, role, allowlisted) values ('`+allowed+`', 'a@example.com', 'operator', true);
		insert into assistants (provider_assistant_id, name) values ('asst_live', 'Live');
		insert into assistants (provider_assistant_id, name, deleted_at) values ('asst_gone', 'Gone', now());`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	err = db.InTx(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `select set_config('request.jwt.claim.sub', $1, true)`, allowed); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `set local role authenticated`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `select name from assistants order by name`)
		if err != nil {
			return err
		}
		names, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil || len(names) != 1 || names[0] != "Live" {
		t.Errorf("allowlisted user reads assistants %v (err %v), want [Live]", names, err)
	}
}
