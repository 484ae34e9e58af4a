package campaign

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/recording"
)

// A contact's outcome is its latest attempt (contacts.last_call_id); the
// statements below read it that way.

// ContactFilter selects a page of contacts.
type ContactFilter struct {
	Page, Limit int
	// Status is a call status, "NOT_CALLED", or empty for all.
	Status string
	// Search matches name, business name or phone (substring).
	Search string
	// Outcomes are outcome values the contact's must equal (typed by
	// their fields), Result the contact's result; empty for any.
	Outcomes map[string]any
	Result   string
}

// Contact is a contact with its latest call.
type Contact struct {
	ID           uuid.UUID         `json:"id"`
	Name         string            `json:"name"`
	BusinessName string            `json:"businessName"`
	Phone        string            `json:"phone"`
	Variables    map[string]string `json:"variables"`
	Attempts     int               `json:"attempts"`
	Call         *CallBrief        `json:"call"`
	// Outcomes are the values of the contact's latest call that has any.
	Outcomes json.RawMessage `json:"outcomes"`
	// Result is the disposition a rule or a person chose ("won",
	// "opt-out"…); ResultSource says which ("rule", "manual").
	Result       *string    `json:"result"`
	ResultSource *string    `json:"resultSource"`
	ResultSetAt  *time.Time `json:"resultSetAt"`
	// CallbackAt is a callback the person asked for, still to be placed.
	CallbackAt *time.Time `json:"callbackAt"`
}

// CallBrief is what the contacts table shows of a call.
type CallBrief struct {
	ID          uuid.UUID `json:"id"`
	Status      string    `json:"status"`
	EndedReason *string   `json:"endedReason"`
	Disposition *string   `json:"disposition"`
	Cost        *float64  `json:"cost"`
	// RecordingURL is our recording endpoint when the call has a
	// recording (never Vapi's private storage URL, which nobody can play).
	RecordingURL *string    `json:"recordingUrl"`
	Duration     *float64   `json:"duration"`
	StartedAt    *time.Time `json:"startedAt"`
	EndedAt      *time.Time `json:"endedAt"`
	Attempt      int        `json:"attempt"`
}

// recording links the call to its recording endpoint when it has one.
func (c *CallBrief) recording(campaignID uuid.UUID, recorded bool) {
	if recorded {
		p := recording.Path(campaignID, c.ID)
		c.RecordingURL = &p
	}
}

// Pagination describes a page.
type Pagination struct {
	Page  int `json:"page"`
	Limit int `json:"limit"`
	Total int `json:"total"`
	Pages int `json:"pages"`
}

// ValidCallStatus lists what the contacts status filter accepts: every
// call status, and NOT_CALLED.
var ValidCallStatus = func() map[string]bool {
	v := map[string]bool{"NOT_CALLED": true}
	for _, s := range callstate.Statuses() {
		v[s] = true
	}
	return v
}()

// contactFilter is the contacts page's WHERE: the latest call's status
// (or NOT_CALLED) and a substring of contact_search_text, which a trigram
// index serves.
const contactFilter = `
where k.campaign_id = $1
  and ($2 = '' or ($2 = 'NOT_CALLED' and k.last_call_id is null) or l.status = $2)
  and ($3 = '' or public.contact_search_text(k.name, k.business_name, k.phone) like $3)
  and ($4::jsonb is null or ` + latestOutcomes + ` @> $4::jsonb)
  and ($5 = '' or k.result = $5)`

// listContacts picks the page's contacts before joining their calls for
// display: without a status filter the inner join is unused and Postgres
// drops it, so a deep page skips index entries instead of joined rows.
const listContacts = `
select k.id, k.name, k.business_name, k.phone, k.variables, k.attempts,
  l.id, l.status, l.ended_reason, l.disposition, l.cost::float8, ` + recording.Exists + `,
  l.duration_seconds::float8, l.started_at, l.ended_at, l.attempt,
  ` + latestOutcomes + `, k.result, k.result_source, k.result_set_at,
  case when k.suppressed_at is null then k.callback_at end
from (
  select k.* from contacts k left join calls l on l.id = k.last_call_id` + contactFilter + `
  order by k.position limit $6 offset $7
) k left join calls l on l.id = k.last_call_id
order by k.position`

const countMatching = `select count(*) from contacts k left join calls l on l.id = k.last_call_id` + contactFilter

// countByStatus counts without a search from the buckets ($3 to $5 are
// unused).
const countByStatus = `
select coalesce(sum(n), 0)::bigint from (` + bucketCounts + `) b
where ($2 = '' or status = $2) and $3 = '' and $4::jsonb is null and $5 = ''`

// Contacts returns one page of a campaign's contacts with their latest call.
func Contacts(ctx context.Context, q db.DBTX, id uuid.UUID, f ContactFilter) ([]Contact, Pagination, error) {
	if _, err := CurrentStatus(ctx, q, id); err != nil {
		return nil, Pagination{}, err
	}
	search := searchPattern(f.Search)
	var values *string
	if len(f.Outcomes) > 0 {
		b, _ := json.Marshal(f.Outcomes)
		s := string(b)
		values = &s
	}
	rows, err := q.Query(ctx, listContacts, id, f.Status, search, values, f.Result, f.Limit, (f.Page-1)*f.Limit)
	if err != nil {
		return nil, Pagination{}, fmt.Errorf("list contacts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Contact, error) {
		var c Contact
		var call CallBrief
		var callID *uuid.UUID
		var status *string
		var attempt *int
		var recorded *bool
		var outcomes []byte
		err := row.Scan(&c.ID, &c.Name, &c.BusinessName, &c.Phone, &c.Variables, &c.Attempts,
			&callID, &status, &call.EndedReason, &call.Disposition, &call.Cost, &recorded,
			&call.Duration, &call.StartedAt, &call.EndedAt, &attempt,
			&outcomes, &c.Result, &c.ResultSource, &c.ResultSetAt, &c.CallbackAt)
		c.Outcomes = outcomes
		if callID != nil {
			call.ID, call.Status, call.Attempt = *callID, *status, *attempt
			call.recording(id, *recorded)
			c.Call = &call
		}
		return c, err
	})
	if err != nil {
		return nil, Pagination{}, fmt.Errorf("list contacts: %w", err)
	}
	if out == nil {
		out = []Contact{}
	}
	// Counting apart lets the page itself stop at its limit instead of
	// joining and sorting every match.
	count := countByStatus
	if search != "" || values != nil || f.Result != "" {
		count = countMatching
	}
	var total int
	if err := q.QueryRow(ctx, count, id, f.Status, search, values, f.Result).Scan(&total); err != nil {
		return nil, Pagination{}, fmt.Errorf("count contacts: %w", err)
	}
	pages := (total + f.Limit - 1) / f.Limit
	return out, Pagination{Page: f.Page, Limit: f.Limit, Total: total, Pages: pages}, nil
}

// searchPattern is the LIKE pattern of a search: a substring of the
// lowercased name, business name or phone. Digits match phones however
// they were typed ("(415) 555"), but only when the search is a number,
// not a name with digits in it. The fields' separator is dropped from the
// search so no match spans two fields.
func searchPattern(search string) string {
	s := strings.ToLower(strings.TrimSpace(strings.ReplaceAll(search, "\x1f", "")))
	if s == "" {
		return ""
	}
	if d := digitsOnly(s); d != "" && !strings.ContainsFunc(s, unicode.IsLetter) {
		s = d
	}
	return "%" + likeEscape(s) + "%"
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// CallDetail is one call with its conversation, for the transcript view.
type CallDetail struct {
	CallBrief
	ProviderCallID    *string         `json:"providerCallId"`
	Transcript        json.RawMessage `json:"transcript"`
	Summary           *string         `json:"summary"`
	SuccessEvaluation *string         `json:"successEvaluation"`
	StructuredData    json.RawMessage `json:"structuredData"`
	// Outcomes are the call's values of the campaign's outcome fields.
	Outcomes json.RawMessage `json:"outcomes"`
}

// Call returns a call of the campaign with its transcript.
func Call(ctx context.Context, q db.DBTX, campaignID, callID uuid.UUID) (*CallDetail, error) {
	var c CallDetail
	var transcript, structured, outcomes []byte
	var recorded bool
	err := q.QueryRow(ctx, `
		select id, status, ended_reason, disposition, cost::float8, `+recording.Exists+`, duration_seconds::float8,
		  started_at, ended_at, attempt, provider_call_id, transcript, summary, success_evaluation, structured_data,
		  outcomes
		from calls l where id = $2 and campaign_id = $1`, campaignID, callID).Scan(
		&c.ID, &c.Status, &c.EndedReason, &c.Disposition, &c.Cost, &recorded, &c.Duration,
		&c.StartedAt, &c.EndedAt, &c.Attempt, &c.ProviderCallID, &transcript, &c.Summary,
		&c.SuccessEvaluation, &structured, &outcomes)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, problem.New(problem.NotFound, "call not found")
	}
	if err != nil {
		return nil, fmt.Errorf("get call: %w", err)
	}
	c.Transcript, c.StructuredData, c.Outcomes = transcript, structured, outcomes
	c.recording(campaignID, recorded)
	return &c, nil
}
