package db

import (
	"context"
	_ "embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/supabase"
)

//go:embed localshim.sql
var localShim string

// LocalShim is the SQL that makes a plain Postgres look like a Supabase
// project (see MigrateLocal); test templates hash it with the migrations.
func LocalShim() string { return localShim }

// migrationName is the Supabase CLI's rule for migration file names.
var migrationName = regexp.MustCompile(`^([0-9]+)_(.*)\.sql$`)

// Migration is one file of supabase/migrations.
type Migration struct {
	Version string
	Name    string
	SQL     string
}

// Migrations lists the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(supabase.Files, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		body, err := fs.ReadFile(supabase.Files, path.Join("migrations", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		out = append(out, Migration{Version: m[1], Name: m[2], SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

const createHistory = `
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (
  version text not null primary key,
  statements text[],
  name text
)`

// MigrateLocal prepares a plain Postgres database the way a Supabase project
// already is (roles, auth.uid(), the realtime publication), applies every
// pending migration and the seed. Used by the local runner and tests only;
// on Supabase, `supabase db push` does the same from the same files.
func MigrateLocal(ctx context.Context, pool *pgxpool.Pool) (applied int, err error) {
	// Serialize concurrent migrators (several test binaries, two runners).
	return applied, InTx(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, XactLock, MigrateLock); err != nil {
			return fmt.Errorf("lock migrations: %w", err)
		}
		if _, err := tx.Exec(ctx, localShim); err != nil {
			return fmt.Errorf("apply local shim: %w", err)
		}
		n, err := applyMigrations(ctx, tx)
		if err != nil {
			return err
		}
		applied = n
		seed, err := fs.ReadFile(supabase.Files, "seed.sql")
		if err != nil {
			return fmt.Errorf("read seed: %w", err)
		}
		if _, err := tx.Exec(ctx, string(seed)); err != nil {
			return fmt.Errorf("apply seed: %w", err)
		}
		return nil
	})
}

// applyMigrations applies the migrations not yet recorded, each recorded in
// supabase_migrations.schema_migrations exactly as the Supabase CLI records
// them (version, name, statements), so `supabase db push` later sees them as
// applied.
func applyMigrations(ctx context.Context, tx pgx.Tx) (int, error) {
	if _, err := tx.Exec(ctx, createHistory); err != nil {
		return 0, fmt.Errorf("create migration history: %w", err)
	}
	migrations, err := Migrations()
	if err != nil {
		return 0, err
	}
	applied := 0
	for _, m := range migrations {
		var done bool
		err := tx.QueryRow(ctx,
			`select exists (select 1 from supabase_migrations.schema_migrations where version = $1)`,
			m.Version).Scan(&done)
		if err != nil {
			return applied, fmt.Errorf("check migration %s: %w", m.Version, err)
		}
		if done {
			continue
		}
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return applied, fmt.Errorf("apply migration %s_%s: %w", m.Version, m.Name, err)
		}
		_, err = tx.Exec(ctx,
			`insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)`,
			m.Version, m.Name, []string{m.SQL})
		if err != nil {
			return applied, fmt.Errorf("record migration %s: %w", m.Version, err)
		}
		applied++
	}
	return applied, nil
}

// PendingMigrations reports the embedded migrations the database has not
// recorded; health uses it to say whether the schema is current.
func PendingMigrations(ctx context.Context, q DBTX) ([]string, error) {
	migrations, err := Migrations()
	if err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `select version from supabase_migrations.schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read migration history: %w", err)
	}
	have, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("read migration history: %w", err)
	}
	seen := make(map[string]bool, len(have))
	for _, v := range have {
		seen[v] = true
	}
	var pending []string
	for _, m := range migrations {
		if !seen[m.Version] {
			pending = append(pending, m.Version+"_"+m.Name)
		}
	}
	return pending, nil
}
