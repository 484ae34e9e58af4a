package outbox_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/dev/campaigntest"
	"github.com/autolynx/autolynx/lib/outbox"
)

// receiver is a destination's server: it verifies every signature and
// counts deliveries by webhook-id; answer decides each reply.
type receiver struct {
	*httptest.Server
	t      testing.TB
	secret atomic.Value // string
	mu     sync.Mutex
	byID   map[string]int
	bodies map[string]string
	types  map[string]string
	total  int
	answer func(n int) int
}

func newReceiver(t testing.TB, answer func(n int) int) *receiver {
	rc := &receiver{t: t, byID: map[string]int{}, bodies: map[string]string{}, types: map[string]string{}, answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id := r.Header.Get(outbox.HeaderID)
	secret, _ := rc.secret.Load().(string)
	if !outbox.Verify(secret, id, r.Header.Get(outbox.HeaderTimestamp), body, r.Header.Get(outbox.HeaderSignature)) {
		rc.t.Errorf("delivery %s: signature does not verify", id)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	rc.mu.Lock()
	rc.total++
	n := rc.total
	if prev, ok := rc.bodies[id]; ok && prev != string(body) {
		rc.t.Errorf("delivery %s: body changed between attempts", id)
	}
	rc.bodies[id] = string(body)
	rc.mu.Unlock()
	code := http.StatusOK
	if rc.answer != nil {
		code = rc.answer(n)
	}
	if code == 0 { // stall past the client's timeout
		time.Sleep(300 * time.Millisecond)
		code = http.StatusOK
	}
	if code < 300 {
		rc.mu.Lock()
		rc.byID[id]++
		rc.mu.Unlock()
	}
	w.WriteHeader(code)
	_, _ = io.WriteString(w, "ok from the receiver")
}

// accepted is how many times each id was accepted.
func (rc *receiver) accepted() map[string]int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := map[string]int{}
	for k, v := range rc.byID {
		out[k] = v
	}
	return out
}

// clock is a settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

type env struct {
	campaigntest.Fixture
	ctx   context.Context
	clock *clock
	d     *outbox.Dispatcher
}

func setup(t *testing.T) env {
	t.Helper()
	f := campaigntest.Setup(t)
	c := &clock{t: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	d := outbox.NewDispatcher(f.Pool, outbox.URLPolicy{Local: true}, c.Now, nil)
	d.Timeout = 150 * time.Millisecond
	return env{Fixture: f, ctx: context.Background(), clock: c, d: d}
}

// destination adds one subscribed to events, pointing at rc.
func (e env) destination(t *testing.T, rc *receiver, events ...string) uuid.UUID {
	t.Helper()
	name, url := "CRM", rc.URL
	dst, secret, err := outbox.Create(e.ctx, e.Pool, outbox.URLPolicy{Local: true},
		outbox.Input{Name: &name, URL: &url, Events: &events}, uuid.Nil, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	rc.secret.Store(secret)
	return dst.ID
}

// optOut lists n numbers as opt-outs: each is one contact.opted_out event.
func (e env) optOut(t *testing.T, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		if _, err := e.Pool.Exec(e.ctx, `insert into dnc (phone, source, reason) values ($1, 'opt-out', 'asked')`,
			campaigntest.Phone(i)); err != nil {
			t.Fatal(err)
		}
	}
}
