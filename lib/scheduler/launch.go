package scheduler

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/campaign"
)

// MaxParallelLaunches bounds the POST /call requests one tick has in
// flight. Claims stay one at a time under the account lock, so the caps
// are decided before any dial and parallel dialing cannot exceed them;
// only the wait on Vapi overlaps. A create takes about 300 ms, so 50 in
// flight launch about 160 calls a second: 1,000 in some 6 s, far inside
// the tick's deadline. The account cap bounds it further in practice
// (every create in flight holds a claimed slot), and more would mean more
// sockets from one serverless instance and more requests already sent when
// Vapi starts refusing (a 429 stops only the dials not yet begun).
const MaxParallelLaunches = 50

// launchShare is the part of the tick's remaining time in which dials may
// begin: the rest (10 s of the 40 s Deadline) lets the last ones have
// their CreateCallTimeout (6 s) and their record written before the tick
// ends. Claims not dialed by then are released. A share, not a fixed
// margin, because a tick run at Start has only 10 s.
const launchShare = 0.75

// job is one claimed contact to dial.
type job struct {
	t target
	c claimed
}

// launcher dials claimed contacts with bounded parallelism and applies
// each verdict to the rest of the tick: a back-off stops every dial not yet
// begun, account-wide; a failed or paused campaign stops its own.
type launcher struct {
	s      *Scheduler
	ctx    context.Context
	stopAt time.Time
	jobs   chan job
	wg     sync.WaitGroup

	mu       sync.Mutex
	sum      *Summary
	backOff  string               // why the account backs off this tick, "" while it does not
	halted   map[uuid.UUID]string // why a campaign stopped this tick
	launched map[uuid.UUID]int
}

func (s *Scheduler) startLauncher(ctx context.Context, sum *Summary) *launcher {
	deadline, _ := ctx.Deadline()
	budget := time.Until(deadline)
	l := &launcher{
		s: s, ctx: ctx, stopAt: time.Now().Add(time.Duration(float64(budget) * launchShare)), sum: sum,
		// Unbuffered: a claim is handed over only when a dialer is free,
		// so claims do not run ahead of the dials and hold slots idle.
		jobs:   make(chan job),
		halted: map[uuid.UUID]string{}, launched: map[uuid.UUID]int{},
	}
	for range MaxParallelLaunches {
		l.wg.Go(l.work)
	}
	return l
}

// dialAll hands a campaign's claims to the dialers.
func (l *launcher) dialAll(t target, claims []claimed) {
	for _, c := range claims {
		l.jobs <- job{t, c}
	}
}

// stopped reports why no more claims should be made this tick ("" if
// they may).
func (l *launcher) stopped() string {
	if l.ctx.Err() != nil || !time.Now().Before(l.stopAt) {
		return "tick deadline reached"
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.backOff
}

// finish waits for every dial and returns how many calls each campaign
// launched.
func (l *launcher) finish() map[uuid.UUID]int {
	close(l.jobs)
	l.wg.Wait()
	return l.launched
}

func (l *launcher) work() {
	for j := range l.jobs {
		if why := l.skip(j.t.ID); why != "" {
			l.s.release(l.ctx, j.c, "not dialed this tick: "+why)
			continue
		}
		v, reason := l.s.dial(l.ctx, j.t, j.c, l.count)
		l.settle(j.t, v, reason)
	}
}

// skip says why a claim must not be dialed now ("" if it may).
func (l *launcher) skip(id uuid.UUID) string {
	if why := l.stopped(); why != "" {
		return why
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.halted[id]
}

// count applies f to the tick's summary.
func (l *launcher) count(f func(*Summary)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f(l.sum)
}

// settle applies one dial's verdict. A campaign that failed or paused is
// marked so once, however many of its dials meet the refusal.
func (l *launcher) settle(t target, v verdict, reason string) {
	l.mu.Lock()
	switch v {
	case launched:
		l.launched[t.ID]++
		l.sum.Launched++
	case backOff:
		if l.backOff == "" {
			l.backOff = reason
		}
	}
	first := false
	if v == campaignFailed || v == campaignPaused {
		_, seen := l.halted[t.ID]
		first = !seen
		l.halted[t.ID] = reason
	}
	l.mu.Unlock()
	if !first {
		return
	}
	ctx, s, now := l.ctx, l.s, l.s.Now()
	if v == campaignFailed {
		if err := campaign.Fail(ctx, s.DB, t.ID, reason, now); err != nil {
			s.Log.Error("fail campaign", "campaign", t.ID, "err", err)
		}
		return
	}
	// Every campaign of the account meets the same refusal on its next
	// dial and pauses in turn.
	if err := campaign.PauseForVapi(ctx, s.DB, t.ID, uuid.Nil, reason, now); err != nil {
		s.Log.Error("pause campaign", "campaign", t.ID, "err", err)
	}
}
