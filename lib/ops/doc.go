// Package ops lets an operator see at a glance whether AutoLynx is healthy
// and what it costs, without reading logs: per-minute counters of what
// would otherwise go unseen (refused webhooks, Vapi 429s), the tick's
// heartbeat, spend alerts posted once per crossing, and the retention
// policy that purges transcripts and personal data of finished campaigns
// in small batches.
package ops
