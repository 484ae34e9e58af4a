package campaign

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/db"
)

// WaitingByPlan is the waiting explanation with held-back contacts found
// by probing each contact's number (probe) or by listing the numbers at
// the cap, for tests that check the two plans agree.
func WaitingByPlan(ctx context.Context, q db.DBTX, id uuid.UUID, now time.Time, probe bool) (*Waiting, error) {
	return waitBy(ctx, q, id, now, &probe)
}
