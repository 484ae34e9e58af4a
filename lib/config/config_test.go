package config

import (
	"errors"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func full() map[string]string {
	return map[string]string{
		"DATABASE_URL": "postgres://x", "SUPABASE_URL": "https://p.supabase.co/",
		"VAPI_API_KEY": "k", "VAPI_PHONE_NUMBER_ID": "pn", "WEBHOOK_SHARED_SECRET": "w",
		"CRON_SECRET": "c", "VERCEL_PROJECT_PRODUCTION_URL": "app.example.com",
	}
}

func TestFromEnvComplete(t *testing.T) {
	t.Parallel()
	c, err := FromEnv(env(full()))
	if err != nil {
		t.Fatal(err)
	}
	if c.PublicURL != "https://app.example.com" || c.SupabaseURL != "https://p.supabase.co" {
		t.Errorf("urls = %q %q", c.PublicURL, c.SupabaseURL)
	}
	if c.DefaultCap != 8 || c.CronCadence.Seconds() != 60 || c.VapiBaseURL != "https://api.vapi.ai" {
		t.Errorf("defaults = %d %v %q", c.DefaultCap, c.CronCadence, c.VapiBaseURL)
	}
}

func TestFromEnvNamesEveryMissingVariable(t *testing.T) {
	t.Parallel()
	_, err := FromEnv(env(map[string]string{"DEFAULT_CONCURRENCY_CAP": "zero"}))
	var missing *MissingError
	if !errors.As(err, &missing) {
		t.Fatalf("err = %v, want *MissingError", err)
	}
	if len(missing.Names) != len(Required) {
		t.Errorf("missing = %v, want all of %v", missing.Names, Required)
	}
	if !strings.Contains(err.Error(), "DEFAULT_CONCURRENCY_CAP must be a positive integer") {
		t.Errorf("err = %v, want the bad cap named", err)
	}
}

// VAPI_SERVER_CREDENTIAL_ID is optional; set, it is read trimmed.
func TestFromEnvServerCredential(t *testing.T) {
	t.Parallel()
	m := full()
	if c, err := FromEnv(env(m)); err != nil || c.VapiServerCredentialID != "" {
		t.Fatalf("unset: %q, %v", c.VapiServerCredentialID, err)
	}
	m["VAPI_SERVER_CREDENTIAL_ID"] = " 2b9c1b62-8d52-4d1e-9a37-0f3c6a1d5e77\n"
	if c, err := FromEnv(env(m)); err != nil || c.VapiServerCredentialID != "2b9c1b62-8d52-4d1e-9a37-0f3c6a1d5e77" {
		t.Fatalf("set: %q, %v", c.VapiServerCredentialID, err)
	}
}
