package webhook

import (
	"bytes"
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
)

// ErrNotEnvelope means the body is not a Vapi server message.
var ErrNotEnvelope = errors.New(`body is not a Vapi server message: want {"message": {"type": …}}`)

// message is the part of Vapi's ServerMessage we read. end-of-call-report
// carries the outcome at the top level; status-update carries status.
type message struct {
	Type            string          `json:"type"`
	Status          string          `json:"status"`
	EndedReason     string          `json:"endedReason"`
	Call            *vapi.Call      `json:"call"`
	Cost            *float64        `json:"cost"`
	Costs           json.RawMessage `json:"costs"`
	StartedAt       *time.Time      `json:"startedAt"`
	EndedAt         *time.Time      `json:"endedAt"`
	DurationSeconds *float64        `json:"durationSeconds"`
	Artifact        *artifact       `json:"artifact"`
	Analysis        *vapi.Analysis  `json:"analysis"`
	RecordingURL    string          `json:"recordingUrl"`
}

type artifact struct {
	Transcript   string            `json:"transcript"`
	Messages     []json.RawMessage `json:"messages"`
	RecordingURL string            `json:"recordingUrl"`
	Recording    *struct {
		Mono *struct {
			CombinedURL string `json:"combinedUrl"`
		} `json:"mono"`
	} `json:"recording"`
}

// Outcome says what happened to one message.
type Outcome struct {
	Type    string
	Matched bool
	Result  callstate.Result
}

// Receiver stores Vapi's messages.
type Receiver struct {
	DB  *pgxpool.Pool
	Now func() time.Time
	// Secret is masked out of stored payloads: a call echoes its
	// assistantOverrides.server.headers, which carry it.
	Secret string
}

// Receive decodes an authenticated body and records it. A message about a
// call we do not know is still kept in the event log.
func (rc *Receiver) Receive(ctx context.Context, body []byte) (Outcome, error) {
	var env struct {
		Message *message `json:"message"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Message == nil || env.Message.Type == "" {
		return Outcome{}, ErrNotEnvelope
	}
	m := env.Message
	obs := observe(m)
	now := rc.Now()
	out := Outcome{Type: m.Type}
	err := db.InTx(ctx, rc.DB, func(tx pgx.Tx) error {
		res, err := callstate.Apply(ctx, tx, obs, now)
		if err != nil {
			return err
		}
		out.Matched, out.Result = res.Found, res
		if err := logEvent(ctx, tx, res, obs, m.Type, Redact(body, rc.Secret), now); err != nil {
			return err
		}
		if !res.Found {
			return nil
		}
		return rc.afterApply(ctx, tx, res, obs, now)
	})
	return out, err
}

// afterApply moves the campaign on: RUNNING once a call is in progress;
// the opt-out and spend-limit rules once a report with an outcome and a
// cost arrives; COMPLETED when that was the last call.
func (rc *Receiver) afterApply(ctx context.Context, tx pgx.Tx, res callstate.Result, obs callstate.Observation, now time.Time) error {
	if res.Changed() && res.Current == callstate.InProgress {
		return campaign.MarkRunning(ctx, tx, res.CampaignID)
	}
	if optedOut(obs.StructuredData) {
		if err := campaign.SuppressOptOut(ctx, tx, res.CallID, now); err != nil {
			return err
		}
	}
	if obs.Cost != nil {
		if _, err := campaign.EnforceSpendLimit(ctx, tx, res.CampaignID); err != nil {
			return err
		}
	}
	if res.Changed() && callstate.Terminal(res.Current) {
		_, err := campaign.CompleteIfDone(ctx, tx, res.CampaignID, now)
		return err
	}
	return nil
}

// optOutKeys are the structured-data fields an assistant's analysis plan
// sets when the person asked not to be called again.
var optOutKeys = []string{"optOut", "opt_out", "doNotCall", "do_not_call", "dnc"}

// optedOut reports whether the end-of-call analysis flags an opt-out.
func optedOut(structured json.RawMessage) bool {
	if len(structured) == 0 {
		return false
	}
	var data map[string]any
	if json.Unmarshal(structured, &data) != nil {
		return false
	}
	for _, k := range optOutKeys {
		switch v := data[k].(type) {
		case bool:
			if v {
				return true
			}
		case string:
			if v == "true" || v == "yes" {
				return true
			}
		}
	}
	return false
}

const insertEvent = `
insert into call_events (call_id, campaign_id, provider_call_id, source, type, status, payload, received_at)
values ($1, $2, nullif($3, ''), 'webhook', $4, nullif($5, ''), $6::jsonb, $7)`

func logEvent(ctx context.Context, tx pgx.Tx, res callstate.Result, o callstate.Observation, typ string, body []byte, now time.Time) error {
	var callID, campaignID *uuid.UUID
	if res.Found {
		callID, campaignID = &res.CallID, &res.CampaignID
	}
	// jsonb refuses NUL characters; keep the rest of the payload.
	payload := bytes.ReplaceAll(body, []byte(`\u0000`), []byte(`\ufffd`))
	_, err := tx.Exec(ctx, insertEvent, callID, campaignID, o.ProviderCallID, typ, o.Status, string(payload), now)
	if err != nil {
		return fmt.Errorf("log webhook: %w", err)
	}
	return nil
}

// observe turns a message into an observation of its call.
func observe(m *message) callstate.Observation {
	var o callstate.Observation
	if c := m.Call; c != nil {
		o.ProviderCallID, o.CallID = c.ID, callstate.OurCallID(c)
	}
	switch m.Type {
	case "status-update":
		o.Status = callstate.FromVapi(m.Status, m.EndedReason)
		if m.Status == "ended" {
			o.EndedReason = m.EndedReason
		}
	case "end-of-call-report":
		o.Status = callstate.FromVapi("ended", m.EndedReason)
		o.EndedReason = m.EndedReason
		o.Cost, o.Costs = m.Cost, m.Costs
		o.StartedAt, o.EndedAt, o.DurationSeconds = m.StartedAt, m.EndedAt, m.DurationSeconds
		o.RecordingURL = m.RecordingURL
		if a := m.Artifact; a != nil {
			o.RecordingURL = firstNonEmpty(a.RecordingURL, monoURL(a), o.RecordingURL)
			o.Transcript = callstate.Transcript(a.Transcript, a.Messages)
		}
		if a := m.Analysis; a != nil {
			o.Summary, o.SuccessEvaluation = a.Summary, string(a.SuccessEvaluation)
			o.StructuredData = a.StructuredData
		}
	}
	return o
}

// Redact masks secret wherever it appears in a payload to be stored.
func Redact(payload []byte, secret string) []byte {
	if secret == "" {
		return payload
	}
	return bytes.ReplaceAll(payload, []byte(secret), []byte("[redacted]"))
}

func monoURL(a *artifact) string {
	if a.Recording != nil && a.Recording.Mono != nil {
		return a.Recording.Mono.CombinedURL
	}
	return ""
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
