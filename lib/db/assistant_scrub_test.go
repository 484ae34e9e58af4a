package db_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/lib/assistant"
	"github.com/autolynx/autolynx/lib/db"
)

// dirtyConfigs are assistant configs as imports stored them before H1.
var dirtyConfigs = []string{
	`{"id": "x", "orgId": "o", "createdAt": "t", "updatedAt": "t", "name": "Sales", "firstMessage": "Hi",
	  "server": {"url": "https://autolynx.example/api/webhooks/vapi", "headers": {"X-Vapi-Secret": "the-webhook-secret"}},
	  "serverMessages": ["status-update", "end-of-call-report", "hang"], "isServerUrlSecretSet": true}`,
	`{"credentials": [{"provider": "openai", "apiKey": "sk-1"}], "credentialIds": ["c"],
	  "model": {"provider": "openai", "maxTokens": 10, "tools": [{"server": {"url": "https://t", "headers": {"Authorization": "Bearer t"}}}]},
	  "transcriber": {"provider": "azure", "ocpApimSubscriptionKey": "k", "listenAuthenticationEnabled": false},
	  "metadata": {"twilioAuthToken": "a", "n": [1, {"hmacSecret": "h"}]},
	  "server": {"timeoutSeconds": 20, "backoffPlan": {"maxRetries": 3}, "credentialId": "c"}}`,
	`{"server": "not an object", "voice": {"provider": "11labs", "voiceId": "v", "apiKey": "k"}}`,
	`{}`,
}

// H1: the migration scrubs rows stored before with assistant.Scrub's very
// rules, and signed-in users can no longer read the config column.
func TestH1MigrationScrubsAssistantConfigs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	for i, cfg := range dirtyConfigs {
		if _, err := pool.Exec(ctx, `insert into assistants (provider_assistant_id, name, source, config) values ($1, 'A', 'imported', $2::jsonb)`,
			"p"+string(rune('0'+i)), cfg); err != nil {
			t.Fatal(err)
		}
	}
	all, err := db.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var scrub string
	for _, m := range all {
		if m.Version == "20261202001500" {
			scrub = m.SQL
		}
	}
	if scrub == "" {
		t.Fatal("migration 20261202001500 is missing")
	}
	if err := db.InTx(ctx, pool, func(tx pgx.Tx) error { _, err := tx.Exec(ctx, scrub); return err }); err != nil {
		t.Fatalf("run the migration again: %v", err)
	}
	for i, dirty := range dirtyConfigs {
		var stored string
		if err := pool.QueryRow(ctx, `select config::text from assistants where provider_assistant_id = $1`, "p"+string(rune('0'+i))).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		var in map[string]any
		_ = json.Unmarshal([]byte(dirty), &in)
		want, _ := json.Marshal(assistant.Scrub(in, ""))
		if got := normJSON(t, stored); got != string(want) {
			t.Errorf("row %d scrubbed to\n%s\nassistant.Scrub gives\n%s", i, got, want)
		}
	}

	const allowed = "44444444-4444-4444-4444-444444444444"
	if _, err := pool.Exec(ctx, `insert into user_profiles (id, email, role, allowlisted) values ($1, 'o@example.com', 'operator', true)`, allowed); err != nil {
		t.Fatal(err)
	}
	asUser := func(query string) error {
		return db.InTx(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `select set_config('request.jwt.claim.sub', $1, true)`, allowed); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `set local role authenticated`); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, query)
			if err != nil {
				return err
			}
			rows.Close()
			return rows.Err()
		})
	}
	if err := asUser(`select config from assistants`); !isDenied(err) {
		t.Errorf("a signed-in user reads assistants.config: err = %v, want permission denied", err)
	}
	if err := asUser(`select id, provider_assistant_id, name, source, active, created_at, updated_at, deleted_at from assistants`); err != nil {
		t.Errorf("a signed-in user cannot read the directory's columns: %v", err)
	}
}

func normJSON(t *testing.T, s string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
