// Package apitest runs the whole backend for tests: a fresh migrated
// database, the Vapi simulator, and every api/ function behind the same
// vercel.json routing as the local runner, on a loopback httptest server.
// Only the outside world is simulated; our database and handlers are real.
package apitest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/dev/authserver"
	"github.com/autolynx/autolynx/dev/authserver/authtest"
	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/dev/devserver"
	"github.com/autolynx/autolynx/dev/vapisim"
	"github.com/autolynx/autolynx/lib/app"
	"github.com/autolynx/autolynx/lib/auth"
	"github.com/autolynx/autolynx/lib/config"
	"github.com/autolynx/autolynx/lib/httpapi"
	"github.com/autolynx/autolynx/lib/invite"
	"github.com/autolynx/autolynx/lib/logging"
	"github.com/autolynx/autolynx/lib/ops"
	"github.com/autolynx/autolynx/lib/ratelimit"
	"github.com/autolynx/autolynx/lib/user"
	"github.com/autolynx/autolynx/lib/vapi"
)

// Secrets used by every Env.
const (
	JWTSecret     = "test-jwt-secret-test-jwt-secret-0123456789"
	CronSecret    = "test-cron-secret"
	WebhookSecret = "test-webhook-secret"
	SupabaseURL   = "http://supabase.test"
	AdminEmail    = "admin@example.test"
	OperatorEmail = "operator@example.test"
)

// Env is one running backend.
type Env struct {
	t        testing.TB
	DB       *pgxpool.Pool
	Sim      *vapisim.Sim
	Deps     *httpapi.Deps
	Server   *httptest.Server
	Clock    *Clock
	LogBuf   *SyncBuffer
	Admin    string // bearer token of the bootstrap admin
	Operator string // bearer token of an allowlisted operator
	// Auth is Supabase's Auth server under Options.SupabaseAuth, else nil.
	Auth *authserver.Server
}

// Options tune an Env.
type Options struct {
	Sim vapisim.Config
	// Now is the clock's start. By default a Wednesday at 19:00 UTC, inside
	// the default calling window (9:00–17:00) of every US zone, so tests do
	// not depend on when they run.
	Now time.Time
	// SupabaseAuth runs Supabase's real Auth server (dev/authserver) on the
	// Env's database instead of local tokens: Admin and Operator are then
	// its users, signed in with Password, and invites go through it. Tests
	// skip when it cannot be built (see authtest).
	SupabaseAuth bool
}

// Password is the password of Admin and Operator under SupabaseAuth.
const Password = "correct horse battery staple"

// DefaultNow is the default start of an Env's clock.
var DefaultNow = time.Date(2026, 11, 25, 19, 0, 0, 0, time.UTC)

// New starts an Env, stopped when the test ends.
func New(t testing.TB, opts Options) *Env {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = DefaultNow
	}
	dbURL := dbtest.URL(t)
	e := &Env{t: t, DB: dbtest.Open(t, dbURL), Clock: NewClock(opts.Now), LogBuf: &SyncBuffer{}}
	e.Server = httptest.NewServer(nil)
	t.Cleanup(e.Server.Close)
	if opts.SupabaseAuth {
		e.Auth = authtest.Start(t, dbURL, authserver.Options{SiteURL: e.Server.URL})
	}
	simCfg := opts.Sim
	if simCfg.Scale == 0 {
		simCfg.Scale = 0.002
	}
	// The simulator stamps calls with our clock, so Vapi's createdAt and our
	// timestamps agree however far a test moves time.
	simCfg.Now = e.Clock.Now
	sim, err := vapisim.Start(simCfg)
	if err != nil {
		t.Fatalf("apitest: start simulator: %v", err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	e.Sim = sim
	cfg := config.Config{
		DatabaseURL: "test", SupabaseURL: SupabaseURL, SupabaseJWTSecret: JWTSecret,
		VapiAPIKey: sim.APIKey(), VapiBaseURL: sim.URL(), VapiPhoneNumberID: "test-phone-number",
		PublicURL: e.Server.URL, WebhookSecret: WebhookSecret, CronSecrets: []string{CronSecret},
		DefaultCap: 8, CronCadence: time.Minute, DefaultRegion: "US",
		AdminEmails: []string{AdminEmail}, Local: true, Version: "test",
	}
	var inviter user.Inviter = user.LocalInviter{}
	if e.Auth != nil {
		cfg.SupabaseURL, cfg.SupabaseJWTSecret, cfg.Local = e.Auth.URL, e.Auth.JWTSecret, false
		cfg.SupabaseAnonKey, cfg.SupabaseServiceRoleKey = e.Auth.AnonKey, e.Auth.ServiceRoleKey
		inviter = invite.Supabase{URL: e.Auth.URL, ServiceRoleKey: e.Auth.ServiceRoleKey}
	}
	log := logging.New(io.MultiWriter(e.LogBuf, testWriter{t}), slog.LevelInfo)
	e.Deps, err = app.Build(cfg, e.DB, log, e.Clock.Now, inviter)
	if err != nil {
		t.Fatalf("apitest: build deps: %v", err)
	}
	// Real backoff (1 s, 4 s, 10 s) is proved in lib/vapi; here it is
	// shrunk a hundredfold so fault-injection runs stay quick.
	// Tests drive the API far faster than a person; TestRateLimited…
	// restores tight limits where they are the subject.
	e.Deps.Limiter = e.Deps.Limiter.WithLimits(ratelimit.Limits{General: 1 << 20, Upload: 1 << 20, Export: 1 << 20})
	e.Deps.Vapi = vapi.New(vapi.Config{BaseURL: sim.URL(), APIKey: sim.APIKey(), Sleep: fastSleep,
		HTTPClient: &http.Client{Transport: &ops.Transport{Tally: e.Deps.VapiTally}}})
	vercel, err := devserver.LoadVercel(filepath.Join(Root(t), "vercel.json"))
	if err != nil {
		t.Fatalf("apitest: %v", err)
	}
	rt := devserver.NewRouter(vercel, filepath.Join(Root(t), "public"), devserver.Built(e.Deps))
	rt.AllowLocal("media-src", sim.URL())
	if e.Auth != nil {
		rt.AllowLocal("connect-src", e.Auth.URL)
	}
	e.Server.Config.Handler = rt
	operatorID := auth.LocalUserID(OperatorEmail)
	if e.Auth != nil {
		e.authUser(AdminEmail)
		e.Admin = e.SignIn(AdminEmail)
		operatorID = e.authUser(OperatorEmail)
		e.Operator = e.SignIn(OperatorEmail)
	} else {
		e.Admin = e.Token(AdminEmail)
		e.Operator = e.Token(OperatorEmail)
	}
	if _, err := user.Add(t.Context(), e.DB, operatorID, OperatorEmail, user.Operator); err != nil {
		t.Fatalf("apitest: add operator: %v", err)
	}
	return e
}

// authUser creates a confirmed user with Password at the Auth server.
func (e *Env) authUser(email string) uuid.UUID {
	id, err := e.Auth.CreateUser(e.t.Context(), email, Password)
	if err != nil {
		e.t.Fatalf("apitest: create auth user: %v", err)
	}
	return id
}

// SignIn returns an access token of email, signed in at the Auth server
// with Password (SupabaseAuth only).
func (e *Env) SignIn(email string) string {
	sess, err := e.Auth.SignIn(e.t.Context(), email, Password)
	if err != nil {
		e.t.Fatalf("apitest: sign in %s: %v", email, err)
	}
	return sess.AccessToken
}

// Token signs a sign-in token for email (who must be allowlisted to get in).
func (e *Env) Token(email string) string {
	tok, err := auth.NewLocalIssuer(SupabaseURL, []byte(JWTSecret)).Mint(auth.LocalUserID(email), email, time.Hour)
	if err != nil {
		e.t.Fatalf("apitest: mint: %v", err)
	}
	return tok
}

// Root finds the repository root (the directory holding go.mod).
func Root(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("apitest: go.mod not found")
		}
		dir = parent
	}
}

// Do sends a request to the backend.
func (e *Env) Do(method, path, token, contentType string, body io.Reader) *http.Response {
	e.t.Helper()
	resp, err := e.roundTrip(method, path, token, contentType, body)
	if err != nil {
		e.t.Fatalf("apitest: %s %s: %v", method, path, err)
	}
	return resp
}

// roundTrip sends one request with an optional bearer token, content type
// and further headers (name, value pairs); it is safe from any goroutine.
func (e *Env) roundTrip(method, path, token, contentType string, body io.Reader, headers ...string) (*http.Response, error) {
	req, err := http.NewRequest(method, e.Server.URL+path, body)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return http.DefaultClient.Do(req)
}

// JSON sends in as a JSON body (nil: none), decodes the answer into out
// (nil: discard) and returns the status.
func (e *Env) JSON(method, path, token string, in, out any) int {
	e.t.Helper()
	var body io.Reader
	ct := ""
	if in != nil {
		b, _ := json.Marshal(in)
		body, ct = bytes.NewReader(b), "application/json"
	}
	resp := e.Do(method, path, token, ct, body)
	defer resp.Body.Close()
	if out != nil {
		raw, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("apitest: %s %s: decode %q: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode
}

// Multipart builds a multipart body with fields and a file named file.
func Multipart(fields map[string]string, csv string) (string, io.Reader) {
	return MultipartFile(fields, "contacts.csv", []byte(csv))
}

// MultipartFile is Multipart with the file's name and bytes (an .xlsx).
func MultipartFile(fields map[string]string, name string, data []byte) (string, io.Reader) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = w.Close()
	return w.FormDataContentType(), &buf
}

// SyncBuffer is a goroutine-safe log sink tests can search.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

// String returns everything logged so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// testWriter sends logs to the test's output only when AUTOLYNX_TEST_LOG is
// set, keeping normal runs quiet.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	if os.Getenv("AUTOLYNX_TEST_LOG") != "" {
		w.t.Log(string(bytes.TrimSpace(p)))
	}
	return len(p), nil
}

// Clock is a settable clock: real time plus an offset tests advance.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// NewClock starts at start (zero: now).
func NewClock(start time.Time) *Clock {
	c := &Clock{}
	if !start.IsZero() {
		c.offset = time.Until(start)
	}
	return c
}

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

func fastSleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d / 100):
		return nil
	}
}

// Main is TestMain for packages using Env.
func Main(m *testing.M) { dbtest.Main(m) }

// NewID is a fresh UUID (handy for 404 checks).
func NewID() string { return uuid.NewString() }

// ExpiredToken is a correctly signed token for email that expired an hour
// ago (the issuer refuses to mint one, so the claims are re-signed).
func (e *Env) ExpiredToken(email string) string {
	parts := strings.Split(e.Token(email), ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		e.t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		e.t.Fatal(err)
	}
	now := time.Now()
	claims["iat"], claims["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
	raw, _ = json.Marshal(claims)
	signing := parts[0] + "." + base64.RawURLEncoding.EncodeToString(raw)
	mac := hmac.New(sha256.New, []byte(JWTSecret))
	mac.Write([]byte(signing))
	return signing + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}
