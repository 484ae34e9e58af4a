package scheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/db"
)

// accountLock serializes every claim of the account: the cap check and the
// insert of PENDING rows must be one atomic step across concurrent ticks.
const accountLock = 7316010

// target is a campaign the tick may launch calls for.
type target struct {
	ID              uuid.UUID
	Cap             int
	Mode            string
	LineQuietGating bool
	PhoneNumberID   string
	AssistantID     string // Vapi's id
}

// claimed is an attempt row created for one contact, ready to dial.
type claimed struct {
	CallID       uuid.UUID
	ContactID    uuid.UUID
	Name         string
	BusinessName string
	Phone        string
	Variables    map[string]string
}

const liveCounts = `
select
  count(*) filter (where true),
  count(*) filter (where campaign_id = $1),
  count(*) filter (where phone_number_id = $2)
from calls where status in ('PENDING', 'QUEUED', 'RINGING', 'IN_PROGRESS')`

// currentBatch is the lowest strict batch that still has a contact not
// finished: undialed, or with a live latest call.
const currentBatch = `
select least(
  (select min(k.position) from contacts k where k.campaign_id = $1 and k.last_call_id is null),
  (select min(k.position) from calls l join contacts k on k.id = l.contact_id
     where l.campaign_id = $1 and l.status in ('PENDING', 'QUEUED', 'RINGING', 'IN_PROGRESS')))`

const claimContacts = `
with picked as (
  select k.id from contacts k
  where k.campaign_id = $1 and k.last_call_id is null and k.position <= $3
  order by k.position
  limit $2
  for update skip locked
),
made as (
  insert into calls (campaign_id, contact_id, attempt, status, phone_number_id, dial_requested_at, last_event_at)
  select $1, k.id, k.attempts + 1, 'PENDING', $4, $5, $5
  from contacts k join picked p on p.id = k.id
  returning id, contact_id
),
marked as (
  update contacts k set last_call_id = m.id, attempts = k.attempts + 1
  from made m where k.id = m.contact_id
  returning k.id, m.id as call_id, k.name, k.business_name, k.phone, k.variables, k.position
),
logged as (
  insert into call_events (call_id, campaign_id, source, type, status, received_at)
  select call_id, $1, 'tick', 'call.claimed', 'PENDING', $5 from marked
)
select call_id, id, name, business_name, phone, variables from marked order by position`

// claim creates PENDING attempts for up to the campaign's room and returns
// them. room = min(cap - live of the campaign, accountCap - live of the
// account), further limited by strict batching and line-quiet gating.
func claim(ctx context.Context, pool db.Beginner, t target, accountCap int, now time.Time) ([]claimed, int, error) {
	var out []claimed
	var accountRoom int
	err := db.InTx(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `select pg_advisory_xact_lock($1)`, accountLock); err != nil {
			return fmt.Errorf("lock account: %w", err)
		}
		var liveAccount, liveCampaign, liveLine int
		if err := tx.QueryRow(ctx, liveCounts, t.ID, t.PhoneNumberID).Scan(&liveAccount, &liveCampaign, &liveLine); err != nil {
			return fmt.Errorf("count live calls: %w", err)
		}
		accountRoom = accountCap - liveAccount
		room := min(t.Cap-liveCampaign, accountRoom)
		if t.LineQuietGating && liveLine > 0 {
			room = 0
		}
		if room <= 0 {
			return nil
		}
		maxPosition, err := positionLimit(ctx, tx, t)
		if err != nil || maxPosition == 0 {
			return err
		}
		rows, err := tx.Query(ctx, claimContacts, t.ID, room, maxPosition, t.PhoneNumberID, now)
		if err != nil {
			return fmt.Errorf("claim contacts: %w", err)
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (claimed, error) {
			var c claimed
			var vars []byte
			err := r.Scan(&c.CallID, &c.ContactID, &c.Name, &c.BusinessName, &c.Phone, &vars)
			if err == nil && len(vars) > 0 {
				err = json.Unmarshal(vars, &c.Variables)
			}
			return c, err
		})
		if err != nil {
			return fmt.Errorf("claim contacts: %w", err)
		}
		accountRoom -= len(out)
		return nil
	})
	return out, accountRoom, err
}

// positionLimit is the highest contact position this tick may dial: any
// in continuous mode; the end of the current batch in strict batch mode.
// Positions are dense from 1 (the importer assigns them), so batch b holds
// positions b*cap+1 … (b+1)*cap. 0 means nothing may be dialed.
func positionLimit(ctx context.Context, tx pgx.Tx, t target) (int, error) {
	if t.Mode != "batch" {
		return int(^uint32(0) >> 1), nil
	}
	var lowest *int
	if err := tx.QueryRow(ctx, currentBatch, t.ID).Scan(&lowest); err != nil {
		return 0, fmt.Errorf("find current batch: %w", err)
	}
	if lowest == nil {
		return 0, nil
	}
	batch := (*lowest - 1) / t.Cap
	return (batch + 1) * t.Cap, nil
}

// release undoes a claim whose call surely does not exist at Vapi: the
// attempt row goes and the contact is dialable again. The event log keeps
// the record.
const release = `
with gone as (
  delete from calls where id = $1 and status = 'PENDING' returning id, contact_id, campaign_id
),
restored as (
  update contacts k set
    attempts = k.attempts - 1,
    last_call_id = (select l.id from calls l where l.contact_id = k.id and l.id <> $1
                    order by l.attempt desc limit 1)
  from gone g where k.id = g.contact_id
)
insert into call_events (call_id, campaign_id, source, type, status, payload, received_at)
select id, campaign_id, 'tick', 'call.released', 'PENDING', jsonb_build_object('reason', $2::text), $3 from gone`

func releaseClaim(ctx context.Context, q db.DBTX, callID uuid.UUID, reason string, now time.Time) error {
	if _, err := q.Exec(ctx, release, callID, reason, now); err != nil {
		return fmt.Errorf("release claim: %w", err)
	}
	return nil
}
