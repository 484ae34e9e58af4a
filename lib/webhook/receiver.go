package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"time"

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
	ev := callstate.Event{Source: "webhook", Type: m.Type, Payload: Redact(body, rc.Secret)}
	err := db.InTx(ctx, rc.DB, func(tx pgx.Tx) error {
		res, err := callstate.Record(ctx, tx, obs, ev, now)
		if err != nil {
			return err
		}
		out.Matched, out.Result = res.Found, res
		return campaign.FollowCall(ctx, tx, res, obs, now)
	})
	return out, err
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
