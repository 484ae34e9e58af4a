package ops

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/settings"
)

// Alert budgets: a post that does not answer within postTimeout is
// retried after the lease, at most maxAttempts times; one CheckSpend
// delivers at most maxDeliveries alerts so it stays short.
const (
	postTimeout   = 5 * time.Second
	alertLease    = time.Minute
	maxAttempts   = 20
	maxDeliveries = 10
)

// Alert is one recorded threshold crossing.
type Alert struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"` // account-day, account-month, campaign, vapi-account, reconcile-failed
	CampaignID  *uuid.UUID `json:"campaignId"`
	Period      string     `json:"period"`
	Threshold   float64    `json:"threshold"`
	Amount      float64    `json:"amount"`
	CreatedAt   time.Time  `json:"createdAt"`
	DeliveredAt *time.Time `json:"deliveredAt"`
	Attempts    int        `json:"attempts"`
	// Detail is what a vapi-account or reconcile-failed alert says (null
	// for spend alerts).
	Detail *string `json:"detail"`
}

// recordCrossings inserts one alert per threshold crossed; the unique key
// (kind, scope, period, threshold) makes every crossing one row however
// many checks run at once. A raised threshold is a new crossing.
var recordCrossings = `
with p as (
  select ` + settings.Value(settings.KeySpendAlertDailyUSD, "numeric") + ` as day_t,
         ` + settings.Value(settings.KeySpendAlertUSD, "numeric") + ` as month_t
),
s as (
  select coalesce(sum(cost) filter (where ended_at >= $1), 0) as day_amt, coalesce(sum(cost), 0) as month_amt
  from calls where ended_at >= $2 and cost is not null
),
crossed as (
  select 'account-day' as kind, '' as scope, null::uuid as campaign_id, $3::text as period, p.day_t as threshold, s.day_amt as amount
  from p, s where p.day_t is not null and s.day_amt >= p.day_t
  union all
  select 'account-month', '', null, $4::text, p.month_t, s.month_amt
  from p, s where p.month_t is not null and s.month_amt >= p.month_t
  union all
  select 'campaign', c.id::text, c.id, 'lifetime', c.spend_alert_usd, t.amount
  from campaigns c
  cross join lateral (select coalesce(sum(l.cost), 0) as amount from calls l where l.campaign_id = c.id) t
  where c.spend_alert_usd is not null and t.amount >= c.spend_alert_usd
    and not exists (select 1 from alerts a where a.kind = 'campaign' and a.scope = c.id::text
                    and a.period = 'lifetime' and a.threshold = c.spend_alert_usd)
)
insert into alerts (kind, scope, campaign_id, period, threshold, amount, created_at)
select kind, scope, campaign_id, period, threshold, amount, $5 from crossed
on conflict (kind, scope, period, threshold) do nothing`

// claimAlert leases one undelivered alert to this caller: a concurrent
// check skips it, so it is posted by one caller at a time.
const claimAlert = `
update alerts a set claimed_until = $1::timestamptz + $2::float8 * interval '1 second', attempts = attempts + 1
where a.id = (select id from alerts where delivered_at is null and attempts < $3
                and (claimed_until is null or claimed_until < $1)
              order by id limit 1 for update skip locked)
returning a.id, a.kind, a.period, a.threshold::float8, a.amount::float8,
  (select name from campaigns c where c.id = a.campaign_id), a.detail`

// CheckSpend records every spend threshold crossed at now (UTC days and
// months) and, when alertURL is set, posts each undelivered alert there
// as Slack-compatible JSON ({"text": …}). A crossing is recorded once and
// posted once: delivered_at is set after the receiver's 2xx and a leased
// alert is skipped by concurrent checks. Only a crash between the 2xx and
// that update can post twice. Failed posts are retried by later checks.
func CheckSpend(ctx context.Context, q db.DBTX, now time.Time, hc *http.Client, alertURL string) error {
	now = now.UTC()
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	if _, err := q.Exec(ctx, recordCrossings, day, month, day.Format(time.DateOnly), month.Format("2006-01"), now); err != nil {
		return fmt.Errorf("record spend alerts: %w", err)
	}
	if alertURL == "" {
		return nil
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	var errs []error
	for range maxDeliveries {
		delivered, err := deliverOne(ctx, q, now, hc, alertURL)
		if err != nil {
			errs = append(errs, err)
		}
		if !delivered {
			break
		}
	}
	return errors.Join(errs...)
}

// deliverOne posts one leased alert; false when none was left to post.
func deliverOne(ctx context.Context, q db.DBTX, now time.Time, hc *http.Client, alertURL string) (bool, error) {
	var id int64
	var kind, period string
	var threshold, amount float64
	var campaign, detail *string
	err := q.QueryRow(ctx, claimAlert, now, alertLease.Seconds(), maxAttempts).Scan(&id, &kind, &period, &threshold, &amount, &campaign, &detail)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim alert: %w", err)
	}
	text := alertText(kind, period, threshold, amount, campaign)
	if detail != nil {
		text = detailText(kind, *detail, campaign)
	}
	if perr := post(ctx, hc, alertURL, text); perr != nil {
		_, err := q.Exec(ctx, `update alerts set last_error = $2 where id = $1`, id, perr.Error())
		return true, errors.Join(fmt.Errorf("post alert %d: %w", id, perr), err)
	}
	if _, err := q.Exec(ctx, `update alerts set delivered_at = $2, last_error = null where id = $1 and delivered_at is null`, id, now); err != nil {
		return true, fmt.Errorf("mark alert delivered: %w", err)
	}
	return true, nil
}

func post(ctx context.Context, hc *http.Client, alertURL, text string) error {
	ctx, cancel := context.WithTimeout(ctx, postTimeout)
	defer cancel()
	body, _ := json.Marshal(map[string]string{"text": text})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, alertURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("build alert request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if ue, ok := errors.AsType[*url.Error](err); ok {
		// The webhook URL is a secret: keep it out of logs and last_error.
		err = ue.Err
	}
	if err != nil {
		return fmt.Errorf("send alert: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("send alert: receiver answered %d", resp.StatusCode)
	}
	return nil
}

// alertText is the message people read in Slack. Campaign names are the
// operators' own labels, escaped for Slack's markup.
func alertText(kind, period string, threshold, amount float64, campaign *string) string {
	switch kind {
	case "account-day":
		return fmt.Sprintf("AutoLynx spend alert: $%.2f spent on %s (UTC), over the daily threshold of $%.2f.", amount, period, threshold)
	case "account-month":
		return fmt.Sprintf("AutoLynx spend alert: $%.2f spent in %s (UTC), over the monthly threshold of $%.2f.", amount, period, threshold)
	}
	return fmt.Sprintf("AutoLynx spend alert: campaign \"%s\" has spent $%.2f, over its threshold of $%.2f.", slackName(campaign), amount, threshold)
}

// detailText says which campaign an alert of kind is about, and what.
func detailText(kind, detail string, campaign *string) string {
	if kind == "vapi-account" {
		return fmt.Sprintf("AutoLynx paused campaign \"%s\": %s.", slackName(campaign), detail)
	}
	return fmt.Sprintf("AutoLynx campaign \"%s\": %s.", slackName(campaign), detail)
}

// slackName is a campaign's name (the operators' own label) escaped for
// Slack's markup.
func slackName(campaign *string) string {
	if campaign == nil {
		return "(deleted campaign)"
	}
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(*campaign)
}

// RaiseAlert records an alert that is not about spend, for campaignID:
// "vapi-account" when Vapi's refusal paused the campaign (once per
// pause), "reconcile-failed" when a call was given up on. It is
// delivered like spend alerts and listed on the operations page.
func RaiseAlert(ctx context.Context, q db.DBTX, kind string, campaignID uuid.UUID, detail string, now time.Time) error {
	_, err := q.Exec(ctx, `
		insert into alerts (kind, scope, campaign_id, period, threshold, amount, detail, created_at)
		values ($1, $2::text, $2, $3, 0, 0, $4, $5)
		on conflict (kind, scope, period, threshold) do nothing`,
		kind, campaignID, now.UTC().Format(time.RFC3339Nano), detail, now)
	if err != nil {
		return fmt.Errorf("record %s alert: %w", kind, err)
	}
	return nil
}

// RecentAlerts lists the newest alerts, for the operations page.
func RecentAlerts(ctx context.Context, q db.DBTX, limit int) ([]Alert, error) {
	rows, err := q.Query(ctx, `
		select id, kind, campaign_id, period, threshold::float8, amount::float8, created_at, delivered_at, attempts, detail
		from alerts order by id desc limit $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Alert])
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return out, nil
}
