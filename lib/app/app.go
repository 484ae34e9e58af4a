// Package app assembles the handlers' dependencies once per warm serverless
// instance from the environment (FromEnv), and each function's handler
// once around them. The functions under api/ call Serve and nothing else;
// the local runner and the tests build the same deps with Build and serve
// devserver.Built around them.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/lib/auth"
	"github.com/autolynx/autolynx/lib/config"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/httpapi"
	"github.com/autolynx/autolynx/lib/logging"
	"github.com/autolynx/autolynx/lib/ops"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/ratelimit"
	"github.com/autolynx/autolynx/lib/user"
	"github.com/autolynx/autolynx/lib/vapi"
)

var (
	mu       sync.Mutex
	deps     *httpapi.Deps
	depsErr  error
	handlers = map[string]http.Handler{}
)

// handler returns the function's handler, building it and the deps it
// stands on once per warm instance. A configuration error is kept: it
// will not heal until the next deployment, and each request reports it.
func handler(routes []httpapi.Route) (http.Handler, error) {
	mu.Lock()
	defer mu.Unlock()
	if deps == nil && depsErr == nil {
		deps, depsErr = FromEnv(context.Background(), os.Getenv)
	}
	if depsErr != nil {
		return nil, depsErr
	}
	name := routes[0].Function
	h, ok := handlers[name]
	if !ok {
		h = httpapi.Wrap(deps.Log, name, httpapi.Function(deps, routes))
		handlers[name] = h
	}
	return h, nil
}

// FromEnv builds production dependencies. Its error is logged here, in
// full, because callers are only told that the server is misconfigured.
func FromEnv(ctx context.Context, getenv func(string) string) (_ *httpapi.Deps, err error) {
	log := logging.New(os.Stderr, slog.LevelInfo)
	defer func() {
		if err != nil {
			log.Error("configuration", "err", err.Error())
		}
	}()
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return nil, err
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	// No inviter: the admin function invites through Supabase Auth itself,
	// so no other function links the client.
	return Build(cfg, pool, log, time.Now, nil)
}

// Build assembles the deps around an open pool; the local runner uses it
// too, so both wire the same parts the same way.
func Build(cfg config.Config, pool *pgxpool.Pool, log *slog.Logger, now func() time.Time, inviter user.Inviter) (*httpapi.Deps, error) {
	// Tokens expire in wall-clock time, whatever clock the rest runs on.
	// HS256 is accepted only while the legacy secret is set: a project on
	// signing keys leaves it unset and is verified from its JWKS alone.
	var secret []byte
	if cfg.SupabaseJWTSecret != "" {
		secret = []byte(cfg.SupabaseJWTSecret)
	}
	verifier, err := auth.NewVerifier(auth.Config{SupabaseURL: cfg.SupabaseURL, JWTSecret: secret})
	if err != nil {
		return nil, fmt.Errorf("configure token verification: %w", err)
	}
	tally := &ops.Tally{}
	return &httpapi.Deps{
		Config: cfg,
		DB:     pool,
		Log:    log,
		Now:    now,
		Vapi: vapi.New(vapi.Config{BaseURL: cfg.VapiBaseURL, APIKey: cfg.VapiAPIKey,
			HTTPClient: &http.Client{Transport: &ops.Transport{Tally: tally}}}),
		VapiTally: tally,
		Auth:      verifier,
		Limiter:   ratelimit.New(pool, now),
		Inviter:   inviter,
	}, nil
}

// Serve answers r as the api/ function whose table is routes.
func Serve(w http.ResponseWriter, r *http.Request, routes []httpapi.Route) {
	h, err := handler(routes)
	if err != nil {
		// The detail is in the log (FromEnv); callers, who may be anyone,
		// learn only that the deployment needs its operator.
		httpapi.WriteError(w, r, problem.Wrap(problem.Unavailable, err, "server misconfigured; see the function logs"))
		return
	}
	h.ServeHTTP(w, r)
}
