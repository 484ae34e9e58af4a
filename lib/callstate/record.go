package callstate

import (
	"context"
	"time"

	"github.com/autolynx/autolynx/lib/db"
)

// Event is how a piece of news is kept in the append-only call_events log.
type Event struct {
	Source  string // webhook, tick, reconcile
	Type    string // the message type or what the tick did
	Payload []byte // JSON; nil for none
}

// Record applies o to its call through q (as Apply) and logs ev in the
// same statement, so a change never exists without its event. News about an unknown call is
// still logged (without ids); so is news whose ids disagree.
func Record(ctx context.Context, q db.DBTX, o Observation, ev Event, now time.Time) (Result, error) {
	return observe(ctx, q, o, &ev, now)
}
