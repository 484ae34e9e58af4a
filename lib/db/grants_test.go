package db_test

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/lib/db"
)

// readable are the tables a signed-in user may select through Supabase
// (their RLS policies decide which rows): what the dashboard reads through
// Realtime, and nothing else.
var readable = []string{"assistants", "calls", "campaigns", "contacts", "dnc", "user_profiles"}

// L1: Supabase grants the API roles every privilege on whatever a
// migration creates (the local shim reproduces its default privileges).
// RLS stops row reads and writes but not TRUNCATE, REFERENCES, TRIGGER or
// function calls, so the migrations take back all but SELECT on the
// readable tables and the allowlist check. A user who is not even
// allowlisted cannot empty the do-not-call list.
func TestLowL1SupabaseDefaultGrants(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	rows, err := pool.Query(ctx, `
		select c.relname, r.rolname, p.privilege_type
		from pg_class c
		join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
		cross join (select rolname from pg_roles where rolname in ('anon', 'authenticated')) r
		cross join unnest(array['SELECT','INSERT','UPDATE','DELETE','TRUNCATE','REFERENCES','TRIGGER']) as p(privilege_type)
		where c.relkind in ('r', 'p', 'v', 'm', 'S') and has_table_privilege(r.rolname, c.oid, p.privilege_type)
		order by 1, 2, 3`)
	if err != nil {
		t.Fatal(err)
	}
	type grant struct{ Table, Role, Privilege string }
	held, err := pgx.CollectRows(rows, pgx.RowToStructByPos[grant])
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range held {
		if g.Role != "authenticated" || g.Privilege != "SELECT" || !slices.Contains(readable, g.Table) {
			t.Errorf("%s holds %s on %s", g.Role, g.Privilege, g.Table)
		}
	}
	var callable []string
	err = pool.QueryRow(ctx, `
		select coalesce(array_agg(r.rolname || ' ' || p.proname order by 1), '{}') from pg_proc p
		join pg_namespace n on n.oid = p.pronamespace and n.nspname = 'public'
		cross join (select rolname from pg_roles where rolname in ('anon', 'authenticated')) r
		where has_function_privilege(r.rolname, p.oid, 'execute')
		  and not (r.rolname = 'authenticated' and p.proname = 'is_allowlisted')`).Scan(&callable)
	if err != nil || len(callable) > 0 {
		t.Errorf("API roles may call %v (%v)", callable, err)
	}
	if _, err := pool.Exec(ctx, `insert into dnc (phone) values ('+12125550100')`); err != nil {
		t.Fatal(err)
	}
	err = db.InTx(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `select set_config('request.jwt.claim.sub', '22222222-2222-2222-2222-222222222222', true)`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `set local role authenticated`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `truncate dnc`)
		return err
	})
	if !isDenied(err) {
		t.Errorf("a signed-in stranger's TRUNCATE dnc: err = %v, want permission denied", err)
	}
}
