// Package config reads AutoLynx's settings from the environment once, so a
// missing variable is one clear error naming it rather than a nil pointer
// deep inside a request.
package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Config is every setting a function may need.
type Config struct {
	DatabaseURL            string
	SupabaseURL            string
	SupabaseAnonKey        string
	SupabaseServiceRoleKey string
	// SupabaseJWTSecret verifies legacy HS256 tokens (and local ones);
	// optional: empty, HS256 is refused and the JWKS verifies every token.
	SupabaseJWTSecret string
	VapiAPIKey        string
	VapiBaseURL       string
	VapiPhoneNumberID string
	// VapiServerCredentialID names a Vapi credential (Bearer, header
	// X-Vapi-Secret, no prefix) holding WebhookSecret; when set, the
	// assistants we save reference it instead of carrying the secret in
	// server.headers. Optional.
	VapiServerCredentialID string
	// PublicURL is where Vapi reaches us (webhook URL = PublicURL + path).
	PublicURL     string
	WebhookSecret string
	// WebhookSecretPrevious is also accepted while a rotation is under way
	// (WEBHOOK_SHARED_SECRET_PREVIOUS); optional.
	WebhookSecretPrevious string
	// AlertWebhookURL receives spend alerts (Slack-compatible); optional.
	AlertWebhookURL string
	// CronSecrets are CRON_SHARED_SECRET and Vercel's CRON_SECRET, whichever are set.
	CronSecrets   []string
	DefaultCap    int
	CronCadence   time.Duration
	DefaultRegion string
	// AdminEmails become admins on first sign-in (bootstrap).
	AdminEmails []string
	// Local is true only under the local runner: it enables local sign-in
	// and the invite-without-Supabase path. Never read from the environment.
	Local   bool
	Version string
}

// MissingError names the required variables that are not set.
type MissingError struct{ Names []string }

func (e *MissingError) Error() string {
	return "missing required environment variables: " + strings.Join(e.Names, ", ")
}

// Required lists what a production deployment must set.
var Required = []string{
	"DATABASE_URL", "SUPABASE_URL", "VAPI_API_KEY", "VAPI_PHONE_NUMBER_ID",
	"WEBHOOK_SHARED_SECRET", "CRON_SHARED_SECRET or CRON_SECRET", "PUBLIC_URL",
}

// FromEnv builds a Config from getenv (os.Getenv in production) and checks
// that every required variable is present and every number parses.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL:            getenv("DATABASE_URL"),
		SupabaseURL:            strings.TrimRight(getenv("SUPABASE_URL"), "/"),
		SupabaseAnonKey:        getenv("SUPABASE_ANON_KEY"),
		SupabaseServiceRoleKey: getenv("SUPABASE_SERVICE_ROLE_KEY"),
		SupabaseJWTSecret:      getenv("SUPABASE_JWT_SECRET"),
		VapiAPIKey:             getenv("VAPI_API_KEY"),
		VapiBaseURL:            strings.TrimRight(or(getenv("VAPI_BASE_URL"), "https://api.vapi.ai"), "/"),
		VapiPhoneNumberID:      getenv("VAPI_PHONE_NUMBER_ID"),
		VapiServerCredentialID: strings.TrimSpace(getenv("VAPI_SERVER_CREDENTIAL_ID")),
		PublicURL:              strings.TrimRight(publicURL(getenv), "/"),
		WebhookSecret:          getenv("WEBHOOK_SHARED_SECRET"),
		WebhookSecretPrevious:  getenv("WEBHOOK_SHARED_SECRET_PREVIOUS"),
		AlertWebhookURL:        getenv("ALERT_WEBHOOK_URL"),
		DefaultRegion:          strings.ToUpper(or(getenv("DEFAULT_REGION"), "US")),
		Version:                or(getenv("VERCEL_GIT_COMMIT_SHA"), "dev"),
	}
	for _, name := range []string{"CRON_SHARED_SECRET", "CRON_SECRET"} {
		if v := getenv(name); v != "" {
			c.CronSecrets = append(c.CronSecrets, v)
		}
	}
	for _, e := range strings.Split(getenv("AUTOLYNX_ADMIN_EMAILS"), ",") {
		if e = strings.TrimSpace(strings.ToLower(e)); e != "" {
			c.AdminEmails = append(c.AdminEmails, e)
		}
	}
	var errs []error
	c.DefaultCap = intVar(getenv, "DEFAULT_CONCURRENCY_CAP", 8, &errs)
	c.CronCadence = time.Duration(intVar(getenv, "DEFAULT_CRON_CADENCE", 60, &errs)) * time.Second
	if err := c.missing(); err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}

func (c Config) missing() error {
	var names []string
	check := func(name, v string) {
		if v == "" {
			names = append(names, name)
		}
	}
	check("DATABASE_URL", c.DatabaseURL)
	check("SUPABASE_URL", c.SupabaseURL)
	check("VAPI_API_KEY", c.VapiAPIKey)
	check("VAPI_PHONE_NUMBER_ID", c.VapiPhoneNumberID)
	check("WEBHOOK_SHARED_SECRET", c.WebhookSecret)
	if len(c.CronSecrets) == 0 {
		names = append(names, "CRON_SHARED_SECRET or CRON_SECRET")
	}
	check("PUBLIC_URL", c.PublicURL)
	if names == nil {
		return nil
	}
	return &MissingError{Names: names}
}

// publicURL falls back to the production URL Vercel exposes to functions.
func publicURL(getenv func(string) string) string {
	if v := getenv("PUBLIC_URL"); v != "" {
		return v
	}
	if v := getenv("VERCEL_PROJECT_PRODUCTION_URL"); v != "" {
		return "https://" + v
	}
	return ""
}

func intVar(getenv func(string) string, name string, def int, errs *[]error) int {
	v := getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		*errs = append(*errs, fmt.Errorf("%s must be a positive integer, got %q", name, v))
		return def
	}
	return n
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
