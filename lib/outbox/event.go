package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/db"
)

// Event is one thing that happened, as the outbox keeps it.
type Event struct {
	ID        uuid.UUID
	Type      string
	SubjectID *uuid.UUID
	Phone     *string
	CreatedAt time.Time
}

// envelope is the body every delivery carries, in the shape the Standard
// Webhooks specification recommends: the event's id (also the
// webhook-id), its type, when it happened, and its data.
type envelope struct {
	ID        uuid.UUID       `json:"id"`
	Type      string          `json:"type"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// OutcomeSQL is the one place the outcome a call's events and the
// outcomes CSV carry is read: the call's structured data as stored from
// Vapi's end-of-call report (artifact.structuredOutputs, else
// analysis.structuredData). alias names the calls table in the query.
func OutcomeSQL(alias string) string { return alias + ".structured_data" }

// utc writes a timestamp column as RFC 3339 UTC in JSON.
func utc(col string) string {
	return `to_char(` + col + ` at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
}

// callData is the data of call.finished.
var callData = `
select json_build_object(
  'callId', l.id, 'campaignId', l.campaign_id, 'campaignName', c.name,
  'contact', json_build_object('id', k.id, 'name', k.name, 'businessName', k.business_name,
    'phone', k.phone, 'variables', k.variables),
  'attempt', l.attempt, 'status', l.status, 'disposition', l.disposition, 'endedReason', l.ended_reason,
  'cost', l.cost, 'durationSeconds', l.duration_seconds,
  'startedAt', ` + utc("l.started_at") + `, 'endedAt', ` + utc("l.ended_at") + `,
  'summary', l.summary, 'successEvaluation', l.success_evaluation,
  'outcome', ` + OutcomeSQL("l") + `)::text
from calls l join contacts k on k.id = l.contact_id join campaigns c on c.id = l.campaign_id
where l.id = $1`

// campaignData is the data of campaign.finished.
var campaignData = `
select json_build_object(
  'campaignId', c.id, 'name', c.name, 'status', c.status, 'statusReason', c.status_reason,
  'startedAt', ` + utc("c.started_at") + `, 'completedAt', ` + utc("c.completed_at") + `,
  'totalContacts', (select count(*) from contacts k where k.campaign_id = c.id),
  'calls', (select count(*) from calls l where l.campaign_id = c.id),
  'totalCost', (select coalesce(sum(l.cost), 0) from calls l where l.campaign_id = c.id))::text
from campaigns c where c.id = $1`

// optOutData is the data of contact.opted_out: the number, and the
// contact whose latest call it was, when one is known.
var optOutData = `
select json_build_object(
  'phone', $1::text, 'reason', d.reason, 'listedAt', ` + utc("d.created_at") + `,
  'contact', (select json_build_object('id', k.id, 'campaignId', k.campaign_id, 'name', k.name,
      'businessName', k.business_name, 'callId', l.id)
    from contacts k join calls l on l.contact_id = k.id
    where k.phone = $1 order by l.ended_at desc nulls last, l.created_at desc limit 1))::text
from (select 1) one left join dnc d on d.phone = $1`

// render makes the body of an event from the rows it is about, as they
// stand. A row deleted since (retention, a deleted campaign) leaves the
// data with what the event itself knows.
func render(ctx context.Context, q db.DBTX, ev Event, destination uuid.UUID) ([]byte, error) {
	var data string
	var err error
	switch ev.Type {
	case CallFinished:
		err = q.QueryRow(ctx, callData, ev.SubjectID).Scan(&data)
	case CampaignFinished:
		err = q.QueryRow(ctx, campaignData, ev.SubjectID).Scan(&data)
	case ContactOptedOut:
		err = q.QueryRow(ctx, optOutData, ev.Phone).Scan(&data)
	case TestEvent:
		b, _ := json.Marshal(map[string]any{"message": "A test event from AutoLynx.", "destinationId": destination})
		data = string(b)
	default:
		return nil, fmt.Errorf("render event: unknown type %q", ev.Type)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		b, _ := json.Marshal(map[string]any{"subjectId": ev.SubjectID, "deleted": true})
		data, err = string(b), nil
	}
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", ev.Type, err)
	}
	return json.Marshal(envelope{ID: ev.ID, Type: ev.Type, Timestamp: ev.CreatedAt.UTC(), Data: json.RawMessage(data)})
}

// body is the event's body: made on its first delivery and kept, so
// every delivery of it, to any destination, carries the same bytes (a
// concurrent first delivery keeps whichever was stored first).
func body(ctx context.Context, q db.DBTX, ev Event, stored *string, destination uuid.UUID) ([]byte, error) {
	if stored != nil {
		return []byte(*stored), nil
	}
	b, err := render(ctx, q, ev, destination)
	if err != nil {
		return nil, err
	}
	var kept string
	err = q.QueryRow(ctx, `update outbox_events set body = coalesce(body, $2) where id = $1 returning body`, ev.ID, string(b)).Scan(&kept)
	if err != nil {
		return nil, fmt.Errorf("keep event body: %w", err)
	}
	return []byte(kept), nil
}
