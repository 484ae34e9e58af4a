package ops

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/db"
)

// What a tick saw of Vapi.
const (
	VapiOK      = "ok"
	VapiFailing = "failing"     // answers, but none succeeded (5xx, 429, 401…)
	VapiDown    = "unreachable" // no answer at all
	VapiUnknown = "unknown"     // no tick has made a request yet
)

// StaleCadences is how many cron cadences without a tick make the
// heartbeat stale: one late run is noise, three is a cron that stopped.
const StaleCadences = 3

// lastWebhookScan bounds the newest events read back for the last
// webhook: a webhook older than that many events counts as none.
const lastWebhookScan = 100_000

// Beat records that the tick ran at now and what it saw of Vapi (see
// Tally.Flush; "" keeps the previous observation).
func Beat(ctx context.Context, q db.DBTX, now time.Time, vapi string) error {
	_, err := q.Exec(ctx, `
		insert into ops_heartbeats (name, beat_at, vapi, vapi_at)
		values ('tick', $1, nullif($2, ''), case when $2 <> '' then $1::timestamptz end)
		on conflict (name) do update set beat_at = excluded.beat_at,
		  vapi = coalesce(excluded.vapi, ops_heartbeats.vapi),
		  vapi_at = coalesce(excluded.vapi_at, ops_heartbeats.vapi_at)`, now, vapi)
	if err != nil {
		return fmt.Errorf("record heartbeat: %w", err)
	}
	return nil
}

// Status is what health and the operations page show admins: is the cron
// running, are webhooks arriving, can the tick reach Vapi.
type Status struct {
	Cron     Cron     `json:"cron"`
	Webhooks Webhooks `json:"webhooks"`
	Vapi     Vapi     `json:"vapi"`
}

// Cron is the tick's heartbeat: "ok", "stale" (no tick for StaleCadences
// cadences) or "never".
type Cron struct {
	Status            string     `json:"status"`
	LastTickAt        *time.Time `json:"lastTickAt"`
	CadenceSeconds    int        `json:"cadenceSeconds"`
	StaleAfterSeconds int        `json:"staleAfterSeconds"`
}

// Webhooks is webhook freshness: "idle" (no call live), "ok", or "stale"
// (calls have waited for news for StaleCadences cadences and no webhook
// arrived in that time).
type Webhooks struct {
	Status         string     `json:"status"`
	LastAcceptedAt *time.Time `json:"lastAcceptedAt"`
	LiveCalls      int        `json:"liveCalls"`
	WaitingCalls   int        `json:"waitingCalls"`
}

// Vapi is Vapi's reachability as seen by the last tick that made requests.
type Vapi struct {
	Status    string     `json:"status"`
	CheckedAt *time.Time `json:"checkedAt"`
}

// livenessReads reads everything Liveness judges in one round trip. Waiting calls
// are QUEUED or RINGING without news: a call in progress is legitimately
// silent until it ends.
var livenessReads = `
select
  (select beat_at from ops_heartbeats where name = 'tick'),
  (select vapi from ops_heartbeats where name = 'tick'),
  (select vapi_at from ops_heartbeats where name = 'tick'),
  (select received_at from call_events
   where source = 'webhook' and id > (select coalesce(max(id), 0) from call_events) - $1
   order by id desc limit 1),
  (select count(*) from calls where live and status in ` + callstate.LaunchedSQL + `),
  (select count(*) from calls where live and status in ` + db.InList(callstate.Queued, callstate.Ringing) + ` and last_event_at < $2)`

// Liveness judges the system's liveness at now for a cron running every
// cadence.
func Liveness(ctx context.Context, q db.DBTX, now time.Time, cadence time.Duration) (Status, error) {
	staleAfter := StaleCadences * cadence
	var s Status
	var vapi *string
	err := q.QueryRow(ctx, livenessReads, lastWebhookScan, now.Add(-staleAfter)).Scan(
		&s.Cron.LastTickAt, &vapi, &s.Vapi.CheckedAt, &s.Webhooks.LastAcceptedAt,
		&s.Webhooks.LiveCalls, &s.Webhooks.WaitingCalls)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return s, fmt.Errorf("check liveness: %w", err)
	}
	s.Cron.CadenceSeconds, s.Cron.StaleAfterSeconds = int(cadence.Seconds()), int(staleAfter.Seconds())
	switch {
	case s.Cron.LastTickAt == nil:
		s.Cron.Status = "never"
	case now.Sub(*s.Cron.LastTickAt) > staleAfter:
		s.Cron.Status = "stale"
	default:
		s.Cron.Status = "ok"
	}
	last := s.Webhooks.LastAcceptedAt
	switch {
	case s.Webhooks.LiveCalls == 0:
		s.Webhooks.Status = "idle"
	case s.Webhooks.WaitingCalls > 0 && (last == nil || now.Sub(*last) > staleAfter):
		s.Webhooks.Status = "stale"
	default:
		s.Webhooks.Status = "ok"
	}
	s.Vapi.Status = VapiUnknown
	if vapi != nil {
		s.Vapi.Status = *vapi
	}
	return s, nil
}
