package callstate

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/db"
)

// scheduleRetry decides, once a call is final, whether its contact is
// redialed: only when the call was the contact's latest, its ending is
// redialable ($4) with a disposition the campaign retries, attempts remain
// and the number is not suppressed. Otherwise any pending retry is
// cleared. Re-running it (a late truth replacing our TIMEOUT) decides
// again from the new outcome. A call Vapi refused for the account's sake
// ($3: concurrency, credits, its own faults) never reached the contact:
// it is marked refused, the contact is due again at once (a paused
// campaign dials it after Resume) — a refused callback as the callback
// again (recall), not as a redial — and refused attempts are not counted
// against maxAttempts; nor are callbacks the person asked for. A
// decision that changes nothing writes nothing.
var scheduleRetry = `
with mark as (
  update calls set refused = $3 where id = $1 and refused is distinct from $3
), decided as (
  select k.id, $3 and l.callback and k.suppressed_at is null as recall,
    case when $3 and k.suppressed_at is null and l.callback
       then null
       when $3 and k.suppressed_at is null
       then $2::timestamptz
       when $4 and l.status in ` + FinalSQL + `
        and l.disposition = any(c.retry_dispositions)
        and k.attempts - (select count(*) from calls r where r.contact_id = k.id
                          and (r.refused and r.id <> l.id or r.callback))
            < c.max_attempts
        and k.suppressed_at is null
        and not exists (select 1 from dnc d where d.phone = k.phone)
       then $2::timestamptz + make_interval(mins => c.retry_delay_minutes)
  end as next_at
  from calls l join campaigns c on c.id = l.campaign_id join contacts k on k.id = l.contact_id and k.last_call_id = l.id
  where l.id = $1
)
update contacts k set next_attempt_at = d.next_at,
  callback_at = case when d.recall then coalesce(k.callback_at, $2::timestamptz) else k.callback_at end
from decided d
where k.id = d.id and (k.next_attempt_at is distinct from d.next_at or d.recall and k.callback_at is null)`

// ScheduleRetry applies the campaign's redial rules to a call that just
// became final with ending e.
func ScheduleRetry(ctx context.Context, q db.DBTX, callID uuid.UUID, e Ending, now time.Time) error {
	refused := e.Refusal != NotRefused
	if _, err := q.Exec(ctx, scheduleRetry, callID, now, refused, e.Redialable); err != nil {
		return fmt.Errorf("schedule retry: %w", err)
	}
	return nil
}
