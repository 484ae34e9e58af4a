package vapisim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"slices"
)

// backoffPlan is Vapi's BackoffPlan on a call's server.
type backoffPlan struct {
	Type                string    `json:"type"`
	MaxRetries          int       `json:"maxRetries"`
	BaseDelaySeconds    float64   `json:"baseDelaySeconds"`
	ExcludedStatusCodes []float64 `json:"excludedStatusCodes"`
}

// delay is how long to wait (simulated seconds) before retry n (1-based).
// Assumption: Vapi documents "exponential" without its factor or jitter;
// the simulator doubles the base delay each time, without jitter.
func (b backoffPlan) delay(n int) float64 {
	if b.Type == "exponential" {
		return b.BaseDelaySeconds * math.Pow(2, float64(n-1))
	}
	return b.BaseDelaySeconds
}

// retries reports whether an answer with status (0: no answer) is retried.
// As BackoffPlan says: any non-2xx answer is, except the excluded codes.
func (b backoffPlan) retries(status int) bool {
	return !slices.Contains(b.ExcludedStatusCodes, float64(status))
}

// deliver posts a call's messages in order, applying the webhook faults.
// A reordered message is held back and sent after the call's next one.
// Assumption: Vapi's ordering under retries is undocumented; the
// simulator delivers one call's messages one at a time, so a message
// being retried holds back the call's later ones.
func (s *Sim) deliver(h hook, in <-chan outbound) {
	var held *outbound
	for m := range in {
		fate := s.drawWebhookFate(m.typ == typeReport)
		switch {
		case fate.drop:
			s.count(func(st *Stats) { st.WebhooksDropped++; st.PendingWebhooks-- })
		case fate.reorder && held == nil:
			held = &m
		default:
			s.post(h, m, fate.copies)
			if held != nil {
				s.post(h, *held, 1)
				held = nil
			}
		}
	}
	if held != nil {
		s.post(h, *held, 1)
	}
}

// post sends one message copies times, waiting while webhooks are paused
// and retrying each copy as the call's backoff plan says.
func (s *Sim) post(h hook, m outbound, copies int) {
	defer s.count(func(st *Stats) { st.PendingWebhooks-- })
	if h.url == "" {
		return
	}
	body, err := json.Marshal(m.body)
	if err != nil {
		return
	}
	for range copies {
		for try := 0; ; try++ {
			if !s.whileResumed() {
				return
			}
			status := s.send(h, body)
			ok := status/100 == 2
			s.count(func(st *Stats) {
				if ok {
					st.WebhooksSent++
				} else {
					st.WebhooksFailed++
				}
			})
			if ok || try >= h.backoff.MaxRetries || !h.backoff.retries(status) {
				break
			}
			s.count(func(st *Stats) { st.WebhookRetries++ })
			if !s.wait(h.backoff.delay(try + 1)) {
				return
			}
		}
	}
}

// whileResumed blocks while webhooks are paused; false when closing.
func (s *Sim) whileResumed() bool {
	s.mu.Lock()
	resume := s.resume
	s.mu.Unlock()
	if resume == nil {
		return s.ctx.Err() == nil
	}
	select {
	case <-resume:
		return true
	case <-s.ctx.Done():
		return false
	}
}

// send POSTs body to the hook and returns the answer's status, 0 when
// there was none (refused, timed out).
func (s *Sim) send(h hook, body []byte) int {
	ctx, cancel := context.WithTimeout(s.ctx, h.timeout)
	defer cancel()
	select {
	case s.sem <- struct{}{}:
		defer func() { <-s.sem }()
	case <-ctx.Done():
		return 0
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	for k, v := range h.headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.hooks.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	return resp.StatusCode
}
