// Package webhook receives Vapi's server messages: it authenticates the raw
// bytes, decodes Vapi's envelope, applies the news to the call through
// callstate and appends the raw message to the event log, all in one
// transaction. It never calls Vapi, so it answers in milliseconds.
package webhook
