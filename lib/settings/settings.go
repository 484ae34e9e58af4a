// Package settings holds the account-wide defaults admins edit at run time
// (system_config), falling back to the deployment's environment.
package settings

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/autolynx/autolynx/lib/config"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/problem"
)

// Settings is the whole editable configuration (docs/api.md, /api/admin/config).
type Settings struct {
	DefaultConcurrencyCap int    `json:"defaultConcurrencyCap"`
	AccountConcurrencyCap int    `json:"accountConcurrencyCap"`
	DefaultCronCadence    int    `json:"defaultCronCadence"`
	VapiPhoneNumberID     string `json:"vapiPhoneNumberId"`
	DefaultRegion         string `json:"defaultRegion"`
	// The legal outer bound of every campaign's calling window, in each
	// contact's local time.
	LegalWindowStart string `json:"legalWindowStart"`
	LegalWindowEnd   string `json:"legalWindowEnd"`
	// A new campaign's calling window unless the form says otherwise.
	DefaultWindowStart string `json:"defaultWindowStart"`
	DefaultWindowEnd   string `json:"defaultWindowEnd"`
	DefaultCallingDays []int  `json:"defaultCallingDays"`
	// The frequency cap across campaigns: at most FrequencyCapAttempts
	// attempts to one number in FrequencyCapDays days (0 attempts: no cap).
	FrequencyCapAttempts int `json:"frequencyCapAttempts"`
	FrequencyCapDays     int `json:"frequencyCapDays"`
}

// Patch is a partial update; nil fields stay as they are.
type Patch struct {
	DefaultConcurrencyCap *int    `json:"defaultConcurrencyCap"`
	AccountConcurrencyCap *int    `json:"accountConcurrencyCap"`
	DefaultCronCadence    *int    `json:"defaultCronCadence"`
	VapiPhoneNumberID     *string `json:"vapiPhoneNumberId"`
	DefaultRegion         *string `json:"defaultRegion"`
	LegalWindowStart      *string `json:"legalWindowStart"`
	LegalWindowEnd        *string `json:"legalWindowEnd"`
	DefaultWindowStart    *string `json:"defaultWindowStart"`
	DefaultWindowEnd      *string `json:"defaultWindowEnd"`
	DefaultCallingDays    []int   `json:"defaultCallingDays"`
	FrequencyCapAttempts  *int    `json:"frequencyCapAttempts"`
	FrequencyCapDays      *int    `json:"frequencyCapDays"`
}

var region = regexp.MustCompile(`^[A-Z]{2}$`)

// Get reads the settings; keys never set take the environment's values.
func Get(ctx context.Context, q db.DBTX, env config.Config) (Settings, error) {
	s := Settings{
		DefaultConcurrencyCap: env.DefaultCap,
		AccountConcurrencyCap: DefaultAccountCap,
		DefaultCronCadence:    int(env.CronCadence.Seconds()),
		VapiPhoneNumberID:     env.VapiPhoneNumberID,
		DefaultRegion:         env.DefaultRegion,
		LegalWindowStart:      DefaultLegalWindowStart,
		LegalWindowEnd:        DefaultLegalWindowEnd,
		DefaultWindowStart:    DefaultCampaignWindowStart,
		DefaultWindowEnd:      DefaultCampaignWindowEnd,
		DefaultCallingDays:    DefaultCampaignDays(),
		FrequencyCapAttempts:  DefaultFrequencyCapAttempts,
		FrequencyCapDays:      DefaultFrequencyCapDays,
	}
	stored := map[string]json.RawMessage{}
	rows, err := q.Query(ctx, `select key, value::text from system_config`)
	if err != nil {
		return s, fmt.Errorf("read settings: %w", err)
	}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return s, fmt.Errorf("read settings: %w", err)
		}
		stored[k] = json.RawMessage(v)
	}
	if err := rows.Err(); err != nil {
		return s, fmt.Errorf("read settings: %w", err)
	}
	for key, dst := range s.fields() {
		if v, ok := stored[key]; ok {
			_ = json.Unmarshal(v, dst)
		}
	}
	return s, nil
}

// fields maps system_config keys to the struct's fields.
func (s *Settings) fields() map[string]any {
	return map[string]any{
		"default_concurrency_cap": &s.DefaultConcurrencyCap,
		KeyAccountCap:             &s.AccountConcurrencyCap,
		"default_cron_cadence":    &s.DefaultCronCadence,
		"vapi_phone_number_id":    &s.VapiPhoneNumberID,
		"default_region":          &s.DefaultRegion,
		KeyLegalWindowStart:       &s.LegalWindowStart,
		KeyLegalWindowEnd:         &s.LegalWindowEnd,
		"default_window_start":    &s.DefaultWindowStart,
		"default_window_end":      &s.DefaultWindowEnd,
		"default_calling_days":    &s.DefaultCallingDays,
		KeyFrequencyCapAttempts:   &s.FrequencyCapAttempts,
		KeyFrequencyCapDays:       &s.FrequencyCapDays,
	}
}

func (p Patch) validate() error {
	check := func(v *int, field string, lo, hi int) error {
		if v != nil && (*v < lo || *v > hi) {
			return problem.New(problem.Invalid, fmt.Sprintf("%s must be from %d to %d", field, lo, hi), "field", field)
		}
		return nil
	}
	if err := check(p.DefaultConcurrencyCap, "defaultConcurrencyCap", 1, 1000); err != nil {
		return err
	}
	if err := check(p.AccountConcurrencyCap, "accountConcurrencyCap", 1, 10000); err != nil {
		return err
	}
	if err := check(p.DefaultCronCadence, "defaultCronCadence", 10, 3600); err != nil {
		return err
	}
	if err := check(p.FrequencyCapAttempts, "frequencyCapAttempts", 0, 100); err != nil {
		return err
	}
	if err := check(p.FrequencyCapDays, "frequencyCapDays", 1, 90); err != nil {
		return err
	}
	for field, v := range map[string]*string{"legalWindowStart": p.LegalWindowStart, "legalWindowEnd": p.LegalWindowEnd,
		"defaultWindowStart": p.DefaultWindowStart, "defaultWindowEnd": p.DefaultWindowEnd} {
		if v != nil {
			if _, err := time.Parse("15:04", *v); err != nil {
				return problem.New(problem.Invalid, field+" must be a time HH:MM", "field", field)
			}
		}
	}
	for _, d := range p.DefaultCallingDays {
		if d < 1 || d > 7 {
			return problem.New(problem.Invalid, "defaultCallingDays are ISO weekdays 1 (Monday) to 7", "field", "defaultCallingDays")
		}
	}
	if p.DefaultRegion != nil && !region.MatchString(strings.ToUpper(*p.DefaultRegion)) {
		return problem.New(problem.Invalid, "defaultRegion must be a two-letter region code such as US", "field", "defaultRegion")
	}
	return nil
}

// Update applies p and returns the whole configuration.
func Update(ctx context.Context, q db.DBTX, env config.Config, p Patch) (Settings, error) {
	if err := p.validate(); err != nil {
		return Settings{}, err
	}
	if p.DefaultRegion != nil {
		up := strings.ToUpper(*p.DefaultRegion)
		p.DefaultRegion = &up
	}
	values := map[string]any{
		"default_concurrency_cap": p.DefaultConcurrencyCap,
		"account_concurrency_cap": p.AccountConcurrencyCap,
		"default_cron_cadence":    p.DefaultCronCadence,
		"vapi_phone_number_id":    p.VapiPhoneNumberID,
		"default_region":          p.DefaultRegion,
		"legal_window_start":      p.LegalWindowStart,
		"legal_window_end":        p.LegalWindowEnd,
		"default_window_start":    p.DefaultWindowStart,
		"default_window_end":      p.DefaultWindowEnd,
		"default_calling_days":    p.DefaultCallingDays,
		KeyFrequencyCapAttempts:   p.FrequencyCapAttempts,
		KeyFrequencyCapDays:       p.FrequencyCapDays,
	}
	for key, v := range values {
		b, _ := json.Marshal(v)
		if string(b) == "null" || string(b) == "[]" {
			continue
		}
		_, err := q.Exec(ctx, `insert into system_config (key, value, updated_at) values ($1, $2::jsonb, now())
			on conflict (key) do update set value = excluded.value, updated_at = now()`, key, string(b))
		if err != nil {
			return Settings{}, fmt.Errorf("update settings: %w", err)
		}
	}
	return Get(ctx, q, env)
}
