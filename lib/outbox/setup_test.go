package outbox_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/dev/campaigntest"
	"github.com/autolynx/autolynx/dev/teamsystem"
	"github.com/autolynx/autolynx/lib/outbox"
)

// newReceiver is the team's system: answer decides each reply (nil: 200),
// teamsystem.Hold holds one past the dispatcher's timeout.
func newReceiver(t testing.TB, answer func(n int) int) *teamsystem.Receiver {
	return teamsystem.Start(t, answer, 300*time.Millisecond)
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
func (e env) destination(t *testing.T, rc *teamsystem.Receiver, events ...string) uuid.UUID {
	t.Helper()
	name, url := "CRM", rc.URL
	dst, secret, err := outbox.Create(e.ctx, e.Pool, outbox.URLPolicy{Local: true},
		outbox.Input{Name: &name, URL: &url, Events: &events}, uuid.Nil, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	rc.SetSecret(secret)
	rc.SetClock(e.clock.Now)
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
