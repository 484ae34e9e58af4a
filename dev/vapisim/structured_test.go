package vapisim

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/autolynx/autolynx/lib/vapi"
)

// outputPlan asks for one object output with a field of every type.
var outputPlan = &vapi.ArtifactPlan{StructuredOutputs: []vapi.StructuredOutput{{Name: "autolynx_outcomes",
	Schema: vapi.JSONSchema{Type: "object", Properties: map[string]vapi.JSONSchema{
		"interested":  {Type: "boolean"},
		"budget":      {Type: "number"},
		"tier":        {Type: "string", Enum: []string{"hot", "cold"}},
		"email":       {Type: "string"},
		"callback_at": {Type: "string", Description: "Write it as YYYY-MM-DDTHH:MM in the person's local time."},
	}}}}}

// results dials number with the output plan in zone and returns the
// result of its output from the end-of-call report.
func (e *env) results(t *testing.T, number, zone string) map[string]any {
	t.Helper()
	c, err := e.client.CreateCall(context.Background(), vapi.CreateCallRequest{
		AssistantID: e.assistant, PhoneNumberID: "pn-1", Customer: vapi.Customer{Number: number},
		AssistantOverrides: &vapi.AssistantOverrides{
			VariableValues: map[string]any{"name": "Ada", "contact_timezone": zone},
			ServerMessages: vapi.ServerMessages(), ArtifactPlan: outputPlan,
			Server: &vapi.Server{URL: e.hook.srv.URL},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.settle(t)
	for _, m := range e.hook.messages() {
		if m.msg.Type != vapi.MessageEndOfCallReport || m.msg.Call == nil || m.msg.Call.ID != c.ID {
			continue
		}
		var outputs map[string]struct {
			Name   string         `json:"name"`
			Result map[string]any `json:"result"`
		}
		if err := json.Unmarshal(m.msg.Artifact.StructuredOutputs, &outputs); err != nil {
			t.Fatal(err)
		}
		for _, o := range outputs {
			if o.Name == "autolynx_outcomes" {
				return o.Result
			}
		}
		t.Fatalf("no autolynx_outcomes among %s", m.msg.Artifact.StructuredOutputs)
	}
	t.Fatal("no end-of-call report")
	return nil
}

// An answered call's transient structured outputs get results drawn from
// their schemas; a scripted number says what its script says, call by
// call, with "tomorrow 10:00" resolved in the contact's zone.
func TestStructuredOutputsFromSchemas(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC) // 14:00 Monday in Tokyo
	const tokyo, other = "+81312345678", "+14155550100"
	e := setup(t, Config{Scale: fast, Mix: Mix{Answered: 1}, Now: func() time.Time { return now },
		Answers: Answers{tokyo: {{"callback_at": "tomorrow 10:00", "interested": true}}}})
	if got := e.results(t, tokyo, "Asia/Tokyo"); len(got) != 2 || got["callback_at"] != "2026-12-08T10:00" || got["interested"] != true {
		t.Errorf("scripted first call: %v", got)
	}
	if got := e.results(t, tokyo, "Asia/Tokyo"); len(got) != 0 {
		t.Errorf("past its script the person says nothing, got %v", got)
	}
	got := e.results(t, other, "America/Los_Angeles")
	if _, ok := got["interested"].(bool); !ok {
		t.Errorf("interested %#v is not a boolean", got["interested"])
	}
	if _, ok := got["budget"].(float64); !ok {
		t.Errorf("budget %#v is not a number", got["budget"])
	}
	if tier, _ := got["tier"].(string); !slices.Contains([]string{"hot", "cold"}, tier) {
		t.Errorf("tier %#v is not an option", got["tier"])
	}
	if email, _ := got["email"].(string); email != "ada@example.com" {
		t.Errorf("email %#v", got["email"])
	}
}
