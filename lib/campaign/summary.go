package campaign

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/problem"
)

// A contact's outcome is its latest attempt (contacts.last_call_id); the
// statements below all read it that way.

// Counters are summed from campaign_tallies, which triggers on contacts and
// calls keep (migration 20261202001600), so no read scans a campaign's
// contacts or calls: a contact's bucket is its latest call's status,
// ended reason and disposition (NOT_CALLED while it has none; LIVE while
// the call is live, see bucketCounts); cost deltas carry an empty status.
var listCampaigns = `
select c.id, c.name, c.status, c.status_reason, c.mode, c.cap, c.total_contacts,
  coalesce(m.completed, 0), coalesce(m.successful, 0), coalesce(m.live, 0),
  coalesce(m.cost, 0), c.created_at, c.started_at, c.completed_at, c.scheduled_at
from campaigns c
left join lateral (
  select (sum(n) filter (where status in ` + callstate.FinalSQL + `))::bigint as completed,
         (sum(n) filter (where status = 'ENDED' and disposition = 'answered'))::bigint as successful,
         (sum(n) filter (where status = 'LIVE'))::bigint as live,
         sum(cost)::float8 as cost
  from campaign_tallies t where t.campaign_id = c.id
) m on true
order by c.created_at desc, c.id
limit 500`

// List returns the newest 500 campaigns with their counters, and for
// each live one with no call in flight, why it waits.
func List(ctx context.Context, q db.DBTX, now time.Time) ([]Campaign, error) {
	rows, err := q.Query(ctx, listCampaigns)
	if err != nil {
		return nil, fmt.Errorf("list campaigns: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Campaign, error) {
		var c Campaign
		err := row.Scan(&c.ID, &c.Name, &c.Status, &c.StatusReason, &c.Mode, &c.Cap, &c.TotalContacts,
			&c.CompletedCalls, &c.SuccessfulCalls, &c.ActiveCalls, &c.TotalCost,
			&c.CreatedAt, &c.StartedAt, &c.CompletedAt, &c.ScheduledAt)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("list campaigns: %w", err)
	}
	for i := range out {
		if c := &out[i]; c.Status.Active() && c.ActiveCalls == 0 {
			if c.Waiting, err = waitFor(ctx, q, c.ID, now); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// Summary is a campaign's detail with its metrics.
type Summary struct {
	ID              uuid.UUID  `json:"id"`
	Name            string     `json:"name"`
	Status          Status     `json:"status"`
	StatusReason    *string    `json:"statusReason"`
	Mode            Mode       `json:"mode"`
	Cap             int        `json:"cap"`
	LineQuietGating bool       `json:"lineQuietGating"`
	Assistant       Ref        `json:"assistant"`
	PhoneNumberID   string     `json:"phoneNumberId"`
	Metrics         Metrics    `json:"metrics"`
	PhoneLine       PhoneLine  `json:"phoneLine"`
	CreatedAt       time.Time  `json:"createdAt"`
	StartedAt       *time.Time `json:"startedAt"`
	CompletedAt     *time.Time `json:"completedAt"`
	// ScheduledAt is when a scheduled launch is (or was) due.
	ScheduledAt *time.Time `json:"scheduledAt"`
	Rules       Rules      `json:"callingRules"`
	Voicemail   Voicemail  `json:"voicemail"`
	// NextEligibleAt is when a live campaign can next dial someone (its
	// remaining contacts may all be outside their calling hours, or
	// waiting for a retry); null when it can dial now or nobody remains.
	NextEligibleAt *time.Time `json:"nextEligibleAt"`
	// Waiting explains why a live campaign with no call in flight is not
	// dialing; null otherwise.
	Waiting *Waiting `json:"waiting"`
	// Outcomes summarizes the outcome fields, results and callbacks;
	// null for a campaign without any.
	Outcomes *Outcomes `json:"outcomes"`
}

// Ref names a related object.
type Ref struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
}

// PhoneLine is the activity of the campaign's caller number, all
// campaigns together: a health badge (and the gate of line-quiet mode).
type PhoneLine struct {
	ActiveCalls int `json:"activeCalls"`
}

// Metrics are computed from each contact's latest call.
type Metrics struct {
	TotalContacts   int     `json:"totalContacts"`
	DialedContacts  int     `json:"dialedContacts"`
	CompletedCalls  int     `json:"completedCalls"`
	ActiveCalls     int     `json:"activeCalls"`
	SuccessfulCalls int     `json:"successfulCalls"`
	FailedCalls     int     `json:"failedCalls"`
	TotalCost       float64 `json:"totalCost"`
	RetriesPending  int     `json:"retriesPending"`
	Suppressed      int     `json:"suppressedContacts"`
	// HeldBack contacts are due but held back by the frequency cap across
	// campaigns (live campaigns only; Waiting says until when).
	HeldBack int `json:"heldBackContacts"`
	// VoicemailMessagesLeft counts calls that reached a voicemail and
	// left the campaign's message (byDisposition counts voicemail and
	// screened contacts apart from answered ones).
	VoicemailMessagesLeft int            `json:"voicemailMessagesLeft"`
	ByStatus              map[string]int `json:"byStatus"`
	ByEndedReason         map[string]int `json:"byEndedReason"`
	ByDisposition         map[string]int `json:"byDisposition"`
}

var getCampaign = `
select c.id, c.name, c.status, c.status_reason, c.mode, c.cap, c.line_quiet_gating,
  a.id, a.name, c.phone_number_id, c.created_at, c.started_at, c.completed_at,
  (select count(*) from calls l where l.campaign_id = c.id and l.live),
  (select count(*) from calls l where l.phone_number_id = c.phone_number_id and l.live),
  (select coalesce(sum(cost), 0)::float8 from campaign_tallies t where t.campaign_id = c.id),
  (select count(*) from contacts k where k.campaign_id = c.id and k.next_attempt_at is not null),
  (select count(*) from contacts k where k.campaign_id = c.id and k.suppressed_at is not null),
  to_char(c.window_start, 'HH24:MI'), to_char(c.window_end, 'HH24:MI'), c.window_days::int[], c.fallback_timezone,
  c.max_attempts, c.retry_delay_minutes, c.retry_dispositions, c.spend_limit_usd::float8,
  c.auto_dnc_on_opt_out, c.phone_number_ids, c.scheduled_at,
  c.voicemail_policy, coalesce(c.voicemail_message, ''),
  (select count(*) from calls l where l.campaign_id = c.id and l.voicemail_message_sent and l.disposition = 'voicemail')
from campaigns c join assistants a on a.id = c.assistant_id
where c.id = $1`

// bucketCounts are campaign $1's contacts by bucket. The tallies count
// the contacts whose latest call is live in one bucket, LIVE, so that a
// live call's news writes no tally (migration 20261207800200); they are
// counted here by status from the live calls themselves, as few as the
// concurrency cap lets be live (calls_live_idx).
const bucketCounts = `
select status, ended_reason, disposition, sum(n)::bigint as n from campaign_tallies
where campaign_id = $1 and status not in ('', 'LIVE')
group by 1, 2, 3 having sum(n) <> 0
union all
select l.status, coalesce(l.ended_reason, ''), coalesce(l.disposition, ''), count(*)
from calls l join contacts k on k.id = l.contact_id and k.last_call_id = l.id
where l.campaign_id = $1 and l.live
group by 1, 2, 3`

// Get returns a campaign's summary at now; NotFound if it does not exist.
func Get(ctx context.Context, q db.DBTX, id uuid.UUID, now time.Time) (*Summary, error) {
	s := &Summary{}
	m, r := &s.Metrics, &s.Rules
	err := q.QueryRow(ctx, getCampaign, id).Scan(&s.ID, &s.Name, &s.Status, &s.StatusReason, &s.Mode,
		&s.Cap, &s.LineQuietGating, &s.Assistant.ID, &s.Assistant.Name, &s.PhoneNumberID,
		&s.CreatedAt, &s.StartedAt, &s.CompletedAt, &m.ActiveCalls, &s.PhoneLine.ActiveCalls, &m.TotalCost,
		&m.RetriesPending, &m.Suppressed, &r.WindowStart, &r.WindowEnd, &r.Days, &r.FallbackTimezone,
		&r.MaxAttempts, &r.RetryDelayMinutes, &r.RetryOn, &r.SpendLimitUSD, &r.AutoDNCOnOptOut, &r.PhoneNumberIDs, &s.ScheduledAt,
		&s.Voicemail.Policy, &s.Voicemail.Message, &m.VoicemailMessagesLeft)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, problem.New(problem.NotFound, "campaign not found")
	}
	if err != nil {
		return nil, fmt.Errorf("get campaign: %w", err)
	}
	if err := countOutcomes(ctx, q, id, m); err != nil {
		return nil, err
	}
	if s.Outcomes, err = summarizeOutcomes(ctx, q, id); err != nil {
		return nil, err
	}
	if s.Status.Active() {
		wt, err := waitFor(ctx, q, id, now)
		if err != nil {
			return nil, err
		}
		m.HeldBack = wt.HeldBack
		if wt.NextCallAt != nil && wt.NextCallAt.After(now) {
			s.NextEligibleAt = wt.NextCallAt
		}
		if m.ActiveCalls == 0 {
			s.Waiting = wt
		}
	}
	return s, nil
}

func countOutcomes(ctx context.Context, q db.DBTX, id uuid.UUID, m *Metrics) error {
	rows, err := q.Query(ctx, bucketCounts, id)
	if err != nil {
		return fmt.Errorf("count outcomes: %w", err)
	}
	defer rows.Close()
	m.ByStatus, m.ByEndedReason, m.ByDisposition = map[string]int{}, map[string]int{}, map[string]int{}
	for rows.Next() {
		var status, reason, disposition string
		var n int
		if err := rows.Scan(&status, &reason, &disposition, &n); err != nil {
			return fmt.Errorf("count outcomes: %w", err)
		}
		m.TotalContacts += n
		m.ByStatus[status] += n
		if reason != "" {
			m.ByEndedReason[reason] += n
		}
		if disposition != "" {
			m.ByDisposition[disposition] += n
		}
		if status == "NOT_CALLED" {
			continue
		}
		m.DialedContacts += n
		if callstate.Terminal(status) {
			m.CompletedCalls += n
			if status == callstate.Ended && disposition == "answered" {
				m.SuccessfulCalls += n
			} else {
				m.FailedCalls += n
			}
		}
	}
	return rows.Err()
}
