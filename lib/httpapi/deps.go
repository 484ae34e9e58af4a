package httpapi

import (
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/lib/auth"
	"github.com/autolynx/autolynx/lib/config"
	"github.com/autolynx/autolynx/lib/ops"
	"github.com/autolynx/autolynx/lib/ratelimit"
	"github.com/autolynx/autolynx/lib/user"
	"github.com/autolynx/autolynx/lib/vapi"
)

// Deps are the long-lived parts a handler is built from, assembled once
// per warm instance (lib/app) or by the local runner and tests. Tests swap
// the outside world only: Vapi's base URL, the clock.
type Deps struct {
	Config  config.Config
	DB      *pgxpool.Pool
	Log     *slog.Logger
	Now     func() time.Time
	Vapi    *vapi.Client
	Auth    *auth.Verifier
	Limiter *ratelimit.Limiter
	// Inviter creates the auth user behind an allowlist entry: nil for
	// Supabase Auth's admin API (invite.Supabase), a local stand-in locally.
	Inviter user.Inviter
	// VapiTally counts this instance's requests to Vapi (ops.Transport
	// wraps Vapi's HTTP client); the cron's tick flushes it.
	VapiTally *ops.Tally

	memoMu sync.Mutex
	memo   map[any]any // Memo
}
