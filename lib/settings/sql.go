package settings

import "strconv"

// Defaults of the account-wide limits and calling windows, written here
// only: Get, the queries below and campaign's defaults use them.
const (
	DefaultAccountCap       = 10
	DefaultLegalWindowStart = "08:00"
	DefaultLegalWindowEnd   = "21:00"
	// A new campaign's calling window, unless the settings say otherwise
	// (days: DefaultCampaignDays).
	DefaultCampaignWindowStart = "09:00"
	DefaultCampaignWindowEnd   = "17:00"
	// The frequency cap across campaigns: at most 3 attempts to one
	// number in 7 days.
	DefaultFrequencyCapAttempts = 3
	DefaultFrequencyCapDays     = 7
)

// DefaultCampaignDays are a new campaign's calling days, Monday to Friday
// (ISO weekdays), unless the settings say otherwise.
func DefaultCampaignDays() []int { return []int{1, 2, 3, 4, 5} }

// Keys read inside other packages' queries.
const (
	KeyAccountCap           = "account_concurrency_cap"
	KeyLegalWindowStart     = "legal_window_start"
	KeyLegalWindowEnd       = "legal_window_end"
	KeySpendAlertUSD        = "spend_alert_usd"
	KeySpendAlertDailyUSD   = "spend_alert_daily_usd"
	KeyRetentionTranscript  = "retention_transcript_days"
	KeyRetentionPII         = "retention_pii_days"
	KeyFrequencyCapAttempts = "frequency_cap_attempts"
	KeyFrequencyCapDays     = "frequency_cap_days"
)

// Value is the SQL expression that reads key from system_config as typ
// (null when the key is unset), for a query that needs a setting in the
// same round trip as its data. It is the only way code outside this
// package reads system_config.
func Value(key, typ string) string {
	return `(select (value #>> '{}')::` + typ + ` from system_config where key = '` + key + `')`
}

// SQL expressions of the limits, their defaults applied.
var (
	// AccountCapSQL is the account's concurrency cap (int).
	AccountCapSQL = `coalesce(` + Value(KeyAccountCap, "int") + `, ` + strconv.Itoa(DefaultAccountCap) + `)`
	// LegalStartSQL and LegalEndSQL bound every campaign's window (time).
	LegalStartSQL = `coalesce(` + Value(KeyLegalWindowStart, "time") + `, '` + DefaultLegalWindowStart + `')`
	LegalEndSQL   = `coalesce(` + Value(KeyLegalWindowEnd, "time") + `, '` + DefaultLegalWindowEnd + `')`
	// FrequencyCapAttemptsSQL and FrequencyCapDaysSQL are the frequency
	// cap across campaigns (int each; 0 attempts: no cap).
	FrequencyCapAttemptsSQL = `coalesce(` + Value(KeyFrequencyCapAttempts, "int") + `, ` + strconv.Itoa(DefaultFrequencyCapAttempts) + `)`
	FrequencyCapDaysSQL     = `coalesce(` + Value(KeyFrequencyCapDays, "int") + `, ` + strconv.Itoa(DefaultFrequencyCapDays) + `)`
)
