package httpapi

import (
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/autolynx/autolynx/lib/auth"
	"github.com/autolynx/autolynx/lib/callstate"
	"github.com/autolynx/autolynx/lib/ops"
	"github.com/autolynx/autolynx/lib/problem"
	"github.com/autolynx/autolynx/lib/webhook"
)

// tick answers GET|POST /api/scheduler/tick for Vercel Cron (GET with
// CRON_SECRET) and scripts (POST with CRON_SHARED_SECRET); the route's
// adapter checks the secret before anything touches the database.
func (d *Deps) tick(w http.ResponseWriter, r *http.Request) error {
	only, err := tickCampaign(r)
	if err != nil {
		return err
	}
	sum, err := d.Scheduler().Tick(r.Context(), only)
	retained := 0
	if only == uuid.Nil {
		// The cron's full pass (not a one-campaign nudge) is the
		// heartbeat, and carries the alert and retention upkeep.
		var uerr error
		retained, uerr = ops.AfterTick(r.Context(), d.DB, d.Now(), d.VapiTally, nil, d.Config.AlertWebhookURL)
		if uerr != nil {
			Log(r).Error("tick upkeep", "err", uerr.Error())
		}
	}
	if err != nil {
		return err
	}
	Log(r).Info("tick", "launched", sum.Launched, "timedOut", sum.TimedOut,
		"reconciled", sum.Reconciled, "completed", sum.Completed, "rateLimited", sum.RateLimited,
		"retentionRows", retained)
	WriteJSON(w, http.StatusOK, sum)
	return nil
}

// cronAuthorized compares the bearer token with every configured secret in
// constant time.
func (d *Deps) cronAuthorized(r *http.Request) bool {
	token, ok := auth.BearerToken(r)
	if !ok {
		return false
	}
	match := 0
	for _, s := range d.Config.CronSecrets {
		match |= subtle.ConstantTimeCompare([]byte(token), []byte(s))
	}
	return match == 1
}

// tickCampaign reads the optional campaignId from the query or a JSON body.
func tickCampaign(r *http.Request) (uuid.UUID, error) {
	v := r.URL.Query().Get("campaignId")
	if v == "" && r.Method == http.MethodPost && r.ContentLength != 0 {
		var body struct {
			CampaignID string `json:"campaignId"`
		}
		if err := DecodeJSON(r, &body); err != nil {
			return uuid.Nil, err
		}
		v = body.CampaignID
	}
	if v == "" {
		return uuid.Nil, nil
	}
	id, err := uuid.Parse(v)
	if err != nil {
		return uuid.Nil, problem.New(problem.Invalid, "campaignId must be a UUID", "field", "campaignId")
	}
	return id, nil
}

// vapiWebhook answers POST /api/webhooks/vapi. The raw bytes are
// authenticated before they are parsed; an unauthenticated request stores
// nothing.
func (d *Deps) vapiWebhook(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return bodyError(err)
	}
	// Signature freshness is wall-clock time, like the sender's.
	if err := webhook.Verify(r.Header, body, time.Now(), d.Config.WebhookSecret, d.Config.WebhookSecretPrevious); err != nil {
		// Anyone can send these: counted in memory, written once a minute.
		if err := d.refusals.Add(r.Context(), d.DB, ops.WebhookRefused, d.Now()); err != nil {
			Log(r).Warn("count", "counter", ops.WebhookRefused, "err", err.Error())
		}
		return problem.New(problem.Unauthorized, "webhook signature missing or wrong")
	}
	out, err := d.receiver().Receive(r.Context(), body)
	if errors.Is(err, webhook.ErrNotEnvelope) {
		return problem.New(problem.Invalid, err.Error())
	}
	if err != nil {
		return err
	}
	d.count(r, ops.WebhookAccepted)
	switch {
	case out.Ignored:
		Log(r).Warn("webhook with a type or call id that is not plain text: logged, ignored")
	case out.Result.Mismatch:
		Log(r).Warn("webhook whose call ids disagree: logged, ignored", "type", out.Type)
	case len(out.Dropped) > 0:
		Log(r).Warn("webhook values out of range: ignored", "type", out.Type, "fields", out.Dropped)
	}
	if len(out.Mistyped) > 0 {
		// Field names only: the message is in the event log.
		Log(r).Warn("webhook values of the wrong type: ignored", "type", out.Type, "fields", out.Mistyped)
	}
	if !out.Matched {
		d.count(r, ops.WebhookUnmatched)
		Log(r).Info("webhook for an unknown call", "type", out.Type)
	}
	switch webhook.AnswerFor(out.Type) {
	case webhook.ErrorField:
		Log(r).Warn("declined a server message that expects an answer", "type", out.Type)
		WriteJSON(w, http.StatusOK, map[string]string{"error": webhook.Declined(out.Type)})
	case webhook.Refuse:
		Log(r).Warn("refused a server message that expects an answer", "type", out.Type)
		return problem.New(problem.Invalid, webhook.Declined(out.Type))
	default:
		WriteJSON(w, http.StatusOK, map[string]bool{"ok": true})
	}
	return nil
}

func (d *Deps) receiver() *webhook.Receiver {
	return &webhook.Receiver{DB: d.DB, Now: d.Now, Secrets: []string{d.Config.WebhookSecret, d.Config.WebhookSecretPrevious},
		URLs: d.urlPolicy()}
}

// urlPolicy is which recording URLs are stored: https, and also the
// simulator's loopback http under the local runner.
func (d *Deps) urlPolicy() callstate.URLPolicy {
	return callstate.URLPolicy{LoopbackHTTP: d.Config.Local}
}

// count adds one to an operations counter. Counting never fails the
// request: a lost count is logged.
func (d *Deps) count(r *http.Request, name string) {
	if err := d.webhookCounts.Add(r.Context(), d.DB, name, d.Now()); err != nil {
		Log(r).Warn("count", "counter", name, "err", err.Error())
	}
}
