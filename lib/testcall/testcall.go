package testcall

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/vapi"
)

// Limits of test calls: per user, at most PerUser in Window; per
// campaign, one live at a time.
const (
	PerUser = 5
	Window  = 10 * time.Minute
	// MaxRefresh bounds the live test calls one read asks Vapi about;
	// RefreshEvery is how often one call is asked at most.
	MaxRefresh   = 3
	RefreshEvery = 2 * time.Second
	// MetadataTestCallID names our id in the call's metadata.
	MetadataTestCallID = "autolynxTestCallId"
	// Unconfirmed bounds how long a test call Vapi has not confirmed
	// counts as live: Place asks Vapi within one request, which the
	// function's 60 s maxDuration ends, so an older one was never
	// placed or its answer was lost with the function.
	Unconfirmed = 2 * time.Minute
	// recordTimeout bounds writing Vapi's answer, which goes on after
	// the client left: an unwritten answer would leave the call live.
	recordTimeout = 5 * time.Second
)

// TestCall is one test call as the API shows it.
type TestCall struct {
	ID              uuid.UUID       `json:"id"`
	CampaignID      uuid.UUID       `json:"campaignId"`
	ContactID       *uuid.UUID      `json:"contactId"`
	Phone           string          `json:"phone"`
	Status          string          `json:"status"`
	EndedReason     *string         `json:"endedReason"`
	Cost            *float64        `json:"cost"`
	DurationSeconds *float64        `json:"durationSeconds"`
	Summary         *string         `json:"summary"`
	Transcript      json.RawMessage `json:"transcript"`
	CreatedAt       time.Time       `json:"createdAt"`
	StartedAt       *time.Time      `json:"startedAt"`
	EndedAt         *time.Time      `json:"endedAt"`
	providerCallID  *string
	checkedAt       *time.Time
}

// Request is what placing a test call takes. Phone is E.164 already.
type Request struct {
	CampaignID uuid.UUID
	ContactID  *uuid.UUID
	Phone      string
	By         uuid.UUID
}

// Pool is what a Placer needs of the database: statements and
// transactions (a *pgxpool.Pool).
type Pool interface {
	db.DBTX
	db.Beginner
}

// Placer places test calls through Vapi.
type Placer struct {
	DB   Pool
	Vapi *vapi.Client
	Now  func() time.Time
}

// what a test call is made of, read with its checks.
type setup struct {
	assistantID, phoneNumberID string
	voicemail                  campaign.Voicemail
	name, business             string
	vars                       map[string]string
}

var readSetup = `
select a.provider_assistant_id, coalesce(c.phone_number_ids[1], c.phone_number_id), c.voicemail_policy, coalesce(c.voicemail_message, ''),
  coalesce(k.name, 'Test'), coalesce(k.business_name, ''), coalesce(k.variables, '{}'::jsonb),
  $2::uuid is null or k.id is not null,
  exists (select 1 from dnc d where d.phone = $3),
  (select count(*) from test_calls t where t.created_by = $4 and t.created_at > $5),
  exists (select 1 from test_calls t where t.campaign_id = c.id and t.status in ` + callstate.LiveSQL + `
          and t.created_at > case when t.provider_call_id is null then $6::timestamptz else $7 end)
from campaigns c join assistants a on a.id = c.assistant_id
left join contacts k on k.id = $2 and k.campaign_id = c.id
where c.id = $1`

const insertTestCall = `
insert into test_calls (campaign_id, contact_id, phone, created_by, created_at, checked_at)
values ($1, $2, $3, $4, $5, $5) returning id`

// Place checks the request (the campaign and contact exist, the number is
// not on the do-not-call list, the caller is under PerUser in Window and
// the campaign has no live test call), records the test call, and asks
// Vapi for it. The checks and the insert are one transaction under locks
// on the user and on the campaign, so neither two clicks nor two users
// can both pass the limits. A test call is
// live while Vapi may still have it on: confirmed ones are asked about
// first (one that ended does not wait for someone to read the list), and
// none is live past Unconfirmed unconfirmed or callstate.MaxCallAge.
func (p *Placer) Place(ctx context.Context, r Request) (*TestCall, error) {
	if _, err := p.List(ctx, r.CampaignID); err != nil {
		return nil, err
	}
	now := p.Now()
	var s setup
	var id uuid.UUID
	err := db.InTx(ctx, p.DB, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, db.XactLockIn, db.TestCallLock, r.By); err != nil {
			return fmt.Errorf("lock test calls: %w", err)
		}
		if _, err := tx.Exec(ctx, db.XactLockIn, db.TestCallCampaignLock, r.CampaignID); err != nil {
			return fmt.Errorf("lock test calls: %w", err)
		}
		var vars []byte
		var contactOK, listed, live bool
		var recent int
		err := tx.QueryRow(ctx, readSetup, r.CampaignID, r.ContactID, r.Phone, r.By, now.Add(-Window),
			now.Add(-Unconfirmed), now.Add(-callstate.MaxCallAge)).Scan(
			&s.assistantID, &s.phoneNumberID, &s.voicemail.Policy, &s.voicemail.Message, &s.name, &s.business, &vars,
			&contactOK, &listed, &recent, &live)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return problem.New(problem.NotFound, "campaign not found")
		case err != nil:
			return fmt.Errorf("read test call: %w", err)
		case !contactOK:
			return problem.New(problem.Invalid, "contactId must name a contact of the campaign", "field", "contactId")
		case listed:
			return problem.New(problem.Conflict, "the number is on the do-not-call list", "field", "phone")
		case recent >= PerUser:
			return problem.New(problem.RateLimited, fmt.Sprintf("at most %d test calls in %d minutes", PerUser, int(Window.Minutes())),
				"retryAfterSeconds", 60)
		case live:
			return problem.New(problem.Conflict, "a test call of this campaign is still live: wait for it to end")
		}
		if err := json.Unmarshal(vars, &s.vars); err != nil {
			return fmt.Errorf("read contact variables: %w", err)
		}
		return tx.QueryRow(ctx, insertTestCall, r.CampaignID, r.ContactID, r.Phone, r.By, now).Scan(&id)
	})
	if err != nil {
		return nil, err
	}
	call, err := p.Vapi.CreateCall(ctx, request(id, r, s))
	// What Vapi answered is written even if the client left meanwhile.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if err != nil {
		// A lost answer may hide a placed call: it is not called FAILED.
		status, why := "FAILED", "not placed: "+err.Error()
		if _, lost := errors.AsType[*vapi.AmbiguousError](err); lost {
			status, why = "TIMEOUT", "Vapi's answer was lost; the call may have been placed: "+err.Error()
		}
		if _, ferr := p.DB.Exec(wctx, `update test_calls set status = $2, ended_reason = $3, ended_at = $4 where id = $1`,
			id, status, why, now); ferr != nil {
			return nil, fmt.Errorf("record failed test call: %w", ferr)
		}
		return nil, unconfirmed(err)
	}
	if err := p.record(wctx, id, call); err != nil {
		return nil, err
	}
	return p.get(ctx, r.CampaignID, id)
}

// unconfirmed is the client's answer to a test call Vapi did not
// confirm: Vapi rate-limiting us is worth a retry shortly (503 with
// Retry-After), anything else is Vapi's failure.
func unconfirmed(err error) error {
	if rl, ok := errors.AsType[*vapi.RateLimitedError](err); ok {
		e := problem.New(problem.Unavailable, "Vapi is busy: try the test call again shortly",
			"retryAfterSeconds", max(1, int(math.Ceil(rl.RetryAfter.Seconds()))))
		e.Err = err
		return e
	}
	return problem.Wrap(problem.Upstream, err, "Vapi did not confirm the test call: "+err.Error())
}

// request is the POST /call of a test call: the campaign's assistant and
// first caller number, the contact's variables, the campaign's voicemail
// detection and message (as on a last attempt, so it can be heard), and
// no server messages.
func request(id uuid.UUID, r Request, s setup) vapi.CreateCallRequest {
	vars := map[string]any{"name": s.name, "business_name": s.business}
	for k, v := range s.vars {
		if _, taken := vars[k]; !taken {
			vars[k] = v
		}
	}
	o := &vapi.AssistantOverrides{
		VariableValues:     vars,
		Metadata:           map[string]any{MetadataTestCallID: id.String(), "campaignId": r.CampaignID.String()},
		ServerMessages:     []string{},
		VoicemailDetection: vapi.VapiVoicemailDetection(),
	}
	if s.voicemail.Policy == campaign.MessageLastAttempt {
		o.VoicemailMessage = s.voicemail.MessageFor(vars)
	}
	return vapi.CreateCallRequest{AssistantID: s.assistantID, PhoneNumberID: s.phoneNumberID,
		Customer: vapi.Customer{Number: r.Phone, Name: vapi.TruncateName(s.name)}, AssistantOverrides: o}
}

// record stores what Vapi says about a test call.
func (p *Placer) record(ctx context.Context, id uuid.UUID, c *vapi.Call) error {
	o := callstate.FromCall(c)
	var transcript *string
	if len(o.Transcript) > 0 {
		t := string(o.Transcript)
		transcript = &t
	}
	_, err := p.DB.Exec(ctx, `
		update test_calls set provider_call_id = $2, status = $3, ended_reason = nullif($4, ''), cost = $5,
		  duration_seconds = $6, summary = nullif($7, ''), transcript = coalesce($8::jsonb, transcript),
		  started_at = $9, ended_at = $10, checked_at = $11
		where id = $1`, id, c.ID, o.Status, o.EndedReason, o.Cost, duration(o), o.Summary, transcript,
		o.StartedAt, o.EndedAt, p.Now())
	if err != nil {
		return fmt.Errorf("record test call: %w", err)
	}
	return nil
}

func duration(o callstate.Observation) *float64 {
	if o.StartedAt == nil || o.EndedAt == nil {
		return nil
	}
	d := o.EndedAt.Sub(*o.StartedAt).Seconds()
	return &d
}

const listTestCalls = `
select id, campaign_id, contact_id, phone, status, ended_reason, cost::float8, duration_seconds::float8, summary,
  transcript, created_at, started_at, ended_at, provider_call_id, checked_at
from test_calls where campaign_id = $1 and ($2::uuid is null or id = $2)
order by created_at desc, id desc limit 20`

// List returns a campaign's latest 20 test calls, first asking Vapi about
// up to MaxRefresh not settled (live, or ended without their report yet)
// and not asked in RefreshEvery (a failure to ask leaves the last known
// status).
func (p *Placer) List(ctx context.Context, campaignID uuid.UUID) ([]TestCall, error) {
	if _, err := campaign.CurrentStatus(ctx, p.DB, campaignID); err != nil {
		return nil, err
	}
	out, err := p.read(ctx, campaignID, nil)
	if err != nil {
		return nil, err
	}
	asked := 0
	for i, t := range out {
		if asked >= MaxRefresh || t.settled(p.Now()) || t.providerCallID == nil ||
			(t.checkedAt != nil && p.Now().Sub(*t.checkedAt) < RefreshEvery) {
			continue
		}
		asked++
		c, err := p.Vapi.GetCall(ctx, *t.providerCallID)
		if err != nil {
			continue
		}
		if err := p.record(ctx, t.ID, c); err != nil {
			return nil, err
		}
		fresh, err := p.get(ctx, campaignID, t.ID)
		if err != nil {
			return nil, err
		}
		out[i] = *fresh
	}
	return out, nil
}

// ReportWait is how long after its end a test call is still asked about
// for its report: Vapi's call object ends before its cost, artifacts and
// analysis are on it.
const ReportWait = 15 * time.Minute

// settled reports whether nothing more will come of asking about t: it
// is final, and its report is in or overdue.
func (t TestCall) settled(now time.Time) bool {
	if !callstate.Terminal(t.Status) {
		return false
	}
	return t.Cost != nil || t.EndedAt == nil || now.Sub(*t.EndedAt) > ReportWait
}

func (p *Placer) get(ctx context.Context, campaignID, id uuid.UUID) (*TestCall, error) {
	out, err := p.read(ctx, campaignID, &id)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, problem.New(problem.NotFound, "test call not found")
	}
	return &out[0], nil
}

func (p *Placer) read(ctx context.Context, campaignID uuid.UUID, id *uuid.UUID) ([]TestCall, error) {
	rows, err := p.DB.Query(ctx, listTestCalls, campaignID, id)
	if err != nil {
		return nil, fmt.Errorf("list test calls: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (TestCall, error) {
		var t TestCall
		err := r.Scan(&t.ID, &t.CampaignID, &t.ContactID, &t.Phone, &t.Status, &t.EndedReason, &t.Cost,
			&t.DurationSeconds, &t.Summary, &t.Transcript, &t.CreatedAt, &t.StartedAt, &t.EndedAt,
			&t.providerCallID, &t.checkedAt)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("list test calls: %w", err)
	}
	return out, nil
}
