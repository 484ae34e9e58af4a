package campaign

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/recording"
	"github.com/autolynx/autolynx/lib/settings"
)

// One history per phone number: every call to an E.164 number across
// campaigns, newest first (GET /api/numbers/{phone}/calls), and where the
// number stands against the frequency cap.

// NumberCall is one call to a number, in whichever campaign.
type NumberCall struct {
	ID              uuid.UUID       `json:"id"`
	Campaign        Ref             `json:"campaign"`
	ContactID       uuid.UUID       `json:"contactId"`
	Name            string          `json:"name"`
	Attempt         int             `json:"attempt"`
	Status          string          `json:"status"`
	EndedReason     *string         `json:"endedReason"`
	Disposition     *string         `json:"disposition"`
	Cost            *float64        `json:"cost"`
	DurationSeconds *float64        `json:"durationSeconds"`
	DialedAt        time.Time       `json:"dialedAt"`
	StartedAt       *time.Time      `json:"startedAt"`
	EndedAt         *time.Time      `json:"endedAt"`
	Summary         *string         `json:"summary"`
	StructuredData  json.RawMessage `json:"structuredData"`
	// Outcomes are the call's outcome field values by name (its
	// campaign's fields), null when it has none.
	Outcomes     json.RawMessage `json:"outcomes"`
	RecordingURL *string         `json:"recordingUrl"`
}

// NumberCap is where a number stands against the frequency cap: its
// attempts in the cap's window, the cap (0: none) and when the next one
// is allowed (null: now).
type NumberCap struct {
	Attempts      int        `json:"attempts"`
	Limit         int        `json:"limit"`
	Days          int        `json:"days"`
	NextAllowedAt *time.Time `json:"nextAllowedAt"`
}

// NumberHistory is one page of a number's calls.
type NumberHistory struct {
	Phone        string       `json:"phone"`
	Calls        []NumberCall `json:"calls"`
	Pagination   Pagination   `json:"pagination"`
	FrequencyCap NumberCap    `json:"frequencyCap"`
}

// numberCalls finds the number's contacts in every campaign
// (contacts_phone_idx), then their calls.
const numberCalls = `
select l.id, c.id, c.name, k.id, k.name, l.attempt, l.status, l.ended_reason, l.disposition, l.cost::float8,
  l.duration_seconds::float8, coalesce(l.dial_requested_at, l.created_at), l.started_at, l.ended_at, l.summary,
  l.structured_data, l.outcomes, l.recording_url is not null
from contacts k join calls l on l.contact_id = k.id join campaigns c on c.id = k.campaign_id
where k.phone = $1
order by coalesce(l.dial_requested_at, l.created_at) desc, l.id desc
limit $2 offset $3`

// numberStanding counts the number's calls and reads the cap, in the
// words of the claim (lib/campaign/frequency.go) as if a contact k had
// the number.
var numberStanding = `
select (select count(*) from contacts o join calls l on l.contact_id = o.id where o.phone = k.phone),
  (select count(*) from (` + numberAttemptsSince("k", capWindowStart("$2")) + `) a),
  ` + settings.FrequencyCapAttemptsSQL + `, ` + settings.FrequencyCapDaysSQL + `,
  case when ` + FrequencyHeldSQL("k", "$2") + ` then ` + FrequencyFreesSQL("k", "$2") + ` end
from (select $1::text as phone) k`

// History returns one page (from 1) of the calls to an E.164 number.
func History(ctx context.Context, q db.DBTX, phone string, page, limit int, now time.Time) (*NumberHistory, error) {
	h := &NumberHistory{Phone: phone, Calls: []NumberCall{}, Pagination: Pagination{Page: page, Limit: limit}}
	fc := &h.FrequencyCap
	err := q.QueryRow(ctx, numberStanding, phone, now).Scan(&h.Pagination.Total, &fc.Attempts, &fc.Limit, &fc.Days, &fc.NextAllowedAt)
	if err != nil {
		return nil, fmt.Errorf("read number history: %w", err)
	}
	h.Pagination.Pages = (h.Pagination.Total + limit - 1) / limit
	rows, err := q.Query(ctx, numberCalls, phone, limit, (page-1)*limit)
	if err != nil {
		return nil, fmt.Errorf("read number history: %w", err)
	}
	h.Calls, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (NumberCall, error) {
		var c NumberCall
		var recorded bool
		err := r.Scan(&c.ID, &c.Campaign.ID, &c.Campaign.Name, &c.ContactID, &c.Name, &c.Attempt, &c.Status,
			&c.EndedReason, &c.Disposition, &c.Cost, &c.DurationSeconds, &c.DialedAt, &c.StartedAt, &c.EndedAt,
			&c.Summary, &c.StructuredData, &c.Outcomes, &recorded)
		if recorded {
			p := recording.Path(c.Campaign.ID, c.ID)
			c.RecordingURL = &p
		}
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("read number history: %w", err)
	}
	if fc.NextAllowedAt != nil {
		at := fc.NextAllowedAt.UTC()
		fc.NextAllowedAt = &at
	}
	return h, nil
}
