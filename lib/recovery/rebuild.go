package recovery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/vapi"
	"github.com/autolynx/autolynx/lib/webhook"
)

// eventPage is how many events are read at a time.
const eventPage = 1000

// Options choose the sources and whether to write.
type Options struct {
	// Vapi, when set, is asked for the campaign's calls after the replay;
	// its answer wins where it says more (the monotonic rules decide).
	Vapi *vapi.Client
	// Repair writes the rebuilt state over the calls table, forward-only.
	Repair bool
	// Now stamps repairs; defaults to time.Now.
	Now func() time.Time
	// URLs is the recording URL policy the live run applied (see
	// callstate.URLPolicy), so the replay keeps what it kept.
	URLs callstate.URLPolicy
}

// Result says what a rebuild found.
type Result struct {
	CampaignID uuid.UUID `json:"campaignId"`
	Calls      int       `json:"calls"`
	Events     int       `json:"events"`
	// Skipped events carried nothing to replay (claims, releases, bodies
	// that are not server messages).
	Skipped int `json:"skipped"`
	// VapiMatched is how many calls Vapi's list had; VapiUnknown how many
	// calls Vapi has for this campaign that the calls table does not.
	VapiMatched int    `json:"vapiMatched"`
	VapiUnknown int    `json:"vapiUnknown"`
	Diffs       []Diff `json:"diffs"`
	Repaired    int    `json:"repaired"`
}

// Diff is one call whose row differs from its rebuilt state: the columns
// that differ, and the live and rebuilt statuses.
type Diff struct {
	CallID  uuid.UUID `json:"callId"`
	Fields  []string  `json:"fields"`
	Current string    `json:"status"`
	Rebuilt string    `json:"rebuiltStatus"`
}

// Rebuild replays campaign id's call events in order into a scratch copy
// of its calls, optionally consults Vapi, and reports (and with
// opts.Repair, repairs) every call whose row differs. It needs a session
// connection (not the transaction pooler).
func Rebuild(ctx context.Context, pool *pgxpool.Pool, id uuid.UUID, opts Options) (*Result, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if _, err := campaign.CurrentStatus(ctx, pool, id); err != nil {
		return nil, err
	}
	scratch, err := openScratch(ctx, pool, id)
	if err != nil {
		return nil, err
	}
	defer scratch.Close()
	res := &Result{CampaignID: id, Diffs: []Diff{}}
	if err := replayAll(ctx, pool, scratch, id, opts.URLs, res); err != nil {
		return res, err
	}
	if opts.Vapi != nil {
		if err := askVapi(ctx, scratch, opts.Vapi, id, opts.Now(), opts.URLs, res); err != nil {
			return res, err
		}
	}
	if err := compare(ctx, scratch, res); err != nil {
		return res, err
	}
	if opts.Repair {
		return res, repair(ctx, pool, scratch, res, opts.Now())
	}
	return res, nil
}

// event is one call_events row to replay.
type event struct {
	ID             int64
	CallID         uuid.UUID
	ProviderCallID *string
	Source         string
	Type           string
	Status         *string
	Payload        string
	ReceivedAt     time.Time
}

const campaignEvents = `
select id, call_id, provider_call_id, source, type, status, payload::text, received_at
from call_events where campaign_id = $1 and call_id is not null and id > $2
order by id limit $3`

// replayAll reads the log page by page (bounded memory) in received order.
func replayAll(ctx context.Context, pool *pgxpool.Pool, scratch *pgxpool.Pool, id uuid.UUID, urls callstate.URLPolicy, res *Result) error {
	if err := scratch.QueryRow(ctx, `select count(*) from pg_temp.calls`).Scan(&res.Calls); err != nil {
		return fmt.Errorf("count calls: %w", err)
	}
	after := int64(0)
	for {
		rows, err := pool.Query(ctx, campaignEvents, id, after, eventPage)
		if err != nil {
			return fmt.Errorf("read events: %w", err)
		}
		page, err := pgx.CollectRows(rows, pgx.RowToStructByPos[event])
		if err != nil {
			return fmt.Errorf("read events: %w", err)
		}
		for _, e := range page {
			replayed, err := replay(ctx, scratch, e, urls)
			if err != nil {
				return fmt.Errorf("replay event %d (%s): %w", e.ID, e.Type, err)
			}
			res.Events++
			if !replayed {
				res.Skipped++
			}
			after = e.ID
		}
		if len(page) < eventPage {
			return nil
		}
	}
}

// replay applies one event to the scratch copy the way it was applied
// live: webhooks through the webhook receiver itself, Vapi's call objects
// and the tick's records through callstate's rules.
func replay(ctx context.Context, scratch *pgxpool.Pool, e event, urls callstate.URLPolicy) (bool, error) {
	at := e.ReceivedAt
	switch {
	case e.Source == "webhook":
		rc := &webhook.Receiver{DB: scratch, Now: func() time.Time { return at }, URLs: urls}
		_, err := rc.Receive(ctx, []byte(e.Payload))
		if errors.Is(err, webhook.ErrNotEnvelope) {
			return false, nil
		}
		return err == nil, err
	case e.Type == callstate.EventTimeout || e.Type == callstate.EventRejected || e.Type == callstate.EventMarked:
		var p struct{ Reason string }
		_ = json.Unmarshal([]byte(e.Payload), &p)
		ev := callstate.Event{Source: e.Source, Type: e.Type}
		_, _, err := callstate.End(ctx, scratch, e.CallID, callstate.FromLive, deref(e.Status), p.Reason, ev, at)
		return err == nil, err
	case e.Type == callstate.EventLaunched:
		obs := callstate.Observation{CallID: e.CallID, ProviderCallID: deref(e.ProviderCallID), Status: deref(e.Status)}
		return true, apply(ctx, scratch, obs, at)
	case e.Source == "reconcile":
		var call vapi.Call
		if err := json.Unmarshal([]byte(e.Payload), &call); err != nil || call.ID == "" {
			return false, nil
		}
		obs := callstate.FromCall(&call)
		obs.Validate(urls)
		if obs.Status == "" && e.Type == "call.adopted" {
			obs.Status = callstate.Queued
		}
		return true, apply(ctx, scratch, obs, at)
	}
	return false, nil
}

func apply(ctx context.Context, q db.Beginner, obs callstate.Observation, at time.Time) error {
	return db.InTx(ctx, q, func(tx pgx.Tx) error {
		_, err := callstate.Apply(ctx, tx, obs, at)
		return err
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
