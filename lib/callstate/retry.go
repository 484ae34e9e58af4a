package callstate

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/db"
)

// scheduleRetry decides, once a call is final, whether its contact is
// redialed: only when the call was the contact's latest, its disposition
// is one the campaign retries, attempts remain and the number is not
// suppressed. Otherwise any pending retry is cleared. Re-running it (a
// late truth replacing our TIMEOUT) decides again from the new outcome.
// A call Vapi refused for the account's concurrency limit never rang: its
// contact is due again at once, whatever the campaign's rules.
const scheduleRetry = `
update contacts k set next_attempt_at =
  case when l.ended_reason = 'call.start.error-subscription-concurrency-limit-reached'
        and k.suppressed_at is null
       then $2::timestamptz
       when l.status in ('ENDED', 'FAILED', 'CANCELED', 'TIMEOUT')
        and l.disposition = any(c.retry_dispositions)
        and k.attempts < c.max_attempts and k.suppressed_at is null
        and not exists (select 1 from dnc d where d.phone = k.phone)
       then $2::timestamptz + make_interval(mins => c.retry_delay_minutes)
  end
from calls l join campaigns c on c.id = l.campaign_id
where l.id = $1 and k.id = l.contact_id and k.last_call_id = l.id`

// ScheduleRetry applies the campaign's redial rules to a call that just
// became final.
func ScheduleRetry(ctx context.Context, q db.DBTX, callID uuid.UUID, now time.Time) error {
	if _, err := q.Exec(ctx, scheduleRetry, callID, now); err != nil {
		return fmt.Errorf("schedule retry: %w", err)
	}
	return nil
}
