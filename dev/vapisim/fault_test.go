package vapisim

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/autolynx/autolynx/lib/vapi"
)

func TestRateLimitFault(t *testing.T) {
	t.Parallel()
	e := setup(t, Config{Scale: fast, Faults: Faults{RateLimited: 1, RetryAfter: 3 * time.Second}})
	_, err := e.dial("+14155550101")
	if rl, ok := errors.AsType[*vapi.RateLimitedError](err); !ok || rl.RetryAfter != 3*time.Second {
		t.Fatalf("err = %v, want 429 with Retry-After 3s", err)
	}
	if st := e.sim.Stats(); st.RateLimited != 4 || st.CallsCreated != 0 {
		t.Errorf("stats = %+v; want 4 injected 429s (1 + 3 retries) and no call", st)
	}
}

func TestServerErrorFaultCreatesNothing(t *testing.T) {
	t.Parallel()
	e := setup(t, Config{Scale: fast, Faults: Faults{ServerErrors: 1}})
	_, err := e.dial("+14155550101")
	if se, ok := errors.AsType[*vapi.ServerError](err); !ok || se.Status != http.StatusInternalServerError {
		t.Fatalf("err = %v, want a 500", err)
	}
	if st := e.sim.Stats(); st.ServerErrors != 1 || st.CallsCreated != 0 {
		t.Errorf("stats = %+v", st)
	}
}

// TestAmbiguousCreation covers the faults where Vapi creates the call but
// the answer is lost: the client must not retry, and ListCalls must find the
// call by its metadata.
func TestAmbiguousCreation(t *testing.T) {
	t.Parallel()
	for name, f := range map[string]Faults{
		"500 after create":   {SilentCreates: 1},
		"connection dropped": {DroppedAnswers: 1},
		"answer hangs":       {HungAnswers: 1},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, Config{Scale: fast, Mix: Mix{Answered: 1}, Faults: f})
			_, err := e.dial("+14155550101")
			if _, ok := errors.AsType[*vapi.AmbiguousError](err); !ok {
				t.Fatalf("err = %v, want *AmbiguousError", err)
			}
			if st := e.sim.Stats(); st.CallsCreated != 1 || st.AmbiguousCreates != 1 || st.ByCustomer["+14155550101"] != 1 {
				t.Errorf("stats = %+v; want exactly one call created", st)
			}
			calls, err := e.client.ListCalls(context.Background(), vapi.ListCallsParams{AssistantID: e.assistant})
			if err != nil || len(calls) != 1 || calls[0].AssistantOverrides.Metadata["autolynxCallId"] != "c-+14155550101" {
				t.Errorf("reconciliation list = %+v, %v", calls, err)
			}
		})
	}
}

func TestLatencyFault(t *testing.T) {
	t.Parallel()
	e := setup(t, Config{Scale: fast})
	e.sim.SetFaults(Faults{Latency: time.Second})
	slow := vapi.New(vapi.Config{
		BaseURL: e.sim.URL(), APIKey: e.sim.APIKey(), Timeout: 20 * time.Millisecond,
		Sleep: func(context.Context, time.Duration) error { return nil },
	})
	if _, err := slow.GetCall(context.Background(), "nope"); err == nil || vapi.IsNotFound(err) {
		t.Errorf("err = %v, want a timeout", err)
	}
	e.sim.SetFaults(Faults{})
	if _, err := slow.GetCall(context.Background(), "nope"); !vapi.IsNotFound(err) {
		t.Errorf("without latency: err = %v, want not found", err)
	}
}

// CreateLatency holds POST /call alone: a create with a shorter timeout
// gives up (and, being a write already sent, is ambiguous) while reads
// answer at once.
func TestCreateLatency(t *testing.T) {
	t.Parallel()
	e := setup(t, Config{Scale: fast, CreateLatency: time.Second})
	slow := vapi.New(vapi.Config{
		BaseURL: e.sim.URL(), APIKey: e.sim.APIKey(), Timeout: 100 * time.Millisecond, CreateCallTimeout: 20 * time.Millisecond,
		Sleep: func(context.Context, time.Duration) error { return nil },
	})
	if _, err := slow.GetCall(context.Background(), "nope"); !vapi.IsNotFound(err) {
		t.Errorf("read: err = %v, want not found", err)
	}
	_, err := slow.CreateCall(context.Background(), vapi.CreateCallRequest{AssistantID: e.assistant, PhoneNumberID: "pn", Customer: vapi.Customer{Number: "+14155550101"}})
	if _, ok := errors.AsType[*vapi.AmbiguousError](err); !ok {
		t.Errorf("create: err = %v, want a timeout", err)
	}
	if st := e.sim.Stats(); st.CallsCreated != 0 {
		t.Errorf("a create given up on before its answer created %d calls", st.CallsCreated)
	}
}

func TestWebhookFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		faults Faults
		kinds  []string
		check  func(Stats) bool
	}{
		{"drop", Faults{WebhookDrops: 1}, nil, func(st Stats) bool { return st.WebhooksDropped == 4 && st.WebhooksSent == 0 }},
		{"duplicate", Faults{WebhookDuplicates: 1, WebhookCopies: 3}, triple(lifecycle), func(st Stats) bool { return st.WebhooksSent == 12 }},
		// Each message is held back and overtaken by the next one.
		{"reorder", Faults{WebhookReorders: 1}, []string{lifecycle[1], lifecycle[0], lifecycle[3], lifecycle[2]}, func(st Stats) bool { return st.WebhooksSent == 4 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, Config{Scale: fast, Mix: Mix{Answered: 1}, Faults: tc.faults})
			mustDial(t, e, "+14155550101")
			st := e.settle(t)
			if got := kinds(e.hook.messages()); !slices.Equal(got, tc.kinds) {
				t.Errorf("messages = %v, want %v", got, tc.kinds)
			}
			if !tc.check(st) {
				t.Errorf("stats = %+v", st)
			}
		})
	}
}

func triple(kinds []string) []string {
	var out []string
	for _, k := range kinds {
		out = append(out, k, k, k)
	}
	return out
}

func TestWebhookPause(t *testing.T) {
	t.Parallel()
	e := setup(t, Config{Scale: fast, Mix: Mix{Answered: 1}})
	e.sim.PauseWebhooks()
	call := mustDial(t, e, "+14155550101")
	waitFor(t, "the call to finish while paused", func() bool {
		st := e.sim.Stats()
		return st.Running == 0 && st.PendingWebhooks == 4
	})
	if got, err := e.client.GetCall(context.Background(), call.ID); err != nil || got.Status != "ended" || len(e.hook.messages()) != 0 {
		t.Fatalf("while paused: call %+v (%v), %d messages delivered", got, err, len(e.hook.messages()))
	}
	e.sim.ResumeWebhooks()
	e.settle(t)
	if got := kinds(e.hook.messages()); !slices.Equal(got, lifecycle) {
		t.Errorf("after resume = %v, want %v", got, lifecycle)
	}
}

func TestFailingReceiverCounted(t *testing.T) {
	t.Parallel()
	e := setup(t, Config{Scale: fast, Mix: Mix{Failed: 1}})
	e.hook.mu.Lock()
	e.hook.status = http.StatusUnauthorized
	e.hook.mu.Unlock()
	mustDial(t, e, "+14155550101")
	if st := e.settle(t); st.WebhooksFailed != 2 || st.WebhooksSent != 0 {
		t.Errorf("stats = %+v; want 2 failed deliveries", st)
	}
}

// TestCloseStopsEverything closes with calls live, deliveries paused and a
// create request hanging; Close returns only once every goroutine is done.
func TestCloseStopsEverything(t *testing.T) {
	t.Parallel()
	e := setup(t, Config{Scale: 1})
	mustDial(t, e, "+14155550101")
	mustDial(t, e, "+14155550102")
	e.sim.PauseWebhooks()
	e.sim.SetFaults(Faults{HungAnswers: 1})
	patient := vapi.New(vapi.Config{BaseURL: e.sim.URL(), APIKey: e.sim.APIKey(), CreateCallTimeout: time.Minute})
	done := make(chan error, 1)
	go func() {
		_, err := patient.CreateCall(context.Background(), vapi.CreateCallRequest{
			AssistantID: e.assistant, PhoneNumberID: "pn-1", Customer: vapi.Customer{Number: "+14155550103"},
		})
		done <- err
	}()
	waitFor(t, "the hung create", func() bool { return e.sim.Stats().CallsCreated == 3 })
	if err := e.sim.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := e.sim.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	select {
	case err := <-done:
		if _, ok := errors.AsType[*vapi.AmbiguousError](err); !ok {
			t.Errorf("hung create ended with %v, want ambiguous", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the hung request outlived Close")
	}
}

func TestListenAndServe(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ListenAndServe(ctx, "127.0.0.1:0", Config{}) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ListenAndServe: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ListenAndServe did not return after cancel")
	}
}

// TestWebhookDeliveryFollowsBackoffPlan: a call whose server names a
// backoffPlan has a failed delivery retried, up to maxRetries, but never
// for an excluded status; a call without one is not retried (Vapi's
// default).
func TestWebhookDeliveryFollowsBackoffPlan(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		plan     map[string]any
		answers  []int // then 200
		attempts int   // POSTs of the first message
	}{
		"retried until it lands":    {map[string]any{"type": "exponential", "maxRetries": 5, "baseDelaySeconds": 2, "excludedStatusCodes": []int{400, 401}}, []int{503, 500}, 3},
		"gives up after maxRetries": {map[string]any{"type": "fixed", "maxRetries": 2, "baseDelaySeconds": 1}, []int{500, 500, 500}, 3},
		"excluded status":           {map[string]any{"type": "fixed", "maxRetries": 5, "baseDelaySeconds": 1, "excludedStatusCodes": []int{400, 401}}, []int{401}, 1},
		"no plan":                   {nil, []int{500}, 1},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var got []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var env struct {
					Message struct {
						Type, Status string
					}
				}
				_ = json.NewDecoder(r.Body).Decode(&env)
				mu.Lock()
				defer mu.Unlock()
				got = append(got, env.Message.Type+":"+env.Message.Status)
				if n := len(got); n <= len(tc.answers) {
					w.WriteHeader(tc.answers[n-1])
				}
			}))
			defer srv.Close()
			e := setup(t, Config{Scale: fast, Mix: Mix{Failed: 1}})
			server := map[string]any{"url": srv.URL}
			if tc.plan != nil {
				server["backoffPlan"] = tc.plan
			}
			body, _ := json.Marshal(map[string]any{"assistantId": e.assistant, "phoneNumberId": "pn-1",
				"customer":           map[string]any{"number": "+14155550101"},
				"assistantOverrides": map[string]any{"server": server, "serverMessages": vapi.ServerMessages()}})
			if st, _ := post(t, e, "/call", e.sim.APIKey(), string(body)); st != http.StatusCreated {
				t.Fatalf("POST /call: %d", st)
			}
			st := e.settle(t)
			mu.Lock()
			defer mu.Unlock()
			first := 0
			for _, k := range got {
				if k == "status-update:ended" {
					first++
				}
			}
			if first != tc.attempts || st.WebhookRetries != tc.attempts-1 {
				t.Errorf("status-update POSTed %d times (%d retries), want %d: %v", first, st.WebhookRetries, tc.attempts, got)
			}
		})
	}
}
