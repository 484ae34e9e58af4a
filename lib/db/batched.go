package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// BatchedTx is a transaction that takes as few round trips as it can: its
// BEGIN travels with its first statement, and the statements left for
// later (Later) travel ahead of the next one, or with its COMMIT. A
// webhook that ends a call (BEGIN, the news, the retry decision, the
// completion check, COMMIT) takes two round trips instead of five; each
// costs the database more than most of these statements do.
type BatchedTx struct {
	conn  *pgxpool.Conn
	begun bool
	// later holds the statements not sent yet, what names each for errors.
	later pgx.Batch
	what  []string
}

// InBatchedTx runs fn in a BatchedTx on a connection of pool, committing
// when fn returns nil.
func InBatchedTx(ctx context.Context, pool *pgxpool.Pool, fn func(tx *BatchedTx) error) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	// A connection left inside a transaction (a failed rollback) is
	// closed by the pool rather than reused.
	defer conn.Release()
	tx := &BatchedTx{conn: conn}
	if err := fn(tx); err != nil {
		tx.rollback(ctx)
		return err
	}
	if err := tx.commit(ctx); err != nil {
		tx.rollback(ctx)
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

// Later runs a statement whose outcome nobody reads before the
// transaction ends (what names it in errors): on a BatchedTx it is sent
// with the next statement or the COMMIT, and a failure fails the
// transaction there; on anything else it runs now.
func Later(ctx context.Context, q DBTX, what, sql string, args ...any) error {
	if tx, ok := q.(*BatchedTx); ok {
		tx.later.Queue(sql, args...)
		tx.what = append(tx.what, what)
		return nil
	}
	if _, err := q.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// Exec runs sql after what is pending.
func (tx *BatchedTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	b, n := tx.ahead()
	if n == 0 {
		return tx.conn.Exec(ctx, sql, args...)
	}
	b.Queue(sql, args...)
	br := tx.conn.SendBatch(ctx, b)
	if err := tx.sent(br, n); err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

// QueryRow runs sql after what is pending, in the same round trip.
func (tx *BatchedTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	b, n := tx.ahead()
	if n == 0 {
		return tx.conn.QueryRow(ctx, sql, args...)
	}
	b.Queue(sql, args...)
	br := tx.conn.SendBatch(ctx, b)
	if err := tx.sent(br, n); err != nil {
		return errRow{err}
	}
	return batchRow{br.QueryRow(), br}
}

// Query runs sql after what is pending (sent first, on its own).
func (tx *BatchedTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if b, n := tx.ahead(); n > 0 {
		br := tx.conn.SendBatch(ctx, b)
		if err := tx.sent(br, n); err != nil {
			return nil, err
		}
		if err := br.Close(); err != nil {
			return nil, err
		}
	}
	return tx.conn.Query(ctx, sql, args...)
}

// ahead is a batch of what must run before the next statement: BEGIN,
// the first time, and the statements left for later; n counts them.
func (tx *BatchedTx) ahead() (b *pgx.Batch, n int) {
	b = &pgx.Batch{}
	if !tx.begun {
		b.Queue("begin")
		tx.begun = true
		tx.what = append([]string{"begin transaction"}, tx.what...)
	}
	b.QueuedQueries = append(b.QueuedQueries, tx.later.QueuedQueries...)
	tx.later = pgx.Batch{}
	return b, b.Len()
}

// sent reads the results of the first n statements of br, which were
// tx.what; on an error it closes br. An error Postgres gave is named by
// its statement; one from building or sending the batch is the batch's.
func (tx *BatchedTx) sent(br pgx.BatchResults, n int) error {
	what := tx.what
	tx.what = nil
	for i := range n {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			var pe *pgconn.PgError
			if errors.As(err, &pe) {
				return fmt.Errorf("%s: %w", what[i], err)
			}
			return fmt.Errorf("send batch: %w", err)
		}
	}
	return nil
}

// commit sends the COMMIT with what is pending; a transaction that never
// sent a statement has nothing to commit. Postgres answers the COMMIT of
// a transaction a failed statement aborted with ROLLBACK, not an error:
// that is pgx.ErrTxCommitRollback, as for pgx's own transactions.
func (tx *BatchedTx) commit(ctx context.Context) error {
	if !tx.begun && tx.later.Len() == 0 {
		return nil
	}
	b, n := tx.ahead()
	b.Queue("commit")
	br := tx.conn.SendBatch(ctx, b)
	if err := tx.sent(br, n); err != nil {
		return err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err == nil && tag.String() == "ROLLBACK" {
		return pgx.ErrTxCommitRollback
	}
	return err
}

// rollback ends a transaction that failed, even when ctx is already
// cancelled.
func (tx *BatchedTx) rollback(ctx context.Context) {
	if !tx.begun {
		return
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_, _ = tx.conn.Exec(rctx, "rollback")
}

// batchRow is the row of a batch's last statement; scanning it ends the
// batch.
type batchRow struct {
	row pgx.Row
	br  pgx.BatchResults
}

func (r batchRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	if cerr := r.br.Close(); err == nil {
		err = cerr
	}
	return err
}

// errRow is a row that failed before it was read.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
