package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/db"
	"github.com/autolynx/autolynx/lib/vapi"
)

// ErrNotEnvelope means the body is not a Vapi server message.
var ErrNotEnvelope = errors.New(`body is not a Vapi server message: want {"message": {"type": …}}`)

// Outcome says what happened to one message.
type Outcome struct {
	Type    string
	Matched bool
	Result  callstate.Result
	// Ignored: the type or the call's id is not plain text; the message
	// was logged and changed nothing.
	Ignored bool
	// Dropped names the values no real call can have, which were ignored.
	Dropped []string
	// Mistyped names the needed members (status, endedReason, cost) whose
	// value had the wrong type: ignored, the rest of the message applied.
	Mistyped []string
}

// Receiver stores Vapi's messages.
type Receiver struct {
	DB  *pgxpool.Pool
	Now func() time.Time
	// Secrets are masked out of stored payloads: a call echoes its
	// assistantOverrides.server.headers, which carry the current one (or,
	// during a rotation, the previous one).
	Secrets []string
	// URLs says which recording URLs may be stored.
	URLs callstate.URLPolicy
}

// Receive decodes an authenticated body and records it. A message about a
// call we do not know is still kept in the event log.
func (rc *Receiver) Receive(ctx context.Context, body []byte) (Outcome, error) {
	m, err := decode(body)
	if err != nil || m.Type == "" {
		return Outcome{}, ErrNotEnvelope
	}
	obs := observe(&m)
	now := rc.Now()
	out := Outcome{Type: m.Type, Dropped: obs.Validate(rc.URLs)}
	if !callstate.PlainID(m.Type) || !callstate.PlainID(obs.ProviderCallID) {
		obs, out.Ignored = callstate.Observation{}, true
	}
	ev := callstate.Event{Source: "webhook", Type: m.Type, Payload: callstate.Redact(body, rc.Secrets...)}
	if !handled(m.Type) {
		// A type we do not act on (an imported assistant's own
		// subscriptions) is logged by name only, and changes nothing:
		// conversation-update alone would store the whole conversation,
		// and rewrite the call, at every turn (security review M7).
		ev.Payload, _ = json.Marshal(map[string]any{"type": m.Type, "call": map[string]string{"id": obs.ProviderCallID}})
		found, err := callstate.LogOnly(ctx, rc.DB, obs.ProviderCallID, ev, now)
		out.Matched = found
		return out, err
	}
	out.Mistyped = callstate.Mistyped(m.Dropped)
	if !campaign.MayFollow(obs) {
		// Nothing can follow: one statement, one round trip.
		res, err := callstate.Record(ctx, rc.DB, obs, ev, now)
		out.Matched, out.Result = res.Found, res
		return out, err
	}
	// Most ends: one statement that does what follows, too. Otherwise
	// (or when the statement declines) one transaction.
	if campaign.FollowsInSQL(obs) {
		res, err := callstate.RecordEnd(ctx, rc.DB, obs, ev, now)
		if !errors.Is(err, callstate.ErrFollowInGo) {
			out.Matched, out.Result = res.Found, res
			return out, err
		}
	}
	err = db.InBatchedTx(ctx, rc.DB, func(tx *db.BatchedTx) error {
		res, err := callstate.Record(ctx, tx, obs, ev, now)
		if err != nil {
			return err
		}
		out.Matched, out.Result = res.Found, res
		return campaign.FollowCall(ctx, tx, res, obs, now)
	})
	return out, err
}

// handled reports whether AutoLynx reads messages of type typ.
func handled(typ string) bool {
	return typ == vapi.MessageStatusUpdate || typ == vapi.MessageEndOfCallReport
}

// Answer is how a message type that expects an answer is refused.
type Answer int

// Answers.
const (
	// NoAnswer: the type expects none; {"ok": true} is fine.
	NoAnswer Answer = iota
	// ErrorField: the type's documented answer (ServerMessageResponse…)
	// has an "error" field, which is how we decline: Vapi then falls back
	// as it does for a failed tool or transfer.
	ErrorField
	// Refuse: the type's answer has no error field, so the request is
	// refused with a 400 (excluded from Vapi's retries).
	Refuse
)

// expectsAnswer lists the server message types Vapi waits on for an
// answer (ServerMessageResponse in the OpenAPI document). AutoLynx never
// configures them; they reach us only through an assistant's own
// settings.
var expectsAnswer = map[string]Answer{
	"tool-calls":                   ErrorField,
	"transfer-destination-request": ErrorField,
	"handoff-destination-request":  ErrorField,
	"assistant-request":            ErrorField,
	"knowledge-base-request":       Refuse,
	"voice-request":                Refuse,
	"call.endpointing.request":     Refuse,
	"campaign.predial":             Refuse,
}

// AnswerFor says how to answer a message of type typ.
func AnswerFor(typ string) Answer { return expectsAnswer[typ] }

// Declined is the error text sent for a message type we do not answer.
func Declined(typ string) string {
	return "AutoLynx does not answer " + typ + " messages: give this assistant's tools and transfers their own server URL"
}

// observe turns a message into an observation of its call.
func observe(m *message) callstate.Observation {
	var o callstate.Observation
	if c := m.Call; c != nil {
		o.ProviderCallID, o.CallID = c.ID, c.ours()
	}
	switch m.Type {
	case vapi.MessageStatusUpdate:
		o.Status = callstate.FromVapi(m.Status, m.EndedReason)
		if m.Status == "ended" {
			o.EndedReason = m.EndedReason
		}
	case vapi.MessageEndOfCallReport:
		o.Status = callstate.FromVapi("ended", m.EndedReason)
		o.EndedReason = m.EndedReason
		o.Cost, o.Costs = m.Cost, m.Costs
		o.StartedAt, o.EndedAt, o.DurationSeconds = m.StartedAt, m.EndedAt, m.DurationSeconds
		o.RecordingURL = m.RecordingURL
		var outputs json.RawMessage
		if a := m.Artifact; a != nil {
			o.RecordingURL = firstNonEmpty(a.MonoURL(), o.RecordingURL)
			var turns []json.RawMessage
			_ = json.Unmarshal(a.Messages, &turns)
			o.Transcript = callstate.Transcript(a.Transcript, turns)
			outputs = a.StructuredOutputs
		}
		var data json.RawMessage
		if a := m.Analysis; a != nil {
			o.Summary, o.SuccessEvaluation, data = a.Summary, string(a.SuccessEvaluation), a.StructuredData
		}
		o.StructuredData, o.OtherStructuredData = callstate.Structured(data, outputs)
	}
	return o
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
