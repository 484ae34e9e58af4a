package vapisim

import "math/rand/v2"

// Outcome is how a placed call turns out.
type Outcome string

// The outcomes of a placed call; reasons lists the endedReasons of each.
const (
	Answered  Outcome = "answered"  // a conversation that ended normally
	NoAnswer  Outcome = "no-answer" // nobody picked up
	Busy      Outcome = "busy"      // customer-busy
	Voicemail Outcome = "voicemail" // voicemail
	Failed    Outcome = "failed"    // the call never connected
	// Broken: the customer answered, then the call broke (a provider or
	// pipeline error mid-conversation).
	Broken Outcome = "broken"
	// VapiFault: a transient fault at Vapi before a conversation, which
	// Vapi says to retry.
	VapiFault Outcome = "vapi-fault"
	// Screened: a call-screening service answered for the person, asked
	// who was calling, and the person did not take the call
	// (voicemail.go).
	Screened Outcome = "screened"
)

// reasons are each outcome's endedReasons (from Vapi's enum), the first
// ones most likely. Assumption: Vapi publishes no frequencies; these
// proportions are the simulator's choice, weighted towards the reasons
// call-ended-reason.mdx describes as common.
var reasons = map[Outcome][]weighted{
	Answered: {
		{"customer-ended-call", 45}, {"assistant-ended-call", 20}, {"assistant-said-end-call-phrase", 10},
		{"assistant-ended-call-after-message-spoken", 5}, {"assistant-ended-call-with-hangup-task", 3},
		{"silence-timed-out", 7}, {"exceeded-max-duration", 1}, {"assistant-forwarded-call", 3},
		{"customer-ended-call-during-transfer", 1}, {"call.forwarding.operator-busy", 1},
		{"call.forwarding.no-answer", 1}, {"call.in-progress.twilio-completed-call", 3},
	},
	NoAnswer: {
		{"customer-did-not-answer", 90}, {"call.in-progress.error-providerfault-outbound-sip-480-temporarily-unavailable", 7},
		{"call.in-progress.error-providerfault-outbound-sip-408-request-timeout", 3},
	},
	Busy:      {{"customer-busy", 1}},
	Voicemail: {{"voicemail", 1}},
	Screened:  {{"customer-ended-call", 1}},
	Failed: {
		{"twilio-failed-to-connect-call", 50}, {"twilio-reported-customer-misdialed", 15},
		{"call.in-progress.error-sip-outbound-call-failed-to-connect", 10},
		{"call.in-progress.error-providerfault-outbound-sip-503-service-unavailable", 8},
		{"call.in-progress.error-providerfault-outbound-sip-403-forbidden", 5},
		{"vonage-rejected", 5}, {"phone-call-provider-closed-websocket", 7},
	},
	Broken: {
		{"pipeline-error-openai-llm-failed", 20}, {"call.in-progress.error-providerfault-azure-openai-llm-failed", 15},
		{"call.in-progress.error-providerfault-eleven-labs-system-busy-and-requested-upgrade", 10},
		{"pipeline-error-eleven-labs-voice-failed", 10}, {"call.in-progress.error-vapifault-deepgram-transcriber-failed", 10},
		{"call.in-progress.error-providerfault-openai-llm-failed", 10}, {"call.in-progress.error-transfer-failed", 10},
		{"call.in-progress.error-assistant-did-not-receive-customer-audio", 10}, {"assistant-join-timed-out", 5},
	},
	VapiFault: {
		{"call.in-progress.error-vapifault-worker-died", 40}, {"worker-shutdown", 25},
		{"call.in-progress.error-vapifault-transport-never-connected", 20},
		{"call.start.error-vapifault-database-error", 15},
	},
}

// weighted is one reason and its relative weight.
type weighted struct {
	reason string
	weight float64
}

// pickReason maps x in [0,1) onto an outcome's weighted reasons.
func pickReason(o Outcome, x float64) string {
	list := reasons[o]
	total := 0.0
	for _, w := range list {
		total += w.weight
	}
	x *= total
	for _, w := range list {
		if x < w.weight {
			return w.reason
		}
		x -= w.weight
	}
	return list[0].reason
}

// Ended reasons of calls refused at start: by the account's concurrency
// limit, or for want of credits.
const (
	reasonBlocked   = "call.start.error-subscription-concurrency-limit-reached"
	reasonNoCredits = "call.start.error-subscription-insufficient-credits"
)

// Mix weighs the outcomes; weights are relative and need not sum to 1.
type Mix struct {
	Answered, NoAnswer, Busy, Voicemail, Failed, Broken, VapiFault, Screened float64
}

// DefaultMix resembles a cold-calling list. It has no VapiFault: those
// are redialed, and most tests count exactly one call per contact.
var DefaultMix = Mix{Answered: 0.53, NoAnswer: 0.2, Busy: 0.08, Voicemail: 0.12, Failed: 0.05, Broken: 0.02}

// pick maps x in [0,1) onto the weighted outcomes.
func (m Mix) pick(x float64) Outcome {
	weights := []struct {
		o Outcome
		w float64
	}{{Answered, m.Answered}, {NoAnswer, m.NoAnswer}, {Busy, m.Busy}, {Voicemail, m.Voicemail}, {Failed, m.Failed},
		{Broken, m.Broken}, {VapiFault, m.VapiFault}, {Screened, m.Screened}}
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
	// detects: the call asked for voicemail detection; voicemailMessage
	// is what it says to a voicemail, rendered (voicemail.go).
	detects          bool
	voicemailMessage string
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
	p.reason = pickReason(p.outcome, rng.Float64())
	ring, talk := rng.Float64(), rng.Float64()
	switch p.outcome {
	case Answered:
		p.ringing, p.talk = 4+ring*11, 30+talk*210
	case Broken:
		p.ringing, p.talk = 4+ring*11, 5+talk*40
	case NoAnswer:
		p.ringing = 25 + ring*15
	case Busy:
		p.ringing = 1 + ring*3
	case Voicemail:
		p.ringing, p.talk = 15+ring*10, 8+talk*12
	case Screened:
		p.ringing, p.talk = 2+ring*4, 10+talk*10
	}
	if refused != "" {
		p = plan{refused: refused, reason: refused, queued: 0.5, post: 0.5}
	}
	return p
}

// rings reports whether the call reaches the ringing state.
func (p plan) rings() bool { return p.refused == "" && p.outcome != Failed && p.outcome != VapiFault }

// talks reports whether the call is answered (by a person or a machine).
func (p plan) talks() bool { return p.talk > 0 }
