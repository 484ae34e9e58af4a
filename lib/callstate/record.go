package callstate

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Event is how a piece of news is kept in the append-only call_events log.
type Event struct {
	Source  string // webhook, tick, reconcile
	Type    string // the message type or what the tick did
	Payload []byte // JSON; nil for none
}

const insertEvent = `
insert into call_events (call_id, campaign_id, provider_call_id, source, type, status, payload, received_at)
values ($1, $2, nullif($3, ''), $4, $5, nullif($6, ''), coalesce($7::jsonb, '{}'::jsonb), $8)`

// Record applies o to its call and logs ev in the same transaction, so a
// change never exists without its event. News about an unknown call is
// still logged (without ids).
func Record(ctx context.Context, tx pgx.Tx, o Observation, ev Event, now time.Time) (Result, error) {
	res, err := Apply(ctx, tx, o, now)
	if err != nil {
		return res, err
	}
	var callID, campaignID *uuid.UUID
	if res.Found {
		callID, campaignID = &res.CallID, &res.CampaignID
	}
	var payload *string
	if len(ev.Payload) > 0 {
		// jsonb refuses NUL characters; keep the rest of the payload.
		p := strings.ReplaceAll(string(ev.Payload), `\u0000`, `\ufffd`)
		payload = &p
	}
	_, err = tx.Exec(ctx, insertEvent, callID, campaignID, o.ProviderCallID, ev.Source, ev.Type, o.Status, payload, now)
	if err != nil {
		return res, fmt.Errorf("log %s event: %w", ev.Source, err)
	}
	return res, nil
}
