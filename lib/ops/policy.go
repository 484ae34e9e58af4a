package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/amount"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/settings"
)

// Policy is the account's alert thresholds and retention horizons, kept in
// system_config. A nil field is off: no alert, keep forever.
type Policy struct {
	// SpendAlertUSD alerts when the month's spend (UTC) reaches it.
	SpendAlertUSD *float64 `json:"spendAlertUsd"`
	// SpendAlertDailyUSD alerts when the day's spend (UTC) reaches it.
	SpendAlertDailyUSD *float64 `json:"spendAlertDailyUsd"`
	// RetentionTranscriptDays purges transcripts, recording URLs and
	// summaries this many days after a campaign finished.
	RetentionTranscriptDays *int `json:"retentionTranscriptDays"`
	// RetentionPIIDays redacts contacts' personal data this many days after
	// a campaign finished (and everything the transcript purge removes).
	RetentionPIIDays *int `json:"retentionPiiDays"`
}

// policyKeys maps the API's field names to system_config keys.
var policyKeys = map[string]string{
	"spendAlertUsd":           settings.KeySpendAlertUSD,
	"spendAlertDailyUsd":      settings.KeySpendAlertDailyUSD,
	"retentionTranscriptDays": settings.KeyRetentionTranscript,
	"retentionPiiDays":        settings.KeyRetentionPII,
}

// maxDays bounds a retention horizon (a century).
const maxDays = 36500

// GetPolicy reads the policy.
func GetPolicy(ctx context.Context, q db.DBTX) (Policy, error) {
	var p Policy
	err := q.QueryRow(ctx, `
		select `+settings.Value(settings.KeySpendAlertUSD, "float8")+`,
		       `+settings.Value(settings.KeySpendAlertDailyUSD, "float8")+`,
		       `+settings.Value(settings.KeyRetentionTranscript, "int")+`,
		       `+settings.Value(settings.KeyRetentionPII, "int")).Scan(
		&p.SpendAlertUSD, &p.SpendAlertDailyUSD, &p.RetentionTranscriptDays, &p.RetentionPIIDays)
	if err != nil {
		return p, fmt.Errorf("read operations policy: %w", err)
	}
	return p, nil
}

// UpdatePolicy applies changes (API field name → JSON number, or null to
// turn the setting off) and returns the whole policy.
func UpdatePolicy(ctx context.Context, q db.DBTX, changes map[string]json.RawMessage) (Policy, error) {
	for _, field := range slices.Sorted(maps.Keys(changes)) {
		key, ok := policyKeys[field]
		if !ok {
			return Policy{}, problem.New(problem.Invalid, "unknown field "+field, "field", field)
		}
		v, err := policyValue(field, changes[field])
		if err != nil {
			return Policy{}, err
		}
		if v == nil {
			_, err = q.Exec(ctx, `delete from system_config where key = $1`, key)
		} else {
			_, err = q.Exec(ctx, `insert into system_config (key, value, updated_at) values ($1, $2::jsonb, now())
				on conflict (key) do update set value = excluded.value, updated_at = now()`, key, *v)
		}
		if err != nil {
			return Policy{}, fmt.Errorf("update operations policy: %w", err)
		}
	}
	return GetPolicy(ctx, q)
}

// policyValue validates one change: nil means off.
func policyValue(field string, raw json.RawMessage) (*string, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	var n float64
	if err := json.Unmarshal(raw, &n); err != nil {
		return nil, problem.New(problem.Invalid, field+" must be a number or null", "field", field)
	}
	if field != "retentionTranscriptDays" && field != "retentionPiiDays" {
		if err := amount.USD(field, n); err != nil {
			return nil, err
		}
		s := strconv.FormatFloat(n, 'f', -1, 64)
		return &s, nil
	}
	// At least a day: 0 would redact every finished campaign at once, with
	// no way back. Stored as an integer ("30", never "30.0"): the policy is
	// read back with ::int.
	if n < 1 || n > maxDays || n != math.Trunc(n) {
		return nil, problem.New(problem.Invalid, fmt.Sprintf("%s must be a whole number of days from 1 to %d", field, maxDays), "field", field)
	}
	s := strconv.Itoa(int(n))
	return &s, nil
}

// SetCampaignAlert sets (or, with nil, clears) a campaign's spend alert
// threshold in USD over its lifetime.
func SetCampaignAlert(ctx context.Context, q db.DBTX, id uuid.UUID, usd *float64) error {
	if usd != nil {
		if err := amount.USD("spendAlertUsd", *usd); err != nil {
			return err
		}
	}
	tag, err := q.Exec(ctx, `update campaigns set spend_alert_usd = $2 where id = $1`, id, usd)
	if err != nil {
		return fmt.Errorf("set campaign spend alert: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return problem.New(problem.NotFound, "campaign not found")
	}
	return nil
}
