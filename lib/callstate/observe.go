package callstate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/autolynx/autolynx/lib/db"
)

// Observation is what one piece of news says about a call. Empty fields
// say nothing and never erase what is known.
type Observation struct {
	ProviderCallID string
	// CallID is our id, from assistantOverrides.metadata; uuid.Nil if absent.
	CallID            uuid.UUID
	Status            string
	EndedReason       string
	Cost              *float64
	Costs             json.RawMessage
	RecordingURL      string
	Transcript        json.RawMessage
	Summary           string
	SuccessEvaluation string
	StructuredData    json.RawMessage
	// OtherStructuredData is the deprecated analysis.structuredData when
	// StructuredData holds artifact.structuredOutputs: not stored, only
	// read for an opt-out.
	OtherStructuredData json.RawMessage
	StartedAt           *time.Time
	EndedAt             *time.Time
	DurationSeconds     *float64
	// Fetched: the news is Vapi's call object (FromCall), asked for by
	// reconciliation, rather than a webhook.
	Fetched bool
}

// Result says what Apply did.
type Result struct {
	Found      bool
	CallID     uuid.UUID
	CampaignID uuid.UUID
	Previous   string
	Current    string
	// Mismatch: our id and Vapi's name different calls (or our call
	// already has another Vapi id); nothing was changed.
	Mismatch bool
	// The campaign's status, paused_from and whether it has a spend
	// limit, as read (not locked) with the call: follow-ups that cannot
	// change the campaign are skipped.
	CampaignStatus, CampaignPausedFrom string
	SpendLimited                       bool
}

// Changed reports whether the status moved.
func (r Result) Changed() bool { return r.Previous != r.Current }

// observeCall is one round trip: write the news to the call, log the
// event, and with $22 what follows an end (public.record_call_news,
// migration 20261207800100; no output is null). A procedure's CALL names
// its outputs too, as nulls. No argument is cast: the procedure's own
// types are the only candidates, and a cast is a type looked up by name.
const observeCall = `
call public.record_call_news($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
  $19, $20, $21, $22, $23, $24, null, null, null, null, null, null, null, null, null, null, null)`

// declined is the SQLSTATE record_call_news raises, changing nothing, when
// more than it can do follows an end (migration 20261207800100).
const declined = "AL001"

// ErrFollowInGo says RecordEnd changed nothing because more than the
// retry decision and the completion check follows the news: the caller
// records it in a transaction instead.
var ErrFollowInGo = errors.New("what follows this news is decided in Go")

// RecordEnd records o as Record does and, in the same statement, what
// follows the end of a call when that is only the retry decision (for
// o's ended reason) and the completion check: one round trip where a
// transaction took two, for most ends. Run it on the pool, never in a
// transaction. When more follows (a campaign's spend limit, an ended
// reason other than o's to classify) it changes nothing and returns
// ErrFollowInGo.
func RecordEnd(ctx context.Context, q db.DBTX, o Observation, ev Event, now time.Time) (Result, error) {
	// As stored: the statement compares the stored reason with it.
	e := Classify(text(o.EndedReason))
	r, err := observe(ctx, q, o, &ev, &e, now)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == declined {
		return Result{}, ErrFollowInGo
	}
	return r, err
}

// Apply records o on its call through q: a transaction the caller
// commits with whatever follows from the news, or the pool when nothing
// can (MayRedial false; one statement is its own transaction). A call we
// do not know is reported with Found false and changes nothing. So does news whose ids disagree: our
// id (from metadata) is believed only if the call has no Vapi id yet or
// the same one, and a call found by its Vapi id must not be named
// otherwise by our id.
func Apply(ctx context.Context, q db.DBTX, o Observation, now time.Time) (Result, error) {
	return observe(ctx, q, o, nil, nil, now)
}

// observe applies o and, unless ev is nil, logs ev in the same statement;
// with end (o's ending) the statement also does what follows an end, or
// fails with AL001.
func observe(ctx context.Context, q db.DBTX, o Observation, ev *Event, end *Ending, now time.Time) (Result, error) {
	var r Result
	var ourID *uuid.UUID
	if o.CallID != uuid.Nil {
		ourID = &o.CallID
	}
	var evSource, evType, evPayload *string
	if ev != nil {
		t := text(ev.Type)
		evSource, evType, evPayload = &ev.Source, &t, jsonArg(ev.Payload)
	}
	var before, reason string
	err := q.QueryRow(ctx, observeCall, text(o.ProviderCallID), ourID, PlainID(o.ProviderCallID), o.Status,
		allowedFrom(o.Status), text(o.EndedReason), Disposition(o.EndedReason),
		o.Cost, jsonArg(o.Costs), text(o.RecordingURL), jsonArg(o.Transcript), text(o.Summary),
		text(o.SuccessEvaluation), jsonArg(o.StructuredData), o.StartedAt, o.EndedAt, o.DurationSeconds, now,
		evSource, evType, evPayload, end != nil, end != nil && end.Refusal != NotRefused, end != nil && end.Redialable).Scan(&r.Found, &r.Mismatch, &r.CallID, &r.CampaignID, &r.Previous, &r.Current,
		&before, &reason, &r.CampaignStatus, &r.CampaignPausedFrom, &r.SpendLimited)
	if err != nil {
		return Result{}, fmt.Errorf("observe call: %w", err)
	}
	if !r.Found {
		return Result{Mismatch: r.Mismatch}, nil
	}
	if end != nil {
		return r, nil // decided in the statement
	}
	// Decide the redial once final, and again when the outcome's reason
	// arrives after the status (a report following a bare "ended"); a
	// repeat of known news (a duplicate report, a completion from GET
	// /call) must not push a scheduled redial back. Either needs
	// MayRedial(o): the status moves only to o's, the reason only to o's.
	if Terminal(r.Current) && (r.Changed() || reason != before) {
		return r, ScheduleRetry(ctx, q, r.CallID, Classify(reason), now)
	}
	return r, nil
}

// MayRedial reports whether news o can make Apply decide a redial (a
// second statement, to commit with the first): only a final status or an
// ended reason can.
func MayRedial(o Observation) bool { return Terminal(o.Status) || o.EndedReason != "" }

// allowedFrom lists the statuses from which a call may move to next, as
// a text[] literal: none for a status that is not one of ours ("", news
// of no progress).
func allowedFrom(next string) string {
	if from, ok := allowedFromLiterals[next]; ok {
		return from
	}
	return "{}"
}

// allowedFromLiterals are allowedFrom's answers, worked out once rather
// than for every webhook; as text, pgx sends them without encoding an
// array each time.
var allowedFromLiterals = func() map[string]string {
	m := map[string]string{}
	for _, next := range Statuses() {
		var from []string
		for _, s := range Statuses() {
			if Allowed(s, next) {
				from = append(from, s)
			}
		}
		m[next] = "{" + strings.Join(from, ",") + "}"
	}
	return m
}()

// jsonArg passes JSON as text (the simple protocol sends []byte as bytea),
// cleaned of what jsonb refuses.
func jsonArg(b json.RawMessage) *string {
	b = cleanJSON(b)
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	s := string(b)
	return &s
}

// text cleans s of what Postgres text refuses: one odd character in a
// transcript must not keep a call from ending.
func text(s string) string { return CleanText(s) }
