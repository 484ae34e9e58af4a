package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/outbox"
	"github.com/autolynx/autolynx/lib/outcome"
	"github.com/autolynx/autolynx/lib/settings"
	"github.com/autolynx/autolynx/lib/vapi"
)

// Budgets of one tick. The deadline stays well inside the function's
// maxDuration (60 s in vercel.json) so a tick is never killed mid-write.
const (
	Deadline = 40 * time.Second
	// SilentAfter is how long a dialed call may go without news before
	// Vapi is asked about it.
	SilentAfter = 10 * time.Minute
	// AmbiguousAfter is how long a PENDING attempt is left alone before it
	// is looked up at Vapi: longer than any tick can run, so the tick that
	// claimed it is surely gone.
	AmbiguousAfter = 2 * time.Minute
	// ReportAfter is how long after its end a call may lack its
	// end-of-call report (its cost) before it is completed from GET
	// /call/{id}; with the cron every minute that is done within two
	// minutes of the end. Vapi's retries (WebhookBackoff) are over by then.
	ReportAfter = time.Minute
	// MaxReportAge bounds how far back calls are completed.
	MaxReportAge = 24 * time.Hour
	// MaxReconcileTries is how many tries in a row may fail (Vapi's answer
	// could not be fetched or stored) before a call is given up on: a live
	// one is timed out with the error, freeing its slot, and admins get
	// an alert.
	MaxReconcileTries = 5
	maxReconcile      = 25
	maxCampaigns      = 1000
)

// Scheduler runs ticks.
type Scheduler struct {
	DB            *pgxpool.Pool
	Vapi          *vapi.Client
	WebhookURL    string
	WebhookSecret string
	// WebhookSecretPrevious is the secret being rotated out, if any: calls
	// placed before the rotation echo it back, so it is masked too.
	WebhookSecretPrevious string
	// CredentialID, when set, names the Vapi credential holding
	// WebhookSecret; calls then reference it instead of carrying the secret.
	CredentialID string
	// URLs says which recording URLs from Vapi may be stored.
	URLs callstate.URLPolicy
	// Outbox delivers events to the team's destinations in the full
	// pass (Cron); nil delivers nothing.
	Outbox *outbox.Dispatcher
	Now    func() time.Time
	Log    *slog.Logger
}

// Summary is the tick's JSON answer (docs/api.md).
type Summary struct {
	Launched           int `json:"launched"`
	TimedOut           int `json:"timedOut"`
	Reconciled         int `json:"reconciled"`
	Completed          int `json:"completed"`
	RateLimited        int `json:"rateLimited"`
	ConcurrencyBlocked int `json:"concurrencyBlocked"`
	Ambiguous          int `json:"ambiguous"`
	Rejected           int `json:"rejected"`
	// Scheduled counts the scheduled campaigns this tick launched.
	Scheduled int               `json:"scheduled"`
	Campaigns []CampaignSummary `json:"campaigns"`
	// Deliveries is what the full pass delivered from the outbox.
	Deliveries *outbox.Summary `json:"deliveries,omitempty"`
}

// CampaignSummary is what the tick did for one campaign.
type CampaignSummary struct {
	ID       uuid.UUID `json:"id"`
	Status   string    `json:"status"`
	Launched int       `json:"launched"`
	Active   int       `json:"active"`
}

// Tick runs one pass, for one campaign or (uuid.Nil) all of them.
func (s *Scheduler) Tick(ctx context.Context, only uuid.UUID) (*Summary, error) {
	ctx, cancel := context.WithTimeout(ctx, Deadline)
	defer cancel()
	sum := &Summary{Campaigns: []CampaignSummary{}}
	err := s.reconcile(ctx, only, sum)
	if err != nil {
		return nil, err
	}
	if sum.Scheduled, err = campaign.LaunchScheduled(ctx, s.DB, only, s.Now()); err != nil {
		return nil, err
	}
	lim, err := s.limits(ctx)
	if err != nil {
		return nil, err
	}
	targets, err := s.targets(ctx, only, lim)
	if err != nil {
		return nil, err
	}
	claimer, release, err := s.claimConn(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	l := s.startLauncher(ctx, sum)
	var served []uuid.UUID
	for _, t := range targets {
		if l.stopped() != "" {
			break
		}
		if t.SpendLimited {
			if paused, err := campaign.EnforceSpendLimit(ctx, claimer, t.ID); err != nil || paused {
				continue
			}
		}
		claims, accountRoom, err := claim(ctx, claimer, t, lim.accountCap, s.Now())
		if err != nil {
			s.Log.Error("claim", "campaign", t.ID, "err", err)
			continue
		}
		served = append(served, t.ID)
		l.dialAll(t, claims)
		if accountRoom <= 0 {
			break // later campaigns wait for the account's room
		}
	}
	launched := l.finish()
	for _, id := range served {
		sum.Campaigns = append(sum.Campaigns, CampaignSummary{ID: id, Launched: launched[id]})
	}
	if sum.Completed, err = campaign.CompleteIfDone(ctx, s.DB, only, s.Now()); err != nil {
		return nil, err
	}
	// Reads stay correct without it, only slower: a failure is logged.
	if err := campaign.CompactTallies(ctx, s.DB); err != nil {
		s.Log.Error("compact tallies", "err", err)
	}
	return sum, s.promoteAndDescribe(ctx, sum)
}

// conn is what a claim runs on: the pool, or one connection of it.
type conn interface {
	db.DBTX
	db.Beginner
}

// claimConn is where the tick's claims run. Claims are serialized
// account-wide, so their round trips bound the tick: given a connection
// of their own they no longer queue for one behind the dialers' writes
// (a 1,000-campaign tick went from 12 s to 6.6 s). A pool of one
// connection keeps it shared, or the dialers would wait for it all tick.
func (s *Scheduler) claimConn(ctx context.Context) (conn, func(), error) {
	if s.DB.Config().MaxConns < 2 {
		return s.DB, func() {}, nil
	}
	c, err := s.DB.Acquire(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("acquire a connection for claims: %w", err)
	}
	return c, c.Release, nil
}

// activeTargets lists the campaigns to launch for, with their calling
// window narrowed to the account's legal bound ($3, $4).
var activeTargets = `
select c.id, c.cap, c.mode, c.line_quiet_gating, a.provider_assistant_id, c.phone_number_ids,
  greatest(c.window_start, $3::time)::text, least(c.window_end, $4::time)::text,
  c.window_days, c.fallback_timezone, c.spend_limit_usd is not null,
  c.started_at is not null and c.status <> 'QUEUED',
  c.outcome_fields::text, c.outcome_rules::text,
  c.voicemail_policy, coalesce(c.voicemail_message, ''), c.max_attempts, c.retry_dispositions
from campaigns c join assistants a on a.id = c.assistant_id
where c.status in ` + campaign.ActiveSQL + ` and ($1::uuid is null or c.id = $1)
order by c.started_at nulls first, c.created_at
limit $2`

func (s *Scheduler) targets(ctx context.Context, only uuid.UUID, lim limits) ([]target, error) {
	rows, err := s.DB.Query(ctx, activeTargets, nilIfZero(only), maxCampaigns, lim.legalStart, lim.legalEnd)
	if err != nil {
		return nil, fmt.Errorf("list active campaigns: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (target, error) {
		var t target
		var fields, rules string
		err := r.Scan(&t.ID, &t.Cap, &t.Mode, &t.LineQuietGating, &t.AssistantID, &t.PhoneNumberIDs,
			&t.WindowStart, &t.WindowEnd, &t.Days, &t.FallbackTimezone, &t.SpendLimited, &t.Started, &fields, &rules,
			&t.Voicemail.Policy, &t.Voicemail.Message, &t.MaxAttempts, &t.RetryOn)
		if err == nil {
			t.Outcomes, err = outcome.Decode(fields, rules)
		}
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("list active campaigns: %w", err)
	}
	return out, nil
}

// limits are the account-wide settings every launch obeys.
type limits struct {
	accountCap           int
	legalStart, legalEnd string
}

var readLimits = `
select ` + settings.AccountCapSQL + `,
  coalesce(` + settings.Value(settings.KeyLegalWindowStart, "text") + `, '` + settings.DefaultLegalWindowStart + `'),
  coalesce(` + settings.Value(settings.KeyLegalWindowEnd, "text") + `, '` + settings.DefaultLegalWindowEnd + `')`

func (s *Scheduler) limits(ctx context.Context) (limits, error) {
	var l limits
	if err := s.DB.QueryRow(ctx, readLimits).Scan(&l.accountCap, &l.legalStart, &l.legalEnd); err != nil {
		return l, fmt.Errorf("read account limits: %w", err)
	}
	return l, nil
}

// describeCampaigns reads the status and live calls of the tick's
// campaigns in one statement, however many there are.
const describeCampaigns = `
select c.id, c.status, (select count(*) from calls l where l.campaign_id = c.id and l.live)
from unnest($1::text[]) as u(id) join campaigns c on c.id = u.id::uuid`

// promoteAndDescribe promotes DIALING campaigns whose calls a second tick
// finds live to RUNNING, and fills each campaign's status and live calls.
func (s *Scheduler) promoteAndDescribe(ctx context.Context, sum *Summary) error {
	if len(sum.Campaigns) == 0 {
		return nil
	}
	// Text, not uuid.UUID: the simple protocol (the pooler) cannot encode
	// arrays of uuid.UUID.
	ids := make([]string, len(sum.Campaigns))
	at := make(map[uuid.UUID]*CampaignSummary, len(sum.Campaigns))
	for i := range sum.Campaigns {
		ids[i] = sum.Campaigns[i].ID.String()
		at[sum.Campaigns[i].ID] = &sum.Campaigns[i]
	}
	rows, err := s.DB.Query(ctx, describeCampaigns, ids)
	if err != nil {
		return fmt.Errorf("describe campaigns: %w", err)
	}
	for rows.Next() {
		var id uuid.UUID
		var status string
		var active int
		if err := rows.Scan(&id, &status, &active); err != nil {
			rows.Close()
			return fmt.Errorf("describe campaigns: %w", err)
		}
		at[id].Status, at[id].Active = status, active
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("describe campaigns: %w", err)
	}
	for i := range sum.Campaigns {
		c := &sum.Campaigns[i]
		if c.Status == string(campaign.Dialing) && c.Active > 0 && c.Launched == 0 {
			if err := campaign.MarkRunning(ctx, s.DB, c.ID); err != nil {
				return err
			}
			c.Status = string(campaign.Running)
		}
	}
	return nil
}

func nilIfZero(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}
