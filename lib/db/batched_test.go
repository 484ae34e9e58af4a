package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/lib/db"
)

// batchedPool is a pool on a test database with a table t to write,
// its round trips counted.
type batchedPool struct {
	pool  *pgxpool.Pool
	trips *dbtest.Trips
}

// batchedPools are pools on one new database in each protocol a
// deployment uses (the simple one through Supabase's transaction pooler,
// cached statements direct).
func batchedPools(t *testing.T) map[string]batchedPool {
	url := dbtest.URL(t)
	out := map[string]batchedPool{}
	for _, mode := range []string{"simple_protocol", "cache_statement"} {
		cfg, err := pgxpool.ParseConfig(strings.Replace(url, "default_query_exec_mode=simple_protocol", "default_query_exec_mode="+mode, 1))
		if err != nil {
			t.Fatal(err)
		}
		trips := &dbtest.Trips{}
		cfg.ConnConfig.Tracer = trips
		pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		out[mode] = batchedPool{pool, trips}
	}
	if _, err := out["simple_protocol"].pool.Exec(context.Background(), `create table t (k int primary key, v text not null)`); err != nil {
		t.Fatal(err)
	}
	return out
}

// fresh empties t (the pools share it) and starts counting again.
func (p batchedPool) fresh(t *testing.T) {
	t.Helper()
	if _, err := p.pool.Exec(context.Background(), `delete from t`); err != nil {
		t.Fatal(err)
	}
	p.trips.Reset()
}

// rows counts t's rows.
func (p batchedPool) rows(t *testing.T) int {
	t.Helper()
	var n int
	if err := p.pool.QueryRow(context.Background(), `select count(*) from t`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A BatchedTx sends its BEGIN with its first statement and what it left
// for later with its COMMIT: two round trips for four statements and a
// BEGIN and a COMMIT, all of them committed, in order.
func TestBatchedTxTakesTwoRoundTrips(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for mode, p := range batchedPools(t) {
		p.fresh(t)
		err := db.InBatchedTx(ctx, p.pool, func(tx *db.BatchedTx) error {
			var k int
			if err := tx.QueryRow(ctx, `insert into t values (1, $1) returning k`, "first").Scan(&k); err != nil {
				return err
			}
			if err := db.Later(ctx, tx, "second", `insert into t values (2, $1)`, "second"); err != nil {
				return err
			}
			// Runs after the first: it would fail on a missing row.
			return db.Later(ctx, tx, "rename", `update t set v = 'renamed' where k = 2 and v = 'second'`)
		})
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		if n := p.trips.RoundTrips.Load(); n != 2 {
			t.Errorf("%s: %d round trips, want 2", mode, n)
		}
		var v string
		if err := p.pool.QueryRow(ctx, `select v from t where k = 2`).Scan(&v); err != nil || v != "renamed" {
			t.Errorf("%s: row 2 is %q (%v), want renamed: the later statements ran out of order or not at all", mode, v, err)
		}
		if n := p.rows(t); n != 2 {
			t.Errorf("%s: %d rows committed, want 2", mode, n)
		}
	}
}

// A statement left for later that fails fails the whole transaction at
// its COMMIT, and its connection goes back to the pool usable.
func TestBatchedTxLaterFailureRollsBackAll(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for mode, p := range batchedPools(t) {
		p.fresh(t)
		err := db.InBatchedTx(ctx, p.pool, func(tx *db.BatchedTx) error {
			if _, err := tx.Exec(ctx, `insert into t values (1, 'kept?')`); err != nil {
				return err
			}
			return db.Later(ctx, tx, "break a rule", `insert into t values (1, 'again')`)
		})
		if err == nil || !strings.Contains(err.Error(), "break a rule") {
			t.Fatalf("%s: err = %v, want the later statement's failure, named", mode, err)
		}
		if n := p.rows(t); n != 0 {
			t.Errorf("%s: %d rows committed after a failed transaction, want 0", mode, n)
		}
		// Every connection of the pool is out of any transaction.
		for _, c := range p.pool.AcquireAllIdle(ctx) {
			if st := c.Conn().PgConn().TxStatus(); st != 'I' {
				t.Errorf("%s: a pooled connection is in transaction state %c", mode, st)
			}
			c.Release()
		}
	}
}

// When fn fails, nothing it sent is kept and nothing it left for later
// is sent.
func TestBatchedTxFnErrorRollsBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	boom := errors.New("boom")
	for mode, p := range batchedPools(t) {
		p.fresh(t)
		err := db.InBatchedTx(ctx, p.pool, func(tx *db.BatchedTx) error {
			if _, err := tx.Exec(ctx, `insert into t values (1, 'x')`); err != nil {
				return err
			}
			if err := db.Later(ctx, tx, "never", `insert into t values (2, 'y')`); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("%s: err = %v, want boom", mode, err)
		}
		if n := p.trips.RoundTrips.Load(); n != 2 {
			t.Errorf("%s: %d round trips, want 2 (begin with the insert, rollback)", mode, n)
		}
		if n := p.rows(t); n != 0 {
			t.Errorf("%s: %d rows kept, want 0", mode, n)
		}
	}
}

// Later outside a BatchedTx runs at once; a Query in a BatchedTx sees
// what was left for later before it.
func TestLaterElsewhereRunsNow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := batchedPools(t)["simple_protocol"]
	if err := db.Later(ctx, p.pool, "now", `insert into t values (1, 'now')`); err != nil {
		t.Fatal(err)
	}
	if n := p.rows(t); n != 1 {
		t.Fatalf("%d rows after Later on a pool, want 1", n)
	}
	err := db.InBatchedTx(ctx, p.pool, func(tx *db.BatchedTx) error {
		if err := db.Later(ctx, tx, "second", `insert into t values (2, 'later')`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `select k from t order by k`)
		if err != nil {
			return err
		}
		ks, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return err
		}
		if len(ks) != 2 {
			t.Errorf("query saw rows %v, want 1 and 2", ks)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A transaction a failed statement aborted does not commit, even when fn
// swallowed the error: COMMIT answers ROLLBACK, which InBatchedTx
// reports, as pgx's own transactions do.
func TestBatchedTxAbortedDoesNotCommitQuietly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for mode, p := range batchedPools(t) {
		p.fresh(t)
		err := db.InBatchedTx(ctx, p.pool, func(tx *db.BatchedTx) error {
			if _, err := tx.Exec(ctx, `insert into t values (1, 'x')`); err != nil {
				return err
			}
			_, _ = tx.Exec(ctx, `insert into t values (1, 'again')`) // fails, ignored
			return nil
		})
		if !errors.Is(err, pgx.ErrTxCommitRollback) {
			t.Errorf("%s: err = %v, want pgx.ErrTxCommitRollback", mode, err)
		}
		if n := p.rows(t); n != 0 {
			t.Errorf("%s: %d rows committed, want 0", mode, n)
		}
	}
}

// A batch that cannot be sent (here an argument its statement does not
// take) is reported as the batch's failure, not as its first
// statement's.
func TestBatchedTxNamesABatchFailure(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := batchedPools(t)["simple_protocol"]
	err := db.InBatchedTx(ctx, p.pool, func(tx *db.BatchedTx) error {
		return db.Later(ctx, tx, "odd", `insert into t values (1, 'x')`, "unused")
	})
	if err == nil || !strings.Contains(err.Error(), "send batch") || strings.Contains(err.Error(), "begin transaction:") {
		t.Fatalf("err = %v, want the batch's failure", err)
	}
}
