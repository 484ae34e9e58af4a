// Package scheduler is the cron tick: one bounded, idempotent pass that
// reconciles calls whose creation was ambiguous, times out silent calls,
// launches new calls under the campaign and account caps, and completes
// finished campaigns.
//
// Launching is claim-then-dial. A short transaction, serialized account
// wide by an advisory lock, counts live calls and inserts PENDING attempt
// rows for the contacts it takes, so overlapping ticks can neither dial a
// contact twice nor exceed a cap. Only then is Vapi asked, with our call id
// in the call's metadata: if the tick dies or the answer is lost, a later
// tick finds the call in Vapi's call list by that id instead of dialing
// again. Claims are made one campaign at a time; the dials overlap, at most
// MaxParallelLaunches in flight, and a refusal that concerns the account
// stops every dial not yet begun.
package scheduler
