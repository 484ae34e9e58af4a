package authserver_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/autolynx/autolynx/dev/authserver"
	"github.com/autolynx/autolynx/dev/authserver/authtest"
	"github.com/autolynx/autolynx/dev/dbtest"
	"github.com/autolynx/autolynx/lib/db"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestServerLooksLikeAHostedProject checks the configuration every other
// test relies on: tokens signed with the ES256 key and issued for
// <URL>/auth/v1, the key in the public JWKS (the secret never), the
// gateway demanding an API key, sign-up off.
func TestServerLooksLikeAHostedProject(t *testing.T) {
	t.Parallel()
	s := authtest.Start(t, dbtest.URL(t), authserver.Options{})
	ctx := t.Context()
	if _, err := s.CreateUser(ctx, "ann@example.com", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	sess, err := s.SignIn(ctx, "ann@example.com", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := jwt.NewParser().ParseUnverified(sess.AccessToken, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	claims := tok.Claims.(jwt.MapClaims)
	if tok.Header["alg"] != "ES256" || tok.Header["kid"] != s.Keys().Signing.ID {
		t.Errorf("header = %v, want ES256 with kid %s", tok.Header, s.Keys().Signing.ID)
	}
	if claims["iss"] != s.URL+"/auth/v1" || claims["aud"] != "authenticated" || claims["role"] != "authenticated" {
		t.Errorf("claims = %v", claims)
	}

	resp, err := http.Get(s.URL + "/auth/v1/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&set)
	resp.Body.Close()
	if len(set.Keys) != 1 || set.Keys[0]["kid"] != s.Keys().Signing.ID || set.Keys[0]["d"] != nil {
		t.Errorf("jwks = %v, want only the public ES256 key", set.Keys)
	}

	resp, err = http.Post(s.URL+"/auth/v1/signup", "application/json", strings.NewReader(`{"email":"x@example.com","password":"whatever123"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("signup without apikey = %d, want the gateway's 401", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/auth/v1/signup", strings.NewReader(`{"email":"x@example.com","password":"whatever123"}`))
	req.Header.Set("apikey", s.AnonKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity && resp.StatusCode != http.StatusForbidden {
		t.Errorf("signup = %d, want it refused (sign-up disabled)", resp.StatusCode)
	}
}

// TestMigrationsCoexistWithTheAuthSchema applies our migrations again after
// the Auth server's, as the local runner does on every start: both sets
// live in one database (as on Supabase) and the Auth server's auth.uid()
// is the one RLS uses.
func TestMigrationsCoexistWithTheAuthSchema(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	authtest.Start(t, url, authserver.Options{})
	pool, err := db.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	uidDef := func() string {
		var def string
		if err := pool.QueryRow(t.Context(), `select pg_get_functiondef('auth.uid'::regproc)`).Scan(&def); err != nil {
			t.Fatal(err)
		}
		return def
	}
	theirs := uidDef()
	if _, err := db.MigrateLocal(t.Context(), pool); err != nil {
		t.Fatalf("our migrations after the Auth server's: %v", err)
	}
	var uid string
	err = pool.QueryRow(t.Context(), `
		select set_config('request.jwt.claims', '{"sub":"6d0f5e1c-4a8b-4c2d-9e3f-1a2b3c4d5e6f"}', false),
		       auth.uid()::text`).Scan(new(string), &uid)
	if err != nil || uid != "6d0f5e1c-4a8b-4c2d-9e3f-1a2b3c4d5e6f" {
		t.Errorf("auth.uid() = %q, %v", uid, err)
	}
	if ours := uidDef(); ours != theirs {
		t.Errorf("the local shim replaced the Auth server's auth.uid():\n%s\nwith\n%s", theirs, ours)
	}
}
