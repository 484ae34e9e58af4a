package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/dev/freeport"
)

// startServe runs `serve args…` as `go run ./cmd/autolynx` does on a
// fresh clone (its own data directory and Postgres, no DATABASE_URL, no
// VAPI_BASE_URL) on a free port until the test ends, and returns its URL
// once health answers ok.
func startServe(t *testing.T, args ...string) (string, int) {
	t.Helper()
	if _, err := exec.LookPath("initdb"); err != nil {
		if m, _ := os.ReadDir("/usr/lib/postgresql"); len(m) == 0 {
			t.Skip("PostgreSQL is not installed")
		}
	}
	port := freePort(t)
	t.Setenv("DATABASE_URL", "")
	return runServe(t, port, args...), port
}

// freePort is a loopback port that nothing listens on, and neither does
// the port after it, which `serve --auth supabase` takes for its Auth
// server.
func freePort(t *testing.T) int {
	t.Helper()
	p, err := freeport.Find(2)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// runServe runs `serve args…` on port, with a fresh data dir and the
// built-in simulator, until the test ends; it returns the runner's URL
// once health answers ok.
func runServe(t *testing.T, port int, args ...string) string {
	t.Helper()
	t.Setenv("PORT", fmt.Sprint(port))
	t.Setenv("AUTOLYNX_DATA_DIR", t.TempDir())
	t.Setenv("VAPI_BASE_URL", "")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, append([]string{"--root", "../.."}, args...)) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(time.Minute)
	var health string
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/api/health"); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				health = string(b)
				break
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !strings.Contains(health, `"database":"ok"`) {
		t.Fatalf("health never became ok: %q", health)
	}
	return base
}

// adminToken signs in as the admin the runner on port announces, as the
// token command does.
func adminToken(t *testing.T, port int) string {
	t.Helper()
	secrets, err := loadSecrets(os.Getenv("AUTOLYNX_DATA_DIR"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := mint(fmt.Sprintf("http://localhost:%d", port), secrets.JWTSecret, "admin@localhost")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// The README's run command: Postgres started for us, the simulator, the
// API and the dashboard, all answering within a minute; the token command
// signs in as the admin the runner announced.
func TestServeStartsEverything(t *testing.T) {
	t.Setenv("AUTOLYNX_CRON", "off")
	base, port := startServe(t)
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(strings.ToLower(string(page)), "<html") {
		t.Fatalf("dashboard: %d %.80q", resp.StatusCode, page)
	}
	// With the simulator, calls may go out at any hour: a campaign tried at
	// night still completes.
	resp, err = http.Get(base + "/api/config")
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(cfg), `"windowStart":"00:00"`) || !strings.Contains(string(cfg), `"legalWindowEnd":"23:59"`) {
		t.Errorf("local calling defaults: %s", cfg)
	}
	tok := adminToken(t, port)
	req, _ := http.NewRequest("GET", base+"/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("local admin token: %d", resp.StatusCode)
	}
}

// settingsOf reads a database's system_config as one JSON text.
func settingsOf(t *testing.T, url string) string {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	var s string
	if err := conn.QueryRow(t.Context(), `select coalesce(jsonb_object_agg(key, value order by key), '{}')::text from system_config`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// Pointed at a database it did not create, the runner neither rewrites its
// settings nor lets the simulator dial its contacts: without
// --simulate-on-database it refuses to start; with it, the database's
// calling hours stay as they were (the open local hours are only for the
// runner's own database).
func TestM4ServeLeavesAnExistingDatabaseAlone(t *testing.T) {
	url := dbtest.URL(t)
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(t.Context(), `insert into system_config (key, value) values
		('legal_window_start', '"08:00"'), ('legal_window_end', '"21:00"') on conflict (key) do nothing`)
	conn.Close(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	before := settingsOf(t, url)
	port := freePort(t)
	t.Setenv("PORT", fmt.Sprint(port))
	t.Setenv("AUTOLYNX_DATA_DIR", t.TempDir())
	t.Setenv("AUTOLYNX_CRON", "off")
	t.Setenv("DATABASE_URL", url)
	t.Setenv("VAPI_BASE_URL", "")

	// Bounded: a runner that starts anyway serves until the deadline.
	refusedCtx, stop := context.WithTimeout(t.Context(), 20*time.Second)
	err = serve(refusedCtx, []string{"--root", "../.."})
	stop()
	if err == nil || !strings.Contains(err.Error(), "--simulate-on-database") {
		t.Fatalf("serve on an existing database with the simulator: %v, want a refusal naming --simulate-on-database", err)
	}
	if after := settingsOf(t, url); after != before {
		t.Fatalf("a refused start changed the settings:\n%s\n%s", before, after)
	}

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, []string{"--root", "../..", "--simulate-on-database"}) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	var cfg string
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline) && cfg == ""; time.Sleep(200 * time.Millisecond) {
		if resp, err := http.Get(base + "/api/config"); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				cfg = string(b)
			}
		}
	}
	if !strings.Contains(cfg, `"legalWindowStart":"08:00"`) || !strings.Contains(cfg, `"legalWindowEnd":"21:00"`) {
		t.Errorf("config served: %q, want the database's own 08:00–21:00", cfg)
	}
	if after := settingsOf(t, url); after != before {
		t.Errorf("the runner changed the settings:\n%s\n%s", before, after)
	}
}

// L8: by default the runner answers on loopback only, not on the
// machine's other addresses.
func TestLowL8ServeListensOnLoopbackOnly(t *testing.T) {
	var other string
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if ip, ok := a.(*net.IPNet); ok && !ip.IP.IsLoopback() && ip.IP.To4() != nil {
			other = ip.IP.String()
			break
		}
	}
	if other == "" {
		t.Skip("this machine has no non-loopback IPv4 address to probe")
	}
	port := freePort(t)
	t.Setenv("AUTOLYNX_CRON", "off")
	t.Setenv("DATABASE_URL", dbtest.URL(t))
	runServe(t, port, "--simulate-on-database") // listening on loopback
	if c, err := net.DialTimeout("tcp", net.JoinHostPort(other, fmt.Sprint(port)), 2*time.Second); err == nil {
		c.Close()
		t.Errorf("the runner answers on %s, not only on loopback", other)
	}
}
