package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/outcome"
)

// target is a campaign the tick may launch calls for.
type target struct {
	ID              uuid.UUID
	Cap             int
	Mode            string
	LineQuietGating bool
	AssistantID     string // Vapi's id
	PhoneNumberIDs  []string
	// The calling window, already narrowed to the legal bound.
	WindowStart, WindowEnd string
	Days                   []int16
	FallbackTimezone       string
	// SpendLimited: the campaign has a hard spend limit to check.
	SpendLimited bool
	// Started: Vapi accepted a call of the campaign already, so a launch
	// has no start to record.
	Started bool
	// Outcomes are the fields every call is asked to extract.
	Outcomes outcome.Plan
	// The voicemail policy, and what decides a contact's last attempt.
	Voicemail   campaign.Voicemail
	MaxAttempts int
	RetryOn     []string
}

// claimed is an attempt row created for one contact, ready to dial.
type claimed struct {
	CallID        uuid.UUID
	ContactID     uuid.UUID
	Name          string
	BusinessName  string
	Phone         string
	Variables     map[string]string
	PhoneNumberID string
	// Timezones are the contact's zones (none: the campaign's fallback).
	Timezones []string
	// LeavesMessage: the attempt carries the campaign's voicemail message
	// (campaign.Voicemail.LeavesMessage), decided when it is claimed.
	LeavesMessage bool
}

// lineLoad is a caller number's live calls (all campaigns) and the calls
// this campaign placed on it, for rotation.
const lineLoad = `
select n, (select count(*) from calls l where l.phone_number_id = n and l.live),
          (select count(*) from calls l where l.phone_number_id = n and l.campaign_id = $1)
from unnest($2::text[]) as n`

const liveCounts = `
select count(*), count(*) filter (where campaign_id = $1)
from calls where live`

// currentBatch is the lowest strict batch that still has a contact not
// finished: undialed, or with a live latest call. A contact held back by
// the frequency cap does not count, as a suppressed one does not: the cap
// may hold it for days, and the later batches would wait as long. It is
// dialed once its number frees, whatever batch is current then.
var currentBatch = `
select least(
  (select min(k.position) from contacts k where k.campaign_id = $1 and k.last_call_id is null
     and k.suppressed_at is null and not exists (select 1 from dnc d where d.phone = k.phone)
     and coalesce(k.held_until <= $2, true) and not ` + campaign.FrequencyHeldSQL("k", "$2") + `),
  (select min(k.position) from calls l join contacts k on k.id = l.contact_id
     where l.campaign_id = $1 and l.live))`

// suppress marks the campaign's contacts whose number joined the
// do-not-call list since import: never dialed again, not waited for.
const suppress = `
update contacts k set suppressed_at = $2, next_attempt_at = null
from dnc d where k.campaign_id = $1 and d.phone = k.phone and k.suppressed_at is null`

// dueNow is the condition of contact alias k of campaign $1, at a
// position up to $2, being due a call at $3: never dialed, with a retry
// due, or with a callback due (callback_at, the moment the person asked
// for, already placed inside the calling window), inside its local
// calling window ($4 the fallback zone, $5-$6 the window, $7 the days),
// not suppressed nor listed do-not-call (suppress marks listed numbers
// one round trip earlier; a listing committed since must hold too).
const dueNow = `k.campaign_id = $1 and k.position <= $2 and k.suppressed_at is null
  and not exists (select 1 from dnc d where d.phone = k.phone)
  and (k.last_call_id is null or k.next_attempt_at <= $3 or k.callback_at <= $3)
  and public.in_calling_window(k.timezones, $4, $3, $5::time, $6::time, $7::smallint[])`

// unheldNow is true when contact alias k may be dialed at $3 under the
// frequency cap across campaigns: a callback the person asked for always
// may; otherwise its number must be under the cap (the account lock
// taken first makes the count final for this claim). A contact found held
// is marked with when its number frees (held_until, see holdDue) and not
// counted again before then: a held contact costs a probe of its number's
// calls, and many of them on every tick would hold the account lock long.
var unheldNow = `(k.callback_at <= $3 or coalesce(k.held_until <= $3, true))
  and (k.callback_at <= $3 or not ` + campaign.FrequencyHeldSQL("k", "$3") + `)`

// candidates are the first $8 contacts due a call now and not held back
// by the cap (a contact held back stays due and is claimed once the cap's
// window frees), with the how-manieth attempt the call would be as
// maxAttempts counts (those Vapi refused for the account and callbacks
// not counted).
var candidates = `
select k.id, k.attempts, k.position,
  k.attempts + 1 - (select count(*) from calls r where r.contact_id = k.id and (r.refused or r.callback))
from contacts k
where ` + dueNow + ` and ` + unheldNow + `
order by k.position
limit $8
for update skip locked`

// holdDue marks the contacts due at positions up to $2 that the cap holds
// back (those the candidates' scan passed over) with when their number
// frees. A change that frees a number earlier (the cap's setting, a
// deleted or refused attempt) clears the marks (migration
// 20261207600100).
var holdDue = `
update contacts k set held_until = ` + campaign.FrequencyFreesSQL("k", "$3") + `
where ` + dueNow + ` and not coalesce(k.callback_at <= $3, false)
  and coalesce(k.held_until <= $3, true) and ` + campaign.FrequencyHeldSQL("k", "$3")

const insertAttempts = `
with made as (
  -- callback: the attempt is a callback the person asked for (due now),
  -- not one of the campaign's redials; it is taken off the contact below.
  -- voicemail_message_sent: whether the request carries the message,
  -- decided here so that a call whose launch is never recorded (its
  -- answer lost, the call learned of later) says so too.
  insert into calls (campaign_id, contact_id, attempt, status, phone_number_id, dial_requested_at, last_event_at, callback,
    voicemail_message_sent)
  select $1, u.contact_id, u.attempt, 'PENDING', u.number, $5, $5, coalesce(k.callback_at <= $5, false), u.leaves
  from unnest($2::uuid[], $3::int[], $4::text[], $6::bool[]) as u(contact_id, attempt, number, leaves)
  join contacts k on k.id = u.contact_id
  returning id, contact_id, phone_number_id, voicemail_message_sent
),
marked as (
  update contacts k set last_call_id = m.id, attempts = k.attempts + 1, next_attempt_at = null, held_until = null,
    callback_at = case when k.callback_at <= $5 then null else k.callback_at end
  from made m where k.id = m.contact_id
  returning k.id, m.id as call_id, m.phone_number_id, k.name, k.business_name, k.phone, k.variables, k.position, k.timezones,
    m.voicemail_message_sent
),
logged as (
  insert into call_events (call_id, campaign_id, source, type, status, received_at)
  select call_id, $1, 'tick', 'call.claimed', 'PENDING', $5 from marked
)
select call_id, id, name, business_name, phone, variables, phone_number_id, timezones, voicemail_message_sent from marked order by position`

// claim creates PENDING attempts for up to the campaign's room and returns
// them. room = min(cap - live of the campaign, accountCap - live of the
// account), further limited by strict batching, line-quiet gating and the
// contacts' calling windows. Each attempt gets the least loaded number.
// The claim is one transaction of few round trips (claims are serialized
// account wide, so their round trips bound a tick): the lock and every
// read the room needs go in one batch.
func claim(ctx context.Context, pool db.Beginner, t target, accountCap int, now time.Time) ([]claimed, int, error) {
	var out []claimed
	var accountRoom int
	err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
		r, err := readRoom(ctx, tx, t, now)
		if err != nil || !r.active {
			return err
		}
		accountRoom = accountCap - r.liveAccount
		room := min(t.Cap-r.liveCampaign, accountRoom)
		if room <= 0 || len(r.lines) == 0 {
			return nil
		}
		out, err = claimDue(ctx, tx, t, r.lines, room, r.maxPosition, now)
		accountRoom -= len(out)
		return err
	})
	return out, accountRoom, err
}

// anyPosition is a position limit that limits nothing.
const anyPosition = int(^uint32(0) >> 1)

// roomRead is what a claim reads under the account lock.
type roomRead struct {
	active                    bool
	liveAccount, liveCampaign int
	lines                     []*line
	maxPosition               int
}

// readRoom takes the account lock and reads, in one round trip, whether
// the campaign is still active, the live calls, its numbers' load and its
// position limit, and applies the do-not-call list. Pause and stop take
// the same lock, so what is read here is final for this claim: a campaign
// paused after the tick listed it is not dialed.
func readRoom(ctx context.Context, tx pgx.Tx, t target, now time.Time) (roomRead, error) {
	var r roomRead
	b := &pgx.Batch{}
	b.Queue(db.XactLock, db.AccountLock)
	// The cap's per-contact probes make the planner's estimates of the
	// claim's statements huge, and compiling them (JIT) took longer than
	// running them, under the lock.
	b.Queue(`set local jit = off`)
	b.Queue(`select status in `+campaign.ActiveSQL+` from campaigns where id = $1`, t.ID).
		QueryRow(func(row pgx.Row) error { return wrap("check campaign status", row.Scan(&r.active)) })
	b.Queue(liveCounts, t.ID).
		QueryRow(func(row pgx.Row) error { return wrap("count live calls", row.Scan(&r.liveAccount, &r.liveCampaign)) })
	b.Queue(lineLoad, t.ID, t.PhoneNumberIDs).Query(func(rows pgx.Rows) error {
		var err error
		r.lines, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (*line, error) {
			var l line
			return &l, row.Scan(&l.id, &l.live, &l.placed)
		})
		r.lines = usableLines(t, r.lines)
		return wrap("load caller numbers", err)
	})
	r.maxPosition = anyPosition // continuous mode
	if t.Mode == string(campaign.Batch) {
		b.Queue(currentBatch, t.ID, now).QueryRow(func(row pgx.Row) error {
			var lowest *int
			if err := row.Scan(&lowest); err != nil {
				return wrap("find current batch", err)
			}
			r.maxPosition = batchEnd(t, lowest)
			return nil
		})
	}
	b.Queue(suppress, t.ID, now)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return r, fmt.Errorf("claim: %w", err)
	}
	return r, nil
}

// wrap names a failed step; nil stays nil.
func wrap(step string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", step, err)
	}
	return nil
}

// line is one caller number's load.
type line struct {
	id           string
	live, placed int
}

// usableLines returns the numbers the campaign may use now: all of them,
// or with line-quiet gating only those with no live call at all.
func usableLines(t target, all []*line) []*line {
	if !t.LineQuietGating {
		return all
	}
	var quiet []*line
	for _, l := range all {
		if l.live == 0 {
			quiet = append(quiet, l)
		}
	}
	return quiet
}

// claimDue picks the due contacts, then in one round trip inserts their
// attempts and marks the held-back contacts the pick passed over: those
// up to its last position when it filled the room, else up to
// maxPosition.
func claimDue(ctx context.Context, tx pgx.Tx, t target, lines []*line, room, maxPosition int, now time.Time) ([]claimed, error) {
	p, err := pickDue(ctx, tx, t, lines, room, maxPosition, now)
	if err != nil {
		return nil, err
	}
	scanned := maxPosition
	if len(p.contacts) == room {
		scanned = p.last
	}
	var out []claimed
	b := &pgx.Batch{}
	if len(p.contacts) > 0 {
		b.Queue(insertAttempts, t.ID, p.contacts, p.attempts, p.numbers, now, p.leaves).Query(func(rows pgx.Rows) error {
			out, err = pgx.CollectRows(rows, scanClaimed)
			return wrap("claim contacts", err)
		})
	}
	b.Queue(holdDue, t.ID, scanned, now, t.FallbackTimezone, t.WindowStart, t.WindowEnd, t.Days)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	return out, nil
}

// picked is what a claim picked to dial: the contacts (text, not
// uuid.UUID: the simple protocol of the pooler cannot encode arrays of
// uuid.UUID), their attempt numbers, caller numbers and whether each
// leaves the voicemail message, and the last position.
type picked struct {
	contacts, numbers []string
	attempts          []int32
	leaves            []bool
	last              int
}

// pickDue reads the candidates and gives each the least loaded number.
func pickDue(ctx context.Context, tx pgx.Tx, t target, lines []*line, room, maxPosition int, now time.Time) (picked, error) {
	var p picked
	rows, err := tx.Query(ctx, candidates, t.ID, maxPosition, now, t.FallbackTimezone, t.WindowStart, t.WindowEnd, t.Days, room)
	if err != nil {
		return p, fmt.Errorf("find contacts to dial: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id uuid.UUID
		var n int32
		var attempt int
		if err := rows.Scan(&id, &n, &p.last, &attempt); err != nil {
			return p, fmt.Errorf("find contacts to dial: %w", err)
		}
		p.contacts, p.attempts, p.numbers = append(p.contacts, id.String()), append(p.attempts, n+1), append(p.numbers, leastLoaded(lines).id)
		p.leaves = append(p.leaves, t.Voicemail.LeavesMessage(attempt, t.MaxAttempts, t.RetryOn))
	}
	return p, wrap("find contacts to dial", rows.Err())
}

// scanClaimed reads one row of insertAttempts.
func scanClaimed(r pgx.CollectableRow) (claimed, error) {
	var c claimed
	var vars []byte
	err := r.Scan(&c.CallID, &c.ContactID, &c.Name, &c.BusinessName, &c.Phone, &vars, &c.PhoneNumberID, &c.Timezones, &c.LeavesMessage)
	if err == nil && len(vars) > 0 {
		err = json.Unmarshal(vars, &c.Variables)
	}
	return c, err
}

// leastLoaded picks the number that placed the fewest of this campaign's
// calls (then the one with fewest live calls) and counts the new call on
// it: over a campaign no number carries more than its share.
func leastLoaded(lines []*line) *line {
	best := lines[0]
	for _, l := range lines[1:] {
		if l.placed < best.placed || (l.placed == best.placed && l.live < best.live) {
			best = l
		}
	}
	best.live++
	best.placed++
	return best
}

// batchEnd is the highest contact position this tick may dial in strict
// batch mode, given the lowest position not finished. nil is every batch
// dialed and none live: what is still due then (a redial, a callback)
// may be dialed at any position, or it would never be placed and the
// campaign never complete. Positions are dense from 1 (the importer
// assigns them), so batch b holds positions b*cap+1 … (b+1)*cap.
func batchEnd(t target, lowest *int) int {
	if lowest == nil {
		return anyPosition
	}
	batch := (*lowest - 1) / t.Cap
	return (batch + 1) * t.Cap
}

// release undoes a claim whose call surely does not exist at Vapi: the
// attempt row goes and the contact is dialable again, as what it was
// claimed as. The event log keeps the record.
const release = `
with gone as (
  delete from calls where id = $1 and status = 'PENDING' returning id, contact_id, campaign_id, callback
),
restored as (
  -- A released callback is the callback again, due at once (not one of
  -- the campaign's redials); a released redial is due again at once; a
  -- first attempt is simply undialed again.
  update contacts k set
    attempts = k.attempts - 1,
    last_call_id = prev.id,
    callback_at = case when g.callback then $3::timestamptz else k.callback_at end,
    next_attempt_at = case when prev.id is not null and not g.callback then $3::timestamptz end
  from gone g
  left join lateral (select l.id from calls l where l.contact_id = g.contact_id and l.id <> $1
                     order by l.attempt desc limit 1) prev on true
  where k.id = g.contact_id
)
insert into call_events (call_id, campaign_id, source, type, status, payload, received_at)
select id, campaign_id, 'tick', 'call.released', 'PENDING', jsonb_build_object('reason', $2::text), $3 from gone`

func releaseClaim(ctx context.Context, q db.DBTX, callID uuid.UUID, reason string, now time.Time) error {
	if _, err := q.Exec(ctx, release, callID, reason, now); err != nil {
		return fmt.Errorf("release claim: %w", err)
	}
	return nil
}
