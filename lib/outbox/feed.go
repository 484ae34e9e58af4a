package outbox

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/db"
)

// Feed bounds: a spreadsheet's IMPORTDATA reads one answer, which a
// deployed function keeps under 4.5 MB.
const (
	FeedRows        = 1000
	MaxFeedRows     = 5000
	maxFeedBytes    = 3_500_000
	maxOutcomeCols  = 50
	feedFixedHeader = "finished_at,campaign,campaign_id,call_id,name,business_name,phone,attempt,status,disposition,ended_reason,duration_seconds,cost,summary"
)

// feedRows are the latest finished calls, newest first.
var feedRows = `
select coalesce(to_char(coalesce(l.ended_at, l.updated_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ''),
  c.name, c.id::text, l.id::text, k.name, k.business_name, k.phone, l.attempt::text, l.status,
  coalesce(l.disposition, ''), coalesce(l.ended_reason, ''), coalesce(l.duration_seconds::text, ''),
  coalesce(l.cost::text, ''), coalesce(l.summary, ''), coalesce(` + OutcomeSQL("l") + `::text, '')
from calls l join contacts k on k.id = l.contact_id join campaigns c on c.id = l.campaign_id
where l.status in ` + callstate.FinalSQL + ` and ($1::uuid is null or l.campaign_id = $1)
order by coalesce(l.ended_at, l.updated_at) desc, l.id limit $2`

// OutcomesCSV writes the latest finished calls (of one campaign when
// only is set) as CSV for a spreadsheet: one row per call, the call's
// columns, then one outcome.<field> column per outcome field found.
// Every cell goes through the export's formula neutralizing.
func OutcomesCSV(ctx context.Context, q db.DBTX, only *uuid.UUID, limit int) ([]byte, error) {
	rows, err := q.Query(ctx, feedRows, only, min(max(limit, 1), MaxFeedRows))
	if err != nil {
		return nil, fmt.Errorf("read outcomes: %w", err)
	}
	defer rows.Close()
	type row struct {
		cells   []string
		outcome map[string]string
	}
	var all []row
	fields := map[string]bool{}
	size := 0
	for rows.Next() {
		cells := make([]string, 15)
		ptrs := make([]any, 15)
		for i := range cells {
			ptrs[i] = &cells[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read outcomes: %w", err)
		}
		out := OutcomeFields([]byte(cells[14]))
		for k := range out {
			if len(fields) < maxOutcomeCols {
				fields[k] = true
			}
		}
		for _, c := range cells {
			size += len(c) + 1
		}
		if size > maxFeedBytes {
			break
		}
		all = append(all, row{cells[:14], out})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read outcomes: %w", err)
	}
	names := slices.Sorted(maps.Keys(fields))
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := append(strings.Split(feedFixedHeader, ","), prefixed(names)...)
	_ = w.Write(header)
	for _, r := range all {
		rec := make([]string, 0, len(header))
		for _, c := range r.cells {
			rec = append(rec, campaign.Neutralize(c))
		}
		for _, n := range names {
			rec = append(rec, campaign.Neutralize(r.outcome[n]))
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func prefixed(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "outcome." + n
	}
	return out
}

// OutcomeFields flattens a call's outcome (OutcomeSQL) to text by field
// name: Vapi's structured outputs ({id: {"name", "result"}}) by their
// name, plain structured data ({field: value}) by its keys. Text stays
// as it is, anything else is written as JSON.
func OutcomeFields(raw []byte) map[string]string {
	var data map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &data) != nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range data {
		var so struct {
			Name   *string         `json:"name"`
			Result json.RawMessage `json:"result"`
		}
		if json.Unmarshal(v, &so) == nil && so.Name != nil && *so.Name != "" {
			out[*so.Name] = cellText(so.Result)
			continue
		}
		out[k] = cellText(v)
	}
	return out
}

func cellText(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	if string(v) == "null" || len(v) == 0 {
		return ""
	}
	return string(v)
}

// FeedLimit reads the limit query value; empty is FeedRows.
func FeedLimit(v string) (int, bool) {
	if v == "" {
		return FeedRows, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 1 && n <= MaxFeedRows
}
