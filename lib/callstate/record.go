package callstate

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/autolynx/autolynx/lib/db"
)

// Event is how a piece of news is kept in the append-only call_events log.
type Event struct {
	Source  string // webhook, tick, reconcile, api
	Type    string // the message type or what the tick did
	Payload []byte // JSON; nil for none
}

// Redact masks each secret wherever it appears in a payload to be stored:
// a call echoes its assistantOverrides.server.headers, which carry the
// webhook secret. A payload holding none is returned as it is, uncopied.
func Redact(payload []byte, secrets ...string) []byte {
	for _, s := range secrets {
		if s != "" && bytes.Contains(payload, []byte(s)) {
			payload = bytes.ReplaceAll(payload, []byte(s), []byte("[redacted]"))
		}
	}
	return payload
}

// Record applies o to its call through q (as Apply) and logs ev in the
// same statement, so a change never exists without its event. News about an unknown call is
// still logged (without ids); so is news whose ids disagree.
func Record(ctx context.Context, q db.DBTX, o Observation, ev Event, now time.Time) (Result, error) {
	return observe(ctx, q, o, &ev, nil, now)
}

// logOnly appends an event tied to the call providerID names, if any,
// without locking or touching that call.
const logOnly = `
insert into call_events (call_id, campaign_id, provider_call_id, source, type, payload, received_at)
select c.id, c.campaign_id, nullif($1, ''), $2, $3, coalesce($4::jsonb, '{}'::jsonb), $5
from (select 1) as one left join calls c on c.provider_call_id = $1 and $1 <> ''
returning call_id is not null`

// LogOnly keeps ev in the event log, tied to the call whose Vapi id is
// providerID, and changes nothing on the call (security review M7): an
// imported assistant's own subscriptions arrive at every turn of a
// conversation and must neither rewrite nor lock its row. It reports
// whether the call was found.
func LogOnly(ctx context.Context, q db.DBTX, providerID string, ev Event, now time.Time) (bool, error) {
	var found bool
	err := q.QueryRow(ctx, logOnly, text(providerID), ev.Source, text(ev.Type), jsonArg(ev.Payload), now).Scan(&found)
	if err != nil {
		return false, fmt.Errorf("log event: %w", err)
	}
	return found, nil
}
