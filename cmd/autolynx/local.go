package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// localSecrets are generated on the first run and kept in the data dir, so
// a restarted runner (and the token command) sign and verify alike.
type localSecrets struct {
	JWTSecret     string `json:"jwtSecret"`
	WebhookSecret string `json:"webhookSecret"`
	CronSecret    string `json:"cronSecret"`
	VapiAPIKey    string `json:"vapiApiKey"`
}

func dataDir() string {
	if d := os.Getenv("AUTOLYNX_DATA_DIR"); d != "" {
		return d
	}
	return ".autolynx"
}

func port() int {
	if p, err := strconv.Atoi(os.Getenv("PORT")); err == nil && p > 0 {
		return p
	}
	return 3000
}

func loadSecrets(dir string) (localSecrets, error) {
	path := filepath.Join(dir, "local-secrets.json")
	var s localSecrets
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &s); err != nil {
			return s, fmt.Errorf("read %s: %w", path, err)
		}
		return s, nil
	}
	s = localSecrets{JWTSecret: randomHex(32), WebhookSecret: randomHex(24), CronSecret: randomHex(24), VapiAPIKey: "sim-" + randomHex(12)}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return s, fmt.Errorf("create data dir: %w", err)
	}
	b, _ := json.MarshalIndent(s, "", "  ")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return s, fmt.Errorf("write %s: %w", path, err)
	}
	return s, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// localEnv overlays the local defaults under the real environment: any
// variable the developer sets wins.
func localEnv(s localSecrets, p int, dbURL, vapiURL string) func(string) string {
	base := fmt.Sprintf("http://localhost:%d", p)
	defaults := map[string]string{
		"DATABASE_URL":          dbURL,
		"SUPABASE_URL":          base,
		"SUPABASE_JWT_SECRET":   s.JWTSecret,
		"VAPI_API_KEY":          s.VapiAPIKey,
		"VAPI_BASE_URL":         vapiURL,
		"VAPI_PHONE_NUMBER_ID":  "local-phone-number",
		"WEBHOOK_SHARED_SECRET": s.WebhookSecret,
		"CRON_SHARED_SECRET":    s.CronSecret,
		"PUBLIC_URL":            fmt.Sprintf("http://127.0.0.1:%d", p),
		"AUTOLYNX_ADMIN_EMAILS": "admin@localhost",
		// Locally the cron ticks every 5 s (Vercel's is a minute), so freed
		// lines and due redials are dialed at once.
		"DEFAULT_CRON_CADENCE": "5",
	}
	return func(k string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		return defaults[k]
	}
}
