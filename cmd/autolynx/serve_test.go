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
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	t.Setenv("PORT", fmt.Sprint(port))
	t.Setenv("AUTOLYNX_DATA_DIR", t.TempDir())
	t.Setenv("DATABASE_URL", "")
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
	return base, port
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
