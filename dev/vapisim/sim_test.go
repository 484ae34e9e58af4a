package vapisim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autolynx/autolynx/lib/vapi"
)

// received is one server message as the webhook receiver got it.
type received struct {
	header http.Header
	raw    map[string]any // the "message" object
	msg    vapi.Message
}

// receiver is a webhook endpoint that records what arrives.
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []received
	status int
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	rc := &receiver{status: http.StatusOK}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var env struct{ Message map[string]any }
		var sm vapi.ServerMessage
		body := json.NewDecoder(r.Body)
		var raw json.RawMessage
		if err := body.Decode(&raw); err != nil || json.Unmarshal(raw, &env) != nil || json.Unmarshal(raw, &sm) != nil {
			t.Errorf("undecodable server message: %s", raw)
		}
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.got = append(rc.got, received{header: r.Header.Clone(), raw: env.Message, msg: sm.Message})
		w.WriteHeader(rc.status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) messages() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// kinds lists "type" or "type:status" of each message.
func kinds(msgs []received) []string {
	var out []string
	for _, m := range msgs {
		k := m.msg.Type
		if m.msg.Status != "" {
			k += ":" + m.msg.Status
		}
		out = append(out, k)
	}
	return out
}

var lifecycle = []string{"status-update:ringing", "status-update:in-progress", "status-update:ended", "end-of-call-report"}

// env is a started simulator, a client for it, a webhook receiver and an
// assistant to call with.
type env struct {
	sim       *Sim
	client    *vapi.Client
	hook      *receiver
	assistant string
	sleeps    chan time.Duration
}

// fast makes calls last milliseconds.
const fast = 1e-5

func setup(t *testing.T, cfg Config) *env {
	t.Helper()
	sim, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	e := &env{sim: sim, hook: newReceiver(t), sleeps: make(chan time.Duration, 16)}
	e.client = vapi.New(vapi.Config{
		BaseURL: sim.URL(), APIKey: sim.APIKey(), CreateCallTimeout: 300 * time.Millisecond,
		Sleep: func(_ context.Context, d time.Duration) error { e.sleeps <- d; return nil },
	})
	a, err := e.client.CreateAssistant(context.Background(), json.RawMessage(`{"name":"Sales","firstMessage":"Hi {{name}}, calling about {{ business_name }}."}`))
	if err != nil {
		t.Fatalf("create assistant: %v", err)
	}
	e.assistant = a.ID
	return e
}

// dial places a call the way the scheduler does.
func (e *env) dial(number string) (*vapi.Call, error) {
	return e.client.CreateCall(context.Background(), vapi.CreateCallRequest{
		AssistantID: e.assistant, PhoneNumberID: "pn-1",
		Customer: vapi.Customer{Number: number, Name: "Ada"},
		AssistantOverrides: &vapi.AssistantOverrides{
			VariableValues:     map[string]any{"name": "Ada", "business_name": "Engines Ltd"},
			Metadata:           map[string]any{"autolynxCallId": "c-" + number},
			ServerMessages:     vapi.ServerMessages(),
			Server:             &vapi.Server{URL: e.hook.srv.URL, Headers: map[string]string{"X-Vapi-Secret": "s3cret"}},
			VoicemailDetection: vapi.VapiVoicemailDetection(),
		},
	})
}

// waitFor polls cond for up to 20 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for range 4000 {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("gave up waiting for %s", what)
}

// settle waits until every call ended and every message was handled.
func (e *env) settle(t *testing.T) Stats {
	t.Helper()
	var st Stats
	waitFor(t, "calls to end and webhooks to drain", func() bool {
		st = e.sim.Stats()
		return st.Running == 0 && st.PendingWebhooks == 0
	})
	return st
}

func mustDial(t *testing.T, e *env, number string) *vapi.Call {
	t.Helper()
	c, err := e.dial(number)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	return c
}

func TestLifecyclePerOutcome(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mix     Mix
		kinds   []string
		reasons []string
	}{
		{Mix{Answered: 1}, lifecycle, reasonsOf(Answered)},
		{Mix{NoAnswer: 1}, []string{"status-update:ringing", "status-update:ended", "end-of-call-report"}, reasonsOf(NoAnswer)},
		{Mix{Busy: 1}, []string{"status-update:ringing", "status-update:ended", "end-of-call-report"}, reasonsOf(Busy)},
		{Mix{Voicemail: 1}, lifecycle, reasonsOf(Voicemail)},
		{Mix{Failed: 1}, []string{"status-update:ended", "end-of-call-report"}, reasonsOf(Failed)},
		{Mix{Broken: 1}, lifecycle, reasonsOf(Broken)},
		{Mix{VapiFault: 1}, []string{"status-update:ended", "end-of-call-report"}, reasonsOf(VapiFault)},
		{Mix{Screened: 1}, lifecycle, reasonsOf(Screened)},
	} {
		t.Run(tc.reasons[0], func(t *testing.T) {
			t.Parallel()
			e := setup(t, Config{Scale: fast, Mix: tc.mix, Seed: 7})
			call := mustDial(t, e, "+14155550101")
			e.settle(t)
			msgs := e.hook.messages()
			if got := kinds(msgs); !slices.Equal(got, tc.kinds) {
				t.Fatalf("messages = %v, want %v", got, tc.kinds)
			}
			for _, m := range msgs {
				checkEnvelope(t, m, call.ID)
			}
			last := msgs[len(msgs)-1].msg
			if !slices.Contains(tc.reasons, last.EndedReason) || msgs[len(msgs)-2].msg.EndedReason != last.EndedReason {
				t.Errorf("endedReason = %q, want one of %v on ended and report", last.EndedReason, tc.reasons)
			}
			got, err := e.client.GetCall(context.Background(), call.ID)
			if err != nil || got.Status != "ended" || got.EndedReason != last.EndedReason || got.Cost == nil || last.Cost == nil || *got.Cost != *last.Cost {
				t.Errorf("GET after end = %+v, %v", got, err)
			}
			if tc.mix.Answered == 1 {
				checkAnsweredReport(t, last)
			} else if tc.mix.Voicemail == 0 && tc.mix.Broken == 0 && tc.mix.Screened == 0 && last.Cost != nil && *last.Cost != 0 {
				t.Errorf("an unanswered call cost %v", *last.Cost)
			}
		})
	}
}

// reasonsOf lists an outcome's ended reasons.
func reasonsOf(o Outcome) []string {
	var out []string
	for _, w := range reasons[o] {
		out = append(out, w.reason)
	}
	return out
}

// checkEnvelope checks what every message must carry.
func checkEnvelope(t *testing.T, m received, callID string) {
	t.Helper()
	if m.header.Get("X-Vapi-Secret") != "s3cret" || m.header.Get("Content-Type") != "application/json" {
		t.Errorf("headers = %v", m.header)
	}
	if _, ok := m.raw["timestamp"].(float64); !ok || m.msg.Time().Before(time.Now().Add(-time.Minute)) {
		t.Errorf("timestamp = %v, want epoch milliseconds", m.raw["timestamp"])
	}
	if m.msg.Call == nil || m.msg.Call.ID != callID || m.msg.Call.AssistantOverrides.Metadata["autolynxCallId"] != "c-+14155550101" {
		t.Errorf("message call = %+v", m.msg.Call)
	}
	if m.msg.Type == vapi.MessageStatusUpdate && m.msg.Call.Status != m.msg.Status {
		t.Errorf("status %q but call.status %q", m.msg.Status, m.msg.Call.Status)
	}
}

func checkAnsweredReport(t *testing.T, r vapi.Message) {
	t.Helper()
	var costs []struct {
		Type string
		Cost float64
	}
	if err := json.Unmarshal(r.Costs, &costs); err != nil || len(costs) != 5 {
		t.Fatalf("costs = %s, %v", r.Costs, err)
	}
	sum := 0.0
	for _, c := range costs {
		sum += c.Cost
	}
	if r.Cost == nil || r.DurationSeconds == nil || r.StartedAt == nil || r.EndedAt == nil {
		t.Fatalf("report without cost, duration or times: %+v", r)
	}
	cost, duration := *r.Cost, *r.DurationSeconds
	perMinute := cost / (duration / 60)
	if cost <= 0 || round(sum, 4) != cost || perMinute < 0.045 || perMinute > 0.155 {
		t.Errorf("cost %v, parts sum %v, $%.3f/min", cost, sum, perMinute)
	}
	if duration < 30 || r.StartedAt.IsZero() || r.EndedAt.Before(*r.StartedAt) {
		t.Errorf("duration %v, started %v, ended %v", duration, r.StartedAt, r.EndedAt)
	}
	a := r.Artifact
	var msgs []map[string]any
	if err := json.Unmarshal(a.Messages, &msgs); err != nil || len(msgs) < 3 || a.MonoURL() == "" || len(a.StructuredOutputs) == 0 ||
		!strings.Contains(a.Transcript, "AI: Hi Ada, calling about Engines Ltd.") {
		t.Errorf("artifact = %+v (%v)", a, err)
	}
	if r.Analysis.Summary == "" || (r.Analysis.SuccessEvaluation != "true" && r.Analysis.SuccessEvaluation != "false") {
		t.Errorf("analysis = %+v", r.Analysis)
	}
}

func TestOutcomesDeterministicUnderSeed(t *testing.T) {
	t.Parallel()
	numbers := make([]string, 120)
	for i := range numbers {
		numbers[i] = fmt.Sprintf("+1415555%04d", i)
	}
	reversed := make([]string, len(numbers))
	for i, n := range numbers {
		reversed[len(numbers)-1-i] = n
	}
	run := func(seed uint64, order []string) map[string]string {
		e := setup(t, Config{Scale: fast, Seed: seed, ConcurrencyLimit: 1000})
		for _, n := range order {
			mustDial(t, e, n)
		}
		e.settle(t)
		calls, err := e.client.ListCalls(context.Background(), vapi.ListCallsParams{Limit: 1000})
		if err != nil || len(calls) != len(order) {
			t.Fatalf("list: %d calls, %v", len(calls), err)
		}
		out := map[string]string{}
		for _, c := range calls {
			out[c.Customer.Number] = c.EndedReason
		}
		return out
	}
	a, b, other := run(42, numbers), run(42, reversed), run(43, numbers)
	if !maps.Equal(a, b) {
		t.Error("the same seed gave different outcomes when calls came in another order")
	}
	if maps.Equal(a, other) {
		t.Error("another seed gave identical outcomes")
	}
	answered, distinct := 0, map[string]bool{}
	for _, r := range a {
		if slices.Contains(reasonsOf(Answered), r) {
			answered++
		}
		distinct[r] = true
	}
	if answered < 45 || answered > 85 { // DefaultMix answers 53%
		t.Errorf("answered %d of 120", answered)
	}
	if len(distinct) < 12 {
		t.Errorf("%d distinct ended reasons in 120 calls, want a realistic spread", len(distinct))
	}
}

func TestConcurrencyLimit(t *testing.T) {
	t.Parallel()
	// Answered calls last over 3 real seconds; the blocked one ends at once.
	e := setup(t, Config{Scale: 0.1, ConcurrencyLimit: 2, Mix: Mix{Answered: 1}})
	mustDial(t, e, "+14155550101")
	mustDial(t, e, "+14155550102")
	blocked, err := e.dial("+14155550103")
	if !errors.Is(err, vapi.ErrConcurrencyBlocked) || blocked == nil || blocked.SubscriptionLimits.RemainingConcurrentCalls != 0 {
		t.Fatalf("third call = %+v, %v; want ErrConcurrencyBlocked", blocked, err)
	}
	st := e.sim.Stats()
	if st.CallsCreated != 3 || st.ConcurrencyBlocked != 1 || st.Live != 2 || st.PeakLive != 2 || st.ByCustomer["+14155550103"] != 0 || st.ByPhoneNumber["pn-1"] != 2 {
		t.Errorf("stats = %+v", st)
	}
	waitFor(t, "the blocked call's report", func() bool {
		for _, m := range e.hook.messages() {
			if m.msg.Type == vapi.MessageEndOfCallReport && m.msg.Call.ID == blocked.ID {
				return m.msg.EndedReason == reasonBlocked
			}
		}
		return false
	})
}

func TestConcurrencySlotFreedWhenCallEnds(t *testing.T) {
	t.Parallel()
	e := setup(t, Config{Scale: fast, ConcurrencyLimit: 1})
	mustDial(t, e, "+14155550101")
	e.settle(t)
	if _, err := e.dial("+14155550102"); err != nil {
		t.Errorf("dial after the first call ended: %v", err)
	}
}

func TestListCallsFilters(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	tick := func() time.Time { // one second per reading
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Second)
		return clock
	}
	e := setup(t, Config{Scale: 1, Now: tick})
	first := mustDial(t, e, "+14155550101")
	second := mustDial(t, e, "+14155550102")
	ctx := context.Background()
	calls, err := e.client.ListCalls(ctx, vapi.ListCallsParams{Limit: 1})
	if err != nil || len(calls) != 1 || calls[0].ID != second.ID {
		t.Errorf("limit 1 = %+v, %v; want the newest call", calls, err)
	}
	calls, err = e.client.ListCalls(ctx, vapi.ListCallsParams{PhoneNumberID: "pn-1", CreatedAtLt: second.CreatedAt})
	if err != nil || len(calls) != 1 || calls[0].ID != first.ID {
		t.Errorf("createdAtLt = %+v, %v; want only the first call", calls, err)
	}
	if calls, err = e.client.ListCalls(ctx, vapi.ListCallsParams{PhoneNumberID: "pn-2"}); err != nil || len(calls) != 0 {
		t.Errorf("other number = %+v, %v", calls, err)
	}
	if _, err := e.client.ListCalls(ctx, vapi.ListCallsParams{Limit: 5000}); !errors.As(err, new(*vapi.RejectedError)) {
		t.Errorf("limit 5000: %v, want rejected", err)
	}
}

// TestDefaultWebhookURL checks the server URL order: the call's overrides,
// then the assistant, then the account default.
func TestDefaultWebhookURL(t *testing.T) {
	t.Parallel()
	account := newReceiver(t)
	e := setup(t, Config{Scale: fast, Mix: Mix{Failed: 1}, WebhookURL: account.srv.URL})
	ctx := context.Background()
	req := vapi.CreateCallRequest{AssistantID: e.assistant, PhoneNumberID: "pn-1", Customer: vapi.Customer{Number: "+14155550101"}}
	if _, err := e.client.CreateCall(ctx, req); err != nil {
		t.Fatal(err)
	}
	a, err := e.client.CreateAssistant(ctx, json.RawMessage(`{"name":"Hooked","server":{"url":"`+e.hook.srv.URL+`","headers":{"X-Vapi-Secret":"s3cret"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	req.AssistantID = a.ID
	if _, err := e.client.CreateCall(ctx, req); err != nil {
		t.Fatal(err)
	}
	e.settle(t)
	if got, want := len(account.messages()), 2; got != want {
		t.Errorf("account default got %d messages, want %d", got, want)
	}
	msgs := e.hook.messages()
	if len(msgs) != 2 || msgs[0].header.Get("X-Vapi-Secret") != "s3cret" || msgs[0].msg.Call.AssistantID != a.ID {
		t.Errorf("assistant server got %v", kinds(msgs))
	}
}
