// Package authserver runs Supabase Auth (GoTrue, built from the vendored
// source) on loopback, configured like a hosted project, for tests and for
// the local runner's --auth supabase: the issuer is <URL>/auth/v1, the
// audience "authenticated", sign-up is off, and both the legacy HS256
// secret and an ES256 signing key are in the key set, so the JWKS is the
// real one. A small gateway in front plays Supabase's: it serves the Auth
// server under /auth/v1, answers CORS preflights and demands an API key
// where Supabase does. The functions under api/ never import this package.
package authserver

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/dev/freeport"
	"github.com/autolynx/autolynx/lib/db"
)

// Options configure a Server.
type Options struct {
	Build Build
	// DatabaseURL is a superuser URL of the database that gets the auth
	// schema, already migrated with our own migrations (lib/db), as on a
	// Supabase project where both live in one database.
	DatabaseURL string
	// SiteURL is where sign-in links land (the dashboard); redirects to
	// any path under it are allowed.
	SiteURL string
	// Keys is the initial key set; zero means the legacy secret (verify
	// only) plus a fresh ES256 signing key, as a project that has moved to
	// signing keys and not yet revoked the secret.
	Keys Keys
	// Log receives the Auth server's own log; nil discards it.
	Log io.Writer
	// Addr is the gateway's listen address; "" picks a free loopback port.
	Addr string
}

// Server is a running Auth server behind its gateway.
type Server struct {
	// URL is the project URL (SUPABASE_URL); the Auth API is URL/auth/v1.
	URL string
	// JWTSecret is the legacy HS256 secret (SUPABASE_JWT_SECRET).
	JWTSecret string
	// AnonKey and ServiceRoleKey are the project's legacy API keys.
	AnonKey        string
	ServiceRoleKey string
	// Legacy is JWTSecret as a key of the set.
	Legacy Key

	opts     Options
	authDB   string
	gateway  *http.Server
	upstream atomic.Pointer[url.URL]

	mu   sync.Mutex
	proc *process
	keys Keys
}

// Start migrates the auth schema and serves the Auth server until Close.
func Start(ctx context.Context, opts Options) (*Server, error) {
	secret := randomHex(24) // 48 characters, above Supabase's 32
	s := &Server{JWTSecret: secret, Legacy: LegacyKey(secret), opts: opts}
	var err error
	if s.AnonKey, err = apiKey(secret, "anon"); err != nil {
		return nil, err
	}
	if s.ServiceRoleKey, err = apiKey(secret, "service_role"); err != nil {
		return nil, err
	}
	if s.opts.Keys.Signing.ID == "" {
		es, err := NewES256Key("es256-" + randomHex(4))
		if err != nil {
			return nil, err
		}
		s.opts.Keys = Keys{Signing: es, Others: []Key{s.Legacy}}
	}
	if s.authDB, err = prepareDatabase(ctx, opts.DatabaseURL); err != nil {
		return nil, err
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("auth gateway: %w", err)
	}
	s.URL = "http://" + ln.Addr().String()
	s.gateway = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.gateway.Serve(ln) }()
	if err := s.migrate(ctx); err != nil {
		s.gateway.Close()
		return nil, err
	}
	if err := s.SetKeys(ctx, s.opts.Keys); err != nil {
		s.gateway.Close()
		return nil, err
	}
	return s, nil
}

// Keys returns the key set the server runs with.
func (s *Server) Keys() Keys {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys
}

// SetKeys changes the key set the way a project's keys change on
// Supabase: without the project URL changing. A new server process starts
// with the new set; once it answers, the gateway sends requests to it and
// the old one stops. Sessions live in the database, so they survive.
func (s *Server) SetKeys(ctx context.Context, keys Keys) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	proc, addr, err := s.serve(ctx, keys)
	if err != nil {
		return err
	}
	s.upstream.Store(&url.URL{Scheme: "http", Host: addr})
	stop(s.proc)
	s.proc, s.keys = proc, keys
	return nil
}

// Close stops the Auth server and its gateway.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	stop(s.proc)
	s.proc = nil
	return s.gateway.Close()
}

// prepareDatabase gives the database what Supabase provisions for its
// Auth server: the auth schema and the supabase_auth_admin login role
// (superuser here, which is simplest for a throwaway server) whose
// search_path is auth. It returns the URL to connect as that role.
func prepareDatabase(ctx context.Context, admin string) (string, error) {
	u, err := url.Parse(admin)
	if err != nil {
		return "", fmt.Errorf("auth database: %w", err)
	}
	// Roles belong to the whole server, and advisory locks to one
	// database: create the role from one shared database so that servers
	// starting side by side (parallel tests) take turns.
	shared := *u
	shared.Path = "/postgres"
	if err := execSQL(ctx, shared.String(), `
		select pg_advisory_xact_lock(`+strconv.FormatInt(db.AuthRoleLock, 10)+`);
		do $$ begin
		  if not exists (select 1 from pg_roles where rolname = 'supabase_auth_admin') then
		    create role supabase_auth_admin login superuser;
		    alter role supabase_auth_admin set search_path = auth;
		  end if;
		end $$`); err != nil {
		return "", err
	}
	if err := execSQL(ctx, admin, `create schema if not exists auth`); err != nil {
		return "", err
	}
	u.User = url.User("supabase_auth_admin")
	q := u.Query()
	q.Del("default_query_exec_mode") // a pgx setting the Auth server's driver does not know
	q.Del("pool_max_conns")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// execSQL runs sql in one transaction on the database at dbURL.
func execSQL(ctx context.Context, dbURL, sql string) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return fmt.Errorf("auth database: %w", err)
	}
	defer conn.Close(ctx)
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, sql)
		return err
	})
	if err != nil {
		return fmt.Errorf("auth database: %w", err)
	}
	return nil
}

func (s *Server) migrate(ctx context.Context) error {
	env, err := s.env(s.opts.Keys, 0)
	if err != nil {
		return err
	}
	var out strings.Builder
	cmd := exec.CommandContext(ctx, s.opts.Build.Bin, "migrate")
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("auth server migrate: %w: %s", err, tail(out.String()))
	}
	return nil
}

// env is the whole environment of the Auth server: nothing is inherited,
// so the caller's DATABASE_URL or GOTRUE_* can never leak in.
func (s *Server) env(keys Keys, port int) ([]string, error) {
	set, err := keys.env()
	if err != nil {
		return nil, err
	}
	api := s.URL + "/auth/v1"
	site := strings.TrimRight(s.opts.SiteURL, "/")
	if site == "" {
		site = s.URL
	}
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"GOTRUE_DB_DRIVER=postgres",
		"DATABASE_URL=" + s.authDB,
		"GOTRUE_DB_MIGRATIONS_PATH=" + s.opts.Build.Migrations,
		"GOTRUE_API_HOST=127.0.0.1",
		"PORT=" + strconv.Itoa(port),
		"API_EXTERNAL_URL=" + api,
		"GOTRUE_SITE_URL=" + site,
		"GOTRUE_URI_ALLOW_LIST=" + site + "/**",
		"GOTRUE_JWT_SECRET=" + s.JWTSecret,
		"GOTRUE_JWT_KEYS=" + set,
		"GOTRUE_JWT_ISSUER=" + api,
		"GOTRUE_JWT_AUD=authenticated",
		"GOTRUE_JWT_DEFAULT_GROUP_NAME=authenticated",
		"GOTRUE_JWT_ADMIN_ROLES=service_role",
		"GOTRUE_JWT_EXP=3600",
		"GOTRUE_DISABLE_SIGNUP=true",
		"GOTRUE_EXTERNAL_EMAIL_ENABLED=true",
		"GOTRUE_MAILER_AUTOCONFIRM=false",
		// No mail server: invites and links are "sent" to nowhere, and
		// generate_link hands out what the mail would have carried.
		"GOTRUE_RATE_LIMIT_EMAIL_SENT=10000",
		// Paths of the links in emails, relative to the external host: the
		// gateway's prefix included, as Supabase configures them.
		"GOTRUE_MAILER_URLPATHS_INVITE=/auth/v1/verify",
		"GOTRUE_MAILER_URLPATHS_CONFIRMATION=/auth/v1/verify",
		"GOTRUE_MAILER_URLPATHS_RECOVERY=/auth/v1/verify",
		"GOTRUE_MAILER_URLPATHS_EMAIL_CHANGE=/auth/v1/verify",
		"GOTRUE_LOG_LEVEL=info",
	}, nil
}

// process is one running Auth server.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

// serve starts an Auth server process with keys and waits until it
// answers; it returns the process and its address.
func (s *Server) serve(ctx context.Context, keys Keys) (*process, string, error) {
	port, err := freeport.Find(1)
	if err != nil {
		return nil, "", err
	}
	env, err := s.env(keys, port)
	if err != nil {
		return nil, "", err
	}
	cmd := exec.Command(s.opts.Build.Bin, "serve")
	out := &tailBuffer{w: s.opts.Log}
	cmd.Env, cmd.Stdout, cmd.Stderr = env, out, out
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("start auth server: %w", err)
	}
	p := &process{cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, addr, nil
			}
		}
		select {
		case <-p.exited:
			return nil, "", fmt.Errorf("auth server exited: %s", tail(out.String()))
		case <-ctx.Done():
			stop(p)
			return nil, "", ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop(p)
			return nil, "", fmt.Errorf("auth server did not answer within 30 s: %s", tail(out.String()))
		}
	}
}

// stop ends an Auth server process: politely, then for good.
func stop(p *process) {
	if p == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// ServeHTTP is the gateway: /auth/v1/* goes to the Auth server, like on
// Supabase; anything else is not found.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/auth/v1")
	if !ok || (rest != "" && rest[0] != '/') {
		gatewayError(w, http.StatusNotFound, "no Route matched with those values")
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "X-Total-Count, Link, X-Supabase-Api-Version")
	if r.Method == http.MethodOptions {
		h.Set("Access-Control-Allow-Methods", "GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS")
		h.Set("Access-Control-Allow-Headers", r.Header.Get("Access-Control-Request-Headers"))
		h.Set("Access-Control-Max-Age", "3600")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if !openPath(rest) && !s.knownAPIKey(r) {
		gatewayError(w, http.StatusUnauthorized, "No API key found in request")
		return
	}
	up := s.upstream.Load()
	if up == nil {
		gatewayError(w, http.StatusServiceUnavailable, "the Auth server is starting")
		return
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(up)
			pr.Out.URL.Path, pr.Out.URL.RawPath = rest, ""
			pr.Out.Header.Del("Origin") // CORS is the gateway's job, as on Supabase
			pr.SetXForwarded()
		},
		ErrorLog: log.New(logTo(s.opts.Log), "auth gateway: ", 0),
		ModifyResponse: func(resp *http.Response) error {
			resp.Header.Del("Access-Control-Allow-Origin")
			resp.Header.Del("Access-Control-Allow-Credentials")
			return nil
		},
	}
	proxy.ServeHTTP(w, r)
}

// openPath reports the Auth routes Supabase's gateway serves without an
// API key: the links in emails (opened by a browser) and the JWKS.
func openPath(p string) bool {
	switch p {
	case "/verify", "/callback", "/authorize", "/.well-known/jwks.json":
		return true
	}
	return false
}

func (s *Server) knownAPIKey(r *http.Request) bool {
	k := r.Header.Get("apikey")
	if k == "" {
		k = r.URL.Query().Get("apikey")
	}
	return subtle.ConstantTimeCompare([]byte(k), []byte(s.AnonKey)) == 1 ||
		subtle.ConstantTimeCompare([]byte(k), []byte(s.ServiceRoleKey)) == 1
}

func gatewayError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"message":%q}`, msg)
}

func logTo(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// tailBuffer keeps the last few KB of a process's output (for errors) and
// copies everything to w.
type tailBuffer struct {
	w   io.Writer
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 8<<10 {
		t.buf = t.buf[len(t.buf)-8<<10:]
	}
	if t.w != nil {
		_, _ = t.w.Write(p)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

func tail(s string) string {
	if len(s) > 2000 {
		s = s[len(s)-2000:]
	}
	return strings.TrimSpace(s)
}
