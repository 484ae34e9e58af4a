package outbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/lib/settings"
)

// Delivery budgets. A pass (one cron tick) sends at most Batch
// deliveries, Workers at a time, each bounded by Timeout, and starts no
// new one once Budget has passed: at most Budget+Timeout (9 s), so tick
// (40 s at most), upkeep (10 s) and deliveries stay inside the
// function's 60 s maxDuration. Batch is far above what campaigns make
// in a minute, so a backlog drains.
const (
	Batch   = 200
	Workers = 8
	Timeout = 5 * time.Second
	Budget  = 4 * time.Second
	// Lease is how far a claim moves a delivery's next attempt: longer
	// than any attempt, so a concurrent pass never sends it at the same
	// time, and a pass that died mid-send is retried once it passes.
	Lease = 2 * time.Minute
	// RetryFor is how long a delivery is retried after its first attempt
	// before it is marked failed.
	RetryFor = 24 * time.Hour
	// ReportWait is how long a call's finish waits for its end-of-call
	// report (cost, transcript, outcome) before it is sent without: the
	// report usually follows the end within seconds, and the tick
	// completes a lost one from Vapi within two minutes.
	ReportWait = 5 * time.Minute
	// firstBackoff and maxBackoff bound the exponential schedule.
	firstBackoff = 30 * time.Second
	maxBackoff   = time.Hour
	// KeepFor is how long an event no delivery waits for is kept (for
	// redelivery) before the pass deletes it; pruneBatch bounds one
	// pass's deletes.
	KeepFor    = 30 * 24 * time.Hour
	pruneBatch = 500
	// logKept is how many attempts the log keeps per destination.
	logKept = 50
	// excerptLen bounds the receiver's answer kept in the log.
	excerptLen = 200
	// readLimit bounds how much of an answer is read at all.
	readLimit = 4 << 10
)

// Backoff is the wait after the n-th failed attempt (n ≥ 1): 30 s
// doubling per attempt up to an hour, with "equal jitter" (between half
// of that and all of it, by r in [0, 1)) so receivers that failed
// together are not retried together.
func Backoff(n int, r float64) time.Duration {
	d := maxBackoff
	if n < 12 {
		d = min(firstBackoff<<max(n-1, 0), maxBackoff)
	}
	return d/2 + time.Duration(r*float64(d/2))
}

// Dispatcher delivers pending events.
type Dispatcher struct {
	DB     *pgxpool.Pool
	Client *http.Client
	Now    func() time.Time
	Log    *slog.Logger
	// Rand draws the jitter; nil is math/rand/v2.
	Rand func() float64
	// Timeout bounds one attempt; zero is Timeout.
	Timeout time.Duration
}

// NewDispatcher builds a dispatcher whose connections obey policy.
func NewDispatcher(pool *pgxpool.Pool, policy URLPolicy, now func() time.Time, log *slog.Logger) *Dispatcher {
	return &Dispatcher{DB: pool, Client: policy.Client(), Now: now, Log: log}
}

// Summary is what a pass did.
type Summary struct {
	Delivered int `json:"delivered"`
	Retrying  int `json:"retrying"`
	Failed    int `json:"failed"`
}

// claimNext leases one due delivery: pending, due, and — for a call's
// finish — its report in or waited for long enough. A concurrent pass
// skips the row it holds and, once committed, sees it due later.
const claimNext = `
with due as (
  select d.id from outbox_deliveries d
  join outbox_events e on e.id = d.event_id
  left join calls l on e.type = '` + CallFinished + `' and l.id = e.subject_id
  where d.status = 'pending' and (d.next_attempt_at is null or d.next_attempt_at <= $1::timestamptz)
    and ($3::uuid is null or d.id = $3)
    and (e.body is not null or l.id is null or l.cost is not null or l.provider_call_id is null
      or l.completed_from_vapi_at is not null or l.last_event_at <= $1::timestamptz - $4::interval)
  order by d.next_attempt_at nulls first, d.created_at
  limit 1
  for update of d skip locked
)
update outbox_deliveries d set attempts = d.attempts + 1, next_attempt_at = $1::timestamptz + $2::interval,
  last_attempt_at = $1, give_up_at = coalesce(d.give_up_at, $1::timestamptz + $5::interval)
from due, outbox_events e, destinations t
where d.id = due.id and e.id = d.event_id and t.id = d.destination_id
returning d.id, d.attempts, d.give_up_at, e.id, e.type, e.subject_id, e.phone, e.created_at, e.body, t.id, t.url, t.secret,
  case when t.previous_until > $1::timestamptz then t.previous_secret end`

// claimed is one leased delivery with what sending it needs.
type claimed struct {
	id       uuid.UUID
	attempts int
	giveUp   time.Time
	event    Event
	body     *string
	destID   uuid.UUID
	url      string
	secret   string
	// previous is the secret a rotation replaced, while it still signs.
	previous *string
}

func (d *Dispatcher) claim(ctx context.Context, only *uuid.UUID, now time.Time) (*claimed, error) {
	var c claimed
	err := d.DB.QueryRow(ctx, claimNext, now, Lease, only, ReportWait, RetryFor).Scan(&c.id, &c.attempts, &c.giveUp,
		&c.event.ID, &c.event.Type, &c.event.SubjectID, &c.event.Phone, &c.event.CreatedAt, &c.body,
		&c.destID, &c.url, &c.secret, &c.previous)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("claim delivery: %w", err)
	}
	return &c, nil
}

// Deliver runs one pass: up to Batch due deliveries, Workers at a time,
// within Budget.
func (d *Dispatcher) Deliver(ctx context.Context) (Summary, error) {
	ctx, cancel := context.WithTimeout(ctx, Budget+d.timeout())
	defer cancel()
	stopAt := time.Now().Add(Budget)
	var (
		mu    sync.Mutex
		sum   Summary
		errs  []error
		taken int
		wg    sync.WaitGroup
	)
	for range Workers {
		wg.Go(func() {
			for time.Now().Before(stopAt) {
				mu.Lock()
				if taken >= Batch {
					mu.Unlock()
					return
				}
				taken++
				mu.Unlock()
				st, err := d.one(ctx, nil)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				}
				sum.add(st)
				mu.Unlock()
				if err != nil || st == "" {
					return
				}
			}
		})
	}
	wg.Wait()
	if err := d.prune(ctx); err != nil {
		errs = append(errs, err)
	}
	return sum, errors.Join(errs...)
}

// prune deletes events that no delivery waits for older than KeepFor, or
// than the retention policy's PII horizon when that is shorter: their
// bodies carry names, phones and outcome texts, which must not outlive
// the campaign's own (an event is made before its campaign finishes, the
// horizon counts from that finish). A bounded batch per pass.
var pruneEvents = `
delete from outbox_events where id in (
  select e.id from outbox_events e
  where e.created_at < $1::timestamptz - least($2::interval, make_interval(days => ` + settings.Value(settings.KeyRetentionPII, "int") + `))
    and not exists (select 1 from outbox_deliveries x where x.event_id = e.id and x.status = 'pending')
  order by e.created_at limit $3)`

func (d *Dispatcher) prune(ctx context.Context) error {
	_, err := d.DB.Exec(ctx, pruneEvents, d.Now(), KeepFor, pruneBatch)
	if err != nil {
		return fmt.Errorf("prune outbox: %w", err)
	}
	return nil
}

func (s *Summary) add(status string) {
	switch status {
	case delivered:
		s.Delivered++
	case pending:
		s.Retrying++
	case failed:
		s.Failed++
	}
}

// Delivery statuses.
const (
	pending   = "pending"
	delivered = "delivered"
	failed    = "failed"
)

// DeliverNow attempts one delivery at once, if it is pending (a test
// event, a redelivery), and returns how it stands.
func (d *Dispatcher) DeliverNow(ctx context.Context, id uuid.UUID) (*DeliveryState, error) {
	if _, err := d.one(ctx, &id); err != nil {
		return nil, err
	}
	return delivery(ctx, d.DB, id)
}

// one claims a delivery (only that one, when set), sends it and records
// the attempt. It returns the delivery's new status, "" when nothing was
// due.
func (d *Dispatcher) one(ctx context.Context, only *uuid.UUID) (string, error) {
	c, err := d.claim(ctx, only, d.Now())
	if c == nil || err != nil {
		return "", err
	}
	b, err := body(ctx, d.DB, c.event, c.body, c.destID)
	var res attempt
	if err != nil {
		res = attempt{err: "could not make the event's body"}
		d.log().Error("outbox body", "event", c.event.ID, "err", err)
	} else {
		res = d.send(ctx, c, b)
	}
	// The attempt is recorded even when the pass's time ran out during
	// it: else the lease would hide that it was made.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return d.record(rctx, c, res)
}

func (d *Dispatcher) timeout() time.Duration {
	if d.Timeout > 0 {
		return d.Timeout
	}
	return Timeout
}

func (d *Dispatcher) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.Default()
}

// attempt is what one POST gave.
type attempt struct {
	status   int
	excerpt  string
	err      string
	duration time.Duration
}

func (a attempt) ok() bool { return a.err == "" && a.status >= 200 && a.status < 300 }

// send POSTs the signed body to the destination.
func (d *Dispatcher) send(ctx context.Context, c *claimed, b []byte) attempt {
	at := d.Now()
	id := c.event.ID.String()
	sig, err := Sign(c.secret, id, at, b)
	if err != nil {
		return attempt{err: err.Error()}
	}
	if c.previous != nil {
		if old, err := Sign(*c.previous, id, at, b); err == nil {
			sig += " " + old
		}
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(b))
	if err != nil {
		return attempt{err: "bad destination URL"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "AutoLynx-Webhooks/1")
	req.Header.Set(HeaderID, id)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(at.Unix(), 10))
	req.Header.Set(HeaderSignature, sig)
	start := time.Now()
	resp, err := d.Client.Do(req)
	if err != nil {
		return attempt{err: describe(err, d.timeout()), duration: time.Since(start)}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, readLimit))
	a := attempt{status: resp.StatusCode, excerpt: excerpt(raw), duration: time.Since(start)}
	if !a.ok() {
		a.err = "answered " + strconv.Itoa(resp.StatusCode)
	}
	return a
}

// describe words a transport error without the URL (which may carry a
// token in its query).
func describe(err error, timeout time.Duration) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer within " + timeout.String()
	case errors.Is(err, errBlockedAddress):
		return errBlockedAddress.Error()
	}
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) && ue.Unwrap() != nil {
		err = ue.Unwrap()
	}
	return excerpt([]byte(err.Error()))
}

// excerpt is the start of an answer, valid UTF-8, one line.
func excerpt(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > excerptLen {
		s = string([]rune(s)[:excerptLen]) + "…"
	}
	return s
}

// record stores an attempt: delivered, retried after a backoff, or —
// past RetryFor, or a test event, which is tried once — failed. The log
// keeps the destination's last logKept attempts.
func (d *Dispatcher) record(ctx context.Context, c *claimed, a attempt) (string, error) {
	now := d.Now()
	status, next := delivered, (*time.Time)(nil)
	if !a.ok() {
		status = pending
		wait := Backoff(c.attempts, d.rand())
		n := now.Add(wait)
		if n.After(c.giveUp) {
			n = c.giveUp
		}
		next = &n
		if !now.Before(c.giveUp) || c.event.Type == TestEvent {
			status, next = failed, nil
		}
	}
	var code *int
	if a.status != 0 {
		code = &a.status
	}
	var errText *string
	if a.err != "" {
		errText = &a.err
	}
	_, err := d.DB.Exec(ctx, `
		with u as (
		  update outbox_deliveries set status = $2::text, next_attempt_at = $3, last_status = $4, last_error = $5,
		    delivered_at = case when $2::text = 'delivered' then $6::timestamptz end
		  where id = $1 returning id, destination_id),
		logged as (
		  insert into outbox_attempts (delivery_id, destination_id, attempted_at, status_code, excerpt, error, duration_ms)
		  select id, destination_id, $6, $4, $7, $5, $8 from u returning destination_id)
		delete from outbox_attempts where destination_id = $9 and id <= (
		  select id from outbox_attempts where destination_id = $9 order by id desc offset $10 limit 1)`,
		c.id, status, next, code, errText, now, nullIfEmpty(a.excerpt), a.duration.Milliseconds(), c.destID, logKept-1)
	if err != nil {
		return "", fmt.Errorf("record delivery: %w", err)
	}
	return status, nil
}

func (d *Dispatcher) rand() float64 {
	if d.Rand != nil {
		return d.Rand()
	}
	return rand.Float64()
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
