package vapisim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/autolynx/autolynx/lib/vapi"
)

// spec loads the vendored Vapi OpenAPI schemas (lib/vapi/testdata);
// VAPI_OPENAPI overrides the path.
func spec(t *testing.T) map[string]struct {
	Properties map[string]json.RawMessage
	Required   []string
} {
	t.Helper()
	path := os.Getenv("VAPI_OPENAPI")
	if path == "" {
		path = "../vapi/testdata/vapi-openapi.json"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read Vapi OpenAPI document: %v", err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage
				Required   []string
			}
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Components.Schemas
}

func TestAllowListsMatchOpenAPI(t *testing.T) {
	t.Parallel()
	s := spec(t)
	for name, keys := range map[string][]string{
		"CreateCallDTO": createCallKeys, "CreateCustomerDTO": customerKeys, "CreateAssistantDTO": assistantKeys,
		"UpdateAssistantDTO": assistantKeys, "AssistantOverrides": overrideKeys, "Server": serverKeys,
	} {
		want := slices.Sorted(maps.Keys(s[name].Properties))
		if got := slices.Sorted(slices.Values(keys)); !slices.Equal(got, want) {
			t.Errorf("%s: simulator allows %v, spec has %v", name, got, want)
		}
	}
	var sm struct{ Enum []string }
	_ = json.Unmarshal(s["AssistantOverrides"].Properties["serverMessages"], &sm)
	if !slices.Equal(sm.Enum, serverMessageTypes) {
		t.Errorf("serverMessages enum differs from the spec: %v", sm.Enum)
	}
}

// TestMessagesMatchOpenAPI checks every key the simulator sends against the
// server message and Call schemas (durationSeconds is a documented extra
// that real end-of-call-reports carry).
func TestMessagesMatchOpenAPI(t *testing.T) {
	t.Parallel()
	s := spec(t)
	e := setup(t, Config{Scale: fast, Mix: Mix{Answered: 1}})
	call := mustDial(t, e, "+14155550101")
	e.settle(t)
	schema := map[string]string{vapi.MessageStatusUpdate: "ServerMessageStatusUpdate", vapi.MessageEndOfCallReport: "ServerMessageEndOfCallReport"}
	for _, m := range e.hook.messages() {
		sch := s[schema[m.msg.Type]]
		for k := range m.raw {
			if _, ok := sch.Properties[k]; !ok && k != "durationSeconds" {
				t.Errorf("%s: property %s is not in the schema", m.msg.Type, k)
			}
		}
		for _, k := range sch.Required {
			if _, ok := m.raw[k]; !ok {
				t.Errorf("%s: required property %s missing", m.msg.Type, k)
			}
		}
		for k := range m.raw["call"].(map[string]any) {
			if _, ok := s["Call"].Properties[k]; !ok {
				t.Errorf("%s: call.%s is not in the Call schema", m.msg.Type, k)
			}
		}
	}
	// The POST /call answer is a Call plus subscriptionLimits.
	raw, _ := json.Marshal(call)
	var fields map[string]any
	_ = json.Unmarshal(raw, &fields)
	for k := range fields {
		if _, ok := s["Call"].Properties[k]; !ok && k != "subscriptionLimits" {
			t.Errorf("POST /call answer: %s is not in the Call schema", k)
		}
	}
}

// post sends a raw body to the simulator and returns the status and the
// NestJS error body.
func post(t *testing.T, e *env, path, key, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, e.sim.URL()+path, bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

func TestValidationLikeVapi(t *testing.T) {
	t.Parallel()
	e := setup(t, Config{Scale: fast})
	ok := `"assistantId":"` + e.assistant + `","phoneNumberId":"pn-1"`
	for _, tc := range []struct {
		path, key, body string
		status          int
		msg             string
	}{
		{"/call", e.sim.APIKey(), `{` + ok + `,"type":"outboundPhoneCall","customer":{"number":"+14155550101"}}`, 400, "property type should not exist"},
		{"/call", e.sim.APIKey(), `{` + ok + `,"customer":{"number":"+14155550101","nickname":"x"}}`, 400, "customer.property nickname should not exist"},
		{"/call", e.sim.APIKey(), `{` + ok + `,"customer":{"number":"+14155550101"},"assistantOverrides":{"server":{"url":"https://x.test","secret":"s"}}}`, 400, "assistantOverrides.server.property secret should not exist"},
		{"/call", e.sim.APIKey(), `{` + ok + `,"customer":{"number":"4155550101"}}`, 400, "customer.number must be a valid phone number in the E.164 format"},
		{"/call", e.sim.APIKey(), `{` + ok + `,"customer":{"number":"+14155550101","name":"` + strings.Repeat("n", 41) + `"}}`, 400, "customer.name must be shorter than or equal to 40 characters"},
		{"/call", e.sim.APIKey(), `{` + ok + `,"customer":{"number":"+14155550101"},"assistantOverrides":{"serverMessages":["everything"]}}`, 400, "assistantOverrides.each value in serverMessages must be one of"},
		{"/call", e.sim.APIKey(), `{"assistantId":"nope","phoneNumberId":"pn-1","customer":{"number":"+14155550101"}}`, 400, "Couldn't Get Assistant"},
		{"/call", "wrong", `{}`, 401, "Invalid Key"},
		{"/assistant", e.sim.APIKey(), `{"name":"x","systemPrompt":"legacy"}`, 400, "property systemPrompt should not exist"},
		{"/assistant", e.sim.APIKey(), `[1]`, 400, "Body must be a JSON object"},
	} {
		status, body := post(t, e, tc.path, tc.key, tc.body)
		msg, _ := json.Marshal(body["message"])
		if status != tc.status || body["statusCode"] != float64(tc.status) || body["error"] != http.StatusText(tc.status) || !strings.Contains(string(msg), tc.msg) {
			t.Errorf("%s: %d %v, want %d containing %q", tc.body, status, body, tc.status, tc.msg)
		}
	}
	if st := e.sim.Stats(); st.CallsCreated != 0 {
		t.Errorf("invalid requests created %d calls", st.CallsCreated)
	}
}
