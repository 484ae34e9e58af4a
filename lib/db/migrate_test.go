package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/lib/db"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t) // already migrated from scratch by the template
	n, err := db.MigrateLocal(ctx, pool)
	if err != nil {
		t.Fatalf("re-apply: %v", err)
	}
	if n != 0 {
		t.Fatalf("re-apply applied %d migrations, want 0", n)
	}
	pending, err := db.PendingMigrations(ctx, pool)
	if err != nil || len(pending) != 0 {
		t.Fatalf("pending = %v, %v; want none", pending, err)
	}
	all, _ := db.Migrations()
	var recorded int
	if err := pool.QueryRow(ctx, `select count(*) from supabase_migrations.schema_migrations where name <> '' and array_length(statements, 1) >= 1`).Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	if recorded != len(all) {
		t.Fatalf("history has %d rows, want %d", recorded, len(all))
	}
}

func TestPendingMigrationsSeesAMissingVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	if _, err := pool.Exec(ctx, `delete from supabase_migrations.schema_migrations`); err != nil {
		t.Fatal(err)
	}
	pending, err := db.PendingMigrations(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := db.Migrations()
	if len(pending) != len(all) {
		t.Fatalf("pending = %v, want all %d", pending, len(all))
	}
}

// The browser's anon key must read and write nothing; a signed-in user who
// is not allowlisted reads nothing; an allowlisted one reads but cannot write.
func TestRowLevelSecurity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	const allowed = "11111111-1111-1111-1111-111111111111"
	const stranger = "22222222-2222-2222-2222-222222222222"
	_, err := pool.Exec(ctx, `
		insert into user_profiles (id, email, role, allowlisted) values
		  ('`+allowed+`', 'a@example.com', 'operator', true),
		  ('`+stranger+`', 's@example.com', 'operator', false);
		insert into assistants (id, provider_assistant_id, name) values
		  ('33333333-3333-3333-3333-333333333333', 'asst_1', 'A');`)
	if err != nil {
		t.Fatal(err)
	}
	count := func(role, sub, table string) (int, error) {
		var n int
		err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `select set_config('request.jwt.claim.sub', $1, true)`, sub); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `set local role `+role); err != nil {
				return err
			}
			return tx.QueryRow(ctx, `select count(*) from `+table).Scan(&n)
		})
		return n, err
	}
	if _, err := count("anon", "", "assistants"); !isDenied(err) {
		t.Errorf("anon read assistants: err = %v, want permission denied", err)
	}
	if n, err := count("authenticated", stranger, "assistants"); err != nil || n != 0 {
		t.Errorf("non-allowlisted user sees %d assistants (err %v), want 0", n, err)
	}
	if n, err := count("authenticated", allowed, "assistants"); err != nil || n != 1 {
		t.Errorf("allowlisted user sees %d assistants (err %v), want 1", n, err)
	}
	err = db.InTx(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `select set_config('request.jwt.claim.sub', $1, true)`, allowed); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `set local role authenticated`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `update assistants set name = 'hacked'`)
		return err
	})
	if !isDenied(err) {
		t.Errorf("authenticated write: err = %v, want permission denied", err)
	}
}

func isDenied(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42501"
}
