package scheduler

import (
	"context"
	"errors"
	"time"

	"github.com/autolynx/autolynx/lib/assistant"
	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/campaign"
	"github.com/autolynx/autolynx/lib/outcome"
	"github.com/autolynx/autolynx/lib/vapi"
)

// verdict is what one launch attempt means for the rest of the tick.
type verdict int

const (
	launched verdict = iota
	// ambiguous: the call may exist; the claim stays for reconciliation.
	ambiguous
	// contactFailed: Vapi refused this contact; the attempt is FAILED.
	contactFailed
	// backOff: nothing was created (rate limit, concurrency); stop
	// launching this tick.
	backOff
	// campaignFailed: the campaign cannot proceed (bad key, assistant gone).
	campaignFailed
	// campaignPaused: Vapi refuses calls for the account (credits,
	// billing, a limit) until someone fixes it and resumes.
	campaignPaused
)

// request builds Vapi's POST /call for a claimed contact: the contact's
// fields as variableValues, our ids as metadata, our webhook as the
// server (with a backoff plan, so Vapi retries a delivery we missed) and
// the two messages we read as serverMessages, so status arrives whatever
// the assistant's own settings say and nothing else does.
func (s *Scheduler) request(t target, c claimed) vapi.CreateCallRequest {
	vars := map[string]any{"name": c.Name, "business_name": c.BusinessName}
	for k, v := range c.Variables {
		if _, taken := vars[k]; !taken {
			vars[k] = v
		}
	}
	var plan *vapi.ArtifactPlan
	if !t.Outcomes.Empty() {
		local := s.Now().In(contactZone(t, c))
		for k, v := range outcome.Variables(local) {
			vars[k] = v
		}
		plan = &vapi.ArtifactPlan{StructuredOutputs: []vapi.StructuredOutput{t.Outcomes.Output(local)}}
	}
	req := vapi.CreateCallRequest{
		AssistantID:   t.AssistantID,
		PhoneNumberID: c.PhoneNumberID,
		Customer:      vapi.Customer{Number: c.Phone, Name: vapi.TruncateName(c.Name)},
		AssistantOverrides: &vapi.AssistantOverrides{
			VariableValues: vars,
			Metadata: map[string]any{
				callstate.MetadataCallID: c.CallID.String(),
				"contactId":              c.ContactID.String(),
				"campaignId":             t.ID.String(),
			},
			Server:             s.webhookServer(),
			ServerMessages:     vapi.ServerMessages(),
			VoicemailDetection: vapi.VapiVoicemailDetection(),
			ArtifactPlan:       plan,
		},
	}
	// Only an attempt claimed as leaving the message carries it; every
	// other one hangs up on a voicemail.
	if c.LeavesMessage {
		req.AssistantOverrides.VoicemailMessage = t.Voicemail.MessageFor(vars)
	}
	return req
}

// contactZone is the zone a contact's local time is told in: its first
// zone (a number spanning several is only dialed when the window is open
// in all of them), else the campaign's fallback.
func contactZone(t target, c claimed) *time.Location {
	for _, z := range append(c.Timezones, t.FallbackTimezone) {
		if loc, err := time.LoadLocation(z); err == nil && z != "" {
			return loc
		}
	}
	return time.UTC
}

// webhookServer is where every call reports: our webhook, authenticated
// by the configured Vapi credential or else by the secret as a header.
func (s *Scheduler) webhookServer() *vapi.Server {
	headers, cred := assistant.WebhookAuth(s.WebhookSecret, s.CredentialID)
	return &vapi.Server{URL: s.WebhookURL, Headers: headers, CredentialID: cred, BackoffPlan: vapi.WebhookBackoff()}
}

// dial asks Vapi for one call and records what came back; count records
// the outcome in the tick's summary (dials run in parallel).
func (s *Scheduler) dial(ctx context.Context, t target, c claimed, count func(func(*Summary))) (verdict, string) {
	call, err := s.Vapi.CreateCall(ctx, s.request(t, c))
	switch {
	case err == nil:
		if err := s.recordLaunch(ctx, t, c, call); err != nil {
			s.Log.Error("record launch", "call", c.CallID, "err", err)
		}
		return launched, ""
	case errors.Is(err, vapi.ErrConcurrencyBlocked):
		count(func(s *Summary) { s.ConcurrencyBlocked++ })
		return backOff, s.release(ctx, c, "vapi concurrency limit reached")
	case isType[*vapi.RateLimitedError](err):
		count(func(s *Summary) { s.RateLimited++ })
		return backOff, s.release(ctx, c, "vapi rate limited")
	case isType[*vapi.AmbiguousError](err):
		count(func(s *Summary) { s.Ambiguous++ })
		s.Log.Warn("ambiguous call creation; will reconcile", "call", c.CallID, "err", err.Error())
		return ambiguous, ""
	case vapi.IsUnauthorized(err):
		s.release(ctx, c, "vapi refused the API key")
		return campaignFailed, "Vapi refused the API key (401/403): check VAPI_API_KEY"
	case isConcurrencyRefusal(err):
		count(func(s *Summary) { s.ConcurrencyBlocked++ })
		return backOff, s.release(ctx, c, "vapi concurrency limit reached (400)")
	case isAccountRefusal(err):
		s.release(ctx, c, "vapi refused the account")
		return campaignPaused, accountRefusalReason(err)
	case isAssistantProblem(err):
		s.release(ctx, c, "assistant unusable")
		return campaignFailed, "Vapi cannot use the campaign's assistant: " + err.Error()
	case isType[*vapi.RejectedError](err):
		count(func(s *Summary) { s.Rejected++ })
		if ferr := s.failAttempt(ctx, c, err.Error()); ferr != nil {
			s.Log.Error("fail attempt", "call", c.CallID, "err", ferr)
		}
		return contactFailed, ""
	default:
		// A failure before anything was sent (connection refused…).
		return backOff, s.release(ctx, c, "vapi unreachable: "+err.Error())
	}
}

// recordLaunch stores Vapi's answer to POST /call and marks the
// campaign started on its first call.
func (s *Scheduler) recordLaunch(ctx context.Context, t target, c claimed, call *vapi.Call) error {
	now := s.Now()
	if err := callstate.Launched(ctx, s.DB, c.CallID, call, now); err != nil {
		return err
	}
	if t.Started {
		return nil
	}
	return campaign.MarkStarted(ctx, s.DB, t.ID, now)
}

// failAttempt ends an attempt Vapi refused for this contact alone.
func (s *Scheduler) failAttempt(ctx context.Context, c claimed, reason string) error {
	ev := callstate.Event{Source: "tick", Type: callstate.EventRejected}
	_, _, err := callstate.End(ctx, s.DB, c.CallID, callstate.FromPending, callstate.Failed, "rejected: "+reason, ev, s.Now())
	return err
}

func (s *Scheduler) release(ctx context.Context, c claimed, reason string) string {
	if err := releaseClaim(ctx, s.DB, c.CallID, reason, s.Now()); err != nil {
		s.Log.Error("release claim", "call", c.CallID, "err", err)
	}
	return reason
}

// isAssistantProblem tells a refusal that will hit every contact (the
// assistant or phone number is unknown to Vapi) from one about a contact.
func isAssistantProblem(err error) bool {
	r, ok := errors.AsType[*vapi.RejectedError](err)
	return ok && (r.Status == 404 || r.Mentions("assistant", "phonenumberid", "get phone number"))
}

// isConcurrencyRefusal tells a 400 about the account's concurrency limit
// (the historic "Over Concurrency Limit"): it passes as slots free up, so
// the tick backs off instead of pausing.
func isConcurrencyRefusal(err error) bool {
	r, ok := errors.AsType[*vapi.RejectedError](err)
	return ok && r.Status == 400 && r.Mentions("concurrency")
}

// accountWords name a refusal of the account rather than of the contact
// (Vapi's spec: a 400 is a "client/policy failure (limits, validation,
// missing resources)").
var accountWords = []string{"limit", "credit", "billing", "wallet", "subscription", "frozen", "fraud"}

// isAccountRefusal tells a 400 about the account (out of credits, a
// frozen subscription, a limit) from one about the contact: the campaign
// pauses instead of failing every contact in turn. A customer number Vapi
// rejects ("must be a valid phone number") names none of these words.
func isAccountRefusal(err error) bool {
	r, ok := errors.AsType[*vapi.RejectedError](err)
	return ok && r.Status == 400 && r.Mentions(accountWords...)
}

// accountRefusalReason is the campaign's statusReason for a refused
// account, in the words of the ended reasons where Vapi's message allows.
func accountRefusalReason(err error) string {
	r, _ := errors.AsType[*vapi.RejectedError](err)
	switch {
	case r.Mentions("credit"):
		return callstate.Classify("call.start.error-subscription-insufficient-credits").Why
	case r.Mentions("frozen"):
		return callstate.Classify("call.start.error-subscription-frozen").Why
	}
	return "Vapi refused calls for the account (" + r.Message + ") — fix it in Vapi, then Resume"
}

func isType[T error](err error) bool {
	var t T
	return errors.As(err, &t)
}
