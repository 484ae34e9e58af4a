// Package callstate is the single place that decides how a call's state
// may move: it maps Vapi's statuses and ended reasons to ours and applies
// an observation (a webhook, or Vapi's answer to a lookup) to the call row
// monotonically, so duplicated, late or reordered news can never move a
// call backwards or lose an outcome.
package callstate

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

var rank = map[string]int{Pending: 0, Queued: 1, Ringing: 2, InProgress: 3, Ended: 4, Failed: 4, Canceled: 4, Timeout: 4}

// Terminal reports whether s is a final status.
func Terminal(s string) bool { return rank[s] == 4 }

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
