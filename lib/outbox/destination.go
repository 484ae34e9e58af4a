package outbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/problem"
)

// The event types a destination may subscribe to.
const (
	CallFinished     = "call.finished"
	CampaignFinished = "campaign.finished"
	ContactOptedOut  = "contact.opted_out"
	// TestEvent is what "send a test event" sends; nobody subscribes to it.
	TestEvent = "webhook.test"
)

// EventTypes lists the types a destination may subscribe to.
var EventTypes = []string{CallFinished, CampaignFinished, ContactOptedOut}

// Destination is one of the team's systems AutoLynx sends events to.
// Its secret is never part of it: it is shown once, when made.
type Destination struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	HasFeed   bool      `json:"hasFeed"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	// The latest delivery's outcome, if any.
	LastDelivery *DeliveryState `json:"lastDelivery"`
	// Pending and Failed count deliveries waiting for a retry and given up.
	Pending int `json:"pending"`
	Failed  int `json:"failed"`
}

// DeliveryState is how one delivery stands.
type DeliveryState struct {
	ID            uuid.UUID  `json:"id"`
	EventID       uuid.UUID  `json:"eventId"`
	EventType     string     `json:"eventType"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	LastAttemptAt *time.Time `json:"lastAttemptAt"`
	LastStatus    *int       `json:"lastStatusCode"`
	LastError     *string    `json:"lastError"`
	NextAttemptAt *time.Time `json:"nextAttemptAt"`
	DeliveredAt   *time.Time `json:"deliveredAt"`
	CreatedAt     time.Time  `json:"createdAt"`
}

// Input is what an admin sets on a destination; a nil field is left as
// it is by Update.
type Input struct {
	Name   *string   `json:"name" validate:"omitnil,min=1,max=100"`
	URL    *string   `json:"url" validate:"omitnil,min=1,max=2000"`
	Events *[]string `json:"events" validate:"omitnil,max=3"`
}

// ErrNotFound means no such destination (or delivery, or event).
var ErrNotFound = problem.New(problem.NotFound, "destination not found")

// clean validates in against the policy; required says every field must
// be there (a create).
func (in Input) clean(p URLPolicy, required bool) (Input, error) {
	if required && (in.Name == nil || in.URL == nil) {
		field := "name"
		if in.Name != nil {
			field = "url"
		}
		return in, problem.New(problem.Invalid, field+" is required", "field", field)
	}
	if in.Name != nil {
		n := strings.TrimSpace(*in.Name)
		if n == "" {
			return in, problem.New(problem.Invalid, "name is required", "field", "name")
		}
		in.Name = &n
	}
	if in.URL != nil {
		u, err := p.CheckURL(*in.URL)
		if err != nil {
			return in, err
		}
		in.URL = &u
	}
	if in.Events == nil && required {
		in.Events = &[]string{}
	}
	if in.Events != nil {
		ev := []string{}
		for _, e := range *in.Events {
			if !slices.Contains(EventTypes, e) {
				return in, problem.New(problem.Invalid, "events must be among "+strings.Join(EventTypes, ", "),
					"field", "events", "allowed", EventTypes)
			}
			if !slices.Contains(ev, e) {
				ev = append(ev, e)
			}
		}
		in.Events = &ev
	}
	return in, nil
}

const destinationColumns = `d.id, d.name, d.url, d.events, d.feed_token_hash is not null, d.created_at, d.updated_at,
  (select count(*) from outbox_deliveries x where x.destination_id = d.id and x.status = 'pending'),
  (select count(*) from outbox_deliveries x where x.destination_id = d.id and x.status = 'failed')`

func scanDestination(row pgx.Row) (*Destination, error) {
	var d Destination
	err := row.Scan(&d.ID, &d.Name, &d.URL, &d.Events, &d.HasFeed, &d.CreatedAt, &d.UpdatedAt, &d.Pending, &d.Failed)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read destination: %w", err)
	}
	return &d, nil
}

// Create stores a destination with a new signing secret, which it
// returns: the only time anyone sees it.
func Create(ctx context.Context, q db.DBTX, p URLPolicy, in Input, by uuid.UUID, now time.Time) (*Destination, string, error) {
	in, err := in.clean(p, true)
	if err != nil {
		return nil, "", err
	}
	secret := NewSecret()
	d, err := scanDestination(q.QueryRow(ctx, `
		with d as (
		  insert into destinations (name, url, events, secret, created_by, created_at, updated_at)
		  values ($1, $2, $3, $4, $5, $6, $6) returning *)
		select `+destinationColumns+` from d`, *in.Name, *in.URL, *in.Events, secret, by, now))
	return d, secret, err
}

// List reads every destination, oldest first, with its latest delivery.
func List(ctx context.Context, q db.DBTX) ([]Destination, error) {
	rows, err := q.Query(ctx, `select `+destinationColumns+` from destinations d order by d.created_at, d.id`)
	if err != nil {
		return nil, fmt.Errorf("list destinations: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Destination, error) {
		d, err := scanDestination(r)
		return *d, err
	})
	if err != nil {
		return nil, fmt.Errorf("list destinations: %w", err)
	}
	for i := range out {
		last, err := Deliveries(ctx, q, out[i].ID, 1)
		if err != nil {
			return nil, err
		}
		if len(last) > 0 {
			out[i].LastDelivery = &last[0]
		}
	}
	return out, nil
}

// Get reads one destination.
func Get(ctx context.Context, q db.DBTX, id uuid.UUID) (*Destination, error) {
	return scanDestination(q.QueryRow(ctx, `select `+destinationColumns+` from destinations d where d.id = $1`, id))
}

// Update changes what in sets. Events already recorded keep their
// deliveries; the new subscription applies to what happens next.
func Update(ctx context.Context, q db.DBTX, p URLPolicy, id uuid.UUID, in Input, now time.Time) (*Destination, error) {
	in, err := in.clean(p, false)
	if err != nil {
		return nil, err
	}
	return scanDestination(q.QueryRow(ctx, `
		with d as (
		  update destinations set name = coalesce($2, name), url = coalesce($3, url),
		    events = coalesce($4, events), updated_at = $5
		  where id = $1 returning *)
		select `+destinationColumns+` from d`, id, in.Name, in.URL, in.Events, now))
}

// Delete removes a destination with its deliveries and log.
func Delete(ctx context.Context, q db.DBTX, id uuid.UUID) error {
	tag, err := q.Exec(ctx, `delete from destinations where id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete destination: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// RotationOverlap is how long deliveries stay signed with the secret a
// rotation replaced, beside the new one (webhook-signature holds both,
// as the Standard Webhooks specification allows), so the receiver can
// switch without refusing any.
const RotationOverlap = 24 * time.Hour

// RotateSecret gives a destination a new signing secret and returns it.
// The old one also signs for RotationOverlap.
func RotateSecret(ctx context.Context, q db.DBTX, id uuid.UUID, now time.Time) (string, error) {
	secret := NewSecret()
	tag, err := q.Exec(ctx, `update destinations set previous_secret = secret, previous_until = $3::timestamptz + $4::interval,
		secret = $2, updated_at = $3 where id = $1`, id, secret, now, RotationOverlap)
	if err != nil {
		return "", fmt.Errorf("rotate secret: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return "", ErrNotFound
	}
	return secret, nil
}

// IssueFeedToken makes a new token for the destination's outcomes CSV
// and returns it; a token issued before stops working. Only its hash is
// stored.
func IssueFeedToken(ctx context.Context, q db.DBTX, id uuid.UUID, now time.Time) (string, error) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	token := base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(token))
	tag, err := q.Exec(ctx, `update destinations set feed_token_hash = $2, updated_at = $3 where id = $1`, id, sum[:], now)
	if err != nil {
		return "", fmt.Errorf("issue feed token: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return "", ErrNotFound
	}
	return token, nil
}

// RevokeFeedToken turns the destination's outcomes CSV link off.
func RevokeFeedToken(ctx context.Context, q db.DBTX, id uuid.UUID, now time.Time) error {
	tag, err := q.Exec(ctx, `update destinations set feed_token_hash = null, updated_at = $2 where id = $1`, id, now)
	if err != nil {
		return fmt.Errorf("revoke feed token: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// errBadToken is every refusal of a feed token, whatever the reason (no
// such destination, no link issued, another token), so a caller learns
// nothing from which.
var errBadToken = problem.New(problem.Unauthorized, "this outcomes link is invalid or was revoked: ask an admin for a new one")

// CheckFeedToken admits the holder of the destination's current feed
// token, comparing hashes in constant time.
func CheckFeedToken(ctx context.Context, q db.DBTX, id uuid.UUID, token string) error {
	if token == "" {
		return errBadToken
	}
	var stored []byte
	err := q.QueryRow(ctx, `select feed_token_hash from destinations where id = $1`, id).Scan(&stored)
	if errors.Is(err, pgx.ErrNoRows) {
		return errBadToken
	}
	if err != nil {
		return fmt.Errorf("check feed token: %w", err)
	}
	sum := sha256.Sum256([]byte(token))
	if len(stored) != len(sum) || subtle.ConstantTimeCompare(stored, sum[:]) != 1 {
		return errBadToken
	}
	return nil
}
