package callstate

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/db"
)

// ScheduleRetry applies the campaign's redial rules to a call that just
// became final with ending e (public.schedule_retry, migration
// 20261207700100, a function so its plan is cached: sent as text it was
// planned at every call). It redials the contact only when the call was
// the contact's latest, its ending is redialable with a disposition the
// campaign retries, attempts remain and the number is not suppressed;
// otherwise any pending retry is cleared. Re-running it (a late truth
// replacing our TIMEOUT) decides again from the new outcome. A call Vapi
// refused for the account's sake (concurrency, credits, its own faults)
// never reached the contact: it is marked refused, the contact is due
// again at once (a paused campaign dials it after Resume) — a refused
// callback as the callback again (recall), not as a redial — and refused
// attempts are not counted against maxAttempts; nor are callbacks the
// person asked for. A decision that changes nothing writes nothing. It
// reads nothing back, so it travels with what follows (db.Later).
func ScheduleRetry(ctx context.Context, q db.DBTX, callID uuid.UUID, e Ending, now time.Time) error {
	refused := e.Refusal != NotRefused
	return db.Later(ctx, q, "schedule retry", `select public.schedule_retry($1::uuid, $2::timestamptz, $3, $4)`,
		callID, now, refused, e.Redialable)
}
