package vapisim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/autolynx/autolynx/lib/vapi"
)

// deliver posts a call's messages in order, applying the webhook faults.
// A reordered message is held back and sent after the call's next one.
func (s *Sim) deliver(h hook, in <-chan vapi.Message) {
	var held *vapi.Message
	for m := range in {
		fate := s.drawWebhookFate(m.Type == vapi.MessageEndOfCallReport)
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

// post sends one message copies times, waiting while webhooks are paused.
func (s *Sim) post(h hook, m vapi.Message, copies int) {
	defer s.count(func(st *Stats) { st.PendingWebhooks-- })
	if h.url == "" {
		return
	}
	body, err := json.Marshal(vapi.ServerMessage{Message: m})
	if err != nil {
		return
	}
	for range copies {
		if !s.whileResumed() {
			return
		}
		ok := s.send(h, body)
		s.count(func(st *Stats) {
			if ok {
				st.WebhooksSent++
			} else {
				st.WebhooksFailed++
			}
		})
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

// send POSTs body to the hook and reports a 2xx answer. Vapi does not retry
// by default, and neither does the simulator.
func (s *Sim) send(h hook, body []byte) bool {
	ctx, cancel := context.WithTimeout(s.ctx, h.timeout)
	defer cancel()
	select {
	case s.sem <- struct{}{}:
		defer func() { <-s.sem }()
	case <-ctx.Done():
		return false
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, bytes.NewReader(body))
	if err != nil {
		return false
	}
	for k, v := range h.headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.hooks.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	return resp.StatusCode/100 == 2
}
