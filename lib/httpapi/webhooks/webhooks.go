// Package webhooks serves POST /api/webhooks/vapi, Vapi's server
// messages.
package webhooks

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/httpapi"
	"github.com/autolynx/autolynx/lib/ops"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/webhook"
)

// Routes are the webhook function's routes (api/webhooks/vapi.go).
var Routes = []httpapi.Route{
	{Method: "POST", Path: "/api/webhooks/vapi", Function: "webhooks/vapi", Access: httpapi.WebhookSignature, Body: httpapi.MessageBody, Handle: vapiWebhook},
}

// counters is this instance's memory of what anyone can send: refusals
// counted in memory and written once a minute. Accepted webhooks need no
// counter: each is a row of the event log.
type counters struct {
	refusals ops.Batch
}

// vapiWebhook answers POST /api/webhooks/vapi. The raw bytes are
// authenticated before they are parsed; an unauthenticated request stores
// nothing.
func vapiWebhook(d *httpapi.Deps, w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return httpapi.BodyError(err)
	}
	// Signature freshness is wall-clock time, like the sender's.
	if err := webhook.Verify(r.Header, body, time.Now(), d.Config.WebhookSecret, d.Config.WebhookSecretPrevious); err != nil {
		// Anyone can send these: counted in memory, written once a minute.
		if err := httpapi.Memo[counters](d).refusals.Add(r.Context(), d.DB, ops.WebhookRefused, d.Now()); err != nil {
			httpapi.Log(r).Warn("count", "counter", ops.WebhookRefused, "err", err.Error())
		}
		return problem.New(problem.Unauthorized, "webhook signature missing or wrong")
	}
	out, err := receiver(d).Receive(r.Context(), body)
	if errors.Is(err, webhook.ErrNotEnvelope) {
		return problem.New(problem.Invalid, err.Error())
	}
	if err != nil {
		return err
	}
	switch {
	case out.Ignored:
		httpapi.Log(r).Warn("webhook with a type or call id that is not plain text: logged, ignored")
	case out.Result.Mismatch:
		httpapi.Log(r).Warn("webhook whose call ids disagree: logged, ignored", "type", out.Type)
	case len(out.Dropped) > 0:
		httpapi.Log(r).Warn("webhook values out of range: ignored", "type", out.Type, "fields", out.Dropped)
	}
	if len(out.Mistyped) > 0 {
		// Field names only: the message is in the event log.
		httpapi.Log(r).Warn("webhook values of the wrong type: ignored", "type", out.Type, "fields", out.Mistyped)
	}
	if !out.Matched {
		httpapi.Log(r).Info("webhook for an unknown call", "type", out.Type)
	}
	switch webhook.AnswerFor(out.Type) {
	case webhook.ErrorField:
		httpapi.Log(r).Warn("declined a server message that expects an answer", "type", out.Type)
		httpapi.WriteJSON(w, http.StatusOK, map[string]string{"error": webhook.Declined(out.Type)})
	case webhook.Refuse:
		httpapi.Log(r).Warn("refused a server message that expects an answer", "type", out.Type)
		return problem.New(problem.Invalid, webhook.Declined(out.Type))
	default:
		return httpapi.WriteAnswer(w, http.StatusOK, okAnswer, nil)
	}
	return nil
}

// okAnswer is {"ok": true}, encoded once: nearly every webhook gets it.
var okAnswer = json.RawMessage(`{"ok":true}`)

func receiver(d *httpapi.Deps) *webhook.Receiver {
	return &webhook.Receiver{DB: d.DB, Now: d.Now, Secrets: []string{d.Config.WebhookSecret, d.Config.WebhookSecretPrevious},
		URLs: urlPolicy(d)}
}

// urlPolicy is which recording URLs are stored: https, and also the
// simulator's loopback http under the local runner.
func urlPolicy(d *httpapi.Deps) callstate.URLPolicy {
	return callstate.URLPolicy{LoopbackHTTP: d.Config.Local}
}
