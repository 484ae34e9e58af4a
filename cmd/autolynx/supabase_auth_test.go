package main

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/autolynx/autolynx/dev/authserver/authtest"
)

// TestServeWithSupabaseAuth: `serve --auth supabase` signs in through
// Supabase's Auth server: the dashboard is told its URL and anon key, and
// the first admin signs in there with the announced password.
func TestServeWithSupabaseAuth(t *testing.T) {
	authtest.Build(t)
	t.Setenv("AUTOLYNX_CRON", "off")
	base, _ := startServe(t, "--auth", "supabase")
	var cfg struct {
		SupabaseURL     string `json:"supabaseUrl"`
		SupabaseAnonKey string `json:"supabaseAnonKey"`
		LocalSignIn     bool   `json:"localSignIn"`
	}
	getJSON(t, base+"/api/config", "", &cfg)
	if cfg.LocalSignIn || cfg.SupabaseAnonKey == "" {
		t.Fatalf("config = %+v, want Supabase sign-in", cfg)
	}
	secrets, err := loadSecrets(os.Getenv("AUTOLYNX_DATA_DIR"))
	if err != nil {
		t.Fatal(err)
	}
	body := `{"email":"admin@localhost","password":"` + adminPassword(secrets) + `"}`
	req, _ := http.NewRequest("POST", cfg.SupabaseURL+"/auth/v1/token?grant_type=password", strings.NewReader(body))
	req.Header.Set("apikey", cfg.SupabaseAnonKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var sess struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&sess)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("password sign-in: %d", resp.StatusCode)
	}
	var me struct{ Role string }
	getJSON(t, base+"/api/me", sess.AccessToken, &me)
	if me.Role != "admin" {
		t.Errorf("me = %+v, want the admin", me)
	}
}

func getJSON(t *testing.T, url, token string, out any) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

func TestServeWithSupabaseAuthOnlyOnItsOwnPostgres(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://someone@db.example.com/theirs")
	err := serve(t.Context(), []string{"--auth", "supabase"})
	if err == nil || !strings.Contains(err.Error(), "unset DATABASE_URL") {
		t.Errorf("serve --auth supabase on a foreign database: %v", err)
	}
	if err := serve(t.Context(), []string{"--auth", "ldap"}); err == nil {
		t.Error("serve --auth ldap started")
	}
}
