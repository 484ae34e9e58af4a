package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/authserver"
	"github.com/autolynx/autolynx/dev/authserver/authtest"
	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/dev/devserver"
	"github.com/autolynx/autolynx/lib/app"
	"github.com/autolynx/autolynx/lib/config"
	"github.com/autolynx/autolynx/lib/httpapi"
	meroutes "github.com/autolynx/autolynx/lib/httpapi/me"
	"github.com/autolynx/autolynx/lib/invite"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const adminEmail = "owner@example.com"

// deployment is the environment of a project on Supabase's signing keys:
// every required variable, and none of the optional ones (no legacy JWT
// secret, anon key, service role key or alert webhook).
func deployment(dbURL, supabaseURL string) map[string]string {
	return map[string]string{
		"DATABASE_URL": dbURL, "SUPABASE_URL": supabaseURL,
		"VAPI_API_KEY": "k", "VAPI_PHONE_NUMBER_ID": "pn", "WEBHOOK_SHARED_SECRET": "w",
		"CRON_SECRET": "c", "PUBLIC_URL": "https://app.example.com",
		"AUTOLYNX_ADMIN_EMAILS": adminEmail,
	}
}

func fromEnv(t *testing.T, env map[string]string) *httpapi.Deps {
	t.Helper()
	d, err := app.FromEnv(t.Context(), func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}
	t.Cleanup(d.DB.Close)
	return d
}

func me(t *testing.T, d *httpapi.Deps, token string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/api/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	httpapi.Function(d, meroutes.Routes).ServeHTTP(rec, req)
	return rec.Code
}

func signIn(t *testing.T, s *authserver.Server) string {
	t.Helper()
	ctx := t.Context()
	if _, err := s.CreateUser(ctx, adminEmail, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	sess, err := s.SignIn(ctx, adminEmail, "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	return sess.AccessToken
}

// TestH2BuildsWithoutJWTSecret: an unset SUPABASE_JWT_SECRET used to
// become a non-nil empty secret, which the verifier refused, so every
// function answered 503.
func TestH2BuildsWithoutJWTSecret(t *testing.T) {
	t.Parallel()
	cfg, err := config.FromEnv(func(k string) string { return deployment("postgres://x", "https://p.supabase.co")[k] })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := app.Build(cfg, nil, log, time.Now, invite.Supabase{}); err != nil {
		t.Fatalf("Build without SUPABASE_JWT_SECRET: %v", err)
	}
}

// TestH2EveryFunctionWorksOnSigningKeys runs a deployment without any
// optional variable against Supabase's Auth server signing with ES256:
// no function answers 503 and a signed-in user's token is verified from
// the JWKS.
func TestH2EveryFunctionWorksOnSigningKeys(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	s := authtest.Start(t, dbURL, authserver.Options{})
	d := fromEnv(t, deployment(dbURL, s.URL))
	for file, h := range devserver.Built(d) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, devserver.FunctionPath(file), nil))
		if rec.Code == http.StatusServiceUnavailable || rec.Code >= 500 {
			t.Errorf("%s answers %d: %s", file, rec.Code, rec.Body)
		}
	}
	if code := me(t, d, signIn(t, s)); code != http.StatusOK {
		t.Errorf("ES256 token from the JWKS: /api/me = %d, want 200", code)
	}
}

// TestH2HS256OnlyWhileSecretIsSet: a token signed with the legacy secret
// is accepted with SUPABASE_JWT_SECRET set and refused without it; RS256
// keys verify from the JWKS like ES256 ones.
func TestH2HS256OnlyWhileSecretIsSet(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	s := authtest.Start(t, dbURL, authserver.Options{})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if err := s.SetKeys(ctx, authserver.Keys{Signing: s.Legacy}); err != nil {
		t.Fatal(err)
	}
	hs := signIn(t, s)
	env := deployment(dbURL, s.URL)
	if code := me(t, fromEnv(t, env), hs); code != http.StatusUnauthorized {
		t.Errorf("HS256 token without SUPABASE_JWT_SECRET: /api/me = %d, want 401", code)
	}
	env["SUPABASE_JWT_SECRET"] = s.JWTSecret
	if code := me(t, fromEnv(t, env), hs); code != http.StatusOK {
		t.Errorf("HS256 token with SUPABASE_JWT_SECRET: /api/me = %d, want 200", code)
	}

	rs, err := authserver.NewRS256Key("rs256-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetKeys(ctx, authserver.Keys{Signing: rs, Others: []authserver.Key{s.Legacy}}); err != nil {
		t.Fatal(err)
	}
	sess, err := s.SignIn(ctx, adminEmail, "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	delete(env, "SUPABASE_JWT_SECRET")
	if code := me(t, fromEnv(t, env), sess.AccessToken); code != http.StatusOK {
		t.Errorf("RS256 token from the JWKS: /api/me = %d, want 200", code)
	}
}
