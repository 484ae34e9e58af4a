package campaign

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/autolynx/autolynx/lib/amount"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/settings"
)

// Rules are a campaign's calling discipline: when contacts may be called
// in their own local time, which outcomes are redialed and how often, the
// spend limit and the caller numbers rotated.
type Rules struct {
	WindowStart       string   `json:"windowStart"` // "HH:MM", contact's local time
	WindowEnd         string   `json:"windowEnd"`
	Days              []int    `json:"days"` // ISO weekdays, 1 = Monday
	FallbackTimezone  string   `json:"fallbackTimezone"`
	MaxAttempts       int      `json:"maxAttempts"`
	RetryDelayMinutes int      `json:"retryDelayMinutes"`
	RetryOn           []string `json:"retryOn"`
	SpendLimitUSD     *float64 `json:"spendLimitUsd"`
	AutoDNCOnOptOut   bool     `json:"autoDncOnOptOut"`
	PhoneNumberIDs    []string `json:"phoneNumberIds"`
}

// DefaultRules are what a campaign gets unless it says otherwise:
// 9:00–17:00 Monday to Friday, three attempts four hours apart for
// no-answer, busy and voicemail.
func DefaultRules() Rules {
	return Rules{
		WindowStart: settings.DefaultCampaignWindowStart, WindowEnd: settings.DefaultCampaignWindowEnd,
		Days:             settings.DefaultCampaignDays(),
		FallbackTimezone: "America/New_York", MaxAttempts: 3, RetryDelayMinutes: 240,
		RetryOn: []string{"no-answer", "busy", "voicemail"},
	}
}

// Retryable are the dispositions a campaign may redial; a completed
// conversation, a failure (invalid number…) or a cancel never are.
var Retryable = []string{"no-answer", "busy", "voicemail", "timeout"}

// LegalWindow is the account's outer bound (default 8:00–21:00 local),
// which no campaign window may exceed.
type LegalWindow struct{ Start, End string }

func invalid(field, msg string) error {
	return problem.New(problem.Invalid, msg, "field", field)
}

// Validate checks the rules against the legal bound.
func (r Rules) Validate(legal LegalWindow) error {
	ws, err1 := time.Parse("15:04", r.WindowStart)
	we, err2 := time.Parse("15:04", r.WindowEnd)
	if err1 != nil || err2 != nil || !ws.Before(we) {
		return invalid("callingWindowStart", "calling window must be two times HH:MM, start before end")
	}
	ls, _ := time.Parse("15:04", legal.Start)
	le, _ := time.Parse("15:04", legal.End)
	if ws.Before(ls) || we.After(le) {
		return invalid("callingWindowStart", fmt.Sprintf("calling window %s–%s is outside the allowed %s–%s local time",
			r.WindowStart, r.WindowEnd, legal.Start, legal.End))
	}
	if len(r.Days) == 0 || slices.ContainsFunc(r.Days, func(d int) bool { return d < 1 || d > 7 }) {
		return invalid("callingDays", "callingDays must name at least one day (mon…sun)")
	}
	if _, err := time.LoadLocation(r.FallbackTimezone); err != nil || r.FallbackTimezone == "" {
		return invalid("timezone", "timezone must be an IANA zone such as America/Chicago")
	}
	if r.MaxAttempts < 1 || r.MaxAttempts > 10 {
		return invalid("maxAttempts", "maxAttempts must be from 1 to 10")
	}
	if r.RetryDelayMinutes < 1 || r.RetryDelayMinutes > 10080 {
		return invalid("retryDelayMinutes", "retryDelayMinutes must be from 1 to 10080 (a week)")
	}
	for _, d := range r.RetryOn {
		if !slices.Contains(Retryable, d) {
			return invalid("retryOn", fmt.Sprintf("cannot retry %q: retryOn takes %s", d, strings.Join(Retryable, ", ")))
		}
	}
	if r.SpendLimitUSD != nil {
		if err := amount.USD("spendLimit", *r.SpendLimitUSD); err != nil {
			return err
		}
	}
	if len(r.PhoneNumberIDs) == 0 || len(r.PhoneNumberIDs) > 20 {
		return invalid("phoneNumberIds", "give 1 to 20 phone number ids")
	}
	return nil
}

// ParseDays reads "mon,tue,fri" or "1,2,5".
func ParseDays(s string) ([]int, error) {
	names := map[string]int{"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}
	var out []int
	for _, part := range strings.Split(s, ",") {
		p := strings.ToLower(strings.TrimSpace(part))
		if p == "" {
			continue
		}
		if len(p) > 3 {
			p = p[:3]
		}
		d, ok := names[p]
		if !ok && len(p) == 1 && p[0] >= '1' && p[0] <= '7' {
			d, ok = int(p[0]-'0'), true
		}
		if !ok {
			return nil, invalid("callingDays", fmt.Sprintf("unknown day %q in callingDays", part))
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out, nil
}
