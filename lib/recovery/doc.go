// Package recovery proves the event log is a sufficient truth and gives
// operators a way out on the day the cron is down: it rebuilds every call
// of a campaign from call_events (replaying each webhook through the real
// receiver and callstate's rules into a scratch copy of the tables) and,
// where Vapi is reachable, from Vapi's call list; compares the result with
// the calls table and repairs it forward-only. It also holds the manual
// fallbacks: pause everything, mark a stuck call.
package recovery
