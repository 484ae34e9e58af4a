package vapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/autolynx/autolynx/dev/vapisim"
	"github.com/autolynx/autolynx/lib/vapi"
)

// simClient starts a simulator whose calls stay live (real-time clock) and
// returns a client for it.
func simClient(t *testing.T) (*vapisim.Sim, *vapi.Client) {
	t.Helper()
	sim, err := vapisim.Start(vapisim.Config{Scale: 1, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim, vapi.New(vapi.Config{BaseURL: sim.URL(), APIKey: sim.APIKey()})
}

func TestClientAgainstSimulator(t *testing.T) {
	t.Parallel()
	_, c := simClient(t)
	ctx := context.Background()
	a, err := c.CreateAssistant(ctx, json.RawMessage(`{"name":"Sales","firstMessage":"Hi {{name}}","model":{"provider":"openai","model":"gpt-4o"},"serverMessages":["status-update","end-of-call-report"]}`))
	if err != nil {
		t.Fatalf("create assistant: %v", err)
	}
	if a.ID == "" || a.Name != "Sales" || a.FirstMessage != "Hi {{name}}" || len(a.Model) == 0 || len(a.Raw) == 0 {
		t.Errorf("assistant = %+v", a)
	}
	if a, err = c.UpdateAssistant(ctx, a.ID, json.RawMessage(`{"firstMessage":"Hello {{name}}"}`)); err != nil || a.FirstMessage != "Hello {{name}}" || a.Name != "Sales" {
		t.Fatalf("update assistant: %+v, %v", a, err)
	}
	if got, err := c.GetAssistant(ctx, a.ID); err != nil || got.FirstMessage != "Hello {{name}}" {
		t.Fatalf("get assistant: %+v, %v", got, err)
	}

	req := sampleRequest()
	req.AssistantID = a.ID
	before := time.Now().Add(-time.Second)
	call, err := c.CreateCall(ctx, req)
	if err != nil {
		t.Fatalf("create call: %v", err)
	}
	if call.Status != "queued" || call.SubscriptionLimits == nil || call.SubscriptionLimits.RemainingConcurrentCalls != 9 {
		t.Errorf("call = %+v", call)
	}
	got, err := c.GetCall(ctx, call.ID)
	if err != nil || got.AssistantOverrides.Metadata["autolynxCallId"] != "c-1" || got.Customer.Number != "+14155550100" {
		t.Fatalf("get call: %+v, %v", got, err)
	}
	list, err := c.ListCalls(ctx, vapi.ListCallsParams{AssistantID: a.ID, CreatedAtGt: before, Limit: 10})
	if err != nil || len(list) != 1 || list[0].ID != call.ID {
		t.Fatalf("list calls: %+v, %v", list, err)
	}
	if list, err = c.ListCalls(ctx, vapi.ListCallsParams{AssistantID: "other"}); err != nil || len(list) != 0 {
		t.Errorf("filtered list = %+v, %v", list, err)
	}

	if err := c.DeleteAssistant(ctx, a.ID); err != nil {
		t.Fatalf("delete assistant: %v", err)
	}
	if _, err := c.GetAssistant(ctx, a.ID); !vapi.IsNotFound(err) {
		t.Errorf("get deleted assistant: %v, want not found", err)
	}
	if _, err := c.CreateCall(ctx, req); !errors.As(err, new(*vapi.RejectedError)) {
		t.Errorf("call with a deleted assistant: %v, want rejected", err)
	}
}

func TestSimulatorRejectsWrongKey(t *testing.T) {
	t.Parallel()
	sim, _ := simClient(t)
	c := vapi.New(vapi.Config{BaseURL: sim.URL(), APIKey: "wrong"})
	if _, err := c.GetCall(context.Background(), "x"); !vapi.IsUnauthorized(err) {
		t.Errorf("err = %v, want unauthorized", err)
	}
}
