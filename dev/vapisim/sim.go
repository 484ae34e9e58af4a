package vapisim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Defaults for Config's zero fields.
const (
	DefaultAPIKey           = "vapisim-key"
	DefaultConcurrencyLimit = 10
	DefaultScale            = 0.02
)

// Config describes a simulator; zero fields take the defaults above.
type Config struct {
	// APIKey is the only bearer token accepted.
	APIKey string
	// WebhookURL receives server messages for calls whose overrides and
	// assistant name no server URL (like Vapi's org-level server URL).
	WebhookURL string
	// ConcurrencyLimit is the account's concurrent call slots.
	ConcurrencyLimit int
	// Scale is real seconds per simulated second.
	Scale float64
	// Seed makes outcomes, timings, costs and faults reproducible.
	Seed uint64
	// Mix weighs the outcomes of placed calls; zero means DefaultMix.
	Mix Mix
	// Faults is the initial fault injection (see SetFaults).
	Faults Faults
	// Credentials are the account's Bearer credentials, token by id, for
	// servers that name a credentialId.
	Credentials map[string]string
	// Now reads the clock for timestamps.
	Now func() time.Time
	// CreateLatency delays every POST /call answer by this much real time
	// (not scaled), like Vapi's own call set-up: benchmarks measure how
	// launches overlap it.
	CreateLatency time.Duration
	// Answers scripts the structured outputs of some numbers' calls.
	Answers Answers
}

// Sim is a running simulator. Create it with New (a bare handler) or Start
// (served on a loopback port) and stop it with Close.
type Sim struct {
	cfg    Config
	mux    *http.ServeMux
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	hooks  *http.Client
	sem    chan struct{} // bounds concurrent webhook POSTs
	once   sync.Once

	mu         sync.Mutex
	closed     bool
	calls      map[string]*call
	assistants map[string]map[string]any
	dials      map[string]uint64 // dial attempts per customer number, for seeding
	faults     Faults
	faultRand  *rand.Rand
	resume     chan struct{} // non-nil while webhooks are paused
	stats      Stats

	srv *http.Server
	url string
}

// New builds a simulator that serves through ServeHTTP.
func New(cfg Config) *Sim {
	if cfg.APIKey == "" {
		cfg.APIKey = DefaultAPIKey
	}
	if cfg.ConcurrencyLimit <= 0 {
		cfg.ConcurrencyLimit = DefaultConcurrencyLimit
	}
	if cfg.Scale <= 0 {
		cfg.Scale = DefaultScale
	}
	if cfg.Mix == (Mix{}) {
		cfg.Mix = DefaultMix
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Sim{
		cfg:        cfg,
		ctx:        ctx,
		cancel:     cancel,
		hooks:      &http.Client{Timeout: 10 * time.Second},
		sem:        make(chan struct{}, 32),
		calls:      map[string]*call{},
		assistants: map[string]map[string]any{},
		dials:      map[string]uint64{},
		faults:     cfg.Faults,
		faultRand:  rand.New(rand.NewPCG(cfg.Seed, 0x5eed)),
		stats:      Stats{ByCustomer: map[string]int{}, ByPhoneNumber: map[string]int{}, Sent: map[string]int{}},
	}
	s.routes()
	return s
}

// Start builds a simulator and serves it on a free loopback port; URL tells
// where.
func Start(cfg Config) (*Sim, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen loopback: %w", err)
	}
	s := New(cfg)
	s.serve(ln)
	return s, nil
}

// ListenAndServe runs a simulator on addr until ctx ends, then closes it.
func ListenAndServe(ctx context.Context, addr string, cfg Config) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	s := New(cfg)
	s.serve(ln)
	<-ctx.Done()
	return s.Close()
}

func (s *Sim) serve(ln net.Listener) {
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	s.url = "http://" + ln.Addr().String()
	s.wg.Go(func() { _ = s.srv.Serve(ln) })
}

// URL is the base URL when the simulator was started with Start.
func (s *Sim) URL() string { return s.url }

// APIKey is the bearer token the simulator accepts.
func (s *Sim) APIKey() string { return s.cfg.APIKey }

// Close stops serving, ends every lifecycle and webhook delivery, and waits
// for their goroutines.
func (s *Sim) Close() error {
	var err error
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.cancel()
		if s.srv != nil {
			err = s.srv.Close()
		}
		s.wg.Wait()
	})
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("close simulator: %w", err)
	}
	return nil
}

// ServeHTTP answers Vapi API requests.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/storage/") {
		s.serveStorage(w, r) // presigned URLs carry their own authorization
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.cfg.APIKey {
		writeError(w, http.StatusUnauthorized, "Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.")
		return
	}
	if d := s.Faults().Latency; d > 0 && !s.pause(r.Context(), d) {
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Sim) routes() {
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("POST /call", s.createCall)
	s.mux.HandleFunc("GET /call", s.listCalls)
	s.mux.HandleFunc("GET /call/{id}", s.getCall)
	s.mux.HandleFunc("GET /call/{id}/{channel}", s.downloadRecording)
	s.mux.HandleFunc("POST /assistant", s.createAssistant)
	s.mux.HandleFunc("GET /assistant", s.listAssistants)
	s.mux.HandleFunc("GET /assistant/{id}", s.getAssistant)
	s.mux.HandleFunc("PATCH /assistant/{id}", s.updateAssistant)
	s.mux.HandleFunc("DELETE /assistant/{id}", s.deleteAssistant)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("Cannot %s %s", r.Method, r.URL.Path))
	})
}

// pause waits d unless ctx or the simulator ends first; it reports whether
// the wait completed.
func (s *Sim) pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-s.ctx.Done():
	}
	return false
}

// maxBody bounds request bodies.
const maxBody = 1 << 20

// decodeObject reads a JSON object body, answering 400 itself on failure.
func decodeObject(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	var body map[string]any
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil || body == nil {
		writeError(w, http.StatusBadRequest, "Body must be a JSON object")
		return nil, false
	}
	return body, true
}

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers NestJS's error shape; msg is a string or []string.
func writeError(w http.ResponseWriter, status int, msg any) {
	writeJSON(w, status, map[string]any{"message": msg, "error": http.StatusText(status), "statusCode": status})
}

// now reads the clock at Vapi's precision: JavaScript dates hold
// milliseconds.
func (s *Sim) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Millisecond) }
