package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/problem"
)

// Attempt is one line of a destination's delivery log.
type Attempt struct {
	DeliveryID  uuid.UUID `json:"deliveryId"`
	EventID     uuid.UUID `json:"eventId"`
	EventType   string    `json:"eventType"`
	AttemptedAt time.Time `json:"attemptedAt"`
	StatusCode  *int      `json:"statusCode"`
	Excerpt     *string   `json:"excerpt"`
	Error       *string   `json:"error"`
	DurationMs  *int      `json:"durationMs"`
}

// MaxLog bounds how many log lines or deliveries one read returns.
const MaxLog = 100

// Attempts reads a destination's last attempts, newest first.
func Attempts(ctx context.Context, q db.DBTX, dest uuid.UUID, limit int) ([]Attempt, error) {
	rows, err := q.Query(ctx, `
		select a.delivery_id, d.event_id, e.type, a.attempted_at, a.status_code, a.excerpt, a.error, a.duration_ms
		from outbox_attempts a join outbox_deliveries d on d.id = a.delivery_id join outbox_events e on e.id = d.event_id
		where a.destination_id = $1 order by a.id desc limit $2`, dest, min(limit, MaxLog))
	if err != nil {
		return nil, fmt.Errorf("read delivery log: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Attempt])
	if err != nil {
		return nil, fmt.Errorf("read delivery log: %w", err)
	}
	return out, nil
}

const deliveryColumns = `d.id, d.event_id, e.type, d.status, d.attempts, d.last_attempt_at, d.last_status,
  d.last_error, d.next_attempt_at, d.delivered_at, d.created_at`

// Deliveries reads a destination's latest deliveries, newest first.
func Deliveries(ctx context.Context, q db.DBTX, dest uuid.UUID, limit int) ([]DeliveryState, error) {
	rows, err := q.Query(ctx, `select `+deliveryColumns+`
		from outbox_deliveries d join outbox_events e on e.id = d.event_id
		where d.destination_id = $1 order by d.created_at desc, d.id limit $2`, dest, min(limit, MaxLog))
	if err != nil {
		return nil, fmt.Errorf("read deliveries: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[DeliveryState])
	if err != nil {
		return nil, fmt.Errorf("read deliveries: %w", err)
	}
	return out, nil
}

var errNoDelivery = problem.New(problem.NotFound, "delivery not found")

func delivery(ctx context.Context, q db.DBTX, id uuid.UUID) (*DeliveryState, error) {
	rows, err := q.Query(ctx, `select `+deliveryColumns+`
		from outbox_deliveries d join outbox_events e on e.id = d.event_id where d.id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("read delivery: %w", err)
	}
	s, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByPos[DeliveryState])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNoDelivery
	}
	if err != nil {
		return nil, fmt.Errorf("read delivery: %w", err)
	}
	return s, nil
}

// SendTest records a test event for one destination and attempts it at
// once; it is not retried.
func (d *Dispatcher) SendTest(ctx context.Context, dest uuid.UUID) (*DeliveryState, error) {
	var id uuid.UUID
	err := d.DB.QueryRow(ctx, `
		with t as (select id from destinations where id = $1),
		e as (insert into outbox_events (type) select '`+TestEvent+`' from t returning id)
		insert into outbox_deliveries (event_id, destination_id) select e.id, t.id from e, t returning id`, dest).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("record test event: %w", err)
	}
	return d.DeliverNow(ctx, id)
}

// redeliver puts an event's delivery to a destination back to pending,
// or makes one, and returns its id. A delivery a pass is sending right
// now is left alone (pending under its claim's lease: next_attempt_at is
// last_attempt_at + Lease, still ahead, until the attempt is recorded):
// making it due again would send it a second time alongside.
const redeliver = `
with put as (
  insert into outbox_deliveries (event_id, destination_id)
  select e.id, t.id from outbox_events e, destinations t where e.id = $2 and t.id = $1 and e.type <> '` + TestEvent + `'
  on conflict (event_id, destination_id) do update set status = 'pending', attempts = 0,
    next_attempt_at = null, give_up_at = null, delivered_at = null
  where not (outbox_deliveries.status = 'pending' and outbox_deliveries.next_attempt_at > $3::timestamptz
             and outbox_deliveries.next_attempt_at = outbox_deliveries.last_attempt_at + $4::interval)
  returning id
)
select id from put
union all
select d.id from outbox_deliveries d join outbox_events e on e.id = d.event_id
where d.event_id = $2 and d.destination_id = $1 and e.type <> '` + TestEvent + `' and not exists (select 1 from put)`

// Redeliver sends an event to a destination again, at once and then
// with retries for another RetryFor, with the same webhook-id and body:
// a delivery that failed or succeeded is put back to pending, and an
// event the destination never had gets a delivery. One a pass is
// sending is left to that pass.
func (d *Dispatcher) Redeliver(ctx context.Context, dest, event uuid.UUID) (*DeliveryState, error) {
	var id uuid.UUID
	err := d.DB.QueryRow(ctx, redeliver, dest, event, d.Now(), Lease).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, problem.New(problem.NotFound, "event or destination not found")
	}
	if err != nil {
		return nil, fmt.Errorf("redeliver: %w", err)
	}
	return d.DeliverNow(ctx, id)
}

// RedeliverDelivery is Redeliver for one delivery of the destination.
func (d *Dispatcher) RedeliverDelivery(ctx context.Context, dest, deliveryID uuid.UUID) (*DeliveryState, error) {
	var event uuid.UUID
	err := d.DB.QueryRow(ctx, `select event_id from outbox_deliveries where id = $1 and destination_id = $2`,
		deliveryID, dest).Scan(&event)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNoDelivery
	}
	if err != nil {
		return nil, fmt.Errorf("redeliver: %w", err)
	}
	return d.Redeliver(ctx, dest, event)
}
