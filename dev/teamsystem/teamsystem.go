// Package teamsystem is a stand-in, in tests, for the team's own system
// that AutoLynx's outbox delivers events to: a loopback HTTP server that
// verifies every Standard Webhooks signature and timestamp as a receiver
// must, de-duplicates by webhook-id, and fails on purpose (error answers, or
// answers held past the sender's timeout) as real receivers do.
package teamsystem

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/autolynx/autolynx/lib/outbox"
)

// Tolerance is how far a delivery's webhook-timestamp may be from the
// receiver's clock: the specification tells receivers to refuse one
// further off (a replayed request), so the sender must stamp each
// attempt when it sends it.
const Tolerance = 5 * time.Minute

// Hold, as an answer, takes the event but answers 200 only after the
// receiver's hold time (longer than the sender waits), so the sender
// must send it again and the receiver sees it twice.
const Hold = 0

// Receiver is one running stand-in.
type Receiver struct {
	*httptest.Server
	t    testing.TB
	hold time.Duration
	// answer gives the status of the n-th request (from 1); nil is 200.
	answer func(n int) int
	done   chan struct{}

	mu       sync.Mutex
	secret   string
	now      func() time.Time
	requests int
	taken    map[string]int    // by webhook-id: how often taken
	bodies   map[string][]byte // by webhook-id: the first body taken
	held     int
	refused  int
}

// Start runs a receiver until the test ends. answer decides each reply
// by the request's number (Hold holds it for hold); nil answers 200.
func Start(t testing.TB, answer func(n int) int, hold time.Duration) *Receiver {
	r := &Receiver{t: t, hold: hold, answer: answer, done: make(chan struct{}), now: time.Now,
		taken: map[string]int{}, bodies: map[string][]byte{}}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(func() { close(r.done); r.Close() })
	return r
}

// SetSecret is the destination's signing secret, as an admin copies it.
func (r *Receiver) SetSecret(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secret = s
}

// SetClock is the clock timestamps are checked against: the sender's,
// when it is a test's (time.Now until set).
func (r *Receiver) SetClock(now func() time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.now = now
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id := req.Header.Get(outbox.HeaderID)
	r.mu.Lock()
	r.requests++
	n, secret, now := r.requests, r.secret, r.now()
	r.mu.Unlock()
	if problem := refusal(req, body, secret, now); problem != "" {
		r.t.Errorf("delivery %s: %s", id, problem)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	code := http.StatusOK
	if r.answer != nil {
		code = r.answer(n)
	}
	if code >= 300 {
		r.mu.Lock()
		r.refused++
		r.mu.Unlock()
		w.WriteHeader(code)
		_, _ = io.WriteString(w, http.StatusText(code))
		return
	}
	r.mu.Lock()
	if prev, ok := r.bodies[id]; ok && string(prev) != string(body) {
		r.t.Errorf("delivery %s: the body changed between attempts", id)
	} else if !ok {
		r.bodies[id] = body
	}
	r.taken[id]++
	if code == Hold {
		r.held++
	}
	r.mu.Unlock()
	if code == Hold {
		select {
		case <-time.After(r.hold):
		case <-r.done:
		}
	}
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "ok")
}

// refusal is why a receiver refuses a delivery ("" when it does not):
// a signature that does not verify, or a timestamp more than Tolerance
// from now.
func refusal(req *http.Request, body []byte, secret string, now time.Time) string {
	id, stamp := req.Header.Get(outbox.HeaderID), req.Header.Get(outbox.HeaderTimestamp)
	if !outbox.Verify(secret, id, stamp, body, req.Header.Get(outbox.HeaderSignature)) {
		return "the signature does not verify"
	}
	ts, _ := strconv.ParseInt(stamp, 10, 64) // Verify parsed it
	if off := now.Sub(time.Unix(ts, 0)).Abs(); off > Tolerance {
		return fmt.Sprintf("the timestamp is %s off (more than %s)", off, Tolerance)
	}
	return ""
}

// Requests counts every request, signed or not, taken or not.
func (r *Receiver) Requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests
}

// Taken is how often each webhook-id was taken (a 2xx, or held).
func (r *Receiver) Taken() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.taken))
	for k, v := range r.taken {
		out[k] = v
	}
	return out
}

// Faults counts the requests held past the sender's timeout and those
// refused with an error status.
func (r *Receiver) Faults() (held, refused int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.held, r.refused
}

// Event is one distinct event taken, decoded.
type Event struct {
	ID   string          `json:"id"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
	Body string          `json:"-"`
}

// Events are the distinct events taken (after de-duplication by
// webhook-id), by type.
func (r *Receiver) Events() map[string][]Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string][]Event{}
	for id, b := range r.bodies {
		var ev Event
		if err := json.Unmarshal(b, &ev); err != nil || ev.ID != id {
			r.t.Errorf("delivery %s: body %s is not its event (%v)", id, b, err)
		}
		ev.Body = string(b)
		out[ev.Type] = append(out[ev.Type], ev)
	}
	return out
}
