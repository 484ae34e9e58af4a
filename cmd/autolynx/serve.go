package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/dev/devserver"
	"github.com/autolynx/autolynx/dev/pgcluster"
	"github.com/autolynx/autolynx/dev/vapisim"
	"github.com/autolynx/autolynx/lib/app"
	"github.com/autolynx/autolynx/lib/auth"
	"github.com/autolynx/autolynx/lib/config"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/logging"
	"github.com/autolynx/autolynx/lib/user"
)

// serve starts everything and blocks until ctx ends, then stops it all.
func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	root := fs.String("root", ".", "project root (holds vercel.json and public/)")
	authMode := fs.String("auth", "local", "sign-in: local (tokens minted here) or supabase (Supabase's Auth server, built from the vendored source)")
	simulateOn := fs.Bool("simulate-on-database", false,
		"let the Vapi simulator dial the campaigns of the database DATABASE_URL names (a scratch copy only)")
	listen := fs.String("listen", "127.0.0.1", "address to listen on (0.0.0.0 exposes the runner to the network)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := checkAuthMode(*authMode); err != nil {
		return err
	}
	log := logging.New(os.Stderr, slog.LevelInfo)
	dir, p := dataDir(), port()
	secrets, err := loadSecrets(dir)
	if err != nil {
		return err
	}
	dbURL := os.Getenv("DATABASE_URL")
	// A database named by DATABASE_URL is not the runner's own: it may be
	// shared, staging or production. Its settings are never rewritten, and
	// the simulator (which would "call" its contacts and write made-up
	// outcomes for real people) needs an explicit flag.
	ownDB := dbURL == ""
	if !ownDB && os.Getenv("VAPI_BASE_URL") == "" && !*simulateOn {
		return errors.New("DATABASE_URL names a database this runner did not create, and without VAPI_BASE_URL its campaigns " +
			"would be dialed through the Vapi simulator: set VAPI_BASE_URL and VAPI_API_KEY to call a real Vapi, " +
			"or pass --simulate-on-database if that database is a scratch copy")
	}
	if ownDB {
		cluster, err := pgcluster.Start(ctx, filepath.Join(dir, "postgres"), 0)
		if err != nil {
			return fmt.Errorf("start postgres: %w", err)
		}
		defer cluster.Stop()
		dbURL = cluster.URL()
		log.Info("postgres started", "dir", cluster.Dir, "port", cluster.Port)
	}
	vapiURL := os.Getenv("VAPI_BASE_URL")
	var sim *vapisim.Sim
	if vapiURL == "" {
		sim, err = vapisim.Start(vapisim.Config{APIKey: secrets.VapiAPIKey, Scale: simScale()})
		if err != nil {
			return fmt.Errorf("start vapi simulator: %w", err)
		}
		defer sim.Close()
		vapiURL = sim.URL()
		log.Info("vapi simulator started", "url", vapiURL)
	}
	cfg, err := config.FromEnv(localEnv(secrets, p, dbURL, vapiURL))
	if err != nil {
		return err
	}
	cfg.Local = true
	pool, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := prepare(ctx, pool, ownDB); err != nil {
		return err
	}
	if sim != nil {
		if err := seedSimulator(ctx, pool, sim); err != nil {
			return err
		}
		if ownDB {
			if err := openCallingHours(ctx, pool); err != nil {
				return err
			}
		}
	}
	var inviter user.Inviter = user.LocalInviter{}
	var supa *supabaseAuth
	if *authMode == "supabase" {
		if supa, inviter, err = startSupabaseAuth(ctx, dbURL, p, secrets, &cfg); err != nil {
			return err
		}
		defer supa.srv.Close()
	}
	deps, err := app.Build(cfg, pool, log, time.Now, inviter)
	if err != nil {
		return err
	}
	vercel, err := devserver.LoadVercel(filepath.Join(*root, "vercel.json"))
	if err != nil {
		return err
	}
	// Timeouts bound a stalled client (an upload holds a transaction);
	// they are far above a 4.5 MB upload's or a tick's needs.
	// The functions are built around these deps as the tests build them;
	// deployed, each api/ file builds the same from its environment.
	rt := devserver.NewRouter(vercel, filepath.Join(*root, "public"), devserver.Built(deps))
	if sim != nil {
		rt.AllowLocal("media-src", sim.URL())
	}
	if supa != nil {
		rt.AllowLocal("connect-src", cfg.SupabaseURL)
	}
	srv := &http.Server{Handler: rt,
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute, WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute}
	ln, err := net.Listen("tcp", net.JoinHostPort(*listen, strconv.Itoa(p)))
	if err != nil {
		return fmt.Errorf("listen on port %d (set PORT to change it): %w", p, err)
	}
	go func() { _ = srv.Serve(ln) }()
	if sim != nil {
		go playRedials(ctx, pool, redialScale(), log)
	}
	if os.Getenv("AUTOLYNX_CRON") != "off" {
		// One tick before the sign-in link is printed, so the dashboard
		// never greets a newcomer with "the scheduler has never run".
		tick := fmt.Sprintf("http://127.0.0.1:%d/api/scheduler/tick", p)
		if err := devserver.Tick(ctx, tick, secrets.CronSecret); err != nil {
			log.Warn("first cron tick failed", "err", err.Error())
		}
		go devserver.RunCron(ctx, tick, secrets.CronSecret, cfg.CronCadence, log)
	}
	if supa != nil {
		supa.announce(p)
	} else if err := announce(cfg, p); err != nil {
		return err
	}
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// prepare migrates the runner's own database; a database it does not own
// must already be current (`autolynx migrate` applies the migrations on
// purpose), so starting the runner never changes its schema.
func prepare(ctx context.Context, pool *pgxpool.Pool, ownDB bool) error {
	if ownDB {
		if _, err := db.MigrateLocal(ctx, pool); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		return nil
	}
	pending, err := db.PendingMigrations(ctx, pool)
	if err != nil {
		return fmt.Errorf("check migrations: %w", err)
	}
	if len(pending) > 0 {
		return fmt.Errorf("DATABASE_URL lacks %d migrations (%s…): apply them with `autolynx migrate` first", len(pending), pending[0])
	}
	return nil
}

// seedSimulator gives a fresh simulator the directory's assistants, so
// campaigns created before a restart can still dial.
func seedSimulator(ctx context.Context, pool *pgxpool.Pool, sim *vapisim.Sim) error {
	rows, err := pool.Query(ctx, `select provider_assistant_id, name from assistants where deleted_at is null`)
	if err != nil {
		return fmt.Errorf("read assistants: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return fmt.Errorf("read assistants: %w", err)
		}
		sim.PutAssistant(id, map[string]any{"name": name})
	}
	return rows.Err()
}

// openCallingHours lets the runner's own database (in its data dir, with
// the simulator) call at any hour, so a campaign tried out at night
// completes: the legal bound and the default window become the whole day,
// every day, unless an admin already changed them. Never applied to a
// database named by DATABASE_URL. Deployed (and with a real VAPI_BASE_URL)
// the defaults stay 9:00–17:00 Monday–Friday within 8:00–21:00.
func openCallingHours(ctx context.Context, pool *pgxpool.Pool) error {
	_, err := pool.Exec(ctx, `
		update system_config set value = '"00:00"' where key = 'legal_window_start' and value = '"08:00"';
		update system_config set value = '"23:59"' where key = 'legal_window_end' and value = '"21:00"';
		insert into system_config (key, value) values
		  ('default_window_start', '"00:00"'), ('default_window_end', '"23:59"'),
		  ('default_calling_days', '[1,2,3,4,5,6,7]')
		on conflict (key) do nothing`)
	if err != nil {
		return fmt.Errorf("open local calling hours: %w", err)
	}
	return nil
}

// announce prints the dashboard URL with a sign-in link for the first admin.
func announce(cfg config.Config, p int) error {
	email := "admin@localhost"
	if len(cfg.AdminEmails) > 0 {
		email = cfg.AdminEmails[0]
	}
	tok, err := mint(cfg.SupabaseURL, cfg.SupabaseJWTSecret, email)
	if err != nil {
		return err
	}
	fmt.Printf("\nAutoLynx is running: http://localhost:%d\n", p)
	fmt.Printf("Sign in as %s (admin): http://localhost:%d/#token=%s\n", email, p, tok)
	fmt.Printf("Other users: go run ./cmd/autolynx token --email someone@example.com --role operator\n\n")
	return nil
}

func mint(supabaseURL, secret, email string) (string, error) {
	return auth.NewLocalIssuer(supabaseURL, []byte(secret)).Mint(auth.LocalUserID(email), email, 12*time.Hour)
}

// simScale is how fast simulated calls run: 0.1 plays a one-minute call
// in six seconds, slow enough to watch, fast enough to finish.
func simScale() float64 {
	var s float64
	if _, err := fmt.Sscanf(os.Getenv("AUTOLYNX_SIM_SCALE"), "%g", &s); err == nil && s > 0 {
		return s
	}
	return 0.1
}

// token prints a sign-in token for a local user. Admins named by
// AUTOLYNX_ADMIN_EMAILS (default admin@localhost) are let in on first
// use; anyone else must be invited by an admin first (the dashboard's
// Admin page, or POST /api/admin/users), which --role documents.
func token(args []string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	email := fs.String("email", "admin@localhost", "the user's email")
	role := fs.String("role", "", "admin or operator (informational: roles are set by admins)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *role != "" && !user.Role(*role).Valid() {
		return errors.New("--role must be admin or operator")
	}
	secrets, err := loadSecrets(dataDir())
	if err != nil {
		return err
	}
	jwtSecret := secrets.JWTSecret
	if v := os.Getenv("SUPABASE_JWT_SECRET"); v != "" {
		jwtSecret = v
	}
	supabaseURL := os.Getenv("SUPABASE_URL")
	if supabaseURL == "" {
		supabaseURL = fmt.Sprintf("http://localhost:%d", port())
	}
	tok, err := mint(supabaseURL, jwtSecret, *email)
	if err != nil {
		return err
	}
	fmt.Println(tok)
	fmt.Fprintf(os.Stderr, "user id %s; sign in at http://localhost:%d/#token=<token>\n", auth.LocalUserID(*email), port())
	return nil
}

// vapiSim runs the simulator alone.
func vapiSim(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("vapi-sim", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:3100", "listen address")
	key := fs.String("key", vapisim.DefaultAPIKey, "the API key it accepts")
	webhook := fs.String("webhook", "", "default server URL for calls that name none")
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Printf("Vapi simulator on http://%s (API key %q)\n", *addr, *key)
	return vapisim.ListenAndServe(ctx, *addr, vapisim.Config{APIKey: *key, WebhookURL: *webhook, Scale: simScale()})
}

// migrate applies the migrations to DATABASE_URL (a local or test database;
// deploy to Supabase with `supabase db push`).
func migrate(ctx context.Context) error {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		return errors.New("set DATABASE_URL")
	}
	pool, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	n, err := db.MigrateLocal(ctx, pool)
	if err != nil {
		return err
	}
	fmt.Printf("applied %d migrations\n", n)
	return nil
}
