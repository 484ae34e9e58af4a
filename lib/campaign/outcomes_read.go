package campaign

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/outcome"
)

// hasOutcomes selects the calls (o) that recorded values: a call whose
// extraction found nothing ({}) must not hide what an earlier one
// recorded (calls_outcomes_idx serves it: <> implies is not null).
const hasOutcomes = `o.outcomes is not null and o.outcomes <> '{}'::jsonb`

// latestOutcomes is a contact's (k) outcome values: those of its latest
// call that has any, so a callback that went unanswered, or answered
// without a value, does not hide what was said before.
const latestOutcomes = `(select o.outcomes from calls o
  where o.campaign_id = k.campaign_id and o.contact_id = k.id and ` + hasOutcomes + `
  order by o.attempt desc limit 1)`

// Outcomes summarizes a campaign's outcome fields for its charts: per
// field how many contacts gave a value (and, for yes/no and one-of
// fields, how many gave each), results by name and the callbacks to come.
type Outcomes struct {
	Fields    []outcome.Field       `json:"fields"`
	Rules     []outcome.Rule        `json:"rules"`
	Counts    map[string]FieldCount `json:"counts"`
	Results   map[string]int        `json:"results"`
	Callbacks Callbacks             `json:"callbacks"`
}

// FieldCount counts one field's values over the contacts.
type FieldCount struct {
	Given  int            `json:"given"`
	Values map[string]int `json:"values,omitempty"`
}

// Callbacks are the callbacks pending: how many, and the next ones (the
// campaign's "next calls").
type Callbacks struct {
	Pending int            `json:"pending"`
	Next    []CallbackSlot `json:"next"`
}

// CallbackSlot is one pending callback.
type CallbackSlot struct {
	ContactID uuid.UUID `json:"contactId"`
	Name      string    `json:"name"`
	At        time.Time `json:"at"`
}

// fieldCounts counts values by field over each contact's outcomes (its
// latest call that has any, as latestOutcomes), reading only the calls
// with outcomes; only yes/no and one-of values ($2) are counted apart.
const fieldCounts = `
select e.key, case when jsonb_typeof(e.value) = 'boolean' or e.key = any($2::text[]) then e.value #>> '{}' end, count(*)
from (select distinct on (o.contact_id) o.outcomes from calls o
      where o.campaign_id = $1 and ` + hasOutcomes + `
      order by o.contact_id, o.attempt desc) x
cross join lateral jsonb_each(x.outcomes) e
group by 1, 2`

const resultCounts = `
select result, count(*) from contacts where campaign_id = $1 and result is not null group by 1`

// nextCallbacks are the callbacks still to be placed: none once the
// campaign is finished (stopped, or completed before a late report asked
// for one), since nothing more is dialed.
var nextCallbacks = `
select k.id, k.name, k.callback_at, count(*) over () from contacts k join campaigns c on c.id = k.campaign_id
where k.campaign_id = $1 and k.callback_at is not null and k.suppressed_at is null and c.status not in ` + FinalSQL + `
order by k.callback_at, k.position limit 20`

// summarizeOutcomes reads the outcome summary of a campaign that defines
// fields or rules, and of one whose contacts have results; nil otherwise.
func summarizeOutcomes(ctx context.Context, q db.DBTX, id uuid.UUID) (*Outcomes, error) {
	plan, err := outcome.Load(ctx, q, id)
	if err != nil {
		return nil, err
	}
	o := &Outcomes{Fields: plan.Fields, Rules: plan.Rules, Counts: map[string]FieldCount{}, Results: map[string]int{},
		Callbacks: Callbacks{Next: []CallbackSlot{}}}
	if !plan.Empty() {
		if err := o.countFields(ctx, q, id, plan); err != nil {
			return nil, err
		}
	}
	if err := collect(ctx, q, resultCounts, []any{id}, func(scan func(...any) error) error {
		var r string
		var n int
		err := scan(&r, &n)
		o.Results[r] = n
		return err
	}); err != nil {
		return nil, fmt.Errorf("count results: %w", err)
	}
	if err := collect(ctx, q, nextCallbacks, []any{id}, func(scan func(...any) error) error {
		var s CallbackSlot
		err := scan(&s.ContactID, &s.Name, &s.At, &o.Callbacks.Pending)
		o.Callbacks.Next = append(o.Callbacks.Next, s)
		return err
	}); err != nil {
		return nil, fmt.Errorf("list callbacks: %w", err)
	}
	if plan.Empty() && len(o.Results) == 0 && o.Callbacks.Pending == 0 {
		return nil, nil
	}
	return o, nil
}

func (o *Outcomes) countFields(ctx context.Context, q db.DBTX, id uuid.UUID, plan outcome.Plan) error {
	var enums []string
	for _, f := range plan.Fields {
		o.Counts[f.Name] = FieldCount{}
		if f.Type == outcome.Enum {
			enums = append(enums, f.Name)
		}
	}
	err := collect(ctx, q, fieldCounts, []any{id, enums}, func(scan func(...any) error) error {
		var key string
		var value *string
		var n int
		if err := scan(&key, &value, &n); err != nil {
			return err
		}
		c, known := o.Counts[key]
		if !known {
			return nil
		}
		c.Given += n
		if value != nil {
			if c.Values == nil {
				c.Values = map[string]int{}
			}
			c.Values[*value] += n
		}
		o.Counts[key] = c
		return nil
	})
	if err != nil {
		return fmt.Errorf("count outcome values: %w", err)
	}
	return nil
}

// collect runs query and hands each row's Scan to row.
func collect(ctx context.Context, q db.DBTX, query string, args []any, row func(scan func(...any) error) error) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// exportColumns are the export's extra columns for a campaign with
// outcome fields: the result, then outcome.<field> for each field.
func exportColumns(plan outcome.Plan) []string {
	if plan.Empty() {
		return nil
	}
	cols := []string{"result"}
	for _, f := range plan.Fields {
		cols = append(cols, "outcome."+f.Name)
	}
	return cols
}

// exportCells are a contact's extra cells: its result and its values in
// the fields' order (text as it is, yes/no as true/false, numbers in
// full), not yet neutralized.
func exportCells(plan outcome.Plan, result string, values []byte, cells []string) {
	cells[0] = result
	var vals map[string]any
	_ = json.Unmarshal(values, &vals)
	for i, f := range plan.Fields {
		cells[i+1] = cellText(vals[f.Name])
	}
}

func cellText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}
