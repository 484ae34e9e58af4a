package vapisim

import "maps"

// Stats counts what the simulator did, for assertions.
type Stats struct {
	// CallsCreated counts every call given an id, blocked ones included.
	CallsCreated int
	// ConcurrencyBlocked counts calls refused a slot by the account limit.
	ConcurrencyBlocked int
	// CreditRefusals counts calls refused for want of credits (ended at
	// start, or a 400 at POST /call).
	CreditRefusals int
	// Placed counts calls given a line (neither blocked nor refused).
	Placed int
	// ByCustomer counts placed (not blocked) calls per customer number, to
	// detect double dials.
	ByCustomer map[string]int
	// ByPhoneNumber counts placed calls per phoneNumberId.
	ByPhoneNumber map[string]int
	// Sent counts the server messages produced per type (only the types
	// each call's server subscribes to are produced).
	Sent map[string]int
	// Live is the number of placed calls not yet ended; PeakLive its maximum.
	Live     int
	PeakLive int
	// Running counts calls whose lifecycle has not produced its last
	// message yet (blocked calls included).
	Running int
	// PendingWebhooks counts messages produced but not yet delivered,
	// failed or dropped.
	PendingWebhooks int
	// WebhooksSent counts POSTs answered 2xx (each duplicate copy counts).
	WebhooksSent int
	// WebhooksFailed counts POSTs that failed or were answered non-2xx;
	// WebhookRetries the retries the calls' backoff plans made of them.
	WebhooksFailed int
	WebhookRetries int
	// WebhooksDropped counts messages the drop faults swallowed;
	// ReportsDropped the end-of-call reports among them.
	WebhooksDropped int
	ReportsDropped  int
	// RateLimited and ServerErrors count injected 429s and 500s (a silent
	// create counts as a 500).
	RateLimited  int
	ServerErrors int
	// AmbiguousCreates counts calls created whose answer was lost (silent
	// create, dropped or hung answer).
	AmbiguousCreates int
	// VoicemailsDetected counts placed calls that reached a voicemail
	// with detection on, VoicemailMessagesLeft those that left a message;
	// Screened counts calls a call-screening service answered.
	VoicemailsDetected    int
	VoicemailMessagesLeft int
	Screened              int
}

// Stats returns a snapshot of the counters.
func (s *Sim) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.ByCustomer = maps.Clone(s.stats.ByCustomer)
	st.ByPhoneNumber = maps.Clone(s.stats.ByPhoneNumber)
	st.Sent = maps.Clone(s.stats.Sent)
	return st
}

// count applies f to the counters under the lock.
func (s *Sim) count(f func(*Stats)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(&s.stats)
}
