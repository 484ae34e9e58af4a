package recovery

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrTransactionPooler refuses a connection through a transaction pooler:
// the scratch copy lives in temporary tables, which need one session.
var ErrTransactionPooler = errors.New("recovery needs a session connection: use the direct or session-pooler URL (port 5432), not the transaction pooler (6543)")

// errSessionLost means the scratch session was replaced mid-way, so the
// scratch copy is gone.
var errSessionLost = errors.New("recovery: scratch session lost; run again")

// shadowed are the tables a scratch session copies into temporary tables
// of the same name, which Postgres resolves before public's: every table
// the webhook receiver and callstate write (or might, like the operations
// counters). A write elsewhere fails, as the session is read-only but for
// temporary tables.
var shadowed = []string{"campaigns", "contacts", "calls", "call_events", "dnc", "ops_counters", "ops_heartbeats", "alerts"}

// scratchCopy copies one campaign's rows: each table's own columns,
// whose names columnsOf lists ($cols), as generated ones (calls.live)
// are computed again in the copy.
var scratchCopy = []struct{ table, where string }{
	{"campaigns", "id = $1"},
	{"contacts", "campaign_id = $1"},
	{"calls", "campaign_id = $1"},
}

// columnsOf lists table's columns that are not generated, quoted.
const columnsOf = `
select string_agg(quote_ident(attname), ', ' order by attnum) from pg_attribute
where attrelid = ('public.' || $1)::regclass and attnum > 0 and not attisdropped and attgenerated = ''`

// resetCalls puts the copied calls back in the state the tick's claim
// left them in, before any news.
const resetCalls = `
update pg_temp.calls set status = 'PENDING', provider_call_id = null, ended_reason = null, disposition = null,
	   cost = null, costs = null, recording_url = null, transcript = null, summary = null, success_evaluation = null,
	   structured_data = null, started_at = null, ended_at = null, duration_seconds = null,
	   last_event_at = created_at, updated_at = created_at`

// openScratch opens a one-session pool over the same database whose
// unqualified tables are a private copy of campaign id's rows.
func openScratch(ctx context.Context, pool *pgxpool.Pool, id uuid.UUID) (*pgxpool.Pool, error) {
	cfg := pool.Config().Copy()
	if cfg.ConnConfig.Port == 6543 {
		return nil, ErrTransactionPooler
	}
	cfg.MaxConns, cfg.MinConns = 1, 0
	cfg.MaxConnLifetime, cfg.MaxConnIdleTime = 24*time.Hour, 24*time.Hour
	var sessions atomic.Int32
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		if sessions.Add(1) > 1 {
			return errSessionLost
		}
		return prepareScratch(ctx, conn, id)
	}
	scratch, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open scratch session: %w", err)
	}
	if err := scratch.Ping(ctx); err != nil {
		scratch.Close()
		return nil, fmt.Errorf("open scratch session: %w", err)
	}
	return scratch, nil
}

func prepareScratch(ctx context.Context, conn *pgx.Conn, id uuid.UUID) error {
	for _, t := range shadowed {
		var exists bool
		if err := conn.QueryRow(ctx, `select to_regclass('public.' || $1) is not null`, t).Scan(&exists); err != nil {
			return fmt.Errorf("prepare scratch: %w", err)
		}
		if !exists {
			continue
		}
		if _, err := conn.Exec(ctx, fmt.Sprintf(`create temp table %s (like public.%[1]s including all)`, t)); err != nil {
			return fmt.Errorf("prepare scratch %s: %w", t, err)
		}
	}
	for _, c := range scratchCopy {
		var cols string
		if err := conn.QueryRow(ctx, columnsOf, c.table).Scan(&cols); err != nil {
			return fmt.Errorf("prepare scratch: %w", err)
		}
		sql := fmt.Sprintf(`insert into pg_temp.%s (%s) select %[2]s from public.%[1]s where %[3]s`, c.table, cols, c.where)
		if _, err := conn.Exec(ctx, sql, id); err != nil {
			return fmt.Errorf("prepare scratch: %w", err)
		}
	}
	if _, err := conn.Exec(ctx, resetCalls); err != nil {
		return fmt.Errorf("prepare scratch: %w", err)
	}
	// From here on, the session can write nothing but its temporary tables.
	if _, err := conn.Exec(ctx, `set default_transaction_read_only = on`); err != nil {
		return fmt.Errorf("prepare scratch: %w", err)
	}
	return nil
}
