package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/autolynx/autolynx/dev/authserver"
	"github.com/autolynx/autolynx/lib/auth"
	"github.com/autolynx/autolynx/lib/config"
	"github.com/autolynx/autolynx/lib/invite"
	"github.com/autolynx/autolynx/lib/user"
)

// buildAuth builds Supabase's Auth server from the vendored source into the
// cache (CI runs it so that no test has to), and prints where it is.
func buildAuth(ctx context.Context) error {
	b, took, err := buildAuthServer(ctx, true)
	if err != nil {
		return err
	}
	fmt.Printf("Supabase Auth server: %s (ready in %s)\n", b.Bin, took.Round(time.Second))
	return nil
}

func buildAuthServer(ctx context.Context, verbose bool) (authserver.Build, time.Duration, error) {
	wd, err := os.Getwd()
	if err != nil {
		return authserver.Build{}, 0, err
	}
	tarball, err := authserver.FindTarball(wd)
	if err != nil {
		return authserver.Build{}, 0, err
	}
	fmt.Fprintln(os.Stderr, "Supabase Auth server: building from", filepath.Base(tarball), "unless cached (the first build takes minutes)")
	start := time.Now()
	log := os.Stderr
	if !verbose {
		log = nil
	}
	b, err := authserver.BuildOnce(ctx, tarball, log)
	return b, time.Since(start), err
}

// checkAuthMode refuses an unknown --auth, and --auth supabase on a
// database the runner does not own, where it would add a superuser role
// and an auth schema.
func checkAuthMode(mode string) error {
	switch {
	case mode != "local" && mode != "supabase":
		return fmt.Errorf("--auth must be local or supabase, not %q", mode)
	case mode == "supabase" && os.Getenv("DATABASE_URL") != "":
		return errors.New("--auth supabase runs on the runner's own Postgres only: unset DATABASE_URL")
	}
	return nil
}

// supabaseAuth is `serve --auth supabase`: Supabase's real Auth server on
// the runner's database, in place of local tokens. The first admin gets a
// password derived from the data dir's secret, so it survives restarts.
type supabaseAuth struct {
	srv      *authserver.Server
	email    string
	password string
}

func startSupabaseAuth(ctx context.Context, dbURL string, p int, secrets localSecrets, cfg *config.Config) (*supabaseAuth, user.Inviter, error) {
	b, _, err := buildAuthServer(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	// The project URL stays the same across restarts: PORT + 1.
	srv, err := authserver.Start(ctx, authserver.Options{Build: b, DatabaseURL: dbURL, SiteURL: fmt.Sprintf("http://localhost:%d", p), Addr: fmt.Sprintf("127.0.0.1:%d", p+1)})
	if err != nil {
		return nil, nil, fmt.Errorf("start Supabase Auth server: %w", err)
	}
	a := &supabaseAuth{srv: srv, email: "admin@localhost"}
	if len(cfg.AdminEmails) > 0 {
		a.email = cfg.AdminEmails[0]
	}
	a.password = adminPassword(secrets)
	var exists *auth.APIError
	if _, err := srv.CreateUser(ctx, a.email, a.password); err != nil && !(errors.As(err, &exists) && exists.Code == "email_exists") {
		srv.Close()
		return nil, nil, fmt.Errorf("create the first admin at the Auth server: %w", err)
	}
	cfg.SupabaseURL, cfg.SupabaseJWTSecret = srv.URL, srv.JWTSecret
	cfg.SupabaseAnonKey, cfg.SupabaseServiceRoleKey = srv.AnonKey, srv.ServiceRoleKey
	cfg.Local = false
	return a, invite.Supabase{URL: srv.URL, ServiceRoleKey: srv.ServiceRoleKey}, nil
}

func (a *supabaseAuth) announce(p int) {
	fmt.Printf("\nAutoLynx is running: http://localhost:%d (Supabase Auth at %s/auth/v1)\n", p, a.srv.URL)
	fmt.Printf("Sign in with email %s and password %s (admin)\n", a.email, a.password)
	// No mail server runs: the link an invitation would carry comes from
	// the Auth server's admin API.
	fmt.Printf("Invitations send no email here; an invited user's link:\n  curl -s -H 'apikey: %[1]s' -H 'Authorization: Bearer %[1]s' -d '{\"type\":\"invite\",\"email\":\"E\"}' %[2]s/auth/v1/admin/generate_link\n\n",
		a.srv.ServiceRoleKey, a.srv.URL)
}

// adminPassword is the first admin's password under --auth supabase.
func adminPassword(secrets localSecrets) string {
	mac := hmac.New(sha256.New, []byte(secrets.JWTSecret))
	mac.Write([]byte("admin password"))
	return hex.EncodeToString(mac.Sum(nil))[:16]
}
