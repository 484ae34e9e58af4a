// Package callstate is the single place that decides how a call's state
// may move: it maps Vapi's statuses and ended reasons to ours and applies
// an observation (a webhook, or Vapi's answer to a lookup) to the call row
// monotonically, so duplicated, late or reordered news can never move a
// call backwards or lose an outcome. It is also the only code that moves a
// call's status: Launched records Vapi's answer to a launch, End is how
// AutoLynx ends a call itself (timeouts, refusals, a manual mark), and a
// replay of the event log goes through the same functions. (The tick's
// claim creates a call as PENDING and deletes an unlaunched one it
// releases; the recovery tool's repair copies the status its replay
// through this package computed, forward only.)
package callstate

import (
	"slices"
	"time"

	"github.com/autolynx/autolynx/lib/db"
)

// Call statuses.
const (
	Pending    = "PENDING"
	Queued     = "QUEUED"
	Ringing    = "RINGING"
	InProgress = "IN_PROGRESS"
	Ended      = "ENDED"
	Failed     = "FAILED"
	Canceled   = "CANCELED"
	Timeout    = "TIMEOUT"
)

// The two sets of call statuses, each written here only: the ranks, the
// predicates below and the SQL lists are all made from them.
var (
	// live are the statuses of a call that occupies a line, in the order
	// a call moves through them.
	live = []string{Pending, Queued, Ringing, InProgress}
	// final are the statuses nothing moves a call out of (but for
	// TIMEOUT yielding to the real outcome; see Allowed).
	final = []string{Ended, Failed, Canceled, Timeout}
)

// SQL lists of the sets, for `status in ` + LiveSQL. On calls, a query
// asks for live calls by the generated column live (`status in ` +
// LiveSQL), as calls_live_idx's predicate does: no index names a call's
// status, so the news of a live call is a HOT update (migration
// 20261207700050).
var (
	// LiveSQL is ('PENDING', 'QUEUED', 'RINGING', 'IN_PROGRESS').
	LiveSQL = db.InList(live...)
	// LaunchedSQL is the live statuses of a call Vapi has taken: all but
	// PENDING.
	LaunchedSQL = db.InList(live[1:]...)
	// FinalSQL is ('ENDED', 'FAILED', 'CANCELED', 'TIMEOUT').
	FinalSQL = db.InList(final...)
)

// rank orders the statuses: the live ones as a call moves, every final
// one after them, all equal.
var rank = func() map[string]int {
	r := map[string]int{}
	for i, s := range live {
		r[s] = i
	}
	for _, s := range final {
		r[s] = len(live)
	}
	return r
}()

// Statuses lists every call status, live ones first.
func Statuses() []string { return append(slices.Clip(live), final...) }

// Terminal reports whether s is a final status.
func Terminal(s string) bool { r, ok := rank[s]; return ok && r == len(live) }

// MaxCallAge bounds how long Vapi can keep a call live (its maximum
// maxDurationSeconds is 12 hours); a call "live" for longer is stuck.
const MaxCallAge = 12 * time.Hour

// Live reports whether a call in s occupies a line.
func Live(s string) bool { _, ok := rank[s]; return ok && !Terminal(s) }

// Allowed reports whether a call may move from old to next: forward only,
// and never out of a final state, except that our own TIMEOUT verdict
// yields to the provider's real outcome when it arrives late.
func Allowed(old, next string) bool {
	if next == "" || next == old {
		return false
	}
	if old == Timeout {
		return Terminal(next)
	}
	return rank[next] > rank[old]
}

// FromVapi maps Vapi's call status (and, once ended, its endedReason) to
// ours. It returns "" for statuses that say nothing about progress.
func FromVapi(status, endedReason string) string {
	switch status {
	case "scheduled", "queued":
		return Queued
	case "ringing":
		return Ringing
	case "in-progress", "forwarding":
		// Forwarding still holds the line.
		return InProgress
	case "ended":
		return endedStatus(endedReason)
	}
	return ""
}

func endedStatus(reason string) string {
	switch Disposition(reason) {
	case "canceled":
		return Canceled
	case "failed":
		return Failed
	}
	return Ended
}
