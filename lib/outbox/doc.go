// Package outbox sends what happens in AutoLynx to the team's own systems:
// admins configure destinations (an HTTPS URL, a signing secret, the
// events it wants), and every event — a call finished, a campaign
// finished, a number opted out — is written to an outbox table in the
// transaction of the change that caused it (row triggers, migration
// 20261207200100), then delivered by the cron's pass: claimed with FOR
// UPDATE SKIP LOCKED, signed as the Standard Webhooks specification says,
// retried with exponential backoff and jitter for 24 hours, at least once,
// with the event's id as the webhook-id of every attempt so a receiver
// de-duplicates. It also serves a destination's outcomes as a CSV behind
// a token, for a spreadsheet's =IMPORTDATA(url).
package outbox
