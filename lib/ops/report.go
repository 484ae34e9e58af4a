package ops

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/problem"
)

// Windows the operations page looks back over.
var windows = map[string]time.Duration{"hour": time.Hour, "day": 24 * time.Hour}

// maxSpendCampaigns bounds the per-campaign spend list.
const maxSpendCampaigns = 100

// Report is the operations page: volumes and failures over a window, and
// spend today and this month (UTC) against the alert thresholds.
type Report struct {
	Window   string        `json:"window"`
	Since    time.Time     `json:"since"`
	Until    time.Time     `json:"until"`
	Webhooks WebhookCounts `json:"webhooks"`
	Vapi     VapiCounts    `json:"vapi"`
	Calls    CallCounts    `json:"calls"`
	Spend    Spend         `json:"spend"`
}

// WebhookCounts are webhooks received in the window.
type WebhookCounts struct {
	Accepted  int64 `json:"accepted"`
	Refused   int64 `json:"refused"` // bad or missing signature
	Unmatched int64 `json:"unmatched"`
}

// VapiCounts are requests to Vapi in the window (each retry counts).
type VapiCounts struct {
	Requests            int64 `json:"requests"`
	RateLimited         int64 `json:"rateLimited"`
	ServerErrors        int64 `json:"serverErrors"`
	Unreachable         int64 `json:"unreachable"`
	AmbiguousReconciled int64 `json:"ambiguousReconciled"`
}

// CallCounts are calls launched and finished in the window.
type CallCounts struct {
	Launched  int64 `json:"launched"`
	Completed int64 `json:"completed"` // ENDED, FAILED or CANCELED
	TimedOut  int64 `json:"timedOut"`
}

// Spend is USD spent, by calls' end time.
type Spend struct {
	Today            float64         `json:"today"`
	Month            float64         `json:"month"`
	DailyThreshold   *float64        `json:"dailyThreshold"`
	MonthlyThreshold *float64        `json:"monthlyThreshold"`
	Campaigns        []CampaignSpend `json:"campaigns"`
}

// CampaignSpend is one campaign's spend against its own threshold.
type CampaignSpend struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	Status    string    `json:"status"`
	Month     float64   `json:"month"`
	Total     float64   `json:"total"`
	Threshold *float64  `json:"threshold"`
}

const counterSums = `
select coalesce(sum(count) filter (where name = $2), 0), coalesce(sum(count) filter (where name = $3), 0),
       coalesce(sum(count) filter (where name = $4), 0), coalesce(sum(count) filter (where name = $5), 0),
       coalesce(sum(count) filter (where name = $6), 0)
from ops_counters where bucket_start >= $1`

// eventCounts reads the event log: every webhook accepted is an event
// (tied to no call when it matched none), so it is counted here rather
// than by a write of its own on a row every webhook would share. An
// ambiguous creation ends adopted (found at Vapi) or released with a
// reason naming it.
const eventCounts = `
select count(*) filter (where source = 'webhook'),
       count(*) filter (where source = 'webhook' and call_id is null),
       count(*) filter (where type in ('call.launched', 'call.adopted')),
       count(*) filter (where type = 'call.adopted' or (type = 'call.released' and payload ->> 'reason' like '%ambiguous%'))
from call_events where received_at >= $1 and source in ('webhook', 'tick', 'reconcile')`

var outcomeCounts = `
select count(*) filter (where ended_at >= $1::timestamptz and status in ` + db.InList(callstate.Ended, callstate.Failed, callstate.Canceled) + `),
       count(*) filter (where ended_at >= $1::timestamptz and status = 'TIMEOUT'),
       coalesce(sum(cost) filter (where ended_at >= $2::timestamptz), 0)::float8,
       coalesce(sum(cost) filter (where ended_at >= $3::timestamptz), 0)::float8
from calls where ended_at >= least($1::timestamptz, $3::timestamptz)`

// campaignSpend lists campaigns that spent this month or have a
// threshold, biggest spenders first.
const campaignSpend = `
select c.id, c.name, c.status,
       coalesce(sum(l.cost) filter (where l.ended_at >= $1), 0)::float8,
       coalesce(sum(l.cost), 0)::float8, c.spend_alert_usd::float8
from campaigns c left join calls l on l.campaign_id = c.id
where c.spend_alert_usd is not null
   or exists (select 1 from calls m where m.campaign_id = c.id and m.ended_at >= $1 and m.cost is not null)
group by c.id
order by 5 desc, c.created_at desc
limit $2`

// BuildReport computes the report for window ("hour" or "day") ending at now.
func BuildReport(ctx context.Context, q db.DBTX, now time.Time, window string) (*Report, error) {
	d, ok := windows[window]
	if !ok {
		return nil, problem.New(problem.Invalid, "window must be hour or day", "field", "window")
	}
	now = now.UTC()
	r := &Report{Window: window, Since: now.Add(-d), Until: now, Spend: Spend{Campaigns: []CampaignSpend{}}}
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	err := q.QueryRow(ctx, counterSums, r.Since.Truncate(time.Minute), WebhookRefused,
		VapiRequests, VapiRateLimited, VapiServerErrors, VapiUnreachable).Scan(
		&r.Webhooks.Refused, &r.Vapi.Requests, &r.Vapi.RateLimited, &r.Vapi.ServerErrors, &r.Vapi.Unreachable)
	if err != nil {
		return nil, fmt.Errorf("sum counters: %w", err)
	}
	if err := q.QueryRow(ctx, eventCounts, r.Since).Scan(&r.Webhooks.Accepted, &r.Webhooks.Unmatched,
		&r.Calls.Launched, &r.Vapi.AmbiguousReconciled); err != nil {
		return nil, fmt.Errorf("count call events: %w", err)
	}
	if err := q.QueryRow(ctx, outcomeCounts, r.Since, day, month).Scan(
		&r.Calls.Completed, &r.Calls.TimedOut, &r.Spend.Today, &r.Spend.Month); err != nil {
		return nil, fmt.Errorf("count outcomes: %w", err)
	}
	if err := r.Spend.fill(ctx, q, month); err != nil {
		return nil, err
	}
	return r, nil
}

func (s *Spend) fill(ctx context.Context, q db.DBTX, month time.Time) error {
	p, err := GetPolicy(ctx, q)
	if err != nil {
		return err
	}
	s.DailyThreshold, s.MonthlyThreshold = p.SpendAlertDailyUSD, p.SpendAlertUSD
	rows, err := q.Query(ctx, campaignSpend, month, maxSpendCampaigns)
	if err != nil {
		return fmt.Errorf("list campaign spend: %w", err)
	}
	s.Campaigns, err = pgx.CollectRows(rows, pgx.RowToStructByPos[CampaignSpend])
	if err != nil {
		return fmt.Errorf("list campaign spend: %w", err)
	}
	return nil
}
