// Package idempotency makes a create or an upload safe to send again: a
// client that lost the answer (a timeout, a dropped connection, a proxy's
// error page) resends the request with the same Idempotency-Key and gets
// the first answer back instead of a second campaign or a second import.
package idempotency

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/problem"
)

// Header is the request header carrying the key.
const Header = "Idempotency-Key"

// maxKey bounds a key's length (a UUID is 36).
const maxKey = 200

// Key names one request of one user. Scope says what the request does, so
// a key reused for another request is refused rather than replayed.
type Key struct {
	User  uuid.UUID
	Value string
	Scope string
}

// FromRequest reads the key of r; nil when the client sent none.
func FromRequest(r *http.Request, user uuid.UUID, scope string) (*Key, error) {
	v, ok := r.Header[http.CanonicalHeaderKey(Header)]
	if !ok {
		return nil, nil
	}
	if len(v) != 1 || !printable(v[0]) {
		return nil, problem.New(problem.Invalid, fmt.Sprintf("%s must be 1 to %d visible ASCII characters (a UUID is best)", Header, maxKey), "field", Header)
	}
	return &Key{User: user, Value: v[0], Scope: scope}, nil
}

func printable(s string) bool {
	if s == "" || len(s) > maxKey {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// claim records the key, or finds it already recorded (then nothing is
// inserted). A concurrent request with the same key waits here until the
// first one commits or rolls back. Keys older than a day are forgotten.
const claim = `
with forget as (
  delete from idempotency_keys where user_id = $1 and created_at < now() - interval '24 hours'
)
insert into idempotency_keys (user_id, key, scope) values ($1, $2, $3)
on conflict (user_id, key) do nothing`

// Run answers the request: without a key it runs do on pool; with one, do
// runs at most once per key, in one transaction with the record of its
// answer, and later requests with the key get that answer. A do that fails
// records nothing, so a retry runs afresh.
func Run(ctx context.Context, pool db.Beginner, k *Key, do func(db.Beginner) (any, error)) (json.RawMessage, error) {
	if k == nil {
		v, err := do(pool)
		if err != nil {
			return nil, err
		}
		return json.Marshal(v)
	}
	var answer json.RawMessage
	err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, claim, k.User, k.Value, k.Scope)
		if err != nil {
			return fmt.Errorf("claim idempotency key: %w", err)
		}
		if tag.RowsAffected() == 0 {
			answer, err = recorded(ctx, tx, k)
			return err
		}
		v, err := do(tx)
		if err != nil {
			return err
		}
		if answer, err = json.Marshal(v); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `update idempotency_keys set answer = $3 where user_id = $1 and key = $2`, k.User, k.Value, string(answer))
		if err != nil {
			return fmt.Errorf("record idempotent answer: %w", err)
		}
		return nil
	})
	return answer, err
}

// recorded is the answer stored for k.
func recorded(ctx context.Context, tx pgx.Tx, k *Key) (json.RawMessage, error) {
	var scope string
	var answer *string
	err := tx.QueryRow(ctx, `select scope, answer from idempotency_keys where user_id = $1 and key = $2`, k.User, k.Value).Scan(&scope, &answer)
	if errors.Is(err, pgx.ErrNoRows) {
		// Forgotten between the claim and now: the claim would have won.
		return nil, problem.New(problem.Unavailable, "retry the request", "retryable", true, "retryAfterSeconds", 1)
	}
	if err != nil {
		return nil, fmt.Errorf("read idempotent answer: %w", err)
	}
	if scope != k.Scope || answer == nil {
		return nil, problem.New(problem.Conflict, Header+" was already used for another request: send a new key with each request", "field", Header)
	}
	return json.RawMessage(*answer), nil
}
