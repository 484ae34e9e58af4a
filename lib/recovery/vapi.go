package recovery

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/vapi"
)

// Vapi lookup bounds: a line's window is paged at most maxPages times.
const (
	maxPages = 50
	// dialSlack widens a line's window around our dial times: Vapi stamps
	// createdAt when it receives the request.
	dialSlack = 10 * time.Minute
)

// askVapi lists, per phone line, Vapi's calls created while the campaign
// dialed, and applies each one carrying our call id to the scratch copy.
func askVapi(ctx context.Context, scratch *pgxpool.Pool, client *vapi.Client, id uuid.UUID, now time.Time, urls callstate.URLPolicy, res *Result) error {
	byLine, err := scratchDials(ctx, scratch)
	if err != nil {
		return err
	}
	for line, dials := range byLine {
		ours := make(map[uuid.UUID]bool, len(dials))
		from, to := dials[0].At, dials[0].At
		for _, d := range dials {
			ours[d.ID] = true
			from, to = minTime(from, d.At), maxTime(to, d.At)
		}
		calls, err := client.ListWindow(ctx, vapi.ListCallsParams{PhoneNumberID: line,
			CreatedAtGt: from.Add(-dialSlack), CreatedAtLt: to.Add(dialSlack)}, maxPages)
		if err != nil {
			return fmt.Errorf("ask Vapi: %w", err)
		}
		for i := range calls {
			c := &calls[i]
			switch ourID := callstate.OurCallID(c); {
			case ours[ourID]:
				res.VapiMatched++
				obs := callstate.FromCall(c)
				obs.Validate(urls)
				if err := apply(ctx, scratch, obs, now); err != nil {
					return fmt.Errorf("apply Vapi's call: %w", err)
				}
			case campaignOf(c) == id:
				res.VapiUnknown++
			}
		}
	}
	return nil
}

// campaignOf reads the campaign id we put in a call's metadata.
func campaignOf(c *vapi.Call) uuid.UUID {
	if c.AssistantOverrides == nil {
		return uuid.Nil
	}
	s, _ := c.AssistantOverrides.Metadata["campaignId"].(string)
	id, _ := uuid.Parse(s)
	return id
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// scratchDials groups the scratch calls by phone line, with their dial
// times, for the Vapi lookup.
func scratchDials(ctx context.Context, q db.DBTX) (map[string][]dial, error) {
	rows, err := q.Query(ctx, `select id, phone_number_id, coalesce(dial_requested_at, created_at) from pg_temp.calls`)
	if err != nil {
		return nil, fmt.Errorf("list scratch calls: %w", err)
	}
	dials, err := pgx.CollectRows(rows, pgx.RowToStructByPos[dial])
	if err != nil {
		return nil, fmt.Errorf("list scratch calls: %w", err)
	}
	byLine := map[string][]dial{}
	for _, d := range dials {
		byLine[d.Line] = append(byLine[d.Line], d)
	}
	return byLine, nil
}

// dial is one call's place in Vapi's list: its line and when it was dialed.
type dial struct {
	ID   uuid.UUID
	Line string
	At   time.Time
}
