package vapisim

import "time"

// Faults is the failure injection, changeable at runtime with SetFaults.
// Fractions are probabilities in [0,1]. For POST /call one draw picks at most
// one of RateLimited, ServerErrors, SilentCreates, DroppedAnswers and
// HungAnswers, in that order, so their sum should stay at or below 1.
type Faults struct {
	// RateLimited answers 429 with Retry-After and creates nothing.
	RateLimited float64
	// RetryAfter is the Retry-After sent with a 429 (whole seconds; default 1s).
	RetryAfter time.Duration
	// ServerErrors answers 500 and creates nothing.
	ServerErrors float64
	// SilentCreates creates the call but answers 500.
	SilentCreates float64
	// DroppedAnswers creates the call and resets the connection unanswered.
	DroppedAnswers float64
	// HungAnswers creates the call and never answers, until the client gives
	// up or the simulator closes.
	HungAnswers float64
	// Latency delays every API answer.
	Latency time.Duration

	// WebhookDrops is the fraction of server messages never delivered.
	WebhookDrops float64
	// WebhookDuplicates is the fraction of server messages delivered
	// WebhookCopies times (default 2).
	WebhookDuplicates float64
	WebhookCopies     int
	// WebhookReorders is the fraction of server messages held back and
	// delivered after the call's next message.
	WebhookReorders float64
	// ReportDrops is the fraction of end-of-call reports never delivered
	// (the call's status-updates are), like a report lost to a receiver
	// that was down for longer than the backoff plan.
	ReportDrops float64

	// OutOfCreditsAfter, when positive, is how many calls the account can
	// pay for: once that many have been placed, the account is out of
	// credits. Setting the faults again (without it) adds credits.
	// Assumption (Vapi documents the ended reason, not when it applies):
	// the refusal happens at call start, before any ringing, and is free.
	OutOfCreditsAfter int
	// OutOfCreditsAs400 refuses POST /call with a 400 naming the credits
	// instead of answering 201 and ending the call with
	// call.start.error-subscription-insufficient-credits. Vapi's wording of
	// such a 400 is undocumented; the simulator's is an assumption.
	OutOfCreditsAs400 bool
}

// createFault is what a POST /call draw decided.
type createFault int

const (
	faultNone createFault = iota
	faultRateLimited
	faultServerError
	faultSilentCreate
	faultDroppedAnswer
	faultHungAnswer
)

// ambiguous reports whether the fault creates the call but loses the answer.
func (f createFault) ambiguous() bool { return f >= faultSilentCreate }

// Faults returns the current fault injection.
func (s *Sim) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// SetFaults replaces the fault injection; it applies to requests and
// messages from now on.
func (s *Sim) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// PauseWebhooks holds every server message until ResumeWebhooks; calls keep
// progressing meanwhile.
func (s *Sim) PauseWebhooks() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.resume == nil {
		s.resume = make(chan struct{})
	}
}

// ResumeWebhooks delivers the held messages and lets new ones through.
func (s *Sim) ResumeWebhooks() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.resume != nil {
		close(s.resume)
		s.resume = nil
	}
}

// drawCreateFault picks the POST /call fault; the caller holds s.mu.
func (s *Sim) drawCreateFault() createFault {
	f := s.faults
	x := s.faultRand.Float64()
	for i, p := range []float64{f.RateLimited, f.ServerErrors, f.SilentCreates, f.DroppedAnswers, f.HungAnswers} {
		if x < p {
			return createFault(i + 1)
		}
		x -= p
	}
	return faultNone
}

// webhookFate is what happens to one server message.
type webhookFate struct {
	drop    bool
	copies  int
	reorder bool
}

// drawWebhookFate decides one message's delivery from the current faults.
func (s *Sim) drawWebhookFate(report bool) webhookFate {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults
	fate := webhookFate{copies: 1}
	fate.drop = s.faultRand.Float64() < f.WebhookDrops
	if report && f.ReportDrops > 0 && s.faultRand.Float64() < f.ReportDrops {
		fate.drop = true
		s.stats.ReportsDropped++
	}
	if s.faultRand.Float64() < f.WebhookDuplicates {
		fate.copies = max(f.WebhookCopies, 2)
	}
	fate.reorder = s.faultRand.Float64() < f.WebhookReorders
	return fate
}
