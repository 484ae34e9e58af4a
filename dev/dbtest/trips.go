package dbtest

import (
	"context"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// Trips counts what a pool sends, as its ConnConfig.Tracer: statements
// (transaction control included) and round trips. A statement on its own
// is one of each; a batch is one round trip for all its statements.
type Trips struct{ Statements, RoundTrips atomic.Int64 }

// Reset starts counting again.
func (c *Trips) Reset() { c.Statements.Store(0); c.RoundTrips.Store(0) }

func (c *Trips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.Statements.Add(1)
	c.RoundTrips.Add(1)
	return ctx
}

func (*Trips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *Trips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.RoundTrips.Add(1)
	return ctx
}

func (c *Trips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {
	c.Statements.Add(1)
}

func (*Trips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}
