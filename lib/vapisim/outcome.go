package vapisim

import "math/rand/v2"

// Outcome is how a placed call turns out.
type Outcome string

// The outcomes of a placed call and the endedReason each ends with.
const (
	Answered  Outcome = "answered"  // customer-ended-call or assistant-ended-call
	NoAnswer  Outcome = "no-answer" // customer-did-not-answer
	Busy      Outcome = "busy"      // customer-busy
	Voicemail Outcome = "voicemail" // voicemail
	Failed    Outcome = "failed"    // twilio-failed-to-connect-call
)

// Ended reasons of calls refused at start: by the account's concurrency
// limit, or for want of credits.
const (
	reasonBlocked   = "call.start.error-subscription-concurrency-limit-reached"
	reasonNoCredits = "call.start.error-subscription-insufficient-credits"
)

// Mix weighs the outcomes; weights are relative and need not sum to 1.
type Mix struct {
	Answered, NoAnswer, Busy, Voicemail, Failed float64
}

// DefaultMix resembles a cold-calling list.
var DefaultMix = Mix{Answered: 0.55, NoAnswer: 0.2, Busy: 0.08, Voicemail: 0.12, Failed: 0.05}

// pick maps x in [0,1) onto the weighted outcomes.
func (m Mix) pick(x float64) Outcome {
	weights := []struct {
		o Outcome
		w float64
	}{{Answered, m.Answered}, {NoAnswer, m.NoAnswer}, {Busy, m.Busy}, {Voicemail, m.Voicemail}, {Failed, m.Failed}}
	total := 0.0
	for _, w := range weights {
		total += max(w.w, 0)
	}
	x *= total
	for _, w := range weights {
		if x < max(w.w, 0) {
			return w.o
		}
		x -= max(w.w, 0)
	}
	return Answered
}

// plan is a call's script, drawn once at creation. Durations are in
// simulated seconds.
type plan struct {
	// refused is the ended reason of a call refused at start ("" for a
	// placed call).
	refused string
	outcome Outcome
	reason  string
	queued  float64 // queued → ringing (or → ended for failed calls)
	ringing float64 // ringing → in-progress or ended
	talk    float64 // in-progress → ended; billed
	post    float64 // ended → end-of-call-report (analysis)
	rate    float64 // USD per minute
	success bool
	reply   int // which opening line the customer says
}

func between(rng *rand.Rand, lo, hi float64) float64 { return lo + rng.Float64()*(hi-lo) }

// newPlan draws a call's script. It draws the same number of values for
// every outcome so one call's randomness never shifts another's.
func newPlan(rng *rand.Rand, mix Mix, refused string) plan {
	p := plan{
		outcome: mix.pick(rng.Float64()),
		queued:  between(rng, 1, 3),
		post:    between(rng, 1, 4),
		rate:    between(rng, 0.05, 0.15),
		success: rng.Float64() < 0.4,
		reply:   rng.IntN(len(openers)),
	}
	assistantEnds := rng.Float64() < 0.5
	ring, talk := rng.Float64(), rng.Float64()
	switch p.outcome {
	case Answered:
		p.reason = "customer-ended-call"
		if assistantEnds {
			p.reason = "assistant-ended-call"
		}
		p.ringing, p.talk = 4+ring*11, 30+talk*210
	case NoAnswer:
		p.reason, p.ringing = "customer-did-not-answer", 25+ring*15
	case Busy:
		p.reason, p.ringing = "customer-busy", 1+ring*3
	case Voicemail:
		p.reason, p.ringing, p.talk = "voicemail", 15+ring*10, 8+talk*12
	case Failed:
		p.reason = "twilio-failed-to-connect-call"
	}
	if refused != "" {
		p = plan{refused: refused, reason: refused, queued: 0.5, post: 0.5}
	}
	return p
}

// rings reports whether the call reaches the ringing state.
func (p plan) rings() bool { return p.refused == "" && p.outcome != Failed }

// talks reports whether the call is answered (by a person or a machine).
func (p plan) talks() bool { return p.talk > 0 }
