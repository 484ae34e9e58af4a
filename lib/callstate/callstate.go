// Package callstate is the single place that decides how a call's state
// may move: it maps Vapi's statuses and ended reasons to ours and applies
// an observation (a webhook, or Vapi's answer to a lookup) to the call row
// monotonically, so duplicated, late or reordered news can never move a
// call backwards or lose an outcome.
package callstate

import "strings"

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

// Disposition sorts an endedReason into the outcome operators care about:
// answered, no-answer, busy, voicemail, failed, canceled, or unknown (the
// reason itself is always kept verbatim; Vapi adds reasons often).
func Disposition(reason string) string {
	switch {
	case reason == "":
		return ""
	case reason == "customer-did-not-answer", strings.Contains(reason, "sip-408"),
		strings.Contains(reason, "sip-480"), strings.Contains(reason, "no-answer"):
		return "no-answer"
	case reason == "customer-busy", strings.Contains(reason, "sip-486"), strings.Contains(reason, "busy"):
		return "busy"
	case reason == "voicemail":
		return "voicemail"
	case reason == "manually-canceled", reason == "scheduled-call-deleted", reason == "call-deleted":
		return "canceled"
	case strings.Contains(reason, "error"), strings.Contains(reason, "fault"),
		strings.Contains(reason, "failed"), strings.Contains(reason, "misdialed"),
		strings.Contains(reason, "rejected"), strings.Contains(reason, "not-found"),
		strings.Contains(reason, "not-valid"), reason == "worker-shutdown",
		reason == "phone-call-provider-closed-websocket", reason == "vonage-disconnected":
		return "failed"
	case strings.HasPrefix(reason, "customer-ended-call"), strings.HasPrefix(reason, "assistant-"),
		reason == "exceeded-max-duration", reason == "silence-timed-out", reason == "vonage-completed":
		return "answered"
	}
	return "unknown"
}
