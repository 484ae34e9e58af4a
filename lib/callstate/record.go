package callstate

import (
	"context"
	"fmt"
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
	provider := o.ProviderCallID
	if res.Mismatch || !PlainID(provider) {
		// Not to be believed: kept, but tied to nothing.
		provider = ""
	}
	_, err = tx.Exec(ctx, insertEvent, callID, campaignID, text(provider), ev.Source, text(ev.Type), o.Status,
		jsonArg(ev.Payload), now)
	if err != nil {
		return res, fmt.Errorf("log %s event: %w", ev.Source, err)
	}
	return res, nil
}
