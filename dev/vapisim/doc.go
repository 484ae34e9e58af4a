// Package vapisim is a Vapi simulator: an http.Handler that speaks the part of
// Vapi's REST API AutoLynx uses (calls, assistants, recording downloads and
// their private storage: recording.go), validates requests as
// strictly as Vapi does, plays each call's lifecycle on a compressed clock and
// posts Vapi-format server messages (status-update, end-of-call-report) to
// the call's server URL. It exists so the local runner and the tests can run
// whole campaigns without a Vapi account or spending money, and so failure
// modes (429s, 500s, calls created behind a lost answer, dropped, duplicated
// or reordered webhooks, a full account) can be produced on demand.
//
// Time: every duration is drawn in simulated seconds and waited for
// Config.Scale real seconds each. Event timestamps (createdAt, startedAt,
// endedAt, message timestamps) are real clock readings, while
// durationSeconds and costs use the simulated duration, so with a small
// Scale a "3 minute" call ends within milliseconds but is billed and reported
// as 3 minutes.
//
// Outcomes are deterministic under Config.Seed: a call's outcome, timings,
// cost and conversation derive from the seed, the customer's number and how
// many times that number was dialed before, whatever the order of requests.
package vapisim
